package openssl

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

var (
	fuzzFilesOnce sync.Once
	fuzzFiles     map[string][]byte
)

// fuzzWorkspace is a set of files every fuzz input starts from: keys of
// each kind and form, data, signatures and junk.
func fuzzWorkspace(t testing.TB) map[string][]byte {
	fuzzFilesOnce.Do(func() {
		fs := vfs.NewMem()
		r := rand.NewChaCha8([32]byte{99})
		_ = fs.WriteFile("m.txt", []byte("message\n"))
		_ = fs.WriteFile("junk.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
		for _, line := range []string{
			"genrsa -out k.pem 1024",
			"rsa -in k.pem -pubout -out k.pub",
			"rsa -in k.pem -outform DER -out k.der",
			"ecparam -name prime256v1 -genkey -out ec.pem",
			"ec -in ec.pem -pubout -out ec.pub",
			"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -aes128 -pass pass:pw -out enc.pem",
			"dgst -sha256 -sign k.pem -out m.sig m.txt",
			"dgst -sha256 -binary -out h.bin m.txt",
			"rand -out aes.key 32",
		} {
			Run(strings.Fields(line), fs, r)
		}
		fuzzFiles = fs.Snapshot()
	})
	if len(fuzzFiles) < 10 {
		t.Fatalf("fuzz workspace incomplete: %d files", len(fuzzFiles))
	}
	return fuzzFiles
}

// FuzzRun feeds arbitrary argument strings to Run: it must never panic
// (Run turns a panic into an "internal error" message, which fails here)
// and a failed command must leave the workspace alone.
func FuzzRun(f *testing.F) {
	for _, s := range []string{
		"version", "rand -hex 16", "rand -base64 -out r 3", "genrsa -out x.pem 1024", "genrsa -aes256 -passout pass:x 1024",
		"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384", "ecparam -name secp521r1 -genkey -text",
		"rsa -in k.pem -text -noout", "rsa -in k.der -inform DER -pubout", "pkey -in enc.pem -passin pass:pw -text",
		"pkey -in enc.pem -passin pass:bad", "ec -in ec.pem -pubout -outform DER -out e.der", "pkey -pubin -in junk.pem",
		"dgst -sha1 -r m.txt", "dgst -sha256 -verify k.pub -signature m.sig m.txt", "dgst -sha256 -sign ec.pem -hex m.txt",
		"pkeyutl -sign -inkey k.pem -in h.bin -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:max -hexdump",
		"pkeyutl -verify -pubin -inkey ec.pub -in h.bin -sigfile m.sig", "pkeyutl -decrypt -inkey k.pem -in m.sig -pkeyopt rsa_padding_mode:oaep",
		"enc -aes-256-cbc -K 00 -iv 00 -in m.txt -a", "enc -d -aes-128-cbc -K 00 -iv 00 -in m.sig -nopad",
		"rsa -in -- -out", "-- -", "dgst - -", "pkeyutl -pkeyopt : -inkey k.pem -in m.txt",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		for _, a := range args {
			// Key sizes far above the limits only make the fuzzer slow.
			if len(a) > 4 && strings.Trim(a, "0123456789") == "" {
				t.Skip()
			}
		}
		fs := vfs.NewMem()
		if err := fs.Restore(fuzzWorkspace(t)); err != nil {
			t.Fatal(err)
		}
		before := fs.Snapshot()
		out, changed := Run(args, fs, rand.NewChaCha8([32]byte{1}))
		if strings.Contains(out, "internal error") {
			t.Fatalf("panic on %q: %s", line, out)
		}
		if !changed && !maps.EqualFunc(before, fs.Snapshot(), bytes.Equal) {
			t.Fatalf("%q changed files without saying so", line)
		}
	})
}
