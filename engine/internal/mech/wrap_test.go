package mech

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

func TestWrapMechanismTable(t *testing.T) {
	want := map[int]string{4: "AES_KEY_WRAP_PAD_PKCS5", 5: "NIST_AES_WRAP_NO_PAD", 6: "NIST_AES_WRAP_PAD", 7: "RSA_AES", 8: "RSA_OAEP", 10: "AES_GCM", 11: "CLOUDHSM_AES_GCM", 12: "RSA_PKCS"}
	for _, m := range WrapMechanisms() {
		name, err := WrapMechanismName(m)
		if err != nil || name != want[m] {
			t.Errorf("%d: %q, %v", m, name, err)
		}
		delete(want, m)
	}
	if len(want) != 0 {
		t.Errorf("missing mechanisms %v", want)
	}
	for _, m := range []int{-1, 0, 1, 2, 3, 9, 13, 99} {
		if _, err := WrapMechanismName(m); !errors.Is(err, ErrBadMechanism) {
			t.Errorf("%d: %v", m, err)
		}
		if _, err := Wrap(seeded(1), WrapParams{Mechanism: m}, make([]byte, 16), make([]byte, 16)); !errors.Is(err, ErrBadMechanism) {
			t.Errorf("Wrap %d: %v", m, err)
		}
		if _, err := Unwrap(WrapParams{Mechanism: m}, make([]byte, 16), make([]byte, 24)); !errors.Is(err, ErrBadMechanism) {
			t.Errorf("Unwrap %d: %v", m, err)
		}
	}
	hashes := map[int]crypto.Hash{2: crypto.SHA1, 3: crypto.SHA256, 4: crypto.SHA384, 5: crypto.SHA512, 6: crypto.SHA224}
	for id, h := range hashes {
		if got, err := WrapHashByID(id); err != nil || got != h {
			t.Errorf("-t %d: %v, %v", id, got, err)
		}
	}
	for _, id := range []int{0, 1, 7} {
		if _, err := WrapHashByID(id); !errors.Is(err, ErrBadHash) {
			t.Errorf("-t %d: %v", id, err)
		}
	}
	if !IsRSAWrapMechanism(WrapRSAAES) || IsRSAWrapMechanism(WrapAESGCM) {
		t.Error("IsRSAWrapMechanism")
	}
}

