package cert

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

var notBefore = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func selfSigned(t testing.TB, priv any, h Hash) []byte {
	t.Helper()
	subj, err := ParseSubject("/C=US/ST=WA/O=Example/CN=rootCA")
	require.NoError(t, err)
	der, err := SelfSigned(mrand.NewChaCha8([32]byte{1}), priv, subj, notBefore, 3652, h)
	require.NoError(t, err)
	return der
}

// A certificate SelfSigned makes is one crypto/x509 reads and verifies: a
// CA, its own issuer, with the key it was made of.
func TestSelfSignedIsAValidCA(t *testing.T) {
	rsaKey, err := mech.GenerateRSA(mrand.NewChaCha8([32]byte{2}), 2048, 65537)
	require.NoError(t, err)
	ecKey, err := mech.GenerateEC(rand.Reader, mech.CurveP384)
	require.NoError(t, err)
	for _, tc := range []struct {
		priv any
		h    Hash
		alg  x509.SignatureAlgorithm
	}{
		{rsaKey, SHA256, x509.SHA256WithRSA},
		{rsaKey, SHA512, x509.SHA512WithRSA},
		{ecKey, SHA384, x509.ECDSAWithSHA384},
	} {
		der := selfSigned(t, tc.priv, tc.h)
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		assert.Equal(t, tc.alg, c.SignatureAlgorithm)
		assert.True(t, c.IsCA)
		assert.True(t, c.BasicConstraintsValid)
		assert.Equal(t, "CN=rootCA,O=Example,ST=WA,C=US", c.Subject.String())
		assert.Equal(t, c.Subject.String(), c.Issuer.String())
		assert.Equal(t, notBefore, c.NotBefore)
		assert.Equal(t, notBefore.AddDate(0, 0, 3652), c.NotAfter)
		assert.Equal(t, c.SubjectKeyId, c.AuthorityKeyId)
		require.NoError(t, c.CheckSignatureFrom(c))

		mine, err := Parse(der)
		require.NoError(t, err)
		assert.Equal(t, c.RawSubject, mine.Subject)
		assert.Equal(t, c.RawIssuer, mine.Issuer)
	}
	assert.Equal(t, "RSA-2048", KeyName(&rsaKey.PublicKey))
	assert.Equal(t, "EC secp384r1", KeyName(ecKey.Public()))
}

func TestParseChain(t *testing.T) {
	rsaKey, err := mech.GenerateRSA(mrand.NewChaCha8([32]byte{2}), 2048, 65537)
	require.NoError(t, err)
	der := selfSigned(t, rsaKey, SHA256)
	one := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})

	certs, err := ParseChain(one)
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, one, EncodeChain(certs))
	assert.True(t, Linked(certs))

	two, err := ParseChain(append(append([]byte("\n"), one...), one...))
	require.NoError(t, err)
	assert.Len(t, two, 2)
	assert.True(t, Linked(two), "a self-signed certificate issues itself")

	keyPEM, err := mech.MarshalPrivateKeyPEM(rsaKey)
	require.NoError(t, err)
	pubPEM, err := mech.MarshalPublicKeyPEM(&rsaKey.PublicKey)
	require.NoError(t, err)
	for name, bad := range map[string][]byte{
		"empty":        nil,
		"text":         []byte("hello\n"),
		"private key":  keyPEM,
		"public key":   pubPEM,
		"trailing":     append(append([]byte{}, one...), "junk"...),
		"cert and key": append(append([]byte{}, one...), keyPEM...),
	} {
		_, err := ParseChain(bad)
		assert.ErrorIs(t, err, ErrNotCertificate, name)
	}
	broken := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der[:len(der)-3]})
	_, err = ParseChain(broken)
	assert.ErrorIs(t, err, ErrMalformed)
}

func TestLinkedChains(t *testing.T) {
	a := &Certificate{Subject: []byte("A"), Issuer: []byte("A")}
	b := &Certificate{Subject: []byte("B"), Issuer: []byte("A")}
	c := &Certificate{Subject: []byte("C"), Issuer: []byte("B")}
	assert.True(t, Linked([]*Certificate{c, b, a}), "leaf first")
	assert.True(t, Linked([]*Certificate{a, b, c}), "root first")
	assert.False(t, Linked([]*Certificate{b, c, a}))
	assert.False(t, Linked([]*Certificate{a, c}))
}

func TestParseSubject(t *testing.T) {
	got, err := ParseSubject("/C=US/O=Example Corp/CN=root CA")
	require.NoError(t, err)
	assert.Equal(t, []Attribute{{"C", "US"}, {"O", "Example Corp"}, {"CN", "root CA"}}, got)
	for _, bad := range []string{"CN=x", "/CN", "/XX=y", "/C=USA", "/", ""} {
		_, err := ParseSubject(bad)
		assert.Error(t, err, bad)
	}
}

