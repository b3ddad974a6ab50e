package der

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// The readers take files users import: each is fuzzed against
// crypto/x509's reader of the same structure. What this package reads,
// crypto/x509 reads as the same key; what crypto/x509 reads and writes
// back byte for byte (canonical DER), this package reads. This package is
// stricter on purpose: crypto/x509 reads PKCS #1 and PKCS #8 with
// encoding/asn1, which skips bytes after the last field of a SEQUENCE (and
// PKCS #8's after the whole element), and takes an RSA public key out of a
// BIT STRING with unused bits; those are refused here. (This package's
// RSA-only readers answer ErrNotRSA where crypto/x509 reads another
// algorithm.)

func seeds(f *testing.F, kind string) {
	k1, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		f.Fatal(err)
	}
	for _, k := range []*rsa.PrivateKey{k1} {
		switch kind {
		case "pkcs1":
			f.Add(x509.MarshalPKCS1PrivateKey(k))
		case "pkcs1pub":
			f.Add(x509.MarshalPKCS1PublicKey(&k.PublicKey))
		case "pkix":
			b, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
			f.Add(b)
		case "pkcs8":
			b, _ := x509.MarshalPKCS8PrivateKey(k)
			f.Add(b)
		}
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	f.Add(b)
	b, _ = x509.MarshalPKCS8PrivateKey(ec)
	f.Add(b)
	f.Add([]byte{0x30, 0x00})
}

func FuzzParsePKCS1PrivateKey(f *testing.F) {
	seeds(f, "pkcs1")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePKCS1PrivateKey(b)
		want, werr := x509.ParsePKCS1PrivateKey(b)
		canonical := werr == nil && bytes.Equal(x509.MarshalPKCS1PrivateKey(want), b)
		checkX509(t, err, werr, canonical, func() bool { return got.Equal(want) })
	})
}

func FuzzParsePKCS1PublicKey(f *testing.F) {
	seeds(f, "pkcs1pub")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePKCS1PublicKey(b)
		want, werr := x509.ParsePKCS1PublicKey(b)
		canonical := werr == nil && bytes.Equal(x509.MarshalPKCS1PublicKey(want), b)
		checkX509(t, err, werr, canonical, func() bool { return got.Equal(want) })
	})
}

func FuzzParsePKIXRSAPublicKey(f *testing.F) {
	seeds(f, "pkix")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePKIXRSAPublicKey(b)
		want, werr := x509.ParsePKIXPublicKey(b)
		wantRSA, isRSA := want.(*rsa.PublicKey)
		switch {
		case err == ErrNotRSA:
			if werr == nil && isRSA {
				t.Fatal("crypto/x509 reads an RSA key")
			}
		case err == nil:
			if werr != nil || !isRSA || !got.Equal(wantRSA) {
				t.Fatalf("der reads an RSA key, crypto/x509: %T %v", want, werr)
			}
		default:
			if werr == nil && isRSA && canonicalPKIX(want, b) {
				t.Fatalf("der: %v, crypto/x509 reads an RSA key", err)
			}
		}
	})
}

func FuzzParsePKCS8RSAPrivateKey(f *testing.F) {
	seeds(f, "pkcs8")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePKCS8RSAPrivateKey(b)
		want, werr := x509.ParsePKCS8PrivateKey(b)
		wantRSA, isRSA := want.(*rsa.PrivateKey)
		switch {
		case err == ErrNotRSA:
			if werr == nil && isRSA {
				t.Fatal("crypto/x509 reads an RSA key")
			}
		case err == nil:
			if werr != nil || !isRSA || !got.Equal(wantRSA) {
				t.Fatalf("der reads an RSA key, crypto/x509: %T %v", want, werr)
			}
		default:
			if werr == nil && isRSA && canonicalPKCS8(want, b) {
				t.Fatalf("der: %v, crypto/x509 reads an RSA key", err)
			}
		}
	})
}

func FuzzParsePKIXEd25519PublicKey(f *testing.F) {
	b, _ := x509.MarshalPKIXPublicKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public())
	f.Add(b)
	seeds(f, "pkix")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePKIXEd25519PublicKey(b)
		want, werr := x509.ParsePKIXPublicKey(b)
		wantEd, isEd := want.(ed25519.PublicKey)
		switch {
		case err == ErrNotEd25519:
			if werr == nil && isEd {
				t.Fatal("crypto/x509 reads an Ed25519 key")
			}
		case err == nil:
			if werr != nil || !isEd || !got.Equal(wantEd) {
				t.Fatalf("der reads an Ed25519 key, crypto/x509: %T %v", want, werr)
			}
		default:
			if werr == nil && isEd && canonicalPKIX(want, b) {
				t.Fatalf("der: %v, crypto/x509 reads an Ed25519 key", err)
			}
		}
	})
}

// checkX509 is the rule above for a reader of one algorithm.
func checkX509(t *testing.T, err, werr error, canonical bool, same func() bool) {
	t.Helper()
	switch {
	case err == nil && werr != nil:
		t.Fatalf("der reads what crypto/x509 refuses (%v)", werr)
	case err == nil && !same():
		t.Fatal("a different key")
	case err != nil && canonical:
		t.Fatalf("der: %v, crypto/x509 reads the canonical DER", err)
	}
}

func canonicalPKIX(key any, b []byte) bool {
	again, err := x509.MarshalPKIXPublicKey(key)
	return err == nil && bytes.Equal(again, b)
}

func canonicalPKCS8(key any, b []byte) bool {
	again, err := x509.MarshalPKCS8PrivateKey(key)
	return err == nil && bytes.Equal(again, b)
}
