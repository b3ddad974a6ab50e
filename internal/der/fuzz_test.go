package der

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// The readers take files users import: each is fuzzed against
// crypto/x509's reader of the same structure. Neither may accept what the
// other refuses (this package's RSA-only readers answer ErrNotRSA where
// crypto/x509 reads another algorithm), and what both read is one key.

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
		if (err == nil) != (werr == nil) {
			t.Fatalf("der: %v, crypto/x509: %v", err, werr)
		}
		if err == nil && !got.Equal(want) {
			t.Fatal("a different key")
		}
	})
}

func FuzzParsePKCS1PublicKey(f *testing.F) {
	seeds(f, "pkcs1pub")
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePKCS1PublicKey(b)
		want, werr := x509.ParsePKCS1PublicKey(b)
		if (err == nil) != (werr == nil) {
			t.Fatalf("der: %v, crypto/x509: %v", err, werr)
		}
		if err == nil && !got.Equal(want) {
			t.Fatal("a different key")
		}
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
			if werr == nil && isRSA {
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
			if werr == nil && isRSA {
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
			if werr == nil && isEd {
				t.Fatalf("der: %v, crypto/x509 reads an Ed25519 key", err)
			}
		}
	})
}
