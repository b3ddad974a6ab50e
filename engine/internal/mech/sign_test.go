package mech

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"testing"
)

func TestSignMechanismTable(t *testing.T) {
	all := SignMechanisms()
	if len(all) != 15 {
		t.Fatalf("%d mechanisms", len(all))
	}
	for _, s := range all {
		got, err := SignMechanism(s.ID)
		if err != nil || got != s {
			t.Errorf("%d: %+v, %v", s.ID, got, err)
		}
		if !s.Hash.Available() {
			t.Errorf("%s: hash unavailable", s.Name)
		}
	}
	if s, _ := SignMechanism(1); s.Name != "SHA256_RSA_PKCS" || s.Hash != crypto.SHA256 || s.Family != FamilyRSAPKCS {
		t.Errorf("m=1: %+v", s)
	}
	if s, _ := SignMechanism(9); s.Name != "SHA224_RSA_PKCS_PSS" || s.Family != FamilyRSAPSS {
		t.Errorf("m=9: %+v", s)
	}
	if s, _ := SignMechanism(17); s.Name != "ECDSA_SHA256" || s.Family != FamilyECDSA || s.Family.KeyType() != KeyTypeEC {
		t.Errorf("m=17: %+v", s)
	}
	for _, m := range []int{-1, 10, 11, 12, 13, 14, 20} {
		if _, err := SignMechanism(m); !errors.Is(err, ErrBadMechanism) {
			t.Errorf("%d: %v", m, err)
		}
		if _, err := Sign(seeded(1), m, testRSA(t), nil); !errors.Is(err, ErrBadMechanism) {
			t.Errorf("Sign %d: %v", m, err)
		}
	}
	if FamilyRSAPSS.String() != "RSA_PSS" || FamilyECDSA.String() != "ECDSA" || FamilyRSAPKCS.String() != "RSA_PKCS" {
		t.Error("family names")
	}
}

func TestSignVerifyAll(t *testing.T) {
	rsaK := testRSA(t)
	var ecKeys []*ECKey
	for _, c := range CurveIDs() {
		if c.Supported {
			k, err := GenerateEC(seeded(uint64(c.ID)), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			ecKeys = append(ecKeys, k)
		}
	}
	msg := []byte("message to be signed by the simulated HSM")
	r := seeded(77)
	for _, s := range SignMechanisms() {
		var privs []any
		if s.Family == FamilyECDSA {
			for _, k := range ecKeys {
				privs = append(privs, k)
			}
		} else {
			privs = []any{rsaK}
		}
		for _, priv := range privs {
			name := fmt.Sprintf("%s/%T", s.Name, priv)
			if k, ok := priv.(*ECKey); ok {
				name = fmt.Sprintf("%s/%v", s.Name, Curve(k.CurveID))
			}
			sig, err := Sign(r, s.ID, priv, msg)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			pub := PublicOf(priv)
			if err := Verify(s.ID, pub, msg, sig); err != nil {
				t.Errorf("%s: verify: %v", name, err)
			}
			if err := Verify(s.ID, priv, msg, sig); err != nil {
				t.Errorf("%s: verify with private key: %v", name, err)
			}
			if err := Verify(s.ID, pub, append(msg, '!'), sig); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: modified message: %v", name, err)
			}
			bad := append([]byte{}, sig...)
			bad[len(bad)/2] ^= 0x10
			if err := Verify(s.ID, pub, msg, bad); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: modified signature: %v", name, err)
			}
			if err := Verify(s.ID, pub, msg, nil); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: empty signature: %v", name, err)
			}
			// Cross-check with the standard library where it can.
			crossCheck(t, name, s, pub, msg, sig)
		}
	}
}

func crossCheck(t *testing.T, name string, s SignMech, pub any, msg, sig []byte) {
	t.Helper()
	h := s.Hash.New()
	h.Write(msg)
	digest := h.Sum(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		var err error
		if s.Family == FamilyRSAPKCS {
			err = rsa.VerifyPKCS1v15(k, s.Hash, digest, sig)
		} else {
			// salt length must be exactly the hash length
			err = rsa.VerifyPSS(k, s.Hash, digest, sig, &rsa.PSSOptions{SaltLength: s.Hash.Size()})
		}
		if err != nil {
			t.Errorf("%s: crypto/rsa rejects: %v", name, err)
		}
	case *ECPublicKey:
		std, err := k.ECDSA()
		if err != nil {
			return // secp256k1: checked against OpenSSL instead
		}
		if !ecdsa.VerifyASN1(std, digest, sig) {
			t.Errorf("%s: crypto/ecdsa rejects", name)
		}
	}
}

