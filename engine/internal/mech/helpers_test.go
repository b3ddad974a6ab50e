//go:debug cryptocustomrand=1

package mech

import (
	"bytes"
	"crypto/rsa"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

// seeded returns a deterministic reader: the simulator's seeded replays use
// the same construction.
func seeded(seed uint64) io.Reader {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return rand.NewChaCha8(s)
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
)

// testRSA returns a shared RSA-2048 key (generated once per test binary to
// keep the suite fast).
func testRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	rsaOnce.Do(func() { rsaKey, rsaErr = GenerateRSA(seeded(1), 2048, 65537) })
	if rsaErr != nil {
		t.Fatalf("GenerateRSA: %v", rsaErr)
	}
	return rsaKey
}

// openssl returns the path of the openssl binary (testenv.OpenSSL: a
// failure in CI without it, a skip elsewhere).
func openssl(t *testing.T) string {
	t.Helper()
	return testenv.OpenSSL(t)
}

// runOpenSSL runs openssl with args and stdin, failing the test on error.
func runOpenSSL(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := tryOpenSSL(t, stdin, args...)
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
	return out
}

func tryOpenSSL(t *testing.T, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(openssl(t), args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return append(out, stderr.Bytes()...), err
	}
	return out, nil
}

// writeTemp writes data to a file in the test's temp dir.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := decodeHexLoose(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}
