package cmu

import (
	"math/rand/v2"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// FuzzExec feeds arbitrary lines (and an answer to any question they ask)
// to cloudhsm_mgmt_util logged in as a crypto officer: nothing may panic.
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
		r := tl.Exec(line)
		for i := 0; r.Ask != nil && i < 3; i++ {
			r = r.Ask.Answer(answer)
		}
		_ = tool.Result(r)
	})
}
