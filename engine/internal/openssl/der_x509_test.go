package openssl

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"testing"
)

// openssl's traditional and PKCS #1 forms of RSA keys stay crypto/x509's
// bytes now that the engine writes its own DER.
func TestRSATraditionalIsX509s(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, label, err := privateDER(k, styleTraditional)
	if err != nil || label != "RSA PRIVATE KEY" || !bytes.Equal(der, x509.MarshalPKCS1PrivateKey(k)) {
		t.Errorf("-traditional: %q %v, not crypto/x509's PKCS #1", label, err)
	}
	c := &ctx{}
	out, err := c.encodeKey(&k.PublicKey, outKey{format: formatDER, rsaPublicPKCS1: true})
	if err != nil || !bytes.Equal(out, x509.MarshalPKCS1PublicKey(&k.PublicKey)) {
		t.Errorf("-RSAPublicKey_out: %v, not crypto/x509's PKCS #1", err)
	}
	pub, err := parsePublic(x509.MarshalPKCS1PublicKey(&k.PublicKey), formatDER)
	if err != nil || !pub.(*rsa.PublicKey).Equal(&k.PublicKey) {
		t.Errorf("a PKCS #1 DER public key does not read: %v", err)
	}
}
