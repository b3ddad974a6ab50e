package state_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// benchWorkspace is a state file whose HSMs hold n keys (copies of an AES
// key, an RSA-2048 pair and an EC pair, as make bench's fixture), with
// example_user logged in to key_mgmt_util.
func benchWorkspace(b *testing.B, n int) (*state.Journal, *shell.Session, string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "ws.json")
	j, _, _, err := state.OpenJournal(path)
	if err != nil {
		b.Fatal(err)
	}
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(3300)})
	if err != nil {
		b.Fatal(err)
	}
	var made []uint64
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l tmpl-aes", "genRSAKeyPair -m 2048 -e 65537 -l tmpl-rsa", "genECCKeyPair -i 2 -l tmpl-ec"} {
		made = append(made, s.Exec(l).Touched...)
	}
	if err := s.Cluster.FillWithCopies(made, n, func(i int) string { return fmt.Sprintf("bulk-%d", i) }); err != nil {
		b.Fatal(err)
	}
	if err := j.Create(s.Cluster, s.Files()); err != nil {
		b.Fatal(err)
	}
	return j, s, path
}

// BenchmarkGenSymKeySave is one genSymKey and its durable save (a synced
// journal line) on a state file of 100, 1,000 and 3,300 keys; each
// iteration also deletes the key and saves that, so the size stays put
// (the figure is per command: half an iteration).
func BenchmarkGenSymKeySave(b *testing.B) {
	for _, n := range []int{100, 1000, 3299} {
		b.Run(fmt.Sprintf("keys=%d", n+1), func(b *testing.B) {
			j, s, _ := benchWorkspace(b, n)
			defer j.Close()
			save := func(line string) shell.Reply {
				rep := s.Exec(line)
				if err := j.Save(s.Cluster, s.Files()); err != nil {
					b.Fatal(err)
				}
				return rep
			}
			b.ResetTimer()
			for b.Loop() {
				rep := save("genSymKey -t 31 -s 32 -l bench")
				if len(rep.Touched) != 1 {
					b.Fatalf("genSymKey made no key:\n%s", rep.Output)
				}
				save(fmt.Sprintf("deleteKey -k %d", rep.Touched[0]))
			}
		})
	}
}

// BenchmarkOpenState is opening (locking, reading, checking) a state file
// of 3,300 keys natively.
func BenchmarkOpenState(b *testing.B) {
	j, _, path := benchWorkspace(b, 3300)
	j.Close()
	b.ResetTimer()
	for b.Loop() {
		j, c, _, err := state.OpenJournal(path)
		if err != nil || c == nil {
			b.Fatal(err)
		}
		j.Close()
	}
}
