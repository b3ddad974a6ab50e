package mech

import (
	"crypto/dsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"
)

func TestDSAParameters(t *testing.T) {
	for _, s := range []struct{ L, N int }{{1024, 160}, {2048, 224}, {3072, 256}} {
		p, err := DSAParameters(s.L)
		if err != nil {
			t.Fatal(err)
		}
		if p.P.BitLen() != s.L || p.Q.BitLen() != s.N {
			t.Errorf("L=%d: got (%d, %d)", s.L, p.P.BitLen(), p.Q.BitLen())
		}
		if !p.P.ProbablyPrime(10) || !p.Q.ProbablyPrime(10) {
			t.Errorf("L=%d: p or q composite", s.L)
		}
		if err := checkDSAParameters(p); err != nil {
			t.Errorf("L=%d: %v", s.L, err)
		}
		// fresh copies
		p.P.SetInt64(1)
		if q, _ := DSAParameters(s.L); q.P.BitLen() != s.L {
			t.Error("DSAParameters shares storage")
		}
	}
	for _, bad := range []int{0, 512, 1023, 2047, 4096} {
		if _, err := DSAParameters(bad); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("%d: %v", bad, err)
		}
		if _, err := GenerateDSA(seeded(1), bad); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("%d: %v", bad, err)
		}
	}
}

func TestGenerateDSA(t *testing.T) {
	for _, bits := range []int{1024, 2048, 3072} {
		k, err := GenerateDSA(seeded(uint64(bits)), bits)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkDSAPrivateKey(k); err != nil {
			t.Fatal(err)
		}
		if err := checkDSAPublicKey(&k.PublicKey); err != nil {
			t.Fatal(err)
		}
		if k.Y.Cmp(new(big.Int).Exp(k.G, k.X, k.P)) != 0 {
			t.Fatal("y != g^x")
		}
		// The key works with crypto/dsa.
		digest := sha256.Sum256([]byte("dsa"))
		h := digest[:k.Q.BitLen()/8]
		r, s, err := dsa.Sign(rand.Reader, k, h)
		if err != nil {
			t.Fatal(err)
		}
		if !dsa.Verify(&k.PublicKey, h, r, s) {
			t.Errorf("%d: crypto/dsa cannot verify with the generated key", bits)
		}
	}
}
