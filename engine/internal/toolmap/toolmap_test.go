package toolmap_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
	"github.com/hsmsim/hsmsim/engine/internal/cmu"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/toolmap"
)

// Every row names a command its tool has, and a CloudHSM CLI command that
// the CLI has.
func TestRowsNameRealCommands(t *testing.T) {
	cliCommands := map[string]bool{"help": true, "quit": true}
	for _, c := range cli.Commands() {
		cliCommands[c] = true
	}
	for _, r := range toolmap.Rows {
		switch r.Tool {
		case kmu.Name:
			assert.True(t, kmu.Lookup(r.SDK3) != nil || r.SDK3 == "exit", "key_mgmt_util has no %s", r.SDK3)
		case cmu.Name:
			assert.Contains(t, cmu.Commands(), r.SDK3, "cloudhsm_mgmt_util has no %s", r.SDK3)
		default:
			t.Errorf("row %s names tool %q", r.SDK3, r.Tool)
		}
		if r.CLI == "" {
			assert.NotEmpty(t, r.Note, "%s has no equivalent and says nothing", r.SDK3)
			continue
		}
		var words []string
		for _, w := range strings.Fields(r.CLI) {
			if strings.HasPrefix(w, "-") {
				break
			}
			words = append(words, w)
		}
		path := strings.Join(words, " ")
		if words[0] == "help" {
			path = strings.Join(words[1:], " ")
		}
		if strings.Contains(path, "<") {
			path = strings.TrimSpace(path[:strings.Index(path, "<")])
			found := false
			for c := range cliCommands {
				found = found || strings.HasPrefix(c, path+" ")
			}
			assert.True(t, found, "CloudHSM CLI has no %s family", path)
			continue
		}
		assert.True(t, cliCommands[path] || path == "", "CloudHSM CLI has no %q (row %s)", path, r.SDK3)
	}
}

func TestHints(t *testing.T) {
	assert.Equal(t, "hint: genSymKey is a key_mgmt_util command; in CloudHSM CLI: key generate-symmetric aes --label <label> --key-length-bytes <16|24|32>\n",
		toolmap.HintForSDK3("genSymKey"))
	assert.Equal(t, "hint: createUser is a cloudhsm_mgmt_util command; in CloudHSM CLI: user create --username <name> --role <admin|crypto-user>\n",
		toolmap.HintForSDK3("createUser"))
	assert.Contains(t, toolmap.HintForSDK3("exSymKey"), "CloudHSM CLI has no equivalent (CloudHSM CLI exports no plaintext keys; take a key out with key wrap)")
	assert.Equal(t, "", toolmap.HintForSDK3("frobnicate"))

	assert.Equal(t, "hint: that is a CloudHSM CLI command (cloudhsm-cli interactive); in key_mgmt_util: genSymKey\n",
		toolmap.HintForCLI(kmu.Name, "key generate-symmetric aes --label x --key-length-bytes 32"))
	assert.Equal(t, "hint: that is a CloudHSM CLI command (cloudhsm-cli interactive); in cloudhsm_mgmt_util: listUsers\n",
		toolmap.HintForCLI(cmu.Name, "user list"))
	require.Contains(t, toolmap.HintForCLI(kmu.Name, "key list"), "findKey")
	assert.Equal(t, "", toolmap.HintForCLI(kmu.Name, "frobnicate"))
}
