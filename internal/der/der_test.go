package der

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"testing"
	"time"
)

var (
	keysOnce sync.Once
	rsaKeys  []*rsa.PrivateKey
)

// testKeys are RSA keys of the sizes the tools make, and one with an
// exponent other than 65537 (the layout of E changes with its size).
func testKeys(t testing.TB) []*rsa.PrivateKey {
	keysOnce.Do(func() {
		for _, bits := range []int{1024, 2048, 3072} {
			k, err := rsa.GenerateKey(rand.Reader, bits)
			if err != nil {
				t.Fatal(err)
			}
			rsaKeys = append(rsaKeys, k)
		}
		// e = 3: p and q with gcd(e, p-1) = gcd(e, q-1) = 1.
		p, q := prime(t, 512, 3), prime(t, 512, 3)
		n := new(big.Int).Mul(p, q)
		phi := new(big.Int).Mul(new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1)))
		d := new(big.Int).ModInverse(big.NewInt(3), phi)
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 3}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		rsaKeys = append(rsaKeys, k)
	})
	return rsaKeys
}

func prime(t testing.TB, bits int, e int64) *big.Int {
	for {
		p, err := rand.Prime(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		if new(big.Int).Mod(new(big.Int).Sub(p, big.NewInt(1)), big.NewInt(e)).Sign() != 0 {
			return p
		}
	}
}

// TestRSAEncodingsAreX509s pins every RSA encoding to crypto/x509's bytes.
func TestRSAEncodingsAreX509s(t *testing.T) {
	for _, k := range testKeys(t) {
		if got, want := MarshalPKCS1PrivateKey(k), x509.MarshalPKCS1PrivateKey(k); !bytes.Equal(got, want) {
			t.Errorf("PKCS #1 private key of RSA-%d differs from crypto/x509's", k.N.BitLen())
		}
		if got, want := MarshalPKCS1PublicKey(&k.PublicKey), x509.MarshalPKCS1PublicKey(&k.PublicKey); !bytes.Equal(got, want) {
			t.Errorf("PKCS #1 public key of RSA-%d differs", k.N.BitLen())
		}
		want, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if got := MarshalPKIXRSAPublicKey(&k.PublicKey); !bytes.Equal(got, want) {
			t.Errorf("SubjectPublicKeyInfo of RSA-%d differs", k.N.BitLen())
		}
		want, err = x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		if got := MarshalPKCS8RSAPrivateKey(k); !bytes.Equal(got, want) {
			t.Errorf("PKCS #8 of RSA-%d differs", k.N.BitLen())
		}

		// And what is written reads back as the same key.
		p1, err := ParsePKCS1PrivateKey(x509.MarshalPKCS1PrivateKey(k))
		if err != nil || !p1.Equal(k) {
			t.Errorf("PKCS #1 private key does not read back: %v", err)
		}
		p8, err := ParsePKCS8RSAPrivateKey(want)
		if err != nil || !p8.Equal(k) {
			t.Errorf("PKCS #8 does not read back: %v", err)
		}
		pub, err := ParsePKCS1PublicKey(x509.MarshalPKCS1PublicKey(&k.PublicKey))
		if err != nil || !pub.Equal(&k.PublicKey) {
			t.Errorf("PKCS #1 public key does not read back: %v", err)
		}
		spki, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
		pub, err = ParsePKIXRSAPublicKey(spki)
		if err != nil || !pub.Equal(&k.PublicKey) {
			t.Errorf("SubjectPublicKeyInfo does not read back: %v", err)
		}
	}
}

func TestRSAReadersRefuse(t *testing.T) {
	k := testKeys(t)[0]
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecSPKI, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ecP8, _ := x509.MarshalPKCS8PrivateKey(ec)
	if _, err := ParsePKIXRSAPublicKey(ecSPKI); err != ErrNotRSA {
		t.Errorf("an EC SubjectPublicKeyInfo: %v, want ErrNotRSA", err)
	}
	if _, err := ParsePKCS8RSAPrivateKey(ecP8); err != ErrNotRSA {
		t.Errorf("an EC PKCS #8: %v, want ErrNotRSA", err)
	}
	p1 := x509.MarshalPKCS1PrivateKey(k)
	if _, err := ParsePKCS1PrivateKey(append(p1, 0)); err == nil {
		t.Error("trailing data accepted")
	}
	bad := *k
	bad.D = new(big.Int).Add(k.D, big.NewInt(2))
	bad.Precomputed = rsa.PrecomputedValues{}
	if _, err := ParsePKCS1PrivateKey(x509.MarshalPKCS1PrivateKey(&bad)); err == nil {
		t.Error("a key whose d does not match accepted")
	}
	if _, err := ParsePKCS1PublicKey(MarshalPKCS1PublicKey(&rsa.PublicKey{N: big.NewInt(-5), E: 3})); err == nil {
		t.Error("a negative modulus accepted")
	}
}

// certCase is a certificate as the tools make them: cmu's Ed25519 chain
// (no subject key identifier given) and kmu's P-256 chain (with one).
type certCase struct {
	name            string
	subject, issuer Name
	isCA            bool
	ski             []byte
	usage           KeyUsage
	key, parentKey  any
	parentSKI       []byte
}

func pkixName(n Name) pkix.Name {
	return pkix.Name{Organization: n.Organization, CommonName: n.CommonName}
}

func x509Cert(t *testing.T, c certCase, serial *big.Int, nb, na time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkixName(c.subject), NotBefore: nb, NotAfter: na,
		SubjectKeyId: c.ski, BasicConstraintsValid: true, IsCA: c.isCA, KeyUsage: x509.KeyUsage(c.usage),
	}
	parent := tmpl
	signer := c.key
	if c.parentKey != nil {
		parent = &x509.Certificate{Subject: pkixName(c.issuer), SubjectKeyId: c.parentSKI, BasicConstraintsValid: true, IsCA: true}
		signer = c.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, publicOf(c.key), signer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func publicOf(k any) any {
	switch k := k.(type) {
	case ed25519.PrivateKey:
		return k.Public()
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	}
	return nil
}

func TestCertificatesAreX509s(t *testing.T) {
	seed := sha256.Sum256([]byte("mfr"))
	mfr := ed25519.NewKeyFromSeed(seed[:])
	seed = sha256.Sum256([]byte("cluster"))
	cluster := ed25519.NewKeyFromSeed(seed[:])
	root, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	part, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	org := []string{"hsmsim (simulated AWS CloudHSM)"}
	ski := bytes.Repeat([]byte{7}, 20)
	cases := []certCase{
		{name: "Ed25519 self-signed CA", subject: Name{[]string{"hsmsim"}, "HSM Manufacturer Root CA (hsmsim)"}, isCA: true,
			usage: KeyUsageDigitalSignature | KeyUsageCertSign, key: mfr},
		{name: "Ed25519 leaf", subject: Name{[]string{"hsmsim"}, "PARTN-1 Cluster (hsmsim)"}, issuer: Name{[]string{"hsmsim"}, "HSM Manufacturer Root CA (hsmsim)"},
			usage: KeyUsageDigitalSignature | KeyUsageCertSign, key: cluster, parentKey: mfr},
		{name: "Ed25519 CA signed by another", subject: Name{[]string{"hsmsim"}, "HSM 1234 Hardware (hsmsim)"}, issuer: Name{[]string{"hsmsim"}, "HSM Manufacturer Root CA (hsmsim)"},
			isCA: true, usage: KeyUsageDigitalSignature | KeyUsageCertSign, key: cluster, parentKey: mfr},
		{name: "P-256 self-signed CA", subject: Name{org, "HSM Manufacturer Root CA"}, isCA: true, ski: ski,
			usage: KeyUsageDigitalSignature | KeyUsageCertSign | KeyUsageCRLSign, key: root},
		{name: "P-256 leaf", subject: Name{org, "HSM 0 cluster partition (10.0.2.9)"}, issuer: Name{org, "HSM Manufacturer Root CA"}, ski: bytes.Repeat([]byte{9}, 20),
			usage: KeyUsageDigitalSignature, key: part, parentKey: root, parentSKI: ski},
		{name: "non-printable name", subject: Name{[]string{"Kunde & Co"}, "Wurzel-CA für Schlüssel_1"}, isCA: true, usage: KeyUsageCertSign, key: mfr},
	}
	nb := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2043, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range cases {
		for _, na := range []time.Time{na, time.Date(2051, 6, 1, 0, 0, 0, 0, time.UTC)} {
			serial := big.NewInt(1004)
			want := x509Cert(t, c, serial, nb, na)
			var issuer *Issuer
			signer := c.key
			if c.parentKey != nil {
				issuer = &Issuer{Subject: c.issuer.Marshal(), SubjectKeyID: c.parentSKI}
				signer = c.parentKey
			}
			got, err := CreateCertificate(rand.Reader, &Certificate{SerialNumber: serial, Subject: c.subject, NotBefore: nb, NotAfter: na,
				SubjectKeyID: c.ski, IsCA: c.isCA, KeyUsage: c.usage}, issuer, publicOf(c.key), signer.(crypto.Signer))
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			gc, err := x509.ParseCertificate(got)
			if err != nil {
				t.Fatalf("%s: crypto/x509 does not read it: %v", c.name, err)
			}
			wc, _ := x509.ParseCertificate(want)
			if _, ed := c.key.(ed25519.PrivateKey); ed {
				// Ed25519 signatures are deterministic: the whole certificate.
				if !bytes.Equal(got, want) {
					t.Errorf("%s: differs from crypto/x509's", c.name)
				}
			} else if !bytes.Equal(gc.RawTBSCertificate, wc.RawTBSCertificate) {
				t.Errorf("%s: the signed part differs from crypto/x509's", c.name)
			}
			if !verifies(publicOf(signer), gc.RawTBSCertificate, gc.Signature) {
				t.Errorf("%s: the signature does not verify with the issuer's key", c.name)
			}
		}
	}
}

func verifies(pub any, tbs, sig []byte) bool {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return ed25519.Verify(k, tbs, sig)
	case *ecdsa.PublicKey:
		h := sha256.Sum256(tbs)
		return ecdsa.VerifyASN1(k, h[:], sig)
	}
	return false
}

func TestEd25519EncodingsAreX509s(t *testing.T) {
	for i := byte(0); i < 4; i++ {
		k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{i}, 32))
		pub := k.Public().(ed25519.PublicKey)
		want, _ := x509.MarshalPKIXPublicKey(pub)
		if got := MarshalPKIXEd25519PublicKey(pub); !bytes.Equal(got, want) {
			t.Error("Ed25519 SubjectPublicKeyInfo differs from crypto/x509's")
		}
		back, err := ParsePKIXEd25519PublicKey(want)
		if err != nil || !back.Equal(pub) {
			t.Errorf("Ed25519 SubjectPublicKeyInfo does not read back: %v", err)
		}
		want, _ = x509.MarshalPKCS8PrivateKey(k)
		if got := MarshalPKCS8Ed25519PrivateKey(k); !bytes.Equal(got, want) {
			t.Error("Ed25519 PKCS #8 differs from crypto/x509's")
		}
	}
	spki, _ := x509.MarshalPKIXPublicKey(&testKeys(t)[0].PublicKey)
	if _, err := ParsePKIXEd25519PublicKey(spki); err != ErrNotEd25519 {
		t.Errorf("an RSA key: %v", err)
	}
}
