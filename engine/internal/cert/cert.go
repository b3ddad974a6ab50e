// Package cert reads and writes the X.509 certificates of mutual TLS: the
// trust anchors CloudHSM CLI's cluster mtls register-trust-anchor takes (a
// PEM file of one certificate or a chain of them), and the self-signed
// certificate authority "openssl req -x509" makes for one. It works on the
// DER with package der and the engine's key code (package mech), so the
// engine carries no X.509 library; it reads only what the simulator needs
// (names, public key, signature algorithm) and checks each certificate's
// structure strictly.
package cert

import (
	"bytes"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Errors of ParseChain.
var (
	// ErrNotCertificate: the data holds no PEM certificate, or something
	// that is not one.
	ErrNotCertificate = errors.New("not a PEM-encoded certificate")
	// ErrMalformed: a CERTIFICATE block whose DER is not a certificate.
	ErrMalformed = errors.New("malformed certificate")
)

// Certificate is one parsed certificate.
type Certificate struct {
	Raw       []byte // the whole DER
	Subject   []byte // the DER of the subject Name
	Issuer    []byte // the DER of the issuer Name
	PublicKey any    // *rsa.PublicKey, *mech.ECPublicKey or *dsa.PublicKey
}

// Parse reads one certificate's DER (RFC 5280 4.1): the certificate's
// three fields, and of the signed part the version, serial number,
// signature algorithm, issuer, validity, subject and public key, then the
// optional unique identifiers and extensions, which are read past. Nothing
// may follow a SEQUENCE's last field.
func Parse(der []byte) (*Certificate, error) {
	p := keyder.NewParser(der)
	c := p.Sequence()
	_, tbsDER, _ := c.Any()
	sigAlg := c.AlgorithmIdentifier()
	c.BitString()
	c.End()
	if err := p.End(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	p = keyder.NewParser(tbsDER)
	t := p.Sequence()
	var version int64
	if t.Optional(0xa0) {
		v := t.Explicit(0)
		version = v.Int()
		v.End()
	}
	t.Integer() // the serial number
	alg := t.AlgorithmIdentifier()
	issuerTag, issuer, _ := t.Any()
	v := t.Sequence()
	notBeforeTag, _, _ := v.Any()
	notAfterTag, _, _ := v.Any()
	v.End()
	subjectTag, subject, _ := t.Any()
	_, spki, _ := t.Any()
	for _, tag := range []byte{0x81, 0x82} {
		if t.Optional(tag) {
			t.BitStringImplicit(tag)
		}
	}
	// The extensions, [3] EXPLICIT; like encoding/asn1, which took them
	// as a raw value, the content is not read (nor is a primitive [3]).
	if t.Optional(0xa3) || t.Optional(0x83) {
		t.Any()
	}
	t.End()
	if err := p.End(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case version < 0 || version > 2:
		return nil, fmt.Errorf("%w: version %d", ErrMalformed, version+1)
	case !alg.Algorithm.Equal(sigAlg.Algorithm):
		return nil, fmt.Errorf("%w: its two signature algorithms differ", ErrMalformed)
	case issuerTag != keyder.TagSequence || subjectTag != keyder.TagSequence:
		return nil, fmt.Errorf("%w: a name is not a sequence", ErrMalformed)
	case !isTime(notBeforeTag) || !isTime(notAfterTag):
		return nil, fmt.Errorf("%w: its validity is not two times", ErrMalformed)
	}
	pub, err := mech.ParsePublicKeyDER(spki)
	if err != nil {
		return nil, fmt.Errorf("%w: its public key: %v", ErrMalformed, err)
	}
	return &Certificate{Raw: der, Subject: subject, Issuer: issuer, PublicKey: pub}, nil
}

// isTime reports whether an element's identifier is a UTCTime's or a
// GeneralizedTime's (the times themselves are not read).
func isTime(tag byte) bool {
	t := tag &^ 0x20
	return t == keyder.TagUTCTime || t == keyder.TagGeneralizedTime
}

// ParseChain reads PEM data of one or more certificates: only CERTIFICATE
// blocks, with nothing but white space around them, each a certificate.
func ParseChain(data []byte) ([]*Certificate, error) {
	var out []*Certificate
	rest := data
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 {
			break
		}
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil || b.Type != "CERTIFICATE" || len(b.Headers) != 0 {
			return nil, ErrNotCertificate
		}
		c, err := Parse(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNotCertificate
	}
	return out, nil
}

// EncodeChain is the PEM of certificates, one block each.
func EncodeChain(certs []*Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}

// Linked reports whether each certificate of a chain is issued by the next
// one (leaf first) or each by the one before it (root first): the
// "hierarchical order" a registered chain must be in.
func Linked(certs []*Certificate) bool {
	up, down := true, true
	for i := 1; i < len(certs); i++ {
		up = up && bytes.Equal(certs[i-1].Issuer, certs[i].Subject)
		down = down && bytes.Equal(certs[i].Issuer, certs[i-1].Subject)
	}
	return up || down
}

// KeyName describes a certificate's public key: "RSA-2048", "EC P-256".
func KeyName(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *mech.ECPublicKey:
		if info, err := mech.CurveByID(k.CurveID); err == nil {
			return "EC " + info.ShortName
		}
		return "EC"
	}
	return "DSA"
}
