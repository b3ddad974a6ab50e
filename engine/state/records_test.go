package state_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// recSession starts the default workspace with seeded randomness.
func recSession(t testing.TB) *shell.Session {
	t.Helper()
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(7)})
	require.NoError(t, err)
	return s
}

// recApply writes a delta into a store the way the browser's IndexedDB
// transaction does.
func recApply(store map[string][]byte, puts map[string][]byte, dels []string) {
	for _, k := range dels {
		delete(store, k)
	}
	maps.Copy(store, puts)
}

// recReplay is a session of commands that create, change and delete token
// and session keys, change users and node states, and write files.
var recReplay = []string{
	"ls",
	"key_mgmt_util",
	"loginHSM -u CU -s example_user -p wrong-password",
	"loginHSM -u CU -s example_user -p password",
	"genSymKey -t 31 -s 32 -l aes256",
	"genRSAKeyPair -m 2048 -e 65537 -l rsa2048",
	"genECCKeyPair -i 14 -l ecc-p384",
	"genSymKey -t 31 -s 16 -sess -l import-wrapping-key",
	"imSymKey -f aes256.key -t 31 -l aes256-imported -w 524299",
	"importPubKey -f rsa2048.pub -l rsa2048-public-imported",
	"getKeyInfo -k 524295",
	"setAttribute -o 524295 -a 3 -v relabelled",
	"exSymKey -k 524295 -out aes256.key.exp -w 524299",
	"exportPubKey -k 524294 -out rsa2048.pub.exp",
	"genSymKey -t 31 -s 24 -l three -u 4",
	"deleteKey -k 524300",
	"logoutHSM",
	"exit",
	"echo hello > note.txt",
	"echo again >> note.txt",
	"cp note.txt copy.txt",
	"mv copy.txt moved.txt",
	"rm note.txt",
	"cluster node 2 down",
	"key_mgmt_util",
	"loginHSM -u CU -s example_user -p password",
	"genSymKey -t 31 -s 32 -l while-down",
	"deleteKey -k 524295",
	"exit",
	"cluster node 2 up",
	"cloudhsm_mgmt_util",
	"loginHSM CU example_user password",
	"shareKey 524304 4 1",
	"y",
	"setAttribute 524304 3 relabelled",
	"y",
	"server 0",
	"syncKey 524304 2",
	"exit",
	"quit",
	"rm moved.txt aes256.key.exp",
}

func TestRecordsDeltaReplaysEveryCommand(t *testing.T) {
	s := recSession(t)
	recs, err := state.Records(s.Cluster, s.Files())
	require.NoError(t, err)
	store := maps.Clone(recs)
	tr := state.NewTracker(s.Cluster, s.Files())
	changes := 0
	for _, line := range recReplay {
		rep := s.Exec(line)
		if !rep.Changed {
			continue
		}
		changes++
		puts, dels, err := tr.Delta(s.Cluster, s.Files())
		require.NoError(t, err, line)
		require.Contains(t, puts, state.MetaKey, "the meta record is always written")
		recApply(store, puts, dels)
		tr.Saved()

		full, err := state.Records(s.Cluster, s.Files())
		require.NoError(t, err)
		require.Equal(t, recKeys(full), recKeys(store), "after %q the stored records are exactly the workspace's", line)
		for k := range full {
			require.JSONEq(t, recText(full[k]), recText(store[k]), "record %s after %q", k, line)
		}
		c, files, err := state.FromRecords(store)
		require.NoError(t, err, line)
		got, err := state.Encode(c, files)
		require.NoError(t, err)
		want, err := s.Snapshot()
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(got), "after %q", line)
	}
	assert.Greater(t, changes, 15, "the replay changes the state often")
}

// recKeys lists a record map's keys.
func recKeys(m map[string][]byte) []string {
	return slices.Sorted(maps.Keys(m))
}

// recText makes file bytes comparable with JSONEq (they are not JSON).
func recText(b []byte) string {
	if json.Valid(b) {
		return string(b)
	}
	q, _ := json.Marshal(b)
	return string(q)
}

