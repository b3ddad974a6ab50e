package mech

import (
	"bytes"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type namedKey struct {
	name string
	priv any
}

// testKeys returns one key of every kind the simulator exports.
func testKeys(t *testing.T) []namedKey {
	t.Helper()
	keys := []namedKey{{"RSA-2048", testRSA(t)}}
	for _, c := range CurveIDs() {
		if c.Supported {
			k, err := GenerateEC(seeded(uint64(c.ID)), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, namedKey{"EC-" + c.ShortName, k})
		}
	}
	for _, bits := range []int{1024, 2048} {
		k, err := GenerateDSA(seeded(uint64(bits)), bits)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, namedKey{fmt.Sprintf("DSA-%d", bits), k})
	}
	return keys
}

func sameKey(t *testing.T, a, b any) bool {
	t.Helper()
	da, errA := MarshalPrivateKeyDER(a)
	db, errB := MarshalPrivateKeyDER(b)
	if errA != nil || errB != nil {
		pa, errA := MarshalPublicKeyDER(a)
		pb, errB := MarshalPublicKeyDER(b)
		return errA == nil && errB == nil && bytes.Equal(pa, pb)
	}
	return bytes.Equal(da, db)
}

func TestPEMRoundTrip(t *testing.T) {
	for _, k := range testKeys(t) {
		privPEM, err := MarshalPrivateKeyPEM(k.priv)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		if !bytes.HasPrefix(privPEM, []byte("-----BEGIN PRIVATE KEY-----\n")) {
			t.Errorf("%s: private PEM header %q", k.name, privPEM[:30])
		}
		back, err := ParsePrivateKeyPEM(privPEM)
		if err != nil {
			t.Fatalf("%s: parse: %v", k.name, err)
		}
		if !sameKey(t, k.priv, back) {
			t.Errorf("%s: private key changed in round trip", k.name)
		}
		der, _ := MarshalPrivateKeyDER(k.priv)
		if back, err := ParsePrivateKeyDER(der); err != nil || !sameKey(t, k.priv, back) {
			t.Errorf("%s: DER round trip: %v", k.name, err)
		}

		pub := PublicOf(k.priv)
		pubPEM, err := MarshalPublicKeyPEM(pub)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		if !bytes.HasPrefix(pubPEM, []byte("-----BEGIN PUBLIC KEY-----\n")) {
			t.Errorf("%s: public PEM header", k.name)
		}
		pubBack, err := ParsePublicKeyPEM(pubPEM)
		if err != nil {
			t.Fatalf("%s: parse public: %v", k.name, err)
		}
		if !sameKey(t, pub, pubBack) {
			t.Errorf("%s: public key changed in round trip", k.name)
		}
		if kt, err := KeyTypeOf(k.priv); err != nil || kt.String() != strings.SplitN(k.name, "-", 2)[0] {
			t.Errorf("%s: KeyTypeOf = %v, %v", k.name, kt, err)
		}
	}
}

