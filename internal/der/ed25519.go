package der

import (
	"crypto/ed25519"
	"errors"
)

// ErrNotEd25519 is returned by the Ed25519 reader for a well-formed key of
// another algorithm.
var ErrNotEd25519 = errors.New("not an Ed25519 key")

// MarshalPKIXEd25519PublicKey is the "PUBLIC KEY" DER of an Ed25519 key
// (RFC 8410: no parameters), as x509.MarshalPKIXPublicKey writes it.
func MarshalPKIXEd25519PublicKey(key ed25519.PublicKey) []byte {
	return PublicKeyInfo{Algorithm: AlgorithmIdentifier{Algorithm: OIDEd25519}, PublicKey: key}.Marshal()
}

// ParsePKIXEd25519PublicKey reads a SubjectPublicKeyInfo holding an Ed25519
// key (ErrNotEd25519 for another algorithm), with
// x509.ParsePKIXPublicKey's checks.
func ParsePKIXEd25519PublicKey(b []byte) (ed25519.PublicKey, error) {
	spki, err := ParsePublicKeyInfo(b)
	if err != nil {
		return nil, err
	}
	if !spki.Algorithm.Algorithm.Equal(OIDEd25519) {
		return nil, ErrNotEd25519
	}
	if len(spki.Algorithm.Parameters) != 0 {
		return nil, errors.New("Ed25519 key encoded with illegal parameters")
	}
	if spki.Bits%8 != 0 || len(spki.PublicKey) != ed25519.PublicKeySize {
		return nil, errors.New("wrong Ed25519 public key size")
	}
	return ed25519.PublicKey(spki.PublicKey), nil
}

// MarshalPKCS8Ed25519PrivateKey is the "PRIVATE KEY" DER of an Ed25519 key
// (its seed in an OCTET STRING, RFC 8410), as x509.MarshalPKCS8PrivateKey
// writes it.
func MarshalPKCS8Ed25519PrivateKey(key ed25519.PrivateKey) []byte {
	return PrivateKeyInfo{Algorithm: AlgorithmIdentifier{Algorithm: OIDEd25519}, PrivateKey: OctetString(key.Seed())}.Marshal()
}
