package mech

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"io"
	"math/big"
	"testing"
)

func TestCheckRSAParams(t *testing.T) {
	good := [][2]int{{2048, 65537}, {2304, 65537}, {3072, 195193}, {4096, 65539}, {2560, 1<<31 - 1}}
	for _, g := range good {
		if err := CheckRSAParams(g[0], g[1]); err != nil {
			t.Errorf("%v: %v", g, err)
		}
	}
	badSize := []int{0, 512, 1024, 2047, 2049, 2100, 4352, 8192}
	for _, b := range badSize {
		if err := CheckRSAParams(b, 65537); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("bits %d: %v", b, err)
		}
		if _, err := GenerateRSA(seeded(1), b, 65537); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("GenerateRSA bits %d: %v", b, err)
		}
	}
	badExp := []int{-1, 0, 1, 3, 17, 65535, 65536, 65538}
	if over := int64(RSAMaxExponent) + 1; int64(int(over)) == over { // only representable with a 64-bit int
		badExp = append(badExp, int(over), int(over+1))
	}
	for _, e := range badExp {
		if err := CheckRSAParams(2048, e); !errors.Is(err, ErrBadExponent) {
			t.Errorf("exponent %d: %v", e, err)
		}
	}
}

func checkRSAKey(t *testing.T, k *rsa.PrivateKey, bits, e int) {
	t.Helper()
	if k.N.BitLen() != bits {
		t.Errorf("modulus has %d bits, want %d", k.N.BitLen(), bits)
	}
	if k.E != e {
		t.Errorf("E = %d, want %d", k.E, e)
	}
	if len(k.Primes) != 2 {
		t.Fatalf("%d primes", len(k.Primes))
	}
	p, q := k.Primes[0], k.Primes[1]
	if p.BitLen() != bits/2 || q.BitLen() != bits/2 {
		t.Errorf("prime sizes %d, %d", p.BitLen(), q.BitLen())
	}
	if p.Cmp(q) <= 0 {
		t.Error("want p > q")
	}
	if !p.ProbablyPrime(20) || !q.ProbablyPrime(20) {
		t.Error("composite factor")
	}
	if new(big.Int).Sub(p, q).BitLen() <= bits/2-100 {
		t.Error("p and q too close")
	}
	if err := k.Validate(); err != nil {
		t.Error(err)
	}
	// The key must work with crypto/rsa.
	digest := sha256.Sum256([]byte("hello"))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		t.Error(err)
	}
}

func TestGenerateRSA(t *testing.T) {
	checkRSAKey(t, testRSA(t), 2048, 65537)
	k, err := GenerateRSA(seeded(2), 2304, 195193)
	if err != nil {
		t.Fatal(err)
	}
	checkRSAKey(t, k, 2304, 195193)
	if !testing.Short() {
		k, err = GenerateRSA(seeded(3), 4096, 65537)
		if err != nil {
			t.Fatal(err)
		}
		checkRSAKey(t, k, 4096, 65537)
	}
}

func TestGenerateRSAImportSize(t *testing.T) {
	// 1024-bit keys are only for imports, but the internal generator must
	// handle them (used by tests and fuzz seeds).
	k, err := generateRSA(seeded(4), 1024, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkRSAKey(t, k, 1024, 3)
}

func TestGenerateRSABrokenReader(t *testing.T) {
	if _, err := GenerateRSA(zeroReader{}, 2048, 65537); !errors.Is(err, ErrRandom) {
		t.Errorf("zero reader: %v", err)
	}
	if _, err := GenerateRSA(nil, 2048, 65537); !errors.Is(err, ErrRandom) {
		t.Errorf("nil reader: %v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestCheckRSAPublicKey(t *testing.T) {
	k := testRSA(t)
	if err := CheckRSAPublicKey(&k.PublicKey); err != nil {
		t.Fatal(err)
	}
	bad := []*rsa.PublicKey{
		nil,
		{N: nil, E: 65537},
		{N: big.NewInt(15), E: 3},
		{N: new(big.Int).Add(k.N, big.NewInt(1)), E: 65537}, // even
		{N: k.N, E: 2},
		{N: k.N, E: 1},
		{N: k.N, E: -65537},
	}
	for i, p := range bad {
		if err := CheckRSAPublicKey(p); err == nil {
			t.Errorf("case %d accepted", i)
		}
	}
}

// fakeRSASource hands out a fixed key, or declines.
type fakeRSASource struct {
	io.Reader
	key   *rsa.PrivateKey
	calls int
}

func (f *fakeRSASource) GenerateRSA(bits, e int) (*rsa.PrivateKey, error) {
	f.calls++
	if f.key == nil {
		return nil, ErrBadExponent
	}
	return f.key, nil
}

func TestGenerateRSAAsksAnRSASourceFirst(t *testing.T) {
	k, err := GenerateRSA(seeded(1), 2048, 65537)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeRSASource{Reader: seeded(2), key: k}
	got, err := GenerateRSA(src, 2048, 65537)
	if err != nil || got.N.Cmp(k.N) != 0 || src.calls != 1 {
		t.Fatalf("the source's key was not used: %v", err)
	}
	// A key of the wrong size is not taken; nor is a refusal.
	got, err = GenerateRSA(src, 3072, 65537)
	if err != nil || got.N.BitLen() != 3072 {
		t.Fatalf("fallback failed: %v", err)
	}
	src.key = nil
	got, err = GenerateRSA(src, 2048, 65537)
	if err != nil || got.N.Cmp(k.N) == 0 {
		t.Fatalf("fallback failed: %v", err)
	}
}
