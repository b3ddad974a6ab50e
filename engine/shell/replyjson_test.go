package shell

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func replyJSON(r Reply) string {
	w := &JSONWriter{EscapeHTML: true}
	w.BeginObject()
	r.WriteJSONFields(w)
	w.EndObject()
	return w.String()
}

func requireReplyJSON(t testing.TB, r Reply, what string) {
	want, err := json.Marshal(r)
	require.NoError(t, err)
	require.Equal(t, string(want), replyJSON(r), what)
}

// The replies to lines of every tool, those whose calls read back
// attributes, users, keys and key information among them, to a question,
// a secret, an error and the host shell, are what json.Marshal writes for
// them.
func TestReplyJSONIsJSONMarshal(t *testing.T) {
	s := newSeeded(t, 5)
	var last uint64
	kinds := map[string]bool{}
	for _, line := range []string{
		"help", "ls", "echo <x> & y > n.txt", "nosuchcommand",
		"key_mgmt_util", "loginHSM -u CU -s alice -p password", "genSymKey -t 31 -s 16 -l <aes>", "getKeyInfo -k $1",
		"getAttribute -o 524291 -a 512 -out attrs.txt", "findKey -c 4", "genECCKeyPair -i 2 -l ec", "getAttribute -o $1 -a 288 -out p.txt",
		"listUsers", "shareKey -k 524291 -u 4", "deleteKey -k 999", "loginHSM -u CU -s alice -p wrong", "exit",
		"cloudhsm_mgmt_util", "loginHSM CU alice password", "listUsers", "getKeyInfo 524291", "getAttribute 524291 3",
		"quit", "cloudhsm_mgmt_util", "loginHSM CO admin password", "findAllKeys 3 0", "changePswd CU alice", "quit",
		"cloudhsm-cli interactive", "login --username alice --role crypto-user", "password", "key list", "user list",
		"key generate-symmetric aes --label c1 --key-length-bytes 16", "quit", "cluster node 1 down", "exit",
	} {
		line = strings.ReplaceAll(line, "$1", fmt.Sprint(last))
		r := s.Exec(line)
		if len(r.Touched) > 0 {
			last = r.Touched[0]
		}
		for _, c := range r.Calls {
			if v := c.Value; v != nil {
				kinds[fmt.Sprintf("attrs=%v users=%v keys=%v info=%v", v.Attributes != nil, v.Users != nil, v.Keys != nil, v.KeyInfo != nil)] = true
			}
			for _, n := range c.Nodes {
				if n.Value != nil {
					kinds["node value"] = true
				}
			}
		}
		requireReplyJSON(t, r, line)
	}
	require.GreaterOrEqual(t, len(kinds), 4, "the lines read back values of each kind: %v", kinds)
	// Fields that the lines above leave empty or unset.
	requireReplyJSON(t, Reply{Asking: true, Secret: true, Changed: true, Exit: true, Interrupted: true, Cut: true, Touched: []uint64{1, 1<<64 - 1},
		Calls: []Call{{API: "x", Nodes: []tool.Node{{Node: -1, Value: &tool.Value{}}}, Handles: []uint64{2}, Message: "<&>",
			Value: &tool.Value{Attributes: []hsm.AttrValue{{Bytes: nil}, {Bytes: []byte{}}, {Bytes: []byte{0xff}}},
				KeyInfo: &tool.KeyInfo{Shared: []int{1}, MValue: 2}, Keys: []tool.KeyRef{{Handle: 1}}}}}}, "every field")
	requireReplyJSON(t, Reply{Touched: []uint64{}, Calls: []Call{}}, "empty lists")
}

// FuzzReplyJSON: a reply of any text and numbers is written as
// json.Marshal writes it.
func FuzzReplyJSON(f *testing.F) {
	f.Add("Cfm3GenerateSymmetricKey returned: 0x00 <&>\n", "Command: ", "key_mgmt_util", "o", uint64(524288), 3, uint8(0x2d), []byte{1, 2})
	f.Add("\xff\u2028\x00", "", "", "", uint64(0), -1, uint8(0), []byte(nil))
	f.Fuzz(func(t *testing.T, out, prompt, mode, text string, h uint64, n int, flags uint8, b []byte) {
		bit := func(i uint) bool { return flags&(1<<i) != 0 }
		r := Reply{Output: out, Prompt: prompt, Mode: mode, Asking: bit(0), Secret: bit(1), Changed: bit(2), Exit: bit(3), Interrupted: bit(4), Cut: bit(5)}
		if bit(6) {
			r.Touched = []uint64{h, h + 1}
		}
		if bit(7) {
			v := &tool.Value{Attributes: []hsm.AttrValue{{ID: n, Name: text, Kind: hsm.AttrKind(n), Bytes: b}},
				Users: []tool.UserInfo{{ID: n, Type: hsm.Role(text), Name: out, QuorumPubKey: bit(0), FailedLogins: n, TwoFA: bit(1)}},
				Keys:  []tool.KeyRef{{Handle: h, Relation: text}}, KeyInfo: &tool.KeyInfo{Token: bit(2), Owner: n, Shared: []int{n}, MValue: n}}
			r.Calls = []Call{{API: text, RC: hsm.RC(h), Nodes: []tool.Node{{Node: n, RC: hsm.RC(n), Value: v}}, Handles: []uint64{h}, Value: v, Message: out}, {}}
		}
		requireReplyJSON(t, r, "")
	})
}
