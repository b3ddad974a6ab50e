package der

import "math/big"

// ParseInteger reads b, which must be one INTEGER and nothing more (a DSA
// public or private value).
func ParseInteger(b []byte) (*big.Int, error) {
	p := NewParser(b)
	n := p.Integer()
	if err := p.End(); err != nil {
		return nil, err
	}
	return n, nil
}

// ParseOctetString reads b, which must be one OCTET STRING and nothing more
// (an Ed25519 CurvePrivateKey, an initialisation vector).
func ParseOctetString(b []byte) ([]byte, error) {
	p := NewParser(b)
	c := p.OctetString()
	if err := p.End(); err != nil {
		return nil, err
	}
	return c, nil
}

// ECPrivateKey is SEC 1 C.4 (RFC 5915) ECPrivateKey.
type ECPrivateKey struct {
	Version    int64
	PrivateKey []byte
	// Params is the content of [0], which should be one element (the
	// ECParameters choice, a named curve's OID), nil when absent. It is
	// kept unread, as encoding/asn1 kept it, for the caller to read as a
	// named curve.
	Params []byte
	// PublicKey is the BIT STRING inside [1], PublicKeyBits its length in
	// bits; HasPublicKey says whether there was one.
	PublicKey     []byte
	PublicKeyBits int
	HasPublicKey  bool
}

// Marshal is the ECPrivateKey's DER, [0] and [1] written when present.
func (k ECPrivateKey) Marshal() []byte {
	parts := [][]byte{Int(k.Version), OctetString(k.PrivateKey)}
	if k.Params != nil {
		parts = append(parts, Explicit(0, k.Params))
	}
	if k.HasPublicKey {
		parts = append(parts, Explicit(1, BitStringBits(k.PublicKey, k.PublicKeyBits)))
	}
	return Sequence(parts...)
}

// ParseECPrivateKey reads an ECPrivateKey and nothing after it.
func ParseECPrivateKey(b []byte) (ECPrivateKey, error) {
	p := NewParser(b)
	s := p.Sequence()
	var k ECPrivateKey
	k.Version = s.Int()
	k.PrivateKey = s.OctetString()
	if s.Optional(classContext | constructed | 0) {
		k.Params = s.Element(classContext | constructed | 0)
	}
	if s.Optional(classContext | constructed | 1) {
		e := s.Explicit(1)
		k.PublicKey, k.PublicKeyBits = e.BitString()
		k.HasPublicKey = true
		e.End()
	}
	s.End()
	if err := p.End(); err != nil {
		return ECPrivateKey{}, err
	}
	return k, nil
}

// MarshalSignature is the DER of an ECDSA or DSA signature,
// SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 2.2.2 and 2.2.3).
func MarshalSignature(r, s *big.Int) []byte { return Sequence(Integer(r), Integer(s)) }

// ParseSignature reads an ECDSA or DSA signature and nothing after it.
func ParseSignature(b []byte) (r, s *big.Int, err error) {
	p := NewParser(b)
	q := p.Sequence()
	r, s = q.Integer(), q.Integer()
	q.End()
	if err := p.End(); err != nil {
		return nil, nil, err
	}
	return r, s, nil
}

// DSAParameters is Dss-Parms (RFC 3279 2.3.2), also the body of OpenSSL's
// "DSA PARAMETERS".
type DSAParameters struct{ P, Q, G *big.Int }

// Marshal is the parameters' DER.
func (d DSAParameters) Marshal() []byte { return Sequence(Integer(d.P), Integer(d.Q), Integer(d.G)) }

// ParseDSAParameters reads Dss-Parms and nothing after it.
func ParseDSAParameters(b []byte) (DSAParameters, error) {
	p := NewParser(b)
	s := p.Sequence()
	d := DSAParameters{s.Integer(), s.Integer(), s.Integer()}
	s.End()
	if err := p.End(); err != nil {
		return DSAParameters{}, err
	}
	return d, nil
}

// DSAPrivateKey is OpenSSL's "DSA PRIVATE KEY" body: version 0, p, q, g,
// y, x.
type DSAPrivateKey struct {
	Version       int64
	P, Q, G, Y, X *big.Int
}

// Marshal is the key's DER.
func (k DSAPrivateKey) Marshal() []byte {
	return Sequence(Int(k.Version), Integer(k.P), Integer(k.Q), Integer(k.G), Integer(k.Y), Integer(k.X))
}

// ParseDSAPrivateKey reads OpenSSL's DSA private key and nothing after it.
func ParseDSAPrivateKey(b []byte) (DSAPrivateKey, error) {
	p := NewParser(b)
	s := p.Sequence()
	k := DSAPrivateKey{Version: s.Int()}
	k.P, k.Q, k.G, k.Y, k.X = s.Integer(), s.Integer(), s.Integer(), s.Integer(), s.Integer()
	s.End()
	if err := p.End(); err != nil {
		return DSAPrivateKey{}, err
	}
	return k, nil
}
