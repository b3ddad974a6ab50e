package mech

import (
	"bytes"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
)

// fuzzKeyPEMs are valid private keys of every kind, as seeds.
func fuzzKeyPEMs(f *testing.F) [][]byte {
	f.Helper()
	var out [][]byte
	rsaK, err := generateRSA(seeded(1), 1024, 65537)
	if err != nil {
		f.Fatal(err)
	}
	keys := []any{rsaK}
	for _, id := range []int{CurveP224, CurveP256, CurveP384, CurveP521, CurveSecp256k1} {
		k, _ := GenerateEC(seeded(2), id)
		keys = append(keys, k)
	}
	d, _ := GenerateDSA(seeded(3), 1024)
	keys = append(keys, d)
	ed, _ := GenerateEd25519(seeded(4))
	keys = append(keys, ed)
	for _, set := range []MLDSAParameterSet{MLDSA44, MLDSA65, MLDSA87} {
		k, _ := GenerateMLDSA(seeded(5), set)
		keys = append(keys, k)
	}
	for _, k := range keys {
		p, err := MarshalPrivateKeyPEM(k)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func FuzzParsePrivateKeyPEM(f *testing.F) {
	for _, p := range fuzzKeyPEMs(f) {
		f.Add(p)
		block, _ := pem.Decode(p)
		f.Add(block.Bytes)
	}
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN EC PARAMETERS-----\nBgUrgQQACg==\n-----END EC PARAMETERS-----\n-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (any, error){ParsePrivateKeyPEM, ParsePrivateKeyDER} {
			k, err := parse(data)
			if err != nil {
				if k != nil {
					t.Fatal("key returned with an error")
				}
				continue
			}
			// Anything accepted must be a consistent, re-encodable key.
			der, err := MarshalPrivateKeyDER(k)
			if err != nil {
				t.Fatalf("accepted %T cannot be re-encoded: %v", k, err)
			}
			k2, err := ParsePrivateKeyDER(der)
			if err != nil {
				t.Fatalf("re-encoded key does not parse: %v", err)
			}
			der2, _ := MarshalPrivateKeyDER(k2)
			if !bytes.Equal(der, der2) {
				t.Fatal("re-encoding is not stable")
			}
			if _, err := KeyTypeOf(k); err != nil {
				t.Fatal(err)
			}
			if _, err := MarshalPublicKeyDER(PublicOf(k)); err != nil {
				t.Fatalf("public half of accepted key: %v", err)
			}
		}
	})
}

func FuzzParsePublicKeyPEM(f *testing.F) {
	for _, p := range fuzzKeyPEMs(f) {
		k, _ := ParsePrivateKeyPEM(p)
		pub, err := MarshalPublicKeyPEM(PublicOf(k))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pub)
	}
	f.Add([]byte("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, err := ParsePublicKeyPEM(data)
		if err != nil {
			if pub != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		der, err := MarshalPublicKeyDER(pub)
		if err != nil {
			t.Fatalf("accepted %T cannot be re-encoded: %v", pub, err)
		}
		pub2, err := ParsePublicKeyDER(der)
		if err != nil {
			t.Fatalf("re-encoded key does not parse: %v", err)
		}
		der2, _ := MarshalPublicKeyDER(pub2)
		if !bytes.Equal(der, der2) {
			t.Fatal("re-encoding is not stable")
		}
		if len(PublicCheckValue(pub)) != KCVSize {
			t.Fatal("no check value")
		}
	})
}

// FuzzUnwrap feeds arbitrary blobs to every unwrap mechanism (which must
// fail cleanly) and, as a property, checks that whatever Wrap accepts,
// Unwrap returns unchanged.
func FuzzUnwrap(f *testing.F) {
	rsaK := testRSA(f)
	aes := bytes.Repeat([]byte{0x24}, 32)
	for _, m := range WrapMechanisms() {
		var wk any = aes
		if IsRSAWrapMechanism(m) {
			wk = &rsaK.PublicKey
		}
		w, err := Wrap(seeded(uint64(m)), WrapParams{Mechanism: m}, wk, bytes.Repeat([]byte{7}, 24))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(m), uint8(0), []byte(nil), aes, w)
	}
	f.Add(uint8(WrapAESGCM), uint8(8), []byte("aad"), aes[:16], []byte("short"))
	f.Fuzz(func(t *testing.T, mech, tag uint8, aad, key, data []byte) {
		m := int(mech % 13)
		p := WrapParams{Mechanism: m}
		if m == WrapAESGCM || m == WrapCloudHSMAESGCM {
			p.AAD = aad
			p.TagSize = int(tag % 17)
		}
		var uk, wk any = key, key
		if IsRSAWrapMechanism(m) {
			uk, wk = rsaK, &rsaK.PublicKey
		}
		out, err := Unwrap(p, uk, data)
		if err != nil && out != nil {
			t.Fatal("output returned with an error")
		}
		w, err := Wrap(seeded(1), p, wk, data)
		if err != nil {
			if errors.Is(err, ErrBadMechanism) || errors.Is(err, ErrWrapSize) || errors.Is(err, ErrBadKeySize) || errors.Is(err, ErrBadParameter) {
				return
			}
			t.Fatalf("unexpected wrap error: %v", err)
		}
		back, err := Unwrap(p, uk, w)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("wrap/unwrap round trip failed for m=%d: %v", m, err)
		}
	})
}

// FuzzSecp256k1BaseMult checks the fixed-size secp256k1 arithmetic against
// the math/big one, and the byte-kept keys against their encodings, for any
// 32-byte scalar.
func FuzzSecp256k1BaseMult(f *testing.F) {
	f.Add(make([]byte, 32))
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	f.Add(append(make([]byte, 31), 1))
	f.Fuzz(func(t *testing.T, d []byte) {
		if len(d) != 32 {
			return
		}
		c, _ := curveParams(CurveSecp256k1)
		k := new(big.Int).SetBytes(d)
		got, ok := secp256k1BaseMult(d)
		x, y, wantOK := c.genericScalarMult(c.Gx, c.Gy, k)
		if ok != wantOK || ok && !bytes.Equal(got, c.encodePoint(x, y)) {
			t.Fatalf("%x·G: %x, want (%v, %v)", d, got, x, y)
		}
		key, err := ecKeyFromScalar(CurveSecp256k1, c, d)
		if (err == nil) != c.scalarInRange(d) {
			t.Fatalf("%x: in range %v, error %v", d, c.scalarInRange(d), err)
		}
		if err != nil {
			return
		}
		der, err := MarshalPrivateKeyDER(key)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParsePrivateKeyDER(der)
		if err != nil || !bytes.Equal(back.(*ECKey).pt, got) {
			t.Fatalf("%x: round trip %v", d, err)
		}
	})
}
