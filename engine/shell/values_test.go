package shell

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// valuesSession is a seeded session with a tool started and logged in.
func valuesSession(t *testing.T, tool, login string) *Session {
	t.Helper()
	s, err := New(Options{Rand: SeededRand(7)})
	require.NoError(t, err)
	s.Exec(tool)
	rep := s.Exec(login)
	require.NotEmpty(t, rep.Calls)
	require.Equal(t, hsm.RCSuccess, rep.Calls[0].RC, rep.Output)
	return s
}

// switchTool leaves the running tool and starts another, logged in.
func switchTool(t *testing.T, s *Session, tool, login string) {
	t.Helper()
	s.Exec("exit")
	s.Exec(tool)
	rep := s.Exec(login)
	require.NotEmpty(t, rep.Calls)
	require.Equal(t, hsm.RCSuccess, rep.Calls[0].RC, rep.Output)
}

// The EC point of a public key: cloudhsm_mgmt_util prints the whole point,
// the very bytes key_mgmt_util writes, not the last eight of them.
func TestBothToolsPrintTheSameECPoint(t *testing.T) {
	s := valuesSession(t, "key_mgmt_util", "loginHSM -u CU -s alice -p password")
	rep := s.Exec("genECCKeyPair -i 2 -l ec-point")
	require.Len(t, rep.Calls, 1)
	require.Len(t, rep.Calls[0].Handles, 2, rep.Output)
	pub := rep.Calls[0].Handles[0]
	rep = s.Exec(fmt.Sprintf("getAttribute -o %d -a 288 -out point.txt", pub))
	require.Len(t, rep.Calls, 1)
	require.Equal(t, "Cfm3GetAttribute", rep.Calls[0].API)
	require.Equal(t, hsm.RCSuccess, rep.Calls[0].RC)
	require.NotNil(t, rep.Calls[0].Value)
	require.Len(t, rep.Calls[0].Value.Attributes, 1)
	point := rep.Calls[0].Value.Attributes[0].Bytes
	require.Len(t, point, 65, "an uncompressed P-256 point")
	file := string(s.Files()["point.txt"])
	assert.Equal(t, "OBJ_ATTR_MODULUS\n"+hex.EncodeToString(point)+"\n", file)

	switchTool(t, s, "cloudhsm_mgmt_util", "loginHSM CU alice password")
	rep = s.Exec(fmt.Sprintf("getAttribute %d 288", pub))
	require.Len(t, rep.Calls, 1)
	require.Len(t, rep.Calls[0].Nodes, 3)
	for _, n := range rep.Calls[0].Nodes {
		require.Equal(t, hsm.RCSuccess, n.RC)
		require.NotNil(t, n.Value)
		assert.Equal(t, point, n.Value.Attributes[0].Bytes, "node %d", n.Node)
	}
	assert.Equal(t, 3, strings.Count(rep.Output, "\n"+file), rep.Output)
	assert.NotContains(t, rep.Output, "0x"+hex.EncodeToString(point[len(point)-8:]))
}

// The values both tools read back are the same data, whatever their
// layouts: the users table, a key's owner and shares, the keys of a user.
func TestBothToolsReadTheSameValues(t *testing.T) {
	s := valuesSession(t, "key_mgmt_util", "loginHSM -u CU -s alice -p password")
	rep := s.Exec("listUsers")
	require.Len(t, rep.Calls, 1)
	require.NotNil(t, rep.Calls[0].Value)
	users := rep.Calls[0].Value.Users
	require.Len(t, users, 4)
	assert.Equal(t, "alice", users[3].Name)
	rep = s.Exec("getKeyInfo -k 524291")
	require.Equal(t, "Cfm3GetKey", rep.Calls[0].API)
	info := rep.Calls[0].Value.KeyInfo
	require.NotNil(t, info)
	assert.Equal(t, []int{3}, info.Shared, "524291 is shared with example_user")
	rep = s.Exec("findKey -c 4")
	require.Equal(t, "Cfm3FindKey", rep.Calls[0].API)
	found := rep.Calls[0].Handles
	assert.Contains(t, found, uint64(524291))

	switchTool(t, s, "cloudhsm_mgmt_util", "loginHSM CU alice password")
	rep = s.Exec("listUsers")
	require.Len(t, rep.Calls[0].Nodes, 3)
	for _, n := range rep.Calls[0].Nodes {
		assert.Equal(t, users, n.Value.Users, "node %d", n.Node)
	}
	rep = s.Exec("getKeyInfo 524291")
	for _, n := range rep.Calls[0].Nodes {
		assert.Equal(t, info, n.Value.KeyInfo, "node %d", n.Node)
	}
	switchTool(t, s, "cloudhsm_mgmt_util", "loginHSM CO admin password")
	rep = s.Exec("findAllKeys 3 0")
	require.Equal(t, "findAllKeys", rep.Calls[0].API)
	for _, n := range rep.Calls[0].Nodes {
		require.Equal(t, hsm.RCSuccess, n.RC)
		require.Len(t, n.Value.Keys, 1, "example_user has 524291 shared")
		assert.Equal(t, uint64(524291), n.Value.Keys[0].Handle)
		assert.Equal(t, "s", n.Value.Keys[0].Relation)
	}
}

// A reply's calls are JSON a front end reads: codes as numbers, values
// with their names.
func TestCallsAsJSON(t *testing.T) {
	s := valuesSession(t, "key_mgmt_util", "loginHSM -u CU -s alice -p password")
	b, err := json.Marshal(s.Exec("getAttribute -o 524291 -a 3 -out label.txt").Calls)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"api":"Cfm3GetAttribute","rc":0,"value":{"attributes":[{"id":3,"name":"OBJ_ATTR_LABEL","kind":4,"bytes":"`+
		base64.StdEncoding.EncodeToString(s.Files()["label.txt"][len("OBJ_ATTR_LABEL\n"):len(s.Files()["label.txt"])-1])+`"}]}}]`, string(b))
}