// FuzzParseChain: nothing panics, and what parses encodes back to PEM that
// parses to the same certificates.
func FuzzParseChain(f *testing.F) {
	rsaKey, err := mech.GenerateRSA(mrand.NewChaCha8([32]byte{2}), 2048, 65537)
	require.NoError(f, err)
	der := selfSigned(f, rsaKey, SHA256)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte(strings.Repeat("-----BEGIN CERTIFICATE-----\n", 2)))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := ParseChain(data)
		if err != nil {
			return
		}
		again, err := ParseChain(EncodeChain(certs))
		require.NoError(t, err)
		require.Len(t, again, len(certs))
		for i := range certs {
			require.Equal(t, certs[i].Raw, again[i].Raw)
		}
		_ = Linked(certs)
		_ = KeyName(certs[0].PublicKey)
	})
}

// FuzzParse: arbitrary DER never panics, and Parse agrees with the
// encoding/asn1 reader it replaced (parse_asn1_test.go): what Parse reads,
// that reader read, to the same names and key; what that reader read and
// is canonical DER (its structures marshal back to the same bytes), Parse
// reads. Parse refuses on purpose what is not DER that encoding/asn1
// skipped: bytes after a SEQUENCE's last field, a version 1 written out.
func FuzzParse(f *testing.F) {
	rsaKey, err := mech.GenerateRSA(mrand.NewChaCha8([32]byte{2}), 2048, 65537)
	require.NoError(f, err)
	f.Add(selfSigned(f, rsaKey, SHA256))
	ecKey, err := mech.GenerateEC(mrand.NewChaCha8([32]byte{3}), mech.CurveP256)
	require.NoError(f, err)
	f.Add(selfSigned(f, ecKey, SHA384))
	f.Add([]byte{0x30, 0})
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := Parse(der)
		if err == nil {
			require.NotNil(t, c.PublicKey)
		}
		want, werr := asn1Parse(der)
		switch {
		case err == nil && werr != nil:
			t.Fatalf("Parse reads what encoding/asn1 refused: %v", werr)
		case err == nil:
			require.Equal(t, want.Subject, c.Subject)
			require.Equal(t, want.Issuer, c.Issuer)
			a, _ := mech.MarshalPublicKeyDER(c.PublicKey)
			b, _ := mech.MarshalPublicKeyDER(want.PublicKey)
			require.Equal(t, b, a)
		case werr == nil && asn1Canonical(der):
			t.Fatalf("Parse refuses canonical DER encoding/asn1 read: %v", err)
		}
	})
}

// asn1Canonical reports whether der is a certificate whose structures
// encoding/asn1 marshals back to the same bytes.
func asn1Canonical(der []byte) bool {
	var c asn1CertificateASN
	if rest, err := asn1.Unmarshal(der, &c); err != nil || len(rest) != 0 {
		return false
	}
	if again, err := asn1.Marshal(c); err != nil || !bytes.Equal(again, der) {
		return false
	}
	var tbs asn1TbsASN
	if rest, err := asn1.Unmarshal(c.TBS.FullBytes, &tbs); err != nil || len(rest) != 0 {
		return false
	}
	again, err := asn1.Marshal(tbs)
	return err == nil && bytes.Equal(again, c.TBS.FullBytes)
}

// SelfSigned writes the bytes the encoding/asn1 writer it replaced wrote
// (asn1oracle_test.go), for RSA and EC keys, every digest, many subjects
// and validity periods (UTCTime and GeneralizedTime), with the same random
// stream.
func TestSelfSignedIsTheASN1Writers(t *testing.T) {
	rsaKey, err := mech.GenerateRSA(mrand.NewChaCha8([32]byte{2}), 2048, 65537)
	require.NoError(t, err)
	keys := []any{rsaKey}
	for _, c := range []int{mech.CurveP256, mech.CurveP384, mech.CurveP521, mech.CurveSecp256k1, mech.CurveP224} {
		k, err := mech.GenerateEC(mrand.NewChaCha8([32]byte{byte(c)}), c)
		require.NoError(t, err)
		keys = append(keys, k)
	}
	subjects := []string{"/C=US/ST=WA/O=Example/CN=rootCA", "/CN=x", "/O=Kunde & Co/OU=Schlüssel/CN=Wurzel", "/emailAddress=a@b.example/L=Here/CN=" + strings.Repeat("long", 40)}
	for i, priv := range keys {
		for _, h := range []Hash{SHA256, SHA384, SHA512} {
			for j, s := range subjects {
				subj, err := ParseSubject(s)
				require.NoError(t, err)
				for _, days := range []int{1, 3652, 9000, 40000} {
					seed := [32]byte{byte(i), byte(h), byte(j), byte(days)}
					got, err := SelfSigned(mrand.NewChaCha8(seed), priv, subj, notBefore, days, h)
					require.NoError(t, err)
					want, err := asn1SelfSigned(mrand.NewChaCha8(seed), priv, subj, notBefore, days, h)
					require.NoError(t, err)
					require.Equal(t, want, got, "key %d, hash %d, %s, %d days", i, h, s, days)
				}
			}
		}
	}
}