func TestRecordsDeltaWritesOnlyWhatChanged(t *testing.T) {
	s := recSession(t)
	tr := state.NewTracker(s.Cluster, s.Files())
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password"} {
		s.Exec(l)
	}
	rep := s.Exec("genSymKey -t 31 -s 32 -l one")
	require.True(t, rep.Changed)
	puts, dels, err := tr.Delta(s.Cluster, s.Files())
	require.NoError(t, err)
	tr.Saved()
	assert.Equal(t, []string{"k/524295", "meta"}, recKeys(puts))
	assert.Empty(t, dels)

	rep = s.Exec("genSymKey -t 31 -s 16 -sess -l sess")
	puts, dels, err = tr.Delta(s.Cluster, s.Files())
	require.NoError(t, err)
	tr.Saved()
	assert.Equal(t, []string{"meta"}, recKeys(puts), "session keys are never saved")
	assert.Empty(t, dels)

	rep = s.Exec("deleteKey -k 524295")
	require.True(t, rep.Changed)
	puts, dels, err = tr.Delta(s.Cluster, s.Files())
	require.NoError(t, err)
	tr.Saved()
	assert.Equal(t, []string{"meta"}, recKeys(puts))
	assert.Equal(t, []string{"k/524295"}, dels)
}

func TestRecordsDeltaNotSavedIsRepeated(t *testing.T) {
	s := recSession(t)
	tr := state.NewTracker(s.Cluster, s.Files())
	s.Exec("echo one > a.txt")
	puts, _, err := tr.Delta(s.Cluster, s.Files())
	require.NoError(t, err)
	assert.Contains(t, puts, "f/a.txt")
	// The commit failed: Saved is not called. The next save still has it.
	s.Exec("echo two > b.txt")
	puts, _, err = tr.Delta(s.Cluster, s.Files())
	require.NoError(t, err)
	assert.Contains(t, puts, "f/a.txt")
	assert.Contains(t, puts, "f/b.txt")
	tr.Saved()
	puts, _, err = tr.Delta(s.Cluster, s.Files())
	require.NoError(t, err)
	assert.Equal(t, []string{"meta"}, recKeys(puts))
}

func TestRecordsRoundTripDefault(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	recs, err := state.Records(c, files)
	require.NoError(t, err)
	assert.Contains(t, recs, "k/524288")
	assert.Contains(t, recs, "f/aes256.key")
	var m map[string]any
	require.NoError(t, json.Unmarshal(recs["meta"], &m))
	assert.Equal(t, "hsmsim-workspace", m["format"])
	assert.NotContains(t, string(recs["meta"]), `"objects":{`, "meta holds no key")

	c2, files2, err := state.FromRecords(recs)
	require.NoError(t, err)
	want, _ := state.Encode(c, files)
	got, _ := state.Encode(c2, files2)
	assert.JSONEq(t, string(want), string(got))
}

