package mech

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

func TestCurveTable(t *testing.T) {
	ids := CurveIDs()
	if len(ids) != 16 {
		t.Fatalf("%d curves", len(ids))
	}
	supported := map[int]bool{CurveP256: true, CurveP224: true, CurveP384: true, CurveP521: true, CurveSecp256k1: true}
	for i, c := range ids {
		if c.ID != i+1 {
			t.Errorf("entry %d has id %d", i, c.ID)
		}
		if c.Supported != supported[c.ID] {
			t.Errorf("%s: Supported = %v", c.Name, c.Supported)
		}
		if !strings.HasPrefix(c.Name, "NID_") || !strings.HasSuffix(c.Name, c.ShortName) {
			t.Errorf("bad names %q / %q", c.Name, c.ShortName)
		}
		got, err := CurveByID(c.ID)
		if err != nil || got.Name != c.Name {
			t.Errorf("CurveByID(%d) = %v, %v", c.ID, got, err)
		}
		if Curve(c.ID).String() != c.Name {
			t.Errorf("Curve(%d).String() = %q", c.ID, Curve(c.ID).String())
		}
	}
	if got, _ := CurveByID(CurveP256); got.Name != "NID_X9_62_prime256v1" || got.Bits != 256 || !got.OID.Equal(keyder.OID{1, 2, 840, 10045, 3, 1, 7}) {
		t.Errorf("P-256 entry: %+v", got)
	}
	if got, _ := CurveByID(CurveSecp256k1); got.Name != "NID_secp256k1" || !got.OID.Equal(keyder.OID{1, 3, 132, 0, 10}) {
		t.Errorf("secp256k1 entry: %+v", got)
	}
	for _, id := range []int{-1, 0, 17, 26} {
		if _, err := CurveByID(id); !errors.Is(err, ErrUnknownCurve) {
			t.Errorf("CurveByID(%d): %v", id, err)
		}
	}
	// The table must not share storage between calls.
	a, _ := CurveByID(CurveP256)
	a.OID[0] = 99
	if b, _ := CurveByID(CurveP256); b.OID[0] != 1 {
		t.Error("CurveByID shares OID storage")
	}
}

// The OIDs must match what OpenSSL encodes for each curve name.
func TestCurveOIDsMatchOpenSSL(t *testing.T) {
	openssl(t)
	for _, c := range CurveIDs() {
		out := runOpenSSL(t, nil, "ecparam", "-name", c.ShortName, "-outform", "DER")
		want, err := asn1.Marshal(asn1.ObjectIdentifier(c.OID))
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != string(want) {
			t.Errorf("%s: openssl %x, table %x", c.ShortName, out, want)
		}
	}
}

func TestGenerateECUnsupported(t *testing.T) {
	for _, c := range CurveIDs() {
		k, err := GenerateEC(seeded(1), c.ID)
		if c.Supported {
			if err != nil {
				t.Errorf("%s: %v", c.Name, err)
				continue
			}
			if err := k.Validate(); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
			if err := k.Public().Validate(); err != nil {
				t.Errorf("%s: %v", c.Name, err)
			}
		} else if !errors.Is(err, ErrCurveNotSupported) {
			t.Errorf("%s: err = %v, want ErrCurveNotSupported", c.Name, err)
		}
	}
	if _, err := GenerateEC(seeded(1), 17); !errors.Is(err, ErrUnknownCurve) {
		t.Errorf("id 17: %v", err)
	}
	if _, err := GenerateEC(zeroReader{}, CurveP256); !errors.Is(err, ErrRandom) {
		t.Errorf("zero reader: %v", err)
	}
}

func TestSecp256k1KnownPoints(t *testing.T) {
	c, _ := curveParams(CurveSecp256k1)
	if !c.isOnCurve(c.Gx, c.Gy) {
		t.Fatal("G not on curve")
	}
	if _, _, ok := c.genericScalarMult(c.Gx, c.Gy, new(big.Int).Set(c.N)); ok {
		t.Fatal("n·G is not the point at infinity")
	}
	h := func(s string) *big.Int { v, _ := new(big.Int).SetString(s, 16); return v }
	known := []struct {
		k    int64
		x, y string
	}{
		{1, "79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798", "483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"},
		{2, "C6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5", "1AE168FEA63DC339A3C58419466CEAEEF7F632653266D0E1236431A950CFE52A"},
		{3, "F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9", "388F7B0F632DE8140FE337E62A37F3566500A99934C2231B6CB9FD7584B8E672"},
	}
	for _, kn := range known {
		x, y, err := c.baseMult(big.NewInt(kn.k))
		if err != nil {
			t.Fatal(err)
		}
		if x.Cmp(h(kn.x)) != 0 || y.Cmp(h(kn.y)) != 0 {
			t.Errorf("%d·G = (%X, %X)", kn.k, x, y)
		}
	}
	// (n-1)·G = -G
	x, y, err := c.baseMult(new(big.Int).Sub(c.N, big.NewInt(1)))
	if err != nil {
		t.Fatal(err)
	}
	if x.Cmp(c.Gx) != 0 || y.Cmp(new(big.Int).Sub(c.P, c.Gy)) != 0 {
		t.Error("(n-1)·G != -G")
	}
}

