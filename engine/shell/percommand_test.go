package shell

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/state"
)

// What the page asks of a session around every command — the session keys
// before it (for taking it back) and the summary the panels draw after it —
// is kept from command to command and brought up to date from the
// cluster's record of its changes. These tests hold those kept copies to
// what a fresh look at every key gives, after every kind of change.

// scanSessionKeys is SessionKeys as a look at every key of every node
// gives it: node id -> handle -> key.
func scanSessionKeys(c *hsm.Cluster) map[int]map[uint64]*hsm.Object {
	out := map[int]map[uint64]*hsm.Object{}
	for _, n := range c.Nodes {
		for h, o := range n.Objects {
			if !o.Token {
				if out[n.ID] == nil {
					out[n.ID] = map[uint64]*hsm.Object{}
				}
				out[n.ID][h] = o
			}
		}
	}
	return out
}

func assertSessionKeys(t *testing.T, s *Session, want map[int]map[uint64]*hsm.Object, what string) {
	t.Helper()
	got := s.SessionKeys()
	assert.Equal(t, len(want), len(got.objs), "%s: nodes with session keys", what)
	for id, objs := range want {
		require.Len(t, got.objs[id], len(objs), "%s: session keys of node %d", what, id)
		for _, o := range got.objs[id] {
			w := objs[o.Handle]
			require.NotNil(t, w, "%s: node %d has no session key %d", what, id, o.Handle)
			assert.True(t, w.Equal(o), "%s: node %d key %d differs from the key itself", what, id, o.Handle)
			assert.NotSame(t, w, o, "%s: a copy, not the key itself", what)
		}
	}
}

// freshSummary is Summary with nothing kept from an earlier call.
func freshSummary(s *Session) (Summary, string) {
	kept := s.sum
	s.sum = summaryCache{}
	sum := s.Summary()
	b, err := json.Marshal(sum)
	if err != nil {
		panic(err)
	}
	s.sum = kept
	return sum, string(b)
}

func assertSummary(t *testing.T, s *Session, what string) {
	t.Helper()
	want, wantJSON := freshSummary(s)
	assert.Equal(t, want, s.Summary(), "%s: summary", what)
	got, err := s.SummaryJSON()
	require.NoError(t, err)
	assert.JSONEq(t, wantJSON, got, "%s: summary JSON", what)
	assert.Equal(t, wantJSON, got, "%s: the very bytes json.Marshal gives", what)
}

func TestKeptSessionKeysAndSummaryFollowEveryChange(t *testing.T) {
	s := newSeeded(t, 7)
	other := newSeeded(t, 8)
	// $1 in a line is the first handle the line before it touched.
	steps := []string{
		"key_mgmt_util",
		"loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 16 -l s1 -sess",
		"genSymKey -t 31 -s 32 -l t1",
		"genSymKey -t 16 -s 24 -l s2 -sess",
		"setAttribute -o $1 -a 1 -v 1",
		"getKeyInfo -k 524291",
		"findKey",
		"genECCKeyPair -i 2 -l ec -sess",
		"deleteKey -k $1",
		"genSymKey -t 31 -s 16 -l s3 -sess",
		"exSymKey -k $1 -out aes.bin -w 524291",
		"logoutHSM",
		"loginHSM -u CU -s alice -p password",
		"genSymKey -t 31 -s 16 -l a1 -sess",
		"logoutHSM",
		"loginHSM -u CU -s alice -p wrong",
		"loginHSM -u CU -s example_user -p password",
		"exit",
		"cluster node 2 down",
		"key_mgmt_util",
		"loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 16 -l down -sess",
		"genSymKey -t 31 -s 16 -l downtok",
		"exit",
		"cluster node 2 up",
		"echo hi > note.txt",
		"rm note.txt",
		"cloudhsm_mgmt_util",
		"loginHSM CO admin password",
		"listUsers",
		"quit",
	}
	var last uint64
	var outputs []string
	held := []SessionKeys{}
	heldWant := []map[int]map[uint64]*hsm.Object{}
	for i, line := range steps {
		what := fmt.Sprintf("after %q", line)
		before := scanSessionKeys(s.Cluster)
		clones := map[int]map[uint64]*hsm.Object{}
		for id, objs := range before {
			clones[id] = map[uint64]*hsm.Object{}
			for h, o := range objs {
				clones[id][h] = o.Clone()
			}
		}
		held = append(held, s.SessionKeys())
		heldWant = append(heldWant, clones)
		line = strings.ReplaceAll(line, "$1", fmt.Sprint(last))
		rep := s.Exec(line)
		if len(rep.Touched) > 0 {
			last = rep.Touched[0]
		}
		outputs = append(outputs, rep.Output)
		assertSessionKeys(t, s, scanSessionKeys(s.Cluster), what)
		assertSummary(t, s, what)
		if i == len(steps)/2 {
			// Another tab's save replaces the cluster; the session keys stay.
			other.Exec("key_mgmt_util")
			other.Exec("loginHSM -u CU -s example_user -p password")
			other.Exec("genSymKey -t 31 -s 32 -l fromtheothertab")
			c, files, err := state.FromRecords(mustRecords(t, other))
			require.NoError(t, err)
			require.NoError(t, s.ReloadState(c, files))
			assertSessionKeys(t, s, scanSessionKeys(s.Cluster), "after a reload")
			assertSummary(t, s, "after a reload")
		}
	}
	// The steps did what they say (the changes the copies must follow).
	assert.Contains(t, outputs[5], "Cfm3SetAttribute returned: 0x00", "a session key made a token key")
	assert.Contains(t, outputs[9], "Cfm3DeleteKey returned: 0x00")
	assert.Contains(t, outputs[12], "Cfm3LogoutHSM returned: 0x00", "the session keys go")
	assert.Contains(t, outputs[16], "Cfm3LoginHSM returned: 0xa3", "a failed login is counted")
	assert.Contains(t, outputs[23], "Key Handle:")
	// What SessionKeys handed out before a command still holds the keys as
	// they were then, whatever came after.
	for i, sk := range held {
		want := heldWant[i]
		for id, objs := range want {
			require.Len(t, sk.objs[id], len(objs), "before %q", steps[i])
			for _, o := range sk.objs[id] {
				assert.True(t, objs[o.Handle].Equal(o), "before %q: key %d as it was", steps[i], o.Handle)
			}
		}
	}
}

