package shell

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
