package mech

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"io"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Ed25519 keys are the standard library's ed25519.PrivateKey and
// ed25519.PublicKey. CloudHSM CLI makes them with "key
// generate-asymmetric-pair ec --curve ed25519" and signs with them in two
// ways: PureEdDSA (RFC 8032 5.1.6, the message itself) and HashEdDSA
// (Ed25519ph, the message's SHA-512).

// Ed25519PointSize is the size of an Ed25519 public key, the encoded
// point the CLI prints as ec-point.
const Ed25519PointSize = ed25519.PublicKeySize

func oidEd25519() keyder.OID { return keyder.OIDEd25519 }

// GenerateEd25519 makes an Ed25519 key from 32 bytes of r (the RFC 8032
// seed), so a seeded source gives the same key every time.
func GenerateEd25519(r io.Reader) (ed25519.PrivateKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if err := readRandom(r, seed); err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// parseEd25519PKCS8 reads the CurvePrivateKey of RFC 8410: an OCTET STRING
// holding the 32-byte seed.
func parseEd25519PKCS8(inner []byte) (ed25519.PrivateKey, error) {
	seed, err := keyder.ParseOctetString(inner)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: Ed25519 private key", ErrMalformedKey)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// parseEd25519SPKI reads an Ed25519 SubjectPublicKeyInfo.
func parseEd25519SPKI(der []byte) (ed25519.PublicKey, error) {
	pub, err := keyder.ParsePKIXEd25519PublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return pub, nil
}

// SignEd25519 signs with PureEdDSA, or with HashEdDSA (Ed25519ph) when
// prehashed is true; then msg is the message's SHA-512 digest. Both are
// deterministic.
func SignEd25519(k ed25519.PrivateKey, msg []byte, prehashed bool) ([]byte, error) {
	if len(k) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrMalformedKey, len(k))
	}
	opts := &ed25519.Options{}
	if prehashed {
		opts.Hash = crypto.SHA512
	}
	return k.Sign(nil, msg, opts)
}

// VerifyEd25519 checks a PureEdDSA or HashEdDSA signature.
func VerifyEd25519(k ed25519.PublicKey, msg, sig []byte, prehashed bool) error {
	if len(k) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrMalformedKey, len(k))
	}
	opts := &ed25519.Options{}
	if prehashed {
		opts.Hash = crypto.SHA512
	}
	if err := ed25519.VerifyWithOptions(k, msg, sig, opts); err != nil {
		return ErrBadSignature
	}
	return nil
}

// ReferencePKCS8 is the PKCS #8 of a key of type kt (and, for ML-DSA,
// parameter set) whose seed is the given 32 bytes: what a reference file
// holds in place of an Ed25519 or ML-DSA key's private value.
func ReferencePKCS8(kt KeyType, set MLDSAParameterSet, seed []byte) ([]byte, error) {
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: a seed of %d bytes", ErrBadKeySize, len(seed))
	}
	switch kt {
	case KeyTypeECEdwards:
		return keyder.MarshalPKCS8Ed25519PrivateKey(ed25519.NewKeyFromSeed(seed)), nil
	case KeyTypeMLDSA:
		k, err := NewMLDSAKey(set, seed)
		if err != nil {
			return nil, err
		}
		return marshalMLDSAPrivate(k)
	}
	return nil, fmt.Errorf("%w: no reference key for %v", ErrBadKeyType, kt)
}