// What we export must be readable by crypto/x509 wherever x509 supports the
// algorithm (it cannot parse secp256k1 or DSA private keys).
func TestPEMParsesWithX509(t *testing.T) {
	for _, k := range testKeys(t) {
		der, _ := MarshalPrivateKeyDER(k.priv)
		pubDER, _ := MarshalPublicKeyDER(PublicOf(k.priv))
		stdPub, err := x509.ParsePKIXPublicKey(pubDER)
		isK1 := strings.HasSuffix(k.name, "secp256k1")
		if isK1 {
			if err == nil {
				t.Errorf("%s: x509 unexpectedly parsed secp256k1", k.name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: x509.ParsePKIXPublicKey: %v", k.name, err)
			continue
		}
		switch priv := k.priv.(type) {
		case *rsa.PrivateKey:
			std, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil || !priv.Equal(std) {
				t.Errorf("%s: x509 PKCS8: %v", k.name, err)
			}
			if !priv.PublicKey.Equal(stdPub) {
				t.Errorf("%s: x509 public differs", k.name)
			}
		case *ECKey:
			std, err := x509.ParsePKCS8PrivateKey(der)
			if err != nil {
				t.Errorf("%s: x509 PKCS8: %v", k.name, err)
				continue
			}
			want, _ := priv.ECDSA()
			if !want.Equal(std) {
				t.Errorf("%s: x509 private differs", k.name)
			}
			if !priv.Public().Equal(stdPub.(*ecdsa.PublicKey)) {
				t.Errorf("%s: x509 public differs", k.name)
			}
		case *dsa.PrivateKey:
			p, ok := stdPub.(*dsa.PublicKey)
			if !ok || p.Y.Cmp(priv.Y) != 0 || p.P.Cmp(priv.P) != 0 || p.Q.Cmp(priv.Q) != 0 || p.G.Cmp(priv.G) != 0 {
				t.Errorf("%s: x509 DSA public differs", k.name)
			}
		}
	}
}

// RSA-2048 PKCS #8 DER is about 1216 bytes, the "BER encoded key length"
// importPrivateKey prints in the AWS examples.
func TestRSAPKCS8Length(t *testing.T) {
	der, err := MarshalPrivateKeyDER(testRSA(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(der) < 1213 || len(der) > 1219 {
		t.Errorf("RSA-2048 PKCS #8 is %d bytes", len(der))
	}
}

// OpenSSL must read every exported key, and derive the same public key PEM
// byte for byte.
func TestPEMOpenSSLParsesExports(t *testing.T) {
	openssl(t)
	for _, k := range testKeys(t) {
		privPEM, _ := MarshalPrivateKeyPEM(k.priv)
		pubPEM, _ := MarshalPublicKeyPEM(PublicOf(k.priv))
		privFile := writeTemp(t, "priv.pem", privPEM)
		pubFile := writeTemp(t, "pub.pem", pubPEM)
		if out := runOpenSSL(t, nil, "pkey", "-in", privFile, "-pubout"); !bytes.Equal(out, pubPEM) {
			t.Errorf("%s: openssl derives a different public key:\n%s\nwant\n%s", k.name, out, pubPEM)
		}
		if out := runOpenSSL(t, nil, "pkey", "-pubin", "-in", pubFile, "-pubout"); !bytes.Equal(out, pubPEM) {
			t.Errorf("%s: openssl re-encodes the public key differently", k.name)
		}
		if out := runOpenSSL(t, nil, "pkey", "-in", privFile); !bytes.Equal(out, privPEM) {
			t.Errorf("%s: openssl re-encodes the private key differently:\n%s", k.name, out)
		}
		if !strings.HasPrefix(k.name, "DSA") {
			runOpenSSL(t, nil, "pkey", "-in", privFile, "-check", "-noout")
		}
	}
}

// Keys in the formats OpenSSL writes must import.
func TestParseOpenSSLFormats(t *testing.T) {
	openssl(t)
	gen := func(args ...string) []byte { return runOpenSSL(t, nil, args...) }
	conv := func(in []byte, args ...string) []byte { return runOpenSSL(t, in, args...) }

	rsaP8 := gen("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024")
	ecParamKey := gen("ecparam", "-name", "secp256k1", "-genkey")
	ecNoParams := gen("ecparam", "-name", "prime256v1", "-genkey", "-noout")
	ecP8 := gen("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384")
	dsaP8 := gen("genpkey", "-paramfile", "dsaparams/dsa2048.pem")
	cases := map[string][]byte{
		"rsa-pkcs8":          rsaP8,
		"rsa-pkcs1":          conv(rsaP8, "pkey", "-traditional"),
		"ec-params+sec1":     ecParamKey,
		"ec-sec1":            ecNoParams,
		"ec-sec1-k1":         conv(ecParamKey, "ec"),
		"ec-pkcs8-p384":      ecP8,
		"ec-pkcs8-secp256k1": conv(ecParamKey, "pkey"),
		"dsa-pkcs8":          dsaP8,
		"dsa-traditional":    conv(dsaP8, "pkey", "-traditional"),
		"ec-sec1-p521":       gen("ecparam", "-name", "secp521r1", "-genkey", "-noout"),
		"ec-sec1-p224":       gen("ecparam", "-name", "secp224r1", "-genkey", "-noout"),
	}
	if !bytes.Contains(cases["rsa-pkcs1"], []byte("RSA PRIVATE KEY")) ||
		!bytes.Contains(cases["dsa-traditional"], []byte("DSA PRIVATE KEY")) ||
		!bytes.Contains(ecParamKey, []byte("EC PARAMETERS")) {
		t.Fatal("openssl did not write the expected legacy formats")
	}
	for name, data := range cases {
		priv, err := ParsePrivateKeyPEM(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		pubPEM := conv(data, "pkey", "-pubout")
		pub, err := ParsePublicKeyPEM(pubPEM)
		if err != nil {
			t.Errorf("%s: public: %v", name, err)
			continue
		}
		if !sameKey(t, PublicOf(priv), pub) {
			t.Errorf("%s: public key from openssl differs from ours", name)
		}
		// compressed public points
		if strings.HasPrefix(name, "ec-") {
			comp := conv(data, "ec", "-pubout", "-conv_form", "compressed")
			cpub, err := ParsePublicKeyPEM(comp)
			if err != nil || !sameKey(t, cpub, pub) {
				t.Errorf("%s: compressed public key: %v", name, err)
			}
		}
	}

	rsaPub := conv(rsaP8, "rsa", "-RSAPublicKey_out")
	if !bytes.Contains(rsaPub, []byte("RSA PUBLIC KEY")) {
		t.Fatal("no RSA PUBLIC KEY block")
	}
	if pub, err := ParsePublicKeyPEM(rsaPub); err != nil {
		t.Errorf("RSA PUBLIC KEY: %v", err)
	} else if priv, _ := ParsePrivateKeyPEM(rsaP8); !sameKey(t, PublicOf(priv), pub) {
		t.Error("RSA PUBLIC KEY differs")
	}

	enc := map[string][]byte{
		"pkcs8":       conv(rsaP8, "pkey", "-aes256", "-passout", "pass:secret"),
		"traditional": conv(rsaP8, "pkey", "-traditional", "-aes256", "-passout", "pass:secret"),
		"ec":          conv(ecNoParams, "ec", "-aes128", "-passout", "pass:secret"),
	}
	for name, data := range enc {
		if _, err := ParsePrivateKeyPEM(data); !errors.Is(err, ErrEncryptedPEM) {
			t.Errorf("encrypted %s: %v", name, err)
		}
	}

	p192 := gen("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime192v1")
	if _, err := ParsePrivateKeyPEM(p192); !errors.Is(err, ErrCurveNotSupported) {
		t.Errorf("prime192v1: %v", err)
	}
	if _, err := ParsePublicKeyPEM(conv(p192, "pkey", "-pubout")); !errors.Is(err, ErrCurveNotSupported) {
		t.Errorf("prime192v1 public: %v", err)
	}
	// Ed25519 keys (CloudHSM CLI's --curve ed25519) read both ways, and
	// the public key written is the one OpenSSL derives.
	ed := gen("genpkey", "-algorithm", "ed25519")
	edKey, err := ParsePrivateKeyPEM(ed)
	if err != nil {
		t.Fatalf("ed25519: %v", err)
	}
	edPub, err := ParsePublicKeyPEM(conv(ed, "pkey", "-pubout"))
	if err != nil {
		t.Fatalf("ed25519 public: %v", err)
	}
	if mine, _ := MarshalPublicKeyPEM(PublicOf(edKey)); !bytes.Equal(mine, conv(ed, "pkey", "-pubout")) {
		t.Errorf("ed25519 public key: %s", mine)
	}
	if kt, _ := KeyTypeOf(edPub); kt != KeyTypeECEdwards {
		t.Errorf("ed25519 key type %v", kt)
	}
	if der, _ := MarshalPrivateKeyDER(edKey); !bytes.Equal(der, conv(ed, "pkey", "-outform", "DER")) {
		t.Errorf("ed25519 PKCS #8 differs from OpenSSL's")
	}
	explicit := conv(ecNoParams, "ec", "-param_enc", "explicit")
	if _, err := ParsePrivateKeyPEM(explicit); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("explicit EC parameters: %v", err)
	}
}

func TestParsePEMErrors(t *testing.T) {
	ec, _ := GenerateEC(seeded(1), CurveP256)
	privPEM, _ := MarshalPrivateKeyPEM(ec)
	pubPEM, _ := MarshalPublicKeyPEM(ec.Public())

	for _, garbage := range [][]byte{nil, {}, []byte("hello"), []byte("-----BEGIN PRIVATE KEY-----\nnot base64\n")} {
		if _, err := ParsePrivateKeyPEM(garbage); !errors.Is(err, ErrNotPEM) {
			t.Errorf("private %q: %v", garbage, err)
		}
		if _, err := ParsePublicKeyPEM(garbage); !errors.Is(err, ErrNotPEM) {
			t.Errorf("public %q: %v", garbage, err)
		}
	}
	if _, err := ParsePrivateKeyPEM(pubPEM); !errors.Is(err, ErrNoKeyInPEM) {
		t.Errorf("public key as private: %v", err)
	}
	if _, err := ParsePublicKeyPEM(privPEM); !errors.Is(err, ErrNoKeyInPEM) {
		t.Errorf("private key as public: %v", err)
	}
	procType := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{
		"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: []byte{1, 2, 3}})
	if _, err := ParsePrivateKeyPEM(procType); !errors.Is(err, ErrEncryptedPEM) {
		t.Errorf("Proc-Type: %v", err)
	}
	encP8 := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	if _, err := ParsePrivateKeyPEM(encP8); !errors.Is(err, ErrEncryptedPEM) {
		t.Errorf("ENCRYPTED PRIVATE KEY: %v", err)
	}
	for _, typ := range []string{"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY"} {
		junk := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}})
		if _, err := ParsePrivateKeyPEM(junk); !errors.Is(err, ErrMalformedKey) {
			t.Errorf("junk %s: %v", typ, err)
		}
	}
	// Blocks before the key (a certificate, say) are skipped.
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})
	if k, err := ParsePrivateKeyPEM(append(cert, privPEM...)); err != nil || !sameKey(t, k, ec) {
		t.Errorf("key after certificate: %v", err)
	}
	if _, err := ParsePrivateKeyDER([]byte{1, 2, 3}); !errors.Is(err, ErrMalformedKey) {
		t.Errorf("DER garbage: %v", err)
	}
	// Trailing garbage after a DER key is rejected.
	der, _ := MarshalPrivateKeyDER(ec)
	if _, err := ParsePrivateKeyDER(append(der, 0)); err == nil {
		t.Error("trailing byte accepted")
	}
	for _, k := range []any{nil, "x", &rsa.PrivateKey{}, &ECKey{CurveID: CurveP256}, &dsa.PrivateKey{}} {
		if _, err := MarshalPrivateKeyPEM(k); err == nil {
			t.Errorf("marshal %T accepted", k)
		}
	}
	for _, k := range []any{nil, "x", &rsa.PublicKey{}, &ECPublicKey{CurveID: CurveSecp256k1, pt: append([]byte{4}, make([]byte, 64)...)}, &dsa.PublicKey{}} {
		if _, err := MarshalPublicKeyPEM(k); err == nil {
			t.Errorf("marshal public %T accepted", k)
		}
	}
}