func TestSignKeyTypeMismatch(t *testing.T) {
	rsaK := testRSA(t)
	ec, _ := GenerateEC(seeded(1), CurveP256)
	dsaK, _ := GenerateDSA(seeded(1), 1024)
	msg := []byte("m")
	for _, c := range []struct {
		m   int
		key any
	}{
		{SignSHA256RSAPKCS, ec}, {SignSHA256RSAPKCSPSS, ec}, {SignECDSASHA256, rsaK},
		{SignSHA256RSAPKCS, dsaK}, {SignECDSASHA256, dsaK}, {SignSHA1RSAPKCS, []byte("aes")},
		{SignECDSASHA1, nil}, {SignSHA1RSAPKCS, &rsaK.PublicKey},
	} {
		if _, err := Sign(seeded(1), c.m, c.key, msg); !errors.Is(err, ErrKeyTypeMismatch) {
			t.Errorf("Sign m=%d %T: %v", c.m, c.key, err)
		}
		if err := Verify(c.m, c.key, msg, []byte{1}); c.key != any(&rsaK.PublicKey) && !errors.Is(err, ErrKeyTypeMismatch) {
			t.Errorf("Verify m=%d %T: %v", c.m, c.key, err)
		}
	}
}

func TestSignStdlibECDSAKeys(t *testing.T) {
	ec, _ := GenerateEC(seeded(2), CurveP521)
	std, _ := ec.ECDSA()
	msg := []byte("x")
	sig, err := Sign(seeded(1), SignECDSASHA1, std, msg) // hash shorter than the order
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(SignECDSASHA1, &std.PublicKey, msg, sig); err != nil {
		t.Fatal(err)
	}
	ec256, _ := GenerateEC(seeded(2), CurveP256)
	sig, _ = Sign(seeded(1), SignECDSASHA512, ec256, msg) // hash longer than the order
	if err := Verify(SignECDSASHA512, ec256.Public(), msg, sig); err != nil {
		t.Fatal(err)
	}
}

// Signatures must verify in OpenSSL (the documented way to check a file
// written by sign), and OpenSSL signatures must verify here, including
// secp256k1 which the standard library cannot check.
func TestSignOpenSSLInterop(t *testing.T) {
	openssl(t)
	msg := []byte("interop message")
	msgFile := writeTemp(t, "msg", msg)
	k1, _ := GenerateEC(seeded(4), CurveSecp256k1)
	p384, _ := GenerateEC(seeded(4), CurveP384)
	rsaK := testRSA(t)
	cases := []struct {
		m    int
		key  any
		dgst string
		opts []string
	}{
		{SignECDSASHA256, k1, "-sha256", nil},
		{SignECDSASHA512, k1, "-sha512", nil},
		{SignECDSASHA384, p384, "-sha384", nil},
		{SignSHA256RSAPKCS, rsaK, "-sha256", nil},
		{SignSHA1RSAPKCS, rsaK, "-sha1", nil},
		{SignSHA384RSAPKCSPSS, rsaK, "-sha384", []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"}},
		{SignSHA224RSAPKCSPSS, rsaK, "-sha224", []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"}},
	}
	for _, c := range cases {
		name, _ := SignMechanism(c.m)
		pubPEM, err := MarshalPublicKeyPEM(PublicOf(c.key))
		if err != nil {
			t.Fatal(err)
		}
		privPEM, _ := MarshalPrivateKeyPEM(c.key)
		pubFile := writeTemp(t, "pub.pem", pubPEM)
		privFile := writeTemp(t, "priv.pem", privPEM)

		sig, err := Sign(seeded(5), c.m, c.key, msg)
		if err != nil {
			t.Fatal(err)
		}
		sigFile := writeTemp(t, "sig", sig)
		args := append([]string{"dgst", c.dgst, "-verify", pubFile, "-signature", sigFile}, c.opts...)
		if out, err := tryOpenSSL(t, nil, append(args, msgFile)...); err != nil {
			t.Errorf("%s: openssl rejects our signature: %s", name.Name, out)
		}

		args = append([]string{"dgst", c.dgst, "-sign", privFile}, c.opts...)
		osig := runOpenSSL(t, nil, append(args, msgFile)...)
		if err := Verify(c.m, PublicOf(c.key), msg, osig); err != nil {
			t.Errorf("%s: we reject openssl's signature: %v", name.Name, err)
		}
	}
}

func TestSignPSSSmallKey(t *testing.T) {
	k, err := generateRSA(seeded(8), 1024, 65537)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sign(seeded(1), SignSHA512RSAPKCSPSS, k, []byte("m")); !errors.Is(err, ErrBadKeySize) {
		t.Errorf("RSA-1024 with SHA-512 PSS: %v", err)
	}
	for _, m := range []int{SignSHA384RSAPKCSPSS, SignSHA512RSAPKCS} {
		sig, err := Sign(seeded(1), m, k, []byte("m"))
		if err != nil {
			t.Fatalf("m=%d: %v", m, err)
		}
		if err := Verify(m, &k.PublicKey, []byte("m"), sig); err != nil {
			t.Errorf("m=%d: %v", m, err)
		}
	}
}
