package kmu

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// FuzzExec feeds arbitrary command lines to a logged-in key_mgmt_util: no
// line may panic, a line that reports no change leaves the cluster as it
// was, and every key the line changed is in the cluster's record of its
// changes (what saving reads).
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"genSymKey -t 31 -s 32 -l aes256", "genSymKey -t 31 -s 99 -l x", "deleteKey -k 524291",
		"getAttribute -o 524291 -a 512 -out a", "findKey -c 4", "wrapKey -k 524291 -w 524288 -out w -m 5",
		"imSymKey -f rsa2048.key -t 31 -l x -w 1", "sign -f aes256.key -k 524290 -m 1 -out s",
		"setAttribute -o 524291 -a 1 -v 1", "genECCKeyPair -i 9 -l e", "Error2String -r 0xc6", "-k", `"`,
		"createPublicKey -l p -m aes256.key -e 65537", "getToken -t 3 -f t", "approveToken -f t", "delToken -t 4",
		"listTokens", "loginStatus", "getHSMInfo", "getPartitionInfo", "getAttribute -o 524291 -a 512 -out ../x",
		"getAttribute -o 524291 -a 512 -out d/e/f", "genSymKey -t 31 -s 32 -l m -min_srv 4 -timeout 1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		// Key generation is slow and proves nothing here.
		if strings.Contains(line, "genRSA") || strings.Contains(line, "genDSA") {
			return
		}
		c, files, err := scenario.Default()
		if err != nil {
			t.Fatal(err)
		}
		fs := vfs.NewMem()
		_ = fs.Restore(files)
		tl := New(c, fs, rand.NewChaCha8([32]byte{1}))
		tl.Exec("loginHSM -u CU -s example_user -p password")
		before := fuzzSnapshot(c)
		copies := fuzzCopies(c)
		mark := c.Mark()
		r := tl.Exec(line)
		if !r.Changed && fuzzSnapshot(c) != before {
			t.Fatalf("%q changed the cluster without saying so", line)
		}
		recorded := map[uint64]bool{}
		for _, h := range c.ChangesSince(mark).Keys {
			recorded[h] = true
		}
		after := fuzzCopies(c)
		for k, o := range after {
			if p, ok := copies[k]; (!ok || !p.Equal(o) || p.Token != o.Token) && !recorded[k.h] {
				t.Fatalf("%q changed key %d on node %d without recording it", line, k.h, k.node)
			}
		}
		for k := range copies {
			if _, ok := after[k]; !ok && !recorded[k.h] {
				t.Fatalf("%q destroyed key %d on node %d without recording it", line, k.h, k.node)
			}
		}
	})
}

type fuzzKey struct {
	node int
	h    uint64
}

// fuzzCopies is a copy of every node's keys.
func fuzzCopies(c *hsm.Cluster) map[fuzzKey]*hsm.Object {
	out := map[fuzzKey]*hsm.Object{}
	for _, n := range c.Nodes {
		for h, o := range n.Objects {
			out[fuzzKey{n.ID, h}] = o.Clone()
		}
	}
	return out
}

func fuzzSnapshot(c *hsm.Cluster) string {
	var b strings.Builder
	for _, n := range c.Nodes {
		for _, h := range n.Handles() {
			o := n.Objects[h]
			b.WriteString(o.Label)
			b.WriteByte(byte(len(o.Shared)))
			if o.Token {
				b.WriteByte('t')
			}
		}
		b.WriteByte('|')
	}
	return b.String()
}