func TestWrapRoundTrips(t *testing.T) {
	rsaK := testRSA(t)
	aes256 := bytes.Repeat([]byte{0x42}, 32)
	r := seeded(21)
	des3, _ := GenerateSecret(r, KeyTypeDES3, 24)
	ecK, _ := GenerateEC(r, CurveP384)
	ecDER, _ := MarshalPrivateKeyDER(ecK)
	materials := map[string][]byte{"des3": des3, "aes16": des3[:16], "generic7": des3[:7], "ecPKCS8": ecDER}
	type tc struct {
		p      WrapParams
		wk, uk any
	}
	cases := []tc{
		{WrapParams{Mechanism: WrapAESPKCS5}, aes256, aes256},
		{WrapParams{Mechanism: WrapAESPKCS5, IV: DefaultKeyWrapIV()}, aes256, aes256},
		{WrapParams{Mechanism: WrapAESNoPad}, aes256[:16], aes256[:16]},
		{WrapParams{Mechanism: WrapAESPad}, aes256[:24], aes256[:24]},
		{WrapParams{Mechanism: WrapAESGCM}, aes256, aes256},
		{WrapParams{Mechanism: WrapAESGCM, AAD: []byte("aad"), TagSize: 8}, aes256, aes256},
		{WrapParams{Mechanism: WrapCloudHSMAESGCM, TagSize: 12}, aes256, aes256},
		{WrapParams{Mechanism: WrapRSAAES}, &rsaK.PublicKey, rsaK},
		{WrapParams{Mechanism: WrapRSAAES, Hash: crypto.SHA1}, rsaK, rsaK},
		{WrapParams{Mechanism: WrapRSAAES, Hash: crypto.SHA512}, &rsaK.PublicKey, rsaK},
		{WrapParams{Mechanism: WrapRSAOAEP}, &rsaK.PublicKey, rsaK},
		{WrapParams{Mechanism: WrapRSAOAEP, Hash: crypto.SHA224}, &rsaK.PublicKey, rsaK},
		{WrapParams{Mechanism: WrapRSAPKCS}, &rsaK.PublicKey, rsaK},
	}
	for _, c := range cases {
		for name, km := range materials {
			label := fmt.Sprintf("m=%d hash=%v tag=%d/%s", c.p.Mechanism, c.p.Hash, c.p.TagSize, name)
			w, err := Wrap(r, c.p, c.wk, km)
			if errors.Is(err, ErrWrapSize) {
				// expected for RFC 3394 with unaligned input, and for
				// PKCS #8 blobs under the RSA-only mechanisms
				if c.p.Mechanism == WrapAESNoPad && len(km)%8 == 0 && len(km) >= 16 {
					t.Errorf("%s: unexpected ErrWrapSize", label)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			got, err := Unwrap(c.p, c.uk, w)
			if err != nil || !bytes.Equal(got, km) {
				t.Errorf("%s: unwrap = %v", label, err)
			}
			// Tampering is detected (RSA_PKCS has no integrity beyond the
			// padding, so only the mechanisms with real integrity are
			// checked here).
			if c.p.Mechanism != WrapRSAPKCS {
				bad := append([]byte{}, w...)
				bad[len(bad)-1] ^= 0x80
				if out, err := Unwrap(c.p, c.uk, bad); !errors.Is(err, ErrUnwrapIntegrity) {
					t.Errorf("%s: tampered blob gave %x, %v", label, out, err)
				}
			}
		}
	}
}

func TestWrapGCMLayout(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 16)
	km := []byte("0123456789abcdef")
	for _, m := range []int{WrapAESGCM, WrapCloudHSMAESGCM} {
		for tag := GCMMinTagSize; tag <= GCMTagSize; tag++ {
			p := WrapParams{Mechanism: m, TagSize: tag, AAD: []byte("A")}
			w, err := Wrap(seeded(uint64(tag)), p, key, km)
			if err != nil {
				t.Fatal(err)
			}
			if len(w) != GCMIVSize+len(km)+tag {
				t.Fatalf("m=%d tag=%d: len %d", m, tag, len(w))
			}
			// iv || ct || tag: the prefix is the IV GCM used.
			ct, _ := gcmSeal(key, w[:GCMIVSize], km, p.AAD, tag)
			if !bytes.Equal(ct, w[GCMIVSize:]) {
				t.Fatalf("m=%d tag=%d: layout is not iv||ct||tag", m, tag)
			}
			wrongAAD := p
			wrongAAD.AAD = []byte("B")
			if _, err := Unwrap(wrongAAD, key, w); !errors.Is(err, ErrUnwrapIntegrity) {
				t.Errorf("wrong AAD: %v", err)
			}
			wrongTag := p
			wrongTag.TagSize = 16
			if tag != 16 {
				if _, err := Unwrap(wrongTag, key, w); !errors.Is(err, ErrUnwrapIntegrity) {
					t.Errorf("wrong tag size: %v", err)
				}
			}
		}
		for _, tag := range []int{-1, 1, 4, 7, 17} {
			if _, err := Wrap(seeded(1), WrapParams{Mechanism: m, TagSize: tag}, key, km); !errors.Is(err, ErrBadParameter) {
				t.Errorf("tag %d: %v", tag, err)
			}
		}
	}
}

func TestWrapParameterRules(t *testing.T) {
	aes := bytes.Repeat([]byte{3}, 32)
	km := bytes.Repeat([]byte{4}, 16)
	bad := []WrapParams{
		{Mechanism: WrapAESNoPad, IV: mustHex(t, "0000000000000000")},
		{Mechanism: WrapAESPKCS5, IV: mustHex(t, "A6A6A6A6A6A6A6A7")},
		{Mechanism: WrapAESPad, IV: DefaultKeyWrapIV()},
		{Mechanism: WrapAESGCM, IV: make([]byte, 12)},
		{Mechanism: WrapCloudHSMAESGCM, IV: make([]byte, 12)},
		{Mechanism: WrapAESPKCS5, AAD: []byte("x")},
		{Mechanism: WrapAESNoPad, TagSize: 16},
		{Mechanism: WrapRSAOAEP, AAD: []byte("x")},
	}
	for _, p := range bad {
		if _, err := Wrap(seeded(1), p, aes, km); !errors.Is(err, ErrBadParameter) {
			t.Errorf("Wrap %+v: %v", p, err)
		}
		if _, err := Unwrap(p, aes, make([]byte, 40)); !errors.Is(err, ErrBadParameter) {
			t.Errorf("Unwrap %+v: %v", p, err)
		}
	}
	if _, err := Wrap(seeded(1), WrapParams{Mechanism: WrapAESNoPad, IV: DefaultKeyWrapIV()}, aes, km); err != nil {
		t.Errorf("explicit default IV rejected: %v", err)
	}
	if _, err := Wrap(seeded(1), WrapParams{Mechanism: WrapRSAOAEP, Hash: crypto.MD5}, testRSA(t), km); !errors.Is(err, ErrBadHash) {
		t.Errorf("MD5: %v", err)
	}
	if _, err := Wrap(seeded(1), WrapParams{Mechanism: WrapAESPad}, aes, nil); !errors.Is(err, ErrWrapSize) {
		t.Errorf("empty material: %v", err)
	}
}

func TestWrapKeyTypeMismatch(t *testing.T) {
	rsaK := testRSA(t)
	aes := bytes.Repeat([]byte{3}, 32)
	km := bytes.Repeat([]byte{4}, 16)
	ec, _ := GenerateEC(seeded(1), CurveP256)
	for _, m := range []int{WrapAESPKCS5, WrapAESNoPad, WrapAESPad, WrapAESGCM, WrapCloudHSMAESGCM} {
		for _, k := range []any{rsaK, &rsaK.PublicKey, ec, nil, "key"} {
			if _, err := Wrap(seeded(1), WrapParams{Mechanism: m}, k, km); !errors.Is(err, ErrKeyTypeMismatch) {
				t.Errorf("Wrap m=%d key %T: %v", m, k, err)
			}
			if _, err := Unwrap(WrapParams{Mechanism: m}, k, make([]byte, 40)); !errors.Is(err, ErrKeyTypeMismatch) {
				t.Errorf("Unwrap m=%d key %T: %v", m, k, err)
			}
		}
		if _, err := Wrap(seeded(1), WrapParams{Mechanism: m}, aes[:20], km); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("m=%d 20-byte AES key: %v", m, err)
		}
	}
	for _, m := range []int{WrapRSAAES, WrapRSAOAEP, WrapRSAPKCS} {
		for _, k := range []any{aes, ec, ec.Public(), nil} {
			if _, err := Wrap(seeded(1), WrapParams{Mechanism: m}, k, km); !errors.Is(err, ErrKeyTypeMismatch) {
				t.Errorf("Wrap m=%d key %T: %v", m, k, err)
			}
		}
		// Unwrapping needs the private key.
		if _, err := Unwrap(WrapParams{Mechanism: m}, &rsaK.PublicKey, make([]byte, 256)); !errors.Is(err, ErrKeyTypeMismatch) {
			t.Errorf("Unwrap m=%d with public key: %v", m, err)
		}
	}
}

