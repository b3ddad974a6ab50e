package shell

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

func marshalSummary(t testing.TB, sum Summary) string {
	b, err := json.Marshal(sum)
	require.NoError(t, err)
	return string(b)
}

// The summaries of a session through the walkthrough's kinds of command,
// and one with what encoding/json writes in its own ways (nil lists, text
// to escape, invalid UTF-8, a folder), are written as json.Marshal writes
// them.
func TestSummaryJSONIsJSONMarshal(t *testing.T) {
	s := newSeeded(t, 11)
	check := func(what string) {
		t.Helper()
		got, err := s.SummaryJSON()
		require.NoError(t, err)
		require.Equal(t, marshalSummary(t, s.Summary()), got, what)
	}
	check("at the start")
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l <aes&256>", "genSymKey -t 31 -s 16 -l x -id \"k\u00e9\"", "exit",
		"mkdir d", "echo x > d/f.txt", "cluster node 2 down"} {
		s.Exec(l)
		check("after " + l)
	}
	odd := Summary{Mode: "<\u2028\xff>", Keys: []KeySummary{{Handle: 1<<64 - 1, Label: "\x00\"\\", ID: "x", Bits: -1, Shared: nil, Nodes: []int{}}},
		Files: []vfs.FileInfo{{Name: "d", Dir: true}, {Name: "d/a&b", Size: 3}}}
	require.Equal(t, marshalSummary(t, odd), string(appendSummary(odd)))
	require.Equal(t, marshalSummary(t, Summary{}), string(appendSummary(Summary{})))
}

// FuzzSummaryJSON: a summary of any text and numbers is written as
// json.Marshal writes it.
func FuzzSummaryJSON(f *testing.F) {
	f.Add("key_mgmt_util", "aes<256>", "", "CU", "f.txt", uint64(524288), 256, true, 3)
	f.Add("", "\xff\u2028\x01", "\u00e9", "", "", uint64(0), -1, false, 0)
	f.Fuzz(func(t *testing.T, mode, label, id, name, file string, h uint64, n int, b bool, count int) {
		count %= 4
		sum := Summary{Mode: mode}
		for i := range count {
			sum.Keys = append(sum.Keys, KeySummary{Handle: h + uint64(i), Reference: label + id, Label: label, ID: id, Class: name, KeyType: mode,
				Bits: n, Owner: -n, Shared: make([]int, i), Token: b, Extractable: !b, Nodes: []int{n, i}})
			sum.Users = append(sum.Users, UserSummary{ID: n + i, Type: name, Name: label, LoggedIn: b, FailedLogins: i})
			sum.Nodes = append(sum.Nodes, NodeSummary{ID: i, Addr: id, Up: b, InSync: !b, Keys: n, Users: count})
			sum.Files = append(sum.Files, vfs.FileInfo{Name: file, Size: n, Dir: i%2 == 0})
		}
		if b {
			sum.Files = []vfs.FileInfo{}
		}
		require.Equal(t, marshalSummary(t, sum), string(appendSummary(sum)))
	})
}
