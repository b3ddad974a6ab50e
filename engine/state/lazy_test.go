package state_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// defaultRecords is the default workspace in record form.
func defaultRecords(t *testing.T) map[string][]byte {
	t.Helper()
	c, files, err := scenario.Default()
	require.NoError(t, err)
	recs, err := state.Records(c, files)
	require.NoError(t, err)
	return recs
}

// Opening records decodes no key; a command decodes the keys it reaches,
// and answers exactly as on a workspace read whole.
func TestFromRecordsDecodesAKeyAtItsFirstUse(t *testing.T) {
	recs := defaultRecords(t)
	c, files, err := state.FromRecords(recs)
	require.NoError(t, err)
	assert.Equal(t, 7, c.Undecoded(), "opening decodes no key record")
	lazy, err := shell.New(shell.Options{Cluster: c, Files: files, Rand: shell.SeededRand(1)})
	require.NoError(t, err)
	assert.Equal(t, 7, c.Undecoded(), "nor does starting the session")

	doc, err := state.Encode(mustFromRecords(t, recs))
	require.NoError(t, err)
	whole, err := shell.New(shell.Options{State: doc, Rand: shell.SeededRand(1)})
	require.NoError(t, err)

	steps := []struct {
		line      string
		undecoded int
	}{
		{"key_mgmt_util", 7},
		{"loginHSM -u CU -s example_user -p password", 7},
		{"listUsers", 7},
		{"getKeyInfo -k 524289", 6},
		{"getAttribute -o 524289 -a 3 -out attr.txt", 6},
		{"getPartitionInfo", 6},
		{"genSymKey -t 31 -s 16 -l fresh", 6},
		{"findKey", 0},
	}
	for _, st := range steps {
		want := whole.Exec(st.line)
		got := lazy.Exec(st.line)
		assert.Equal(t, want.Output, got.Output, st.line)
		assert.Equal(t, st.undecoded, c.Undecoded(), "after %q", st.line)
	}
	require.NoError(t, c.Damaged())
	wantDoc, err := whole.Snapshot()
	require.NoError(t, err)
	gotDoc, err := lazy.Snapshot()
	require.NoError(t, err)
	assert.JSONEq(t, string(wantDoc), string(gotDoc))
}

// The replay of every kind of change answers the same, line by line, on a
// workspace opened from records as on one read whole.
func TestReplayAnswersTheSameOnAWorkspaceOpenedFromRecords(t *testing.T) {
	recs := defaultRecords(t)
	c, files, err := state.FromRecords(recs)
	require.NoError(t, err)
	lazy, err := shell.New(shell.Options{Cluster: c, Files: files, Rand: shell.SeededRand(9)})
	require.NoError(t, err)
	doc, err := state.Encode(mustFromRecords(t, recs))
	require.NoError(t, err)
	whole, err := shell.New(shell.Options{State: doc, Rand: shell.SeededRand(9)})
	require.NoError(t, err)
	for i, line := range recReplay {
		assert.Equal(t, whole.Exec(line).Output, lazy.Exec(line).Output, "line %d: %q", i, line)
	}
	require.NoError(t, c.Damaged())
}

func mustFromRecords(t *testing.T, recs map[string][]byte) (*hsm.Cluster, map[string][]byte) {
	t.Helper()
	c, files, err := state.FromRecords(recs)
	require.NoError(t, err)
	return c, files
}

// A key record whose top level is sound but whose copy is not opens (only
// its checksum and top level are read on open) and is found damaged at
// the key's first use, with the error a full read gives: the key is
// absent, Damaged names it, and nothing can be saved from the cluster.
func TestADamagedKeyRecordIsFoundAtItsFirstUse(t *testing.T) {
	good := defaultRecords(t)
	copyOf := func(f func(o map[string]any)) []byte {
		var copies map[string]any
		require.NoError(t, json.Unmarshal(good["k/524289"], &copies))
		f(copies["0"].(map[string]any))
		b, err := json.Marshal(copies)
		require.NoError(t, err)
		return b
	}
	cases := []struct {
		name string
		key  string
		data []byte
		want string
	}{
		{"moved", "k/524999", good["k/524288"], `workspace is damaged: record "k/524999" holds an invalid copy for HSM 0`},
		{"unknown owner", "k/524289", copyOf(func(o map[string]any) { o["owner"] = 77 }),
			`workspace is damaged: HSM 0: key 524289 has owner 77 is not a crypto user of this HSM`},
		{"unknown field", "k/524289", copyOf(func(o map[string]any) { o["colour"] = "red" }),
			`workspace is damaged: record "k/524289" cannot be read: HSM 0: $ has an unknown field "colour"`},
		{"not base64", "k/524289", copyOf(func(o map[string]any) { o["value"] = "!!" }),
			`workspace is damaged: record "k/524289" cannot be read: HSM 0: `},
		{"no material", "k/524289", copyOf(func(o map[string]any) { o["value"] = "" }),
			`workspace is damaged: HSM 0: key 524289 has no key material`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			recs := maps.Clone(good)
			recs[tc.key] = tc.data
			c, files, err := state.FromRecords(recs)
			require.NoError(t, err, "only the top level is read on open")
			require.NoError(t, c.Damaged())
			h := strings.TrimPrefix(tc.key, "k/")
			s, err := shell.New(shell.Options{Cluster: c, Files: files, Rand: shell.SeededRand(1)})
			require.NoError(t, err)
			s.Exec("key_mgmt_util")
			s.Exec("loginHSM -u CU -s example_user -p password")
			tr := state.NewTracker(c, files)
			s.Exec("getKeyInfo -k " + h)
			require.Error(t, c.Damaged())
			assert.True(t, strings.HasPrefix(c.Damaged().Error(), tc.want), "%q", c.Damaged())
			_, err = state.Records(c, files)
			assert.Equal(t, c.Damaged(), err, "the cluster cannot be written whole")
			_, _, err = tr.Delta(c, files)
			assert.Equal(t, c.Damaged(), err, "nor its changes")
			_, err = state.Encode(c, files)
			assert.Equal(t, c.Damaged(), err)
		})
	}
}

// A record's top level is still read on open: what is wrong there refuses
// the workspace at once, as before.
func TestARecordsTopLevelIsCheckedOnOpen(t *testing.T) {
	good := defaultRecords(t)
	copy0 := recCopy(t, good["k/524288"])
	for name, tc := range map[string]struct {
		data string
		want string
	}{
		"no copy":        {`{}`, `record "k/524288" holds no copy of the key`},
		"null":           {`null`, `record "k/524288" holds no copy of the key`},
		"not an object":  {`[1]`, `record "k/524288" cannot be read: $ is not an object`},
		"ref to nothing": {`{"0":` + string(copy0) + `,"1":2}`, `gives HSM 1 the copy of HSM 2, which holds none`},
		"no HSM 9":       {`{"9":` + string(copy0) + `}`, `names HSM 9, which the cluster does not have`},
		"twice":          {`{"0":` + string(copy0) + `,"0":0}`, `has the key "0" twice`},
		"cut":            {`{"0":` + string(copy0[:40]), `record "k/524288" cannot be read`},
		"copy is null":   {`{"0":null}`, `HSM 0: $ is null`},
		"after":          {`{"0":` + string(copy0) + `} x`, `data after the document`},
		"bad id":         {`{"01":` + string(copy0) + `}`, `has a key "01" that is not an integer`},
	} {
		t.Run(name, func(t *testing.T) {
			recs := maps.Clone(good)
			recs["k/524288"] = []byte(tc.data)
			c, _, err := state.FromRecords(recs)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
