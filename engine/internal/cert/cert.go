// Package cert reads and writes the X.509 certificates of mutual TLS: the
// trust anchors CloudHSM CLI's cluster mtls register-trust-anchor takes (a
// PEM file of one certificate or a chain of them), and the self-signed
// certificate authority "openssl req -x509" makes for one. It works on the
// DER with encoding/asn1 and the engine's key code (package mech), so the
// engine carries no X.509 library; it reads only what the simulator needs
// (names, public key, signature algorithm) and checks each certificate's
// structure strictly.
package cert

import (
	"bytes"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
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

// algorithmIdentifier is RFC 5280 4.1.1.2.
type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

// certificateASN is RFC 5280 4.1 Certificate.
type certificateASN struct {
	TBS       asn1.RawValue
	Algorithm algorithmIdentifier
	Signature asn1.BitString
}

// tbsASN is RFC 5280 4.1 TBSCertificate.
type tbsASN struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	Algorithm  algorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validityASN
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	IssuerUID  asn1.BitString `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString `asn1:"optional,tag:2"`
	Extensions asn1.RawValue  `asn1:"optional,explicit,tag:3"`
}

type validityASN struct {
	NotBefore, NotAfter asn1.RawValue
}

func unmarshalExact(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes after it", len(rest))
	}
	return nil
}

// Parse reads one certificate's DER.
func Parse(der []byte) (*Certificate, error) {
	var c certificateASN
	if err := unmarshalExact(der, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var tbs tbsASN
	if err := unmarshalExact(c.TBS.FullBytes, &tbs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case tbs.Version < 0 || tbs.Version > 2:
		return nil, fmt.Errorf("%w: version %d", ErrMalformed, tbs.Version+1)
	case tbs.Serial == nil:
		return nil, fmt.Errorf("%w: no serial number", ErrMalformed)
	case !tbs.Algorithm.Algorithm.Equal(c.Algorithm.Algorithm):
		return nil, fmt.Errorf("%w: its two signature algorithms differ", ErrMalformed)
	case !isName(tbs.Issuer) || !isName(tbs.Subject):
		return nil, fmt.Errorf("%w: a name is not a sequence", ErrMalformed)
	case !isTime(tbs.Validity.NotBefore) || !isTime(tbs.Validity.NotAfter):
		return nil, fmt.Errorf("%w: its validity is not two times", ErrMalformed)
	}
	pub, err := mech.ParsePublicKeyDER(tbs.PublicKey.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: its public key: %v", ErrMalformed, err)
	}
	return &Certificate{Raw: der, Subject: tbs.Subject.FullBytes, Issuer: tbs.Issuer.FullBytes, PublicKey: pub}, nil
}

func isName(v asn1.RawValue) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence && v.IsCompound
}

func isTime(v asn1.RawValue) bool {
	return v.Class == asn1.ClassUniversal && (v.Tag == asn1.TagUTCTime || v.Tag == asn1.TagGeneralizedTime)
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