// The generic Jacobian arithmetic (used for secp256k1) is checked against
// the standard library on the NIST curves, which exercises the a = -3 path.
func TestGenericArithmeticMatchesStdlib(t *testing.T) {
	r := seeded(99)
	for _, id := range []int{CurveP224, CurveP256, CurveP384, CurveP521} {
		c, err := curveParams(id)
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			k, _ := randRange(r, c.N)
			x1, y1, err := c.baseMult(k)
			if err != nil {
				t.Fatal(err)
			}
			x2, y2, ok := c.genericScalarMult(c.Gx, c.Gy, k)
			if !ok || x1.Cmp(x2) != 0 || y1.Cmp(y2) != 0 {
				t.Fatalf("curve %d: generic k·G differs from stdlib", id)
			}
			u, _ := randRange(r, c.N)
			gx, gy, _ := c.genericCombinedMult(x1, y1, u, k) // u·G + k·(k·G)
			k2 := new(big.Int).Mul(k, k)
			k2.Add(k2, u).Mod(k2, c.N)
			wx, wy, _ := c.baseMult(k2)
			if gx.Cmp(wx) != 0 || gy.Cmp(wy) != 0 {
				t.Fatalf("curve %d: combined mult wrong", id)
			}
		}
	}
}

func TestECConversions(t *testing.T) {
	for _, id := range []int{CurveP224, CurveP256, CurveP384, CurveP521} {
		k, err := GenerateEC(seeded(uint64(id)), id)
		if err != nil {
			t.Fatal(err)
		}
		std, err := k.ECDSA()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ECKeyFromECDSA(std)
		if err != nil {
			t.Fatal(err)
		}
		if back.CurveID != id || !bytes.Equal(back.d, k.d) || !bytes.Equal(back.pt, k.pt) {
			t.Errorf("curve %d: round trip through ecdsa changed the key", id)
		}
		pub, err := k.Public().ECDSA()
		if err != nil {
			t.Fatal(err)
		}
		if !pub.Equal(&std.PublicKey) || !k.Public().Equal(pub) || !k.Public().Equal(k.Public()) {
			t.Errorf("curve %d: public keys differ", id)
		}
	}
	k1, _ := GenerateEC(seeded(1), CurveSecp256k1)
	if _, err := k1.ECDSA(); !errors.Is(err, ErrCurveNotSupported) {
		t.Errorf("secp256k1 ECDSA(): %v", err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), seeded(1))
	if k1.Public().Equal(&p256.PublicKey) {
		t.Error("keys on different curves compare equal")
	}
}

func TestECKeyValidateRejectsMismatch(t *testing.T) {
	k, _ := GenerateEC(seeded(1), CurveSecp256k1)
	bad := *k
	bad.pt = bytes.Clone(k.pt)
	bad.pt[1]++
	if err := bad.Validate(); !errors.Is(err, ErrMalformedKey) {
		t.Errorf("mismatched point: %v", err)
	}
	if err := bad.Public().Validate(); !errors.Is(err, ErrMalformedKey) {
		t.Errorf("off-curve point: %v", err)
	}
	bad = *k
	bad.d = make([]byte, len(k.d))
	if err := bad.Validate(); !errors.Is(err, ErrMalformedKey) {
		t.Errorf("zero D: %v", err)
	}
	var nilKey *ECKey
	if err := nilKey.Validate(); err == nil {
		t.Error("nil key validated")
	}
}

func TestPointCompression(t *testing.T) {
	for _, c := range CurveIDs() {
		if !c.Supported {
			continue
		}
		for seed := range uint64(6) {
			k, _ := GenerateEC(seeded(seed), c.ID)
			p, _ := curveParams(c.ID)
			comp := make([]byte, 1+p.ByteLen)
			comp[0] = 2 | k.pt[len(k.pt)-1]&1
			copy(comp[1:], k.pt[1:1+p.ByteLen])
			pt, err := p.decodePoint(comp)
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			if !bytes.Equal(pt, k.pt) {
				t.Fatalf("%s: decompressed point differs", c.Name)
			}
		}
	}
}

