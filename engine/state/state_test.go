package state

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
)

func testCluster() *hsm.Cluster {
	c := hsm.NewCluster(3)
	u := &hsm.User{ID: 1, Type: hsm.RolePCO, Name: "admin", PasswordHash: hsm.HashPassword("admin", "password")}
	cu := &hsm.User{ID: 2, Type: hsm.RoleCU, Name: "alice", PasswordHash: hsm.HashPassword("alice", "password")}
	key := func(h uint64, token bool) *hsm.Object {
		o, err := keyobj.Secret(hsm.KeyTypeAES, make([]byte, 16))
		if err != nil {
			panic(err)
		}
		o.Handle, o.Owner, o.Token = h, 2, token
		if !token {
			o.Session = "s1"
		}
		return o
	}
	for _, n := range c.Nodes {
		c.AddUserTo(n.ID, u)
		c.AddUserTo(n.ID, cu)
		n.Objects[hsm.FirstHandle] = key(hsm.FirstHandle, true)
		n.Objects[hsm.FirstHandle+1] = key(hsm.FirstHandle+1, false)
	}
	return c
}

func TestRoundTripDropsSessionKeys(t *testing.T) {
	b, err := Encode(testCluster(), map[string][]byte{"a.key": {1, 2, 3}})
	require.NoError(t, err)
	c, files, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, []byte{1, 2, 3}, files["a.key"])
	for _, n := range c.Nodes {
		assert.Len(t, n.AllObjects(), 1, "session keys are not saved")
		assert.Equal(t, "admin", n.Users[0].Name)
	}
}

func TestDecodeRefusesWhatItCannotTrust(t *testing.T) {
	good, err := Encode(testCluster(), nil)
	require.NoError(t, err)
	mutate := func(f func(m map[string]any)) []byte {
		var m map[string]any
		require.NoError(t, json.Unmarshal(good, &m))
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	cases := map[string][]byte{
		"not json":      []byte("{"),
		"other format":  mutate(func(m map[string]any) { m["format"] = "something" }),
		"no cluster":    mutate(func(m map[string]any) { delete(m, "cluster") }),
		"version zero":  mutate(func(m map[string]any) { m["version"] = 0 }),
		"bad file name": mutate(func(m map[string]any) { m["files"] = map[string]any{"../x": ""} }),
		"no nodes":      mutate(func(m map[string]any) { m["cluster"].(map[string]any)["nodes"] = []any{} }),
		"wrong handle": mutate(func(m map[string]any) {
			m["cluster"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["objects"] = map[string]any{"524288": map[string]any{"handle": 1}}
		}),
		"duplicate user": mutate(func(m map[string]any) {
			n := m["cluster"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
			n["users"] = append(n["users"].([]any), n["users"].([]any)[0])
		}),
	}
	for name, b := range cases {
		_, _, err := Decode(b)
		assert.Error(t, err, name)
	}
	_, _, err = Decode(mutate(func(m map[string]any) { m["version"] = Version + 1 }))
	assert.ErrorIs(t, err, ErrTooNew)
}

func TestFileStoreIsAtomicAndLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	f := File{Path: filepath.Join(dir, "ws.json")}
	b, err := f.Load()
	require.NoError(t, err)
	assert.Nil(t, b)
	require.NoError(t, f.Save([]byte("one")))
	require.NoError(t, f.Save([]byte("two")))
	b, err = f.Load()
	require.NoError(t, err)
	assert.Equal(t, "two", string(b))
	ents, _ := os.ReadDir(dir)
	assert.Len(t, ents, 1)
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(testCluster(), map[string][]byte{"f": []byte("x")})
	f.Add(good)
	f.Add([]byte(`{"format":"hsmsim-workspace","version":1}`))
	f.Add([]byte(`{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[null]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, _, err := Decode(b)
		if err != nil {
			return
		}
		// Whatever loads must encode again and pass its own checks.
		again, err := Encode(c, nil)
		require.NoError(t, err)
		_, _, err = Decode(again)
		require.NoError(t, err)
	})
}

// FuzzFromRecords feeds damaged record sets (what a browser's IndexedDB may
// hold after a crash or a hand edit): loading and salvaging never panic, and
// what loads passes the checks.
func FuzzFromRecords(f *testing.F) {
	recs, err := Records(testCluster(), map[string][]byte{"f": []byte("x")})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(recs["meta"], recs[KeyRecord(hsm.FirstHandle)], "k/524288")
	f.Add([]byte(`{}`), []byte(`{"0":{},"1":0}`), "k/1")
	f.Fuzz(func(t *testing.T, meta, rec []byte, key string) {
		in := map[string][]byte{"meta": meta, key: rec}
		if c, _, err := FromRecords(in); err == nil {
			require.NoError(t, Check(c))
		}
		_, _, _, _ = Salvage(in)
	})
}