func TestFromRecordsRefusesDamage(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	good, err := state.Records(c, files)
	require.NoError(t, err)
	edit := func(f func(m map[string][]byte)) map[string][]byte {
		m := maps.Clone(good)
		f(m)
		return m
	}
	cases := []struct {
		name string
		recs map[string][]byte
		want string
	}{
		{"no meta", edit(func(m map[string][]byte) { delete(m, "meta") }), `record "meta" is missing`},
		{"meta not JSON", edit(func(m map[string][]byte) { m["meta"] = []byte("{oops") }), `record "meta" cannot be read`},
		{"other format", edit(func(m map[string][]byte) { m["meta"] = []byte(`{"format":"x","version":1}`) }), `not a hsmsim workspace`},
		{"key not JSON", edit(func(m map[string][]byte) { m["k/524288"] = []byte("\x00garbage") }), `record "k/524288" cannot be read`},
		{"key empty", edit(func(m map[string][]byte) { m["k/524288"] = []byte("{}") }), `record "k/524288" holds no copy`},
		{"key bad name", edit(func(m map[string][]byte) { m["k/abc"] = good["k/524288"] }), `record "k/abc" does not name a key handle`},
		{"key on no node", edit(func(m map[string][]byte) {
			m["k/524288"] = []byte(`{"9":` + string(recCopy(t, good["k/524288"])) + `}`)
		}), `names HSM 9`},
		{"file name", edit(func(m map[string][]byte) { m["f/../etc"] = []byte("x") }), `record "f/../etc" does not name a valid file`},
		{"unknown kind", edit(func(m map[string][]byte) { m["z"] = []byte("x") }), `record "z" is of no known kind`},
		{"no HSM", edit(func(m map[string][]byte) {
			m["meta"] = []byte(`{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[],"cursor":524288}}`)
		}), `0 HSMs`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, f, err := state.FromRecords(tc.recs)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, c)
			assert.Nil(t, f)
		})
	}

	tooNew := edit(func(m map[string][]byte) {
		m["meta"] = []byte(`{"format":"hsmsim-workspace","version":99,"cluster":{}}`)
	})
	_, _, err = state.FromRecords(tooNew)
	require.ErrorIs(t, err, state.ErrTooNew)
	assert.Contains(t, err.Error(), "version 99")
}

func TestSalvageKeepsWhatCanBeRead(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	recs, err := state.Records(c, files)
	require.NoError(t, err)
	recs["k/524288"] = []byte("not json")
	recs["f/../x"] = []byte("x")
	_, _, err = state.FromRecords(recs)
	require.Error(t, err)

	c2, files2, skipped, err := state.Salvage(recs)
	require.NoError(t, err)
	assert.Equal(t, []string{"f/../x", "k/524288"}, skipped)
	assert.Nil(t, c2.Nodes[0].AllObjects()[524288], "the damaged key is left out")
	assert.NotNil(t, c2.Nodes[0].AllObjects()[524289], "the other keys are kept")
	assert.Equal(t, files, files2)

	delete(recs, "meta")
	_, _, _, err = state.Salvage(recs)
	require.ErrorContains(t, err, `record "meta" is missing`)
}

// recCopy returns one node's copy from a key record.
func recCopy(t *testing.T, rec []byte) []byte {
	var copies map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(rec, &copies))
	return copies["0"]
}

// recBig fills every node of the default cluster up to the 3,300-key limit
// with copies of its keys, the size the browser benchmarks use.
func recBig(tb testing.TB) (*hsm.Cluster, map[string][]byte) {
	tb.Helper()
	c, files, err := scenario.Default()
	require.NoError(tb, err)
	var src []*hsm.Object
	for _, h := range c.Nodes[0].Handles() {
		src = append(src, c.Nodes[0].AllObjects()[h])
	}
	h := uint64(600000)
	for i := 0; c.CountObjects() < hsm.MaxKeys; i++ {
		o := src[i%len(src)].Clone()
		o.Handle = h
		o.Label = fmt.Sprintf("bulk-%d", i)
		for _, n := range c.Nodes {
			n.Objects[h] = o.Clone()
		}
		h++
	}
	return c, files
}

func TestRecordsFullCluster(t *testing.T) {
	c, files := recBig(t)
	recs, err := state.Records(c, files)
	require.NoError(t, err)
	c2, _, err := state.FromRecords(recs)
	require.NoError(t, err)
	assert.Equal(t, hsm.MaxKeys, c2.CountObjects())

	tr := state.NewTracker(c, files)
	c.Update(600001, []int{1}, func(o *hsm.Object) { o.Label = "changed" })
	puts, dels, err := tr.Delta(c, files)
	require.NoError(t, err)
	assert.Equal(t, []string{"k/600001", "meta"}, recKeys(puts))
	assert.Empty(t, dels)
}