// The fixed-size secp256k1 base-point multiplication agrees with the
// math/big one, on random scalars and on those with extreme digits.
func TestSecp256k1BaseMultMatchesGeneric(t *testing.T) {
	c, _ := curveParams(CurveSecp256k1)
	nm1 := new(big.Int).Sub(c.N, big.NewInt(1))
	scalars := []*big.Int{big.NewInt(1), big.NewInt(2), big.NewInt(15), big.NewInt(16), big.NewInt(17), nm1,
		new(big.Int).Rsh(c.N, 1), new(big.Int).Lsh(big.NewInt(15), 252), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 252), big.NewInt(1))}
	r := seeded(42)
	for range 64 {
		d, err := c.randScalar(r)
		if err != nil {
			t.Fatal(err)
		}
		scalars = append(scalars, new(big.Int).SetBytes(d))
	}
	for _, k := range scalars {
		got, ok := secp256k1BaseMult(k.FillBytes(make([]byte, 32)))
		x, y, wantOK := c.genericScalarMult(c.Gx, c.Gy, k)
		if !ok || !wantOK || !bytes.Equal(got, c.encodePoint(x, y)) {
			t.Fatalf("%x·G differs", k)
		}
	}
	if _, ok := secp256k1BaseMult(make([]byte, 32)); ok {
		t.Error("0·G is not the point at infinity")
	}
	if _, ok := secp256k1BaseMult(c.N.FillBytes(make([]byte, 32))); ok {
		t.Error("n·G is not the point at infinity")
	}
}

// Field arithmetic checked against math/big at values near p.
func TestSecp256k1FieldMatchesBig(t *testing.T) {
	c, _ := curveParams(CurveSecp256k1)
	pm := func(d int64) *big.Int { return new(big.Int).Add(c.P, big.NewInt(d)) }
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), pm(-1), pm(-2), pm(-0x1000003D1),
		new(big.Int).Lsh(big.NewInt(1), 255), new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))}
	r := seeded(43)
	for range 32 {
		v, _ := randRange(r, c.P)
		vals = append(vals, v)
	}
	toFe := func(v *big.Int) fe { return feFromBytes(v.FillBytes(make([]byte, 32))) }
	fromFe := func(a fe) *big.Int {
		b := make([]byte, 32)
		a.putBytes(b)
		return new(big.Int).SetBytes(b)
	}
	mod := func(v *big.Int) *big.Int { return v.Mod(v, c.P) }
	for _, x := range vals {
		a := toFe(x)
		for _, y := range vals {
			b := toFe(y)
			if got, want := fromFe(feMul(&a, &b)), mod(new(big.Int).Mul(x, y)); got.Cmp(want) != 0 {
				t.Fatalf("%x·%x = %x, want %x", x, y, got, want)
			}
			if got, want := fromFe(feAdd(&a, &b)), mod(new(big.Int).Add(x, y)); got.Cmp(want) != 0 {
				t.Fatalf("%x+%x = %x, want %x", x, y, got, want)
			}
			if got, want := fromFe(feSub(&a, &b)), mod(new(big.Int).Sub(x, y)); got.Cmp(want) != 0 {
				t.Fatalf("%x-%x = %x, want %x", x, y, got, want)
			}
		}
		if got, want := fromFe(feSqr(&a)), mod(new(big.Int).Mul(x, x)); got.Cmp(want) != 0 {
			t.Fatalf("%x² = %x, want %x", x, got, want)
		}
		if x.Sign() != 0 {
			if got, want := fromFe(feInv(&a)), new(big.Int).ModInverse(x, c.P); got.Cmp(want) != 0 {
				t.Fatalf("1/%x = %x, want %x", x, got, want)
			}
		}
	}
}

// The fixed-size on-curve check agrees with the math/big one.
func TestSecp256k1OnCurve(t *testing.T) {
	c, _ := curveParams(CurveSecp256k1)
	r := seeded(44)
	for range 16 {
		k, err := GenerateEC(r, CurveSecp256k1)
		if err != nil {
			t.Fatal(err)
		}
		if !secp256k1OnCurve(k.pt) {
			t.Fatal("generated point not on curve")
		}
		bad := bytes.Clone(k.pt)
		bad[64] ^= 1
		x, y, _ := c.splitUncompressed(bad)
		if secp256k1OnCurve(bad) || c.isOnCurve(x, y) {
			t.Fatal("altered point on curve")
		}
	}
	// Coordinates at or above p are refused even when they are on the
	// curve modulo p.
	for x := int64(1); ; x++ {
		y := new(big.Int).ModSqrt(c.rhs(big.NewInt(x)), c.P)
		if y == nil {
			continue
		}
		pt := c.encodePoint(big.NewInt(x), y)
		if !secp256k1OnCurve(pt) {
			t.Fatalf("(%d, %x) not on curve", x, y)
		}
		new(big.Int).Add(big.NewInt(x), c.P).FillBytes(pt[1:33])
		if secp256k1OnCurve(pt) {
			t.Error("x + p accepted")
		}
		break
	}
	if g := c.encodePoint(c.Gx, c.Gy); !secp256k1OnCurve(g) {
		t.Error("G not on curve")
	}
}
