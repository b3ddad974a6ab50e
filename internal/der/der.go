// Package der writes and reads the DER structures the engine exchanges with
// users and with OpenSSL: PKCS #1 RSA keys, PKIX SubjectPublicKeyInfo and
// PKCS #8 PrivateKeyInfo, SEC 1 EC private keys, DSA keys, ECDSA and DSA
// signatures, PBES2 parameters, X.509 names and the certificates the tools
// hand out. It is written by hand over a small element writer (encode.go)
// and a strict reader (decode.go), so the WebAssembly build links neither
// crypto/x509 (which brings net, net/url and certificate verification) nor
// encoding/asn1's Marshal and Unmarshal (reflection over struct tags; the
// package itself stays imported, by crypto/ecdsa's cryptobyte, for a type). The encodings are those of
// crypto/x509 and encoding/asn1 byte for byte; the package's tests check
// them against both, and fuzz its readers against theirs.
package der

import (
	"bytes"
	"errors"
)

// AlgorithmIdentifier is RFC 5280 4.1.1.2: an algorithm and its
// parameters, kept as the whole DER element (nil when absent).
type AlgorithmIdentifier struct {
	Algorithm  OID
	Parameters []byte
}

// Element is the AlgorithmIdentifier's SEQUENCE.
func (a AlgorithmIdentifier) Element() []byte {
	return Sequence(a.Algorithm.Element(), a.Parameters)
}

// AlgorithmIdentifier reads one (its parameters any single element).
func (p *Parser) AlgorithmIdentifier() AlgorithmIdentifier {
	s := p.Sequence()
	a := AlgorithmIdentifier{Algorithm: s.OID()}
	if !s.Empty() {
		_, a.Parameters, _ = s.Any()
	}
	s.End()
	return a
}

// Object identifiers of the algorithms in this package's structures.
var (
	OIDRSA     = OID{1, 2, 840, 113549, 1, 1, 1}
	OIDEC      = OID{1, 2, 840, 10045, 2, 1}
	OIDDSA     = OID{1, 2, 840, 10040, 4, 1}
	OIDEd25519 = OID{1, 3, 101, 112}
	OIDP256    = OID{1, 2, 840, 10045, 3, 1, 7}

	oidECDSAWithSHA256 = OID{1, 2, 840, 10045, 4, 3, 2}
)

// ErrTrailingData is returned for DER followed by more bytes.
var ErrTrailingData = errors.New("der: trailing data")

// PublicKeyInfo is RFC 5280 4.1.2.7 SubjectPublicKeyInfo.
type PublicKeyInfo struct {
	Algorithm AlgorithmIdentifier
	// PublicKey is the BIT STRING's bytes, Bits its length in bits.
	PublicKey []byte
	Bits      int
}

// Marshal is the SubjectPublicKeyInfo's DER (the key in whole bytes).
func (k PublicKeyInfo) Marshal() []byte {
	return Sequence(k.Algorithm.Element(), BitString(k.PublicKey))
}

// ParsePublicKeyInfo reads a SubjectPublicKeyInfo and nothing after it.
func ParsePublicKeyInfo(b []byte) (PublicKeyInfo, error) {
	p := NewParser(b)
	k := p.publicKeyInfo()
	if err := p.End(); err != nil {
		return PublicKeyInfo{}, err
	}
	return k, nil
}

func (p *Parser) publicKeyInfo() PublicKeyInfo {
	s := p.Sequence()
	var k PublicKeyInfo
	k.Algorithm = s.AlgorithmIdentifier()
	k.PublicKey, k.Bits = s.BitString()
	s.End()
	return k
}

// PrivateKeyInfo is RFC 5208 PrivateKeyInfo (RFC 5958 OneAsymmetricKey
// version 1: its attributes and public key are read past, not kept).
type PrivateKeyInfo struct {
	Version    int64
	Algorithm  AlgorithmIdentifier
	PrivateKey []byte
}

// Marshal is the PrivateKeyInfo's DER.
func (k PrivateKeyInfo) Marshal() []byte {
	return Sequence(Int(k.Version), k.Algorithm.Element(), OctetString(k.PrivateKey))
}

// ParsePrivateKeyInfo reads a PrivateKeyInfo and nothing after it:
// version, algorithm and private key, then optionally [0] attributes and
// [1] a public key, whose content is not read. (encoding/asn1 also skips
// any bytes at all after the private key; this reader does not.)
func ParsePrivateKeyInfo(b []byte) (PrivateKeyInfo, error) {
	p := NewParser(b)
	s := p.Sequence()
	var k PrivateKeyInfo
	k.Version = s.Int()
	k.Algorithm = s.AlgorithmIdentifier()
	k.PrivateKey = s.OctetString()
	if s.Optional(classContext | constructed | 0) {
		s.Any()
	}
	if t, ok := s.Peek(); ok && t&^constructed == classContext|1 {
		s.Any()
	}
	s.End()
	if err := p.End(); err != nil {
		return PrivateKeyInfo{}, err
	}
	return k, nil
}

// isNull reports whether b is the NULL element.
func isNull(b []byte) bool { return bytes.Equal(b, Null()) }