func BenchmarkRecordsDelta3300Keys(b *testing.B) {
	c, files := recBig(b)
	tr := state.NewTracker(c, files)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Update(600001, []int{1}, func(o *hsm.Object) { o.Label = fmt.Sprint("changed-", i) })
		if _, _, err := tr.Delta(c, files); err != nil {
			b.Fatal(err)
		}
		tr.Saved()
	}
}

func BenchmarkFromRecords3300Keys(b *testing.B) {
	c, files := recBig(b)
	recs, err := state.Records(c, files)
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := state.FromRecords(recs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode3300Keys(b *testing.B) {
	c, files := recBig(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := state.Encode(c, files); err != nil {
			b.Fatal(err)
		}
	}
}

// Folders are kept: a folder is saved as "name/" with no content, in the
// state document and as a browser record, and a workspace of plain file
// names (saved before folders) still loads.
func TestFoldersAreSaved(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	files["keys/"] = []byte{}
	files["keys/aes256-forImport.key"] = []byte("0123456789abcdef0123456789abcdef")
	files["empty/"] = []byte{}
	doc, err := state.Encode(c, files)
	require.NoError(t, err)
	_, back, err := state.Decode(doc)
	require.NoError(t, err)
	assert.Equal(t, files, back)

	recs, err := state.Records(c, files)
	require.NoError(t, err)
	assert.Contains(t, recs, state.FileRecord("keys/aes256-forImport.key"))
	assert.Contains(t, recs, state.FileRecord("empty/"))
	_, back, err = state.FromRecords(recs)
	require.NoError(t, err)
	assert.Equal(t, files, back)

	for _, bad := range []string{"../x", "/abs", "a//b", "a/./b", `a\b`} {
		recs2 := map[string][]byte{}
		for k, v := range recs {
			recs2[k] = v
		}
		recs2[state.FileRecord(bad)] = []byte("x")
		_, _, err := state.FromRecords(recs2)
		assert.Error(t, err, bad)
		f2 := map[string][]byte{bad: []byte("x")}
		doc, err := state.Encode(c, f2)
		require.NoError(t, err)
		_, _, err = state.Decode(doc)
		assert.Error(t, err, bad)
	}
	recs[state.FileRecord("full/")] = []byte("content")
	_, _, err = state.FromRecords(recs)
	assert.Error(t, err, "a folder holds no content")
}

// A key record whose material contradicts its attributes opens from
// records (the check waits for the key's first use, as the engine test of
// wasm/browser shows) but CheckAllMaterial names it, and the same
// workspace as a document is refused on load.
func TestFromRecordsChecksMaterialLater(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	recs, err := state.Records(c, files)
	require.NoError(t, err)
	var copies map[string]any
	require.NoError(t, json.Unmarshal(recs["k/524288"], &copies))
	copies["0"].(map[string]any)["kcv"] = "AAAA"
	recs["k/524288"], err = json.Marshal(copies)
	require.NoError(t, err)

	c2, files2, err := state.FromRecords(recs)
	require.NoError(t, err)
	o, ok := c2.Nodes[1].Object(524288)
	require.True(t, ok)
	assert.True(t, o.MaterialPending())
	assert.Equal(t, 4, o.Owner, "its attributes are read")
	err = state.CheckAllMaterial(c2)
	require.Error(t, err)
	assert.Equal(t, "workspace is damaged: HSM 0: key 524288: its key check value 000000 does not match its material ("+
		fmt.Sprintf("%x", c.Nodes[0].AllObjects()[524288].KCV)+")", err.Error())

	doc, err := state.Encode(c2, files2)
	require.NoError(t, err)
	_, _, err = state.Decode(doc)
	require.ErrorContains(t, err, "key 524288: its key check value 000000 does not match its material")

	// Sound records pass every check.
	good, err := state.Records(c, files)
	require.NoError(t, err)
	c3, _, err := state.FromRecords(good)
	require.NoError(t, err)
	require.NoError(t, state.CheckAllMaterial(c3))
	o, _ = c3.Nodes[0].Object(524288)
	assert.False(t, o.MaterialPending())
}
