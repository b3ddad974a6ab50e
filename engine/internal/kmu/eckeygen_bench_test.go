package kmu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	mrand "math/rand/v2"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// ecBenchCurves are the curves genECCKeyPair -i generates on, with the
// standard-library curve of the reference benchmark (nil for secp256k1,
// which the standard library lacks).
var ecBenchCurves = []struct {
	name string
	id   int
	std  elliptic.Curve
}{
	{"P-224", 13, elliptic.P224()},
	{"P-256", 2, elliptic.P256()},
	{"P-384", 14, elliptic.P384()},
	{"P-521", 15, elliptic.P521()},
	{"secp256k1", 16, nil},
}

// benchTool is a key_mgmt_util logged in as example_user on the default
// cluster.
func benchTool(b testing.TB) *Tool {
	b.Helper()
	c, files, err := scenario.Default()
	if err != nil {
		b.Fatal(err)
	}
	fs := vfs.NewMem()
	if err := fs.Restore(files); err != nil {
		b.Fatal(err)
	}
	tl := New(c, fs, mrand.NewChaCha8([32]byte{1}))
	if r := tl.Exec("loginHSM -u CU -s example_user -p password"); len(r.Calls) == 0 || r.Calls[0].RC != hsm.RCSuccess {
		b.Fatal(r.Output)
	}
	return tl
}

// BenchmarkGenECCKeyPair times the whole genECCKeyPair command: key
// generation, both objects' encodings and attributes, and the pair's
// creation on every HSM. The workspace is replaced, untimed, every 100
// pairs, so it holds the default keys and at most 200 more, and every
// curve's figure is on a workspace of the same size (hsm's
// BenchmarkCreateKeyPair times the pair's creation on larger ones).
func BenchmarkGenECCKeyPair(b *testing.B) {
	for _, cv := range ecBenchCurves {
		b.Run(cv.name, func(b *testing.B) {
			line := "genECCKeyPair -i " + itoa(uint64(cv.id)) + " -l bench"
			tl := benchTool(b)
			n := 0
			for b.Loop() {
				if n == 100 {
					b.StopTimer()
					tl, n = benchTool(b), 0
					b.StartTimer()
				}
				r := tl.Exec(line)
				if len(r.Calls) == 0 || r.Calls[len(r.Calls)-1].RC != hsm.RCSuccess {
					b.Fatal(r.Output)
				}
				n++
			}
		})
	}
}

// BenchmarkEcdsaGenerateKey is the reference for BenchmarkGenECCKeyPair:
// the standard library's key generation alone. secp256k1 has none; its
// figure is the P-256 one, the curve of the same size.
func BenchmarkEcdsaGenerateKey(b *testing.B) {
	for _, cv := range ecBenchCurves {
		b.Run(cv.name, func(b *testing.B) {
			std := cv.std
			if std == nil {
				std = elliptic.P256()
			}
			for b.Loop() {
				if _, err := ecdsa.GenerateKey(std, rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
