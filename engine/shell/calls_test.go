package shell

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

var (
	returnedLine = regexp.MustCompile(`(?m)^(\w+) returned: 0x([0-9a-f]+) : `)
	nodeLine     = regexp.MustCompile(`(?m)^Node id (\d+) and err state 0x([0-9a-f]{8}) : `)
	serverOK     = regexp.MustCompile(`(?m)^(\w+) success on server (\d+)\(`)
	// A failure is two lines: the code, then the server, worded per command
	// ("deleteUser failed on server 0(...)", "creating user on server 2(...) failed").
	serverFailed = regexp.MustCompile(`(?m)^(\w+) failed: .*\n.*server (\d+)\(`)
	// The commands that read a value head it with the server instead.
	serverRead = regexp.MustCompile(`(?m)^(Users|Key Info|Attribute Value|Keys) on server (\d+)\(`)
	readers    = map[string]string{"Users": "listUsers", "Key Info": "getKeyInfo", "Attribute Value": "getAttribute", "Keys": "findAllKeys"}
	serverLine = regexp.MustCompile(serverOK.String() + `|` + serverFailed.String() + `|` + serverRead.String())
)

// callsOfText reads back from key_mgmt_util's and cloudhsm_mgmt_util's
// text what the typed calls say: each "returned" line, each node line,
// each per-server line.
func callsOfText(out string) (returned []tool.Call, nodes []tool.Node, servers []string) {
	for _, m := range returnedLine.FindAllStringSubmatch(out, -1) {
		rc, _ := strconv.ParseUint(m[2], 16, 32)
		returned = append(returned, tool.Call{API: m[1], RC: hsm.RC(rc)})
	}
	for _, m := range nodeLine.FindAllStringSubmatch(out, -1) {
		id, _ := strconv.Atoi(m[1])
		rc, _ := strconv.ParseUint(m[2], 16, 32)
		nodes = append(nodes, tool.Node{Node: id, RC: hsm.RC(rc)})
	}
	for _, m := range serverLine.FindAllStringSubmatch(out, -1) {
		var line string
		switch {
		case m[1] != "":
			line = m[1] + " success " + m[2]
		case m[3] != "":
			line = m[3] + " failed " + m[4]
		default:
			line = readers[m[5]] + " success " + m[6]
		}
		// findAllKeys heads each server's keys and ends them with its
		// success line: one answer.
		if k := len(servers); k == 0 || servers[k-1] != line {
			servers = append(servers, line)
		}
	}
	return
}

// The typed calls and the printed text say the same thing, line after
// line, for both tools, in success, refusal and drift.
func TestCallsAgreeWithTheText(t *testing.T) {
	s := newSeeded(t, 9)
	lines := []string{
		"key_mgmt_util",
		"findKey",
		"loginHSM -u CU -s example_user -p wrong",
		"loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l agree",
		"genRSAKeyPair -m 2048 -e 65537 -l agree-rsa",
		"genECCKeyPair -i 2 -l agree-ec",
		"findKey -l agree",
		"findSingleKey -k 524291",
		"getKeyInfo -k 524291",
		"deleteKey -k 524291",
		"deleteKey -k 999999",
		"getAttribute -o 524291 -a 512 -out all.txt",
		"listUsers",
		"exSymKey -k 524295 -w 524295 -out x.key",
		"exit",
		"cluster node 2 down",
		"key_mgmt_util",
		"loginHSM -u CU -s alice -p password",
		"genSymKey -t 31 -s 16 -l drift",
		"findSingleKey -k 524288",
		"logoutHSM",
		"exit",
		"cloudhsm_mgmt_util",
		"listUsers",
		"loginHSM CU alice password",
		"getKeyInfo 524291",
		"getAttribute 524291 512",
		"shareKey 524288 3 1",
		"y",
		"logoutHSM",
		"loginHSM CO admin password",
		"findAllKeys 3 1",
		"createUser CU bob password1",
		"y",
		"A",
		"quit",
	}
	seen := map[string]int{}
	for _, l := range lines {
		rep := s.Exec(l)
		returned, nodes, servers := callsOfText(rep.Output)
		seen["returned"] += len(returned)
		seen["nodes"] += len(nodes)
		seen["servers"] += len(servers)
		var gotReturned []tool.Call
		var gotNodes []tool.Node
		var gotServers []string
		for _, c := range rep.Calls {
			if len(servers) == 0 && c.API != "" {
				gotReturned = append(gotReturned, tool.Call{API: c.API, RC: c.RC})
			}
			for _, n := range c.Nodes {
				if len(servers) == 0 {
					gotNodes = append(gotNodes, tool.Node{Node: n.Node, RC: n.RC})
					continue
				}
				word := "success"
				if n.RC != hsm.RCSuccess {
					word = "failed"
				}
				gotServers = append(gotServers, c.API+" "+word+" "+strconv.Itoa(n.Node))
			}
		}
		if len(servers) > 0 {
			assert.Equal(t, servers, gotServers, "%s:\n%s", l, rep.Output)
			continue
		}
		assert.Equal(t, returned, gotReturned, "%s:\n%s", l, rep.Output)
		assert.Equal(t, nodes, gotNodes, "%s:\n%s", l, rep.Output)
	}
	require.Equal(t, HostPrompt, s.Prompt())
	// The script compares this many lines of each kind.
	// cloudhsm_mgmt_util starts with HSM 2 down, so its commands reach
	// servers 0 and 1 only: two server lines each, not three.
	assert.Equal(t, map[string]int{"returned": 19, "nodes": 36, "servers": 16}, seen)
}