func TestRSAWrapSizeLimits(t *testing.T) {
	rsaK := testRSA(t)
	k := rsaK.Size()
	limits := []struct {
		p   WrapParams
		max int
	}{
		{WrapParams{Mechanism: WrapRSAOAEP, Hash: crypto.SHA1}, k - 2*20 - 2},
		{WrapParams{Mechanism: WrapRSAOAEP}, k - 2*32 - 2},
		{WrapParams{Mechanism: WrapRSAOAEP, Hash: crypto.SHA512}, k - 2*64 - 2},
		{WrapParams{Mechanism: WrapRSAPKCS}, k - 11},
	}
	for _, l := range limits {
		if _, err := Wrap(seeded(1), l.p, &rsaK.PublicKey, make([]byte, l.max)); err != nil {
			t.Errorf("%+v at max %d: %v", l.p, l.max, err)
		}
		if _, err := Wrap(seeded(1), l.p, &rsaK.PublicKey, make([]byte, l.max+1)); !errors.Is(err, ErrWrapSize) {
			t.Errorf("%+v at max+1: %v", l.p, err)
		}
	}
	// RSA_AES has no such limit: a PKCS #8 RSA key fits.
	der, _ := MarshalPrivateKeyDER(rsaK)
	w, err := Wrap(seeded(1), WrapParams{Mechanism: WrapRSAAES}, &rsaK.PublicKey, der)
	if err != nil {
		t.Fatal(err)
	}
	if want := k + 8 + (len(der)+7)/8*8; len(w) != want {
		t.Errorf("RSA_AES blob %d bytes, want %d", len(w), want)
	}
}

