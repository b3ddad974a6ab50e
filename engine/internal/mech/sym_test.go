package mech

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

func TestKeyTypeString(t *testing.T) {
	want := map[KeyType]string{0: "RSA", 1: "DSA", 3: "EC", 16: "GENERIC_SECRET", 18: "RC4", 21: "DES3", 31: "AES", 99: "KeyType(99)"}
	for k, v := range want {
		if k.String() != v {
			t.Errorf("%d: %q", int(k), k.String())
		}
	}
	if !KeyTypeAES.IsSymmetric() || KeyTypeAES.IsAsymmetric() || !KeyTypeEC.IsAsymmetric() || KeyTypeEC.IsSymmetric() {
		t.Error("IsSymmetric/IsAsymmetric")
	}
}

func TestGenerateSecretSizes(t *testing.T) {
	cases := []struct {
		t    KeyType
		good []int
		bad  []int
	}{
		{KeyTypeAES, []int{16, 24, 32}, []int{0, 8, 15, 17, 31, 33, 64}},
		{KeyTypeDES3, []int{24}, []int{0, 8, 16, 23, 25, 32}},
		{KeyTypeGenericSecret, []int{1, 64, 512, 2048, 3583}, []int{0, -1, 3584, 4096}},
		{KeyTypeRC4, []int{5, 16, 256}, []int{0, 4, 257}},
	}
	r := seeded(5)
	for _, c := range cases {
		for _, n := range c.good {
			k, err := GenerateSecret(r, c.t, n)
			if err != nil || len(k) != n {
				t.Errorf("%v/%d: %v", c.t, n, err)
			}
		}
		for _, n := range c.bad {
			if _, err := GenerateSecret(r, c.t, n); !errors.Is(err, ErrBadKeySize) {
				t.Errorf("%v/%d: err = %v", c.t, n, err)
			}
		}
	}
	for _, kt := range []KeyType{KeyTypeRSA, KeyTypeEC, KeyTypeDSA, 7} {
		if _, err := GenerateSecret(r, kt, 16); !errors.Is(err, ErrBadKeyType) {
			t.Errorf("%v: %v", kt, err)
		}
	}
	if _, err := GenerateSecret(nil, KeyTypeAES, 16); !errors.Is(err, ErrRandom) {
		t.Errorf("nil reader: %v", err)
	}
}

func TestDES3Parity(t *testing.T) {
	r := seeded(6)
	for range 50 {
		k, err := GenerateSecret(r, KeyTypeDES3, 24)
		if err != nil {
			t.Fatal(err)
		}
		if !HasDESParity(k) {
			t.Fatalf("%x lacks odd parity", k)
		}
		if bytes.Equal(k[:8], k[8:16]) || bytes.Equal(k[8:16], k[16:]) {
			t.Fatal("degenerate DES3 key")
		}
	}
	b := []byte{0x00, 0x01, 0xFE, 0xFF, 0x10}
	SetDESParity(b)
	if hex.EncodeToString(b) != "0101fefe10" {
		t.Errorf("parity: %x", b)
	}
	// A zero reader can never give a non-degenerate key.
	if _, err := GenerateSecret(zeroReader{}, KeyTypeDES3, 24); !errors.Is(err, ErrRandom) {
		t.Errorf("zero reader: %v", err)
	}
}

func TestCheckValue(t *testing.T) {
	// AES-128 and AES-256 with all-zero keys encrypting the zero block
	// (FIPS 197 style known answers): 66e94bd4... and dc95c078...
	kcv, err := CheckValue(KeyTypeAES, make([]byte, 16))
	if err != nil || hex.EncodeToString(kcv) != "66e94b" {
		t.Errorf("AES-128 KCV %x, %v", kcv, err)
	}
	kcv, err = CheckValue(KeyTypeAES, make([]byte, 32))
	if err != nil || hex.EncodeToString(kcv) != "dc95c0" {
		t.Errorf("AES-256 KCV %x, %v", kcv, err)
	}
	gen := []byte("generic secret value")
	sum := sha1.Sum(gen)
	for _, kt := range []KeyType{KeyTypeGenericSecret, KeyTypeRC4} {
		kcv, err = CheckValue(kt, gen)
		if err != nil || !bytes.Equal(kcv, sum[:3]) {
			t.Errorf("%v KCV %x, %v", kt, kcv, err)
		}
	}
	des3 := mustHex(t, "0123456789ABCDEF FEDCBA9876543210 89ABCDEF01234567")
	kcv, err = CheckValue(KeyTypeDES3, des3)
	if err != nil || len(kcv) != 3 {
		t.Fatalf("DES3 KCV %x, %v", kcv, err)
	}
	if kcv2, _ := CheckValue(KeyTypeDES3, des3[:16]); len(kcv2) != 3 {
		t.Error("two-key DES3 KCV")
	}
	for _, bad := range []struct {
		t KeyType
		v []byte
	}{{KeyTypeAES, make([]byte, 15)}, {KeyTypeDES3, make([]byte, 8)}, {KeyTypeGenericSecret, nil}} {
		if _, err := CheckValue(bad.t, bad.v); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("%v/%d: %v", bad.t, len(bad.v), err)
		}
	}
	if _, err := CheckValue(KeyTypeRSA, make([]byte, 16)); !errors.Is(err, ErrBadKeyType) {
		t.Errorf("RSA: %v", err)
	}
}

// The DES3 check value must agree with OpenSSL's Triple DES.
func TestCheckValueDES3OpenSSL(t *testing.T) {
	openssl(t)
	key := "0123456789abcdeffedcba987654321089abcdef01234567"
	out, err := tryOpenSSL(t, make([]byte, 8), "enc", "-des-ede3", "-nopad", "-K", key)
	if err != nil {
		testenv.Missing(t, "openssl has no des-ede3: "+string(out))
	}
	kcv, _ := CheckValue(KeyTypeDES3, mustHex(t, key))
	if !bytes.Equal(kcv, out[:3]) {
		t.Errorf("KCV %x, openssl %x", kcv, out[:3])
	}
}

func TestPublicCheckValue(t *testing.T) {
	ec, _ := GenerateEC(seeded(1), CurveP256)
	kcv := PublicCheckValue(ec.Public())
	if len(kcv) != 3 {
		t.Fatalf("len %d", len(kcv))
	}
	der, _ := MarshalPublicKeyDER(ec.Public())
	sum := sha1.Sum(der)
	if !bytes.Equal(kcv, sum[:3]) {
		t.Error("not SHA-1 of PKIX DER")
	}
	std, _ := ec.Public().ECDSA()
	if !bytes.Equal(PublicCheckValue(std), kcv) {
		t.Error("ecdsa.PublicKey gives a different check value")
	}
	if PublicCheckValue("nope") != nil {
		t.Error("non-key gave a check value")
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), seeded(2))
	if bytes.Equal(PublicCheckValue(&other.PublicKey), kcv) {
		t.Error("different keys share a check value")
	}
}
