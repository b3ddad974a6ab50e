package mech

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"testing"
)

// mldsaBoth is RFC 9881's "both" private key form, in encoding/asn1's
// terms.
type mldsaBoth struct {
	Seed     []byte
	Expanded []byte
}

func TestMLDSAKeys(t *testing.T) {
	for _, c := range []struct {
		set                  MLDSAParameterSet
		name                 string
		pub, priv, sig       int
		spkiHeader, p8Header string
	}{
		{MLDSA44, "ML-DSA-44", 1312, 2560, 2420, "30820532300b060960864801650304031103820521", "3034020100300b060960864801650304031104228020"},
		{MLDSA65, "ML-DSA-65", 1952, 4032, 3309, "308207b2300b0609608648016503040312038207a1", "3034020100300b060960864801650304031204228020"},
		{MLDSA87, "ML-DSA-87", 2592, 4896, 4627, "30820a32300b060960864801650304031303820a21", "3034020100300b060960864801650304031304228020"},
	} {
		require := func(ok bool, format string, v ...any) {
			t.Helper()
			if !ok {
				t.Fatalf(c.name+": "+format, v...)
			}
		}
		if p, ok := MLDSAParameterSetByName(c.name); !ok || p != c.set || c.set.String() != c.name {
			t.Fatalf("%s: by name %v %v", c.name, p, ok)
		}
		require(c.set.PublicKeySize() == c.pub && c.set.PrivateKeySize() == c.priv && c.set.SignatureSize() == c.sig, "sizes")
		k, err := GenerateMLDSA(seeded(7), c.set)
		require(err == nil, "%v", err)
		k2, _ := GenerateMLDSA(seeded(7), c.set)
		require(bytes.Equal(k.Public().Bytes, k2.Public().Bytes), "the same seed makes another key")
		require(len(k.Expanded()) == c.priv, "expanded %d", len(k.Expanded()))

		// RFC 9881 encodings: the OID 2.16.840.1.101.3.4.3.17/18/19
		// without parameters; the private key as its seed, [0] IMPLICIT.
		spki, err := MarshalPublicKeyDER(k.Public())
		require(err == nil, "%v", err)
		require(hex.EncodeToString(spki[:len(c.spkiHeader)/2]) == c.spkiHeader, "SPKI %x", spki[:24])
		p8, err := MarshalPrivateKeyDER(k)
		require(err == nil, "%v", err)
		require(hex.EncodeToString(p8[:22]) == c.p8Header, "PKCS #8 %x", p8[:22])
		require(bytes.Equal(p8[22:], k.Seed[:]), "seed")
		back, err := ParsePrivateKeyDER(p8)
		require(err == nil, "%v", err)
		require(back.(*MLDSAPrivateKey).Seed == k.Seed, "round trip")
		pub, err := ParsePublicKeyDER(spki)
		require(err == nil, "%v", err)
		require(bytes.Equal(pub.(*MLDSAPublicKey).Bytes, k.Public().Bytes), "public round trip")
		if kt, _ := KeyTypeOf(k); kt != KeyTypeMLDSA {
			t.Fatalf("key type %v", kt)
		}

		// The set's identifier is circl's.
		oid := c.set.scheme().(interface{ Oid() asn1.ObjectIdentifier }).Oid()
		require(oid.Equal(asn1.ObjectIdentifier(c.set.oid())), "OID %v, circl's %v", c.set.oid(), oid)

		// The "both" form reads when its halves agree.
		both, _ := asn1.Marshal(mldsaBoth{Seed: k.Seed[:], Expanded: k.Expanded()})
		if _, err := parseMLDSAPrivate(both, c.set); err != nil {
			t.Fatalf("both: %v", err)
		}
		bad := k.Expanded()
		bad[0] ^= 1
		both, _ = asn1.Marshal(mldsaBoth{Seed: k.Seed[:], Expanded: bad})
		if _, err := parseMLDSAPrivate(both, c.set); !errors.Is(err, ErrMalformedKey) {
			t.Fatalf("both, mismatched: %v", err)
		}
		expanded, _ := asn1.Marshal(k.Expanded())
		if _, err := parseMLDSAPrivate(expanded, c.set); !errors.Is(err, ErrUnsupportedKey) {
			t.Fatalf("expanded only: %v", err)
		}

		// Deterministic signatures that verify, and only for their message.
		sig, err := SignMLDSA(k, []byte("abc123"))
		require(err == nil && len(sig) == c.sig, "sign %v", err)
		sig2, _ := SignMLDSA(back.(*MLDSAPrivateKey), []byte("abc123"))
		require(bytes.Equal(sig, sig2), "not deterministic")
		require(VerifyMLDSA(k.Public(), []byte("abc123"), sig) == nil, "verify")
		require(errors.Is(VerifyMLDSA(k.Public(), []byte("abc124"), sig), ErrBadSignature), "other message")
		require(errors.Is(VerifyMLDSA(k.Public(), []byte("abc123"), sig[:10]), ErrBadSignature), "short signature")
	}
	if _, err := NewMLDSAKey(4, make([]byte, 32)); !errors.Is(err, ErrBadKeyType) {
		t.Fatal(err)
	}
	if _, err := NewMLDSAKey(MLDSA44, make([]byte, 31)); !errors.Is(err, ErrMalformedKey) {
		t.Fatal(err)
	}
}
