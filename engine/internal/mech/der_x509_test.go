package mech

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// The RSA encodings stay crypto/x509's bytes now that the engine writes its
// own DER.
func TestRSADERIsX509s(t *testing.T) {
	for _, bits := range []int{1024, 2048} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := MarshalPublicKeyDER(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if !bytes.Equal(pub, want) {
			t.Errorf("RSA-%d public key: not crypto/x509's SubjectPublicKeyInfo", bits)
		}
		priv, err := MarshalPrivateKeyDER(k)
		if err != nil {
			t.Fatal(err)
		}
		want, _ = x509.MarshalPKCS8PrivateKey(k)
		if !bytes.Equal(priv, want) {
			t.Errorf("RSA-%d private key: not crypto/x509's PKCS #8", bits)
		}
		for _, der := range [][]byte{want, x509.MarshalPKCS1PrivateKey(k)} {
			got, err := ParsePrivateKeyDER(der)
			if err != nil || !got.(*rsa.PrivateKey).Equal(k) {
				t.Errorf("RSA-%d private key does not read back: %v", bits, err)
			}
		}
		got, err := ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)}))
		if err != nil || !got.(*rsa.PublicKey).Equal(&k.PublicKey) {
			t.Errorf("RSA-%d PKCS #1 public key does not read back: %v", bits, err)
		}
		got, err = ParsePublicKeyDER(pub)
		if err != nil || !got.(*rsa.PublicKey).Equal(&k.PublicKey) {
			t.Errorf("RSA-%d SubjectPublicKeyInfo does not read back: %v", bits, err)
		}
	}
}

func TestEd25519DERIsX509s(t *testing.T) {
	k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))
	pub, err := MarshalPublicKeyDER(k.Public())
	want, _ := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil || !bytes.Equal(pub, want) {
		t.Errorf("Ed25519 public key: %v, not crypto/x509's SubjectPublicKeyInfo", err)
	}
	priv, err := MarshalPrivateKeyDER(k)
	want, _ = x509.MarshalPKCS8PrivateKey(k)
	if err != nil || !bytes.Equal(priv, want) {
		t.Errorf("Ed25519 private key: %v, not crypto/x509's PKCS #8", err)
	}
	ref, err := ReferencePKCS8(KeyTypeECEdwards, 0, k.Seed())
	if err != nil || !bytes.Equal(ref, want) {
		t.Errorf("Ed25519 reference PKCS #8: %v", err)
	}
	got, err := ParsePublicKeyDER(pub)
	if err != nil || !got.(ed25519.PublicKey).Equal(k.Public()) {
		t.Errorf("Ed25519 SubjectPublicKeyInfo does not read back: %v", err)
	}
}
