package cmu

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// FuzzExec feeds arbitrary lines (and an answer to any question they ask)
// to cloudhsm_mgmt_util logged in as a crypto officer: nothing may panic,
// and every key and user the line changed is in the cluster's record of its
// changes (what saving reads).
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"createUser CU bob password1", "deleteUser CU alice", "changePswd CU alice newpassword",
		"shareKey 524291 3,4 1", "getKeyInfo 524291", "findAllKeys 4 0", "server 1", "syncKey 524291 0 2",
		"setMValue 3 2", "getAttribute 524288 512", "listUsers", "info server 9", "loginHSM", `"`,
	} {
		f.Add(s, "y")
	}
	f.Fuzz(func(t *testing.T, line, answer string) {
		c, files, err := scenario.Default()
		if err != nil {
			t.Fatal(err)
		}
		fs := vfs.NewMem()
		_ = fs.Restore(files)
		tl := New(c, fs, rand.NewChaCha8([32]byte{2}))
		tl.Exec("loginHSM CO admin password")
		keys, users := fuzzCopies(c)
		mark := c.Mark()
		r := tl.Exec(line)
		for i := 0; r.Ask != nil && i < 3; i++ {
			r = r.Ask.Answer(answer)
		}
		_ = tool.Result(r)
		ch := c.ChangesSince(mark)
		keys2, users2 := fuzzCopies(c)
		for k, o := range keys2 {
			if p, ok := keys[k]; (!ok || !p.Equal(o)) && !slices.Contains(ch.Keys, uint64(k[1])) {
				t.Fatalf("%q / %q changed key %d on node %d without recording it", line, answer, k[1], k[0])
			}
		}
		for k := range keys {
			if _, ok := keys2[k]; !ok && !slices.Contains(ch.Keys, uint64(k[1])) {
				t.Fatalf("%q / %q destroyed key %d on node %d without recording it", line, answer, k[1], k[0])
			}
		}
		for k, u := range users2 {
			if p, ok := users[k]; (!ok || *p != *u) && !slices.Contains(ch.Users, int(k[1])) {
				t.Fatalf("%q / %q changed user %d on node %d without recording it", line, answer, k[1], k[0])
			}
		}
		for k := range users {
			if _, ok := users2[k]; !ok && !slices.Contains(ch.Users, int(k[1])) {
				t.Fatalf("%q / %q deleted user %d on node %d without recording it", line, answer, k[1], k[0])
			}
		}
	})
}

// fuzzCopies copies every node's keys and users, by [node, handle or id].
func fuzzCopies(c *hsm.Cluster) (map[[2]uint64]*hsm.Object, map[[2]uint64]*hsm.User) {
	keys, users := map[[2]uint64]*hsm.Object{}, map[[2]uint64]*hsm.User{}
	for _, n := range c.Nodes {
		for h, o := range n.Objects {
			keys[[2]uint64{uint64(n.ID), h}] = o.Clone()
		}
		for _, u := range n.Users {
			users[[2]uint64{uint64(n.ID), uint64(u.ID)}] = u.Clone()
		}
	}
	return keys, users
}