// "EC PRIVATE KEY" without curve parameters inside takes the curve from a
// preceding "EC PARAMETERS" block, and fails cleanly without one.
func TestSEC1CurveFromParametersBlock(t *testing.T) {
	k, _ := GenerateEC(seeded(3), CurveSecp256k1)
	point := k.pt
	sec1, err := asn1.Marshal(ecPrivateKeyOut{Version: 1, PrivateKey: k.Scalar(), PublicKey: asn1.BitString{Bytes: point, BitLength: 8 * len(point)}})
	if err != nil {
		t.Fatal(err)
	}
	info, _ := CurveByID(CurveSecp256k1)
	oid, _ := asn1.Marshal(asn1.ObjectIdentifier(info.OID))
	keyBlock := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})
	paramBlock := pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: oid})
	got, err := ParsePrivateKeyPEM(append(paramBlock, keyBlock...))
	if err != nil || !sameKey(t, got, k) {
		t.Fatalf("with EC PARAMETERS: %v", err)
	}
	if _, err := ParsePrivateKeyPEM(keyBlock); !errors.Is(err, ErrMalformedKey) {
		t.Errorf("without curve: %v", err)
	}
	// A public key that does not match the private scalar is rejected.
	other, _ := GenerateEC(seeded(4), CurveSecp256k1)
	bad, _ := asn1.Marshal(ecPrivateKeyOut{Version: 1, PrivateKey: k.Scalar(), PublicKey: asn1.BitString{Bytes: other.pt, BitLength: 8 * len(point)}})
	if _, err := parseSEC1(bad, CurveSecp256k1); !errors.Is(err, ErrMalformedKey) {
		t.Errorf("mismatched public key: %v", err)
	}
}