// The RSA_AES envelope must be exactly the AWS BYOK format:
// OAEP(SHA-256, MGF1-SHA-256) of an AES-256 key || RFC 5649(key material).
func TestRSAAESEnvelope(t *testing.T) {
	rsaK := testRSA(t)
	km := []byte("twenty-byte-key-data")
	w, err := Wrap(seeded(5), WrapParams{Mechanism: WrapRSAAES, Hash: crypto.SHA256}, &rsaK.PublicKey, km)
	if err != nil {
		t.Fatal(err)
	}
	k := rsaK.Size()
	aesKey, err := rsaK.Decrypt(nil, w[:k], &rsa.OAEPOptions{Hash: crypto.SHA256, MGFHash: crypto.SHA256})
	if err != nil {
		t.Fatal(err)
	}
	if len(aesKey) != RSAAESKeySize {
		t.Fatalf("ephemeral key of %d bytes", len(aesKey))
	}
	got, err := AESKeyUnwrapPad(aesKey, w[k:])
	if err != nil || !bytes.Equal(got, km) {
		t.Fatalf("tail is not KWP of the key material: %v", err)
	}
}

// OpenSSL must be able to undo each RSA and AES key-wrap format, which is
// what users do with the files wrapKey writes.
func TestWrapOpenSSLInterop(t *testing.T) {
	openssl(t)
	rsaK := testRSA(t)
	privPEM, _ := MarshalPrivateKeyPEM(rsaK)
	keyFile := writeTemp(t, "rsa.pem", privPEM)
	km := []byte("key material for openssl")

	for _, c := range []struct {
		p    WrapParams
		args []string
	}{
		{WrapParams{Mechanism: WrapRSAOAEP, Hash: crypto.SHA256}, []string{"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"}},
		{WrapParams{Mechanism: WrapRSAOAEP, Hash: crypto.SHA1}, []string{"-pkeyopt", "rsa_padding_mode:oaep"}},
		{WrapParams{Mechanism: WrapRSAPKCS}, []string{"-pkeyopt", "rsa_padding_mode:pkcs1"}},
	} {
		w, err := Wrap(seeded(9), c.p, &rsaK.PublicKey, km)
		if err != nil {
			t.Fatal(err)
		}
		args := append([]string{"pkeyutl", "-decrypt", "-inkey", keyFile}, c.args...)
		if out := runOpenSSL(t, w, args...); !bytes.Equal(out, km) {
			t.Errorf("m=%d: openssl decrypted %q", c.p.Mechanism, out)
		}
	}

	// RSA_AES: openssl decrypts the ephemeral key, then the KWP tail.
	w, _ := Wrap(seeded(10), WrapParams{Mechanism: WrapRSAAES, Hash: crypto.SHA256}, &rsaK.PublicKey, km)
	aesKey := runOpenSSL(t, w[:rsaK.Size()], "pkeyutl", "-decrypt", "-inkey", keyFile,
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256")
	out := runOpenSSL(t, w[rsaK.Size():], "enc", "-d", "-id-aes256-wrap-pad", "-K", hex.EncodeToString(aesKey), "-iv", "A65959A6")
	if !bytes.Equal(out, km) {
		t.Errorf("RSA_AES: openssl recovered %q", out)
	}

	// RFC 3394 / 5649 both ways.
	kek := bytes.Repeat([]byte{0x11}, 32)
	kw, _ := Wrap(nil, WrapParams{Mechanism: WrapAESNoPad}, kek, km)
	if out := runOpenSSL(t, kw, "enc", "-d", "-id-aes256-wrap", "-K", hex.EncodeToString(kek), "-iv", "A6A6A6A6A6A6A6A6"); !bytes.Equal(out, km) {
		t.Errorf("KW: openssl recovered %q", out)
	}
	odd := km[:13]
	kwp := runOpenSSL(t, odd, "enc", "-id-aes256-wrap-pad", "-K", hex.EncodeToString(kek), "-iv", "A65959A6")
	if got, err := Unwrap(WrapParams{Mechanism: WrapAESPad}, kek, kwp); err != nil || !bytes.Equal(got, odd) {
		t.Errorf("KWP from openssl: %q, %v", got, err)
	}
}
