package main

import (
	"fmt"
	"testing"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// benchRecords is a workspace as the browser stores it: the default one,
// or one whose HSMs hold n keys (copies of an AES key, an RSA-2048 pair
// and an EC pair, as make bench's fixture).
func benchRecords(b *testing.B, n int) map[string][]byte {
	b.Helper()
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(3300)})
	if err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		var made []uint64
		for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
			"genSymKey -t 31 -s 32 -l tmpl-aes", "genRSAKeyPair -m 2048 -e 65537 -l tmpl-rsa", "genECCKeyPair -i 2 -l tmpl-ec"} {
			made = append(made, s.Exec(l).Touched...)
		}
		if err := s.Cluster.FillWithCopies(made, n, func(i int) string { return fmt.Sprintf("bulk-%d", i) }); err != nil {
			b.Fatal(err)
		}
	}
	recs, err := sealed(state.Records(s.Cluster, s.Files()))
	if err != nil {
		b.Fatal(err)
	}
	return recs
}

// BenchmarkOpenWorkspace is what a reload of the playground does in Go:
// check the stored records' checksums, decode and check them, and start
// the session on them (engine.open), for the default workspace and for
// one of 3,300 keys. The ratio of the two is make bench's large-workspace
// figure.
func BenchmarkOpenWorkspace(b *testing.B) {
	for _, tc := range []struct {
		name string
		n    int
	}{{"default", 0}, {"keys=3300", 3300}} {
		b.Run(tc.name, func(b *testing.B) {
			recs := benchRecords(b, tc.n)
			b.ResetTimer()
			for b.Loop() {
				e := &engine{}
				if _, err := e.open(recs, state.RecordSchema, "1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