func TestPublicOf(t *testing.T) {
	rsaK := testRSA(t)
	ec, _ := GenerateEC(seeded(1), CurveP256)
	std, _ := ec.ECDSA()
	dsaK, _ := GenerateDSA(seeded(1), 1024)
	if PublicOf(rsaK) != any(&rsaK.PublicKey) || PublicOf(&rsaK.PublicKey) != any(&rsaK.PublicKey) {
		t.Error("RSA")
	}
	if p, ok := PublicOf(ec).(*ECPublicKey); !ok || !p.Equal(ec.Public()) {
		t.Error("ECKey")
	}
	if p, ok := PublicOf(std).(*ECPublicKey); !ok || !p.Equal(ec.Public()) {
		t.Error("ecdsa.PrivateKey")
	}
	if p, ok := PublicOf(&std.PublicKey).(*ECPublicKey); !ok || !p.Equal(ec.Public()) {
		t.Error("ecdsa.PublicKey")
	}
	if PublicOf(dsaK) != any(&dsaK.PublicKey) {
		t.Error("DSA")
	}
	var nilRSA *rsa.PrivateKey
	for _, k := range []any{nil, "x", []byte{1}, nilRSA} {
		if PublicOf(k) != nil {
			t.Errorf("%T gave a public key", k)
		}
	}
	if _, err := KeyTypeOf([]byte{1}); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("KeyTypeOf: %v", err)
	}
}

// ecPrivateKeyOut is ECPrivateKey without parameters, as PKCS #8 carries
// it (marshalPKCS8 writes the same bytes by hand).
type ecPrivateKeyOut struct {
	Version    int
	PrivateKey []byte
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}