func mustRecords(t testing.TB, s *Session) map[string][]byte {
	t.Helper()
	recs, err := state.Records(s.Cluster, s.Files())
	require.NoError(t, err)
	return recs
}

// A command whose change cannot be saved is taken back with the session
// keys SessionKeys gave before it, kept or not: the same workspace after.
func TestUndoWithKeptSessionKeys(t *testing.T) {
	s := newSeeded(t, 9)
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 16 -l s1 -sess", "getKeyInfo -k 524291"} {
		s.Exec(l)
	}
	saved := mustRecords(t, s)
	want := scanSessionKeys(s.Cluster)
	sk := s.SessionKeys()
	s.Exec("setAttribute -o 524295 -a 3 -v changed")
	s.Exec("genSymKey -t 31 -s 16 -l s2 -sess")
	c, files, err := state.FromRecords(saved)
	require.NoError(t, err)
	require.NoError(t, s.Undo(c, files, sk))
	got := scanSessionKeys(s.Cluster)
	require.Len(t, got, len(want))
	for id, objs := range want {
		require.Len(t, got[id], len(objs))
		for h, o := range objs {
			assert.True(t, o.Equal(got[id][h]), "node %d key %d as before the commands", id, h)
		}
	}
	assert.Equal(t, "s1", got[2][524295].Label)
	assertSessionKeys(t, s, got, "after the undo")
	assertSummary(t, s, "after the undo")
}

// Random commands, with the kept copies checked against a fresh look after
// each.
func TestKeptCopiesRandomCommands(t *testing.T) {
	s := newSeeded(t, 11)
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	r := rand.New(rand.NewPCG(1, 2))
	made := []uint64{}
	for i := range 150 {
		var line string
		switch k := r.IntN(6); {
		case k == 0 || len(made) == 0:
			line = fmt.Sprintf("genSymKey -t 31 -s 16 -l r%d -sess", i)
		case k == 1:
			line = fmt.Sprintf("genSymKey -t 31 -s 16 -l t%d", i)
		case k == 2:
			line = fmt.Sprintf("deleteKey -k %d", made[r.IntN(len(made))])
		case k == 3:
			line = fmt.Sprintf("setAttribute -o %d -a 3 -v x%d", made[r.IntN(len(made))], i)
		case k == 4:
			line = fmt.Sprintf("getKeyInfo -k %d", made[r.IntN(len(made))])
		default:
			line = "findKey"
		}
		rep := s.Exec(line)
		made = append(made, rep.Touched...)
		slices.Sort(made)
		made = slices.Compact(made)
		assertSessionKeys(t, s, scanSessionKeys(s.Cluster), line)
		assertSummary(t, s, line)
	}
}

// benchSession is a session logged in as example_user on a cluster whose
// HSMs hold n keys (copies of an AES key, an RSA-2048 pair and an EC pair,
// as make bench's 3,300-key fixture).
func benchSession(b *testing.B, n int) *Session {
	b.Helper()
	s, err := New(Options{Rand: SeededRand(3300)})
	require.NoError(b, err)
	var made []uint64
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l tmpl-aes", "genRSAKeyPair -m 2048 -e 65537 -l tmpl-rsa", "genECCKeyPair -i 2 -l tmpl-ec"} {
		made = append(made, s.Exec(l).Touched...)
	}
	require.NoError(b, s.Cluster.FillWithCopies(made, n, func(i int) string { return fmt.Sprintf("bulk-%d", i) }))
	// As the browser has it: the workspace read back from its records.
	c, files, err := state.FromRecords(mustRecords(b, s))
	require.NoError(b, err)
	require.NoError(b, s.ReloadState(c, files))
	return s
}

// BenchmarkReadCommand is what the browser's engine does for a command
// that changes nothing (getKeyInfo of a key example_user may read), on
// workspaces of 100 and 3,300 keys: line is the session keys taken before
// it and the line itself (the page's round trip), summary the summary the
// panels ask after it, encoded.
func BenchmarkReadCommand(b *testing.B) {
	for _, n := range []int{100, 3300} {
		s := benchSession(b, n)
		b.Run(fmt.Sprintf("keys=%d/line", n), func(b *testing.B) {
			for b.Loop() {
				_ = s.SessionKeys()
				if rep := s.Exec("getKeyInfo -k 524291"); rep.Changed {
					b.Fatal(rep.Output)
				}
			}
		})
		b.Run(fmt.Sprintf("keys=%d/summary", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.SummaryJSON(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