// keyRefField is a key reference in CloudHSM CLI's JSON.
var keyRefField = regexp.MustCompile(`"(?:key-reference|\w*key_reference)": "(0x[0-9a-f]+)"`)

// cliPath is the command path a CloudHSM CLI line starts with.
func cliPath(line string) string {
	words := strings.Fields(line)
	path := ""
	for i := range words {
		p := strings.Join(words[:i+1], " ")
		if slices.Contains(cli.Commands(), p) {
			path = p
		}
	}
	return path
}

// The typed calls of CloudHSM CLI say what its JSON says: the command
// path, error_code 0 or the message of the error, every key the reply
// names, the keys and users a list shows, and a drifted cluster's
// "partial" coverage as an HSM that did not answer.
func TestCLICallsAgreeWithTheJSON(t *testing.T) {
	s := newSeeded(t, 10)
	type line struct {
		in string
		// found is the key a filter selected, which the reply does not name.
		found uint64
	}
	lines := []line{
		{in: "cloudhsm-cli interactive"},
		{in: "key list"},
		{in: "login --username example_user --role crypto-user --password wrong"},
		{in: "login --username example_user --role crypto-user --password password"},
		{in: "key generate-symmetric aes --label agree --key-length-bytes 32"},
		{in: "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label agree-pub --private-label agree-priv --public-attributes wrap=true --private-attributes unwrap=true"},
		{in: "key generate-asymmetric-pair ec --curve secp384r1 --public-label agree-ec-pub --private-label agree-ec-priv"},
		{in: "key list --filter attr.label=agree --verbose"},
		{in: "key list --max-items 2"},
		{in: "key list --filter attr.label=nothing-has-this"},
		{in: "key share --filter attr.label=agree --username alice --role crypto-user", found: 524295},
		{in: "key share --filter attr.label=agree --username alice --role crypto-user", found: 524295},
		{in: "key set-attribute --filter attr.label=agree --name label --value agreed", found: 524295},
		{in: "key wrap rsa-pkcs --payload-filter attr.label=agreed --wrapping-filter attr.label=agree-pub"},
		{in: "key delete --filter key-reference=0x0000000000080003", found: 524291},
		{in: "key delete --filter attr.label=agree-ec-priv", found: 524298},
		{in: "key delete --filter attr.class=secret-key"},
		{in: "user list"},
		{in: "user create --username bob --role crypto-user --password password1"},
		{in: "crypto sign rsa-pkcs --key-filter attr.label=agree-priv --hash-function sha256 --data YWJj", found: 524296},
		{in: "logout"},
		{in: "login --username admin --role admin --password password"},
		{in: "user create --username bob --role crypto-user --password password1"},
		{in: "user list"},
		{in: "quit"},
		{in: "cluster node 2 down"},
		{in: "cloudhsm-cli interactive"},
		{in: "login --username alice --role crypto-user --password password"},
		{in: "key generate-symmetric aes --label drifted --key-length-bytes 16"},
		{in: "key list --filter attr.label=drifted --verbose"},
		{in: "quit"},
		{in: "cluster node 2 up"},
		{in: "export CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=example_user:password"},
		{in: "cloudhsm-cli key list --filter attr.label=agreed"},
		{in: "export CLOUDHSM_PIN=example_user:wrong"},
		{in: "cloudhsm-cli key list"},
	}
	seen := map[string]int{}
	for _, l := range lines {
		rep := s.Exec(l.in)
		i := strings.Index(rep.Output, "{")
		if i < 0 {
			assert.Empty(t, rep.Calls, "%s:\n%s", l.in, rep.Output)
			continue
		}
		var out struct {
			Code int             `json:"error_code"`
			Data json.RawMessage `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(rep.Output[i:]), &out), "%s:\n%s", l.in, rep.Output)
		require.Len(t, rep.Calls, 1, "%s:\n%s", l.in, rep.Output)
		c := rep.Calls[0]
		in := strings.TrimPrefix(l.in, "cloudhsm-cli ")
		if out.Code == 1 && strings.Contains(rep.Output, "Login failed") && !strings.HasPrefix(in, "login") {
			in = "login" // single-command mode's login with CLOUDHSM_PIN
		}
		assert.Equal(t, cliPath(in), c.API, l.in)
		if out.Code == 0 {
			seen["success"]++
			assert.Equal(t, hsm.RCSuccess, c.RC, l.in)
			assert.Empty(t, c.Message, l.in)
		} else {
			seen["error"]++
			var msg string
			require.NoError(t, json.Unmarshal(out.Data, &msg), l.in)
			assert.Equal(t, msg, c.Message, l.in)
			assert.NotEqual(t, hsm.RCSuccess, c.RC, l.in)
		}
		var refs []uint64
		if l.found != 0 {
			refs = append(refs, l.found)
		}
		for _, m := range keyRefField.FindAllStringSubmatch(rep.Output, -1) {
			h, err := strconv.ParseUint(m[1][2:], 16, 64)
			require.NoError(t, err)
			if !slices.Contains(refs, h) {
				refs = append(refs, h)
			}
		}
		seen["handles"] += len(refs)
		assert.ElementsMatch(t, refs, c.Handles, "%s:\n%s", l.in, rep.Output)
		var data struct {
			Keys []struct {
				Ref string `json:"key-reference"`
			} `json:"matched_keys"`
			Users []struct {
				Name string `json:"username"`
			} `json:"users"`
		}
		_ = json.Unmarshal(out.Data, &data)
		switch cliPath(in) {
		case "key list":
			if out.Code != 0 {
				break
			}
			require.NotNil(t, c.Value, l.in)
			var listed []string
			for _, k := range c.Value.Keys {
				listed = append(listed, cli.KeyReference(k.Handle))
			}
			var shown []string
			for _, k := range data.Keys {
				shown = append(shown, k.Ref)
			}
			assert.Equal(t, shown, listed, l.in)
			seen["listed keys"] += len(listed)
		case "user list":
			require.NotNil(t, c.Value, l.in)
			var listed, shown []string
			for _, u := range c.Value.Users {
				listed = append(listed, strings.ToLower(u.Name))
			}
			for _, u := range data.Users {
				shown = append(shown, u.Name)
			}
			assert.Equal(t, shown, listed, l.in)
			seen["listed users"] += len(listed)
		case "key generate-symmetric aes":
			partial := strings.Contains(rep.Output, `"cluster-coverage": "partial"`)
			missed := false
			for _, n := range c.Nodes {
				missed = missed || n.RC != hsm.RCSuccess
			}
			assert.Equal(t, partial, missed, "%s:\n%s", l.in, rep.Output)
			assert.NotEmpty(t, c.Nodes, l.in)
			if missed {
				seen["partial"]++
			}
		}
	}
	require.Equal(t, HostPrompt, s.Prompt())
	assert.Equal(t, map[string]int{"success": 20, "error": 8, "handles": 19, "listed keys": 5, "listed users": 9, "partial": 1}, seen)
}
