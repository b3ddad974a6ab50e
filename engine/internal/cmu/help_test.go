package cmu

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// Every command cloudhsm_mgmt_util's help lists, and every command of its
// reference page, is implemented: it has a -h text and answers as a
// command, never as an unknown or unsupported one.
func TestEveryHelpCommandIsImplemented(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	tl := New(c, fs, rand.NewChaCha8([32]byte{1}))
	var names []string
	for _, line := range strings.Split(tl.Exec("help").Output, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasSuffix(line, ":") || f[0] == "Command" || f[0] == "=======" || f[0] == "Syntax:" || f[0] == "Help" {
			continue
		}
		names = append(names, f[0])
	}
	// cloudhsm_mgmt_util-reference.md's table.
	for _, want := range strings.Fields("changePswd createUser deleteUser findAllKeys getAttribute getCert getHSMInfo getKeyInfo info listUsers quit server registerQuorumPubKey setAttribute shareKey syncKey syncUser getToken approveToken listTokens delToken getMValue setMValue") {
		assert.Contains(t, names, want)
	}
	for _, n := range names {
		require.NotNil(t, commands[n], n)
		assert.Contains(t, tl.Exec("help "+n).Output, "Syntax: "+n, n)
		if n == "quit" {
			continue
		}
		out := tl.Exec(n).Output
		assert.NotContains(t, out, "not support", n)
		assert.NotContains(t, out, "Invalid command", n)
	}
}
