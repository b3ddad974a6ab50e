package mech

import (
	"fmt"
	"io"

	"github.com/cloudflare/circl/sign"
	"github.com/cloudflare/circl/sign/mldsa/mldsa44"
	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/cloudflare/circl/sign/mldsa/mldsa87"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// ML-DSA (FIPS 204) keys, which CloudHSM CLI makes with "key
// generate-asymmetric-pair ml-dsa" and signs with in "crypto sign
// ml-dsa". The arithmetic is github.com/cloudflare/circl's; this file
// holds the parameter sets, the keys' encodings (RFC 9881: the public key
// bytes in a SubjectPublicKeyInfo, the 32-byte seed in PKCS #8) and the
// signing the CLI does.

// KeyTypeMLDSA is CKK_ML_DSA (0x4a), the type of ML-DSA keys. Only
// CloudHSM CLI makes them; key_mgmt_util never had it.
const KeyTypeMLDSA KeyType = 74

// MLDSAParameterSet is an ML-DSA parameter set, numbered as PKCS #11's
// CKA_PARAMETER_SET numbers them (CKP_ML_DSA_44 = 1 …).
type MLDSAParameterSet int

// The three parameter sets of FIPS 204.
const (
	MLDSA44 MLDSAParameterSet = 1
	MLDSA65 MLDSAParameterSet = 2
	MLDSA87 MLDSAParameterSet = 3
)

// MLDSASeedSize is the size of the seed an ML-DSA key is made from.
const MLDSASeedSize = 32

func (p MLDSAParameterSet) scheme() sign.Scheme {
	switch p {
	case MLDSA44:
		return mldsa44.Scheme()
	case MLDSA65:
		return mldsa65.Scheme()
	case MLDSA87:
		return mldsa87.Scheme()
	}
	return nil
}

// String is the set's name, as the CLI's mldsa-algorithm prints it.
func (p MLDSAParameterSet) String() string {
	if s := p.scheme(); s != nil {
		return s.Name()
	}
	return fmt.Sprintf("MLDSAParameterSet(%d)", int(p))
}

// Valid reports whether p is one of the three sets.
func (p MLDSAParameterSet) Valid() bool { return p.scheme() != nil }

// PublicKeySize, PrivateKeySize and SignatureSize are FIPS 204's sizes
// for the set (1312, 2560 and 2420 bytes for ML-DSA-44), 0 for an
// invalid set.
func (p MLDSAParameterSet) PublicKeySize() int  { return p.size(sign.Scheme.PublicKeySize) }
func (p MLDSAParameterSet) PrivateKeySize() int { return p.size(sign.Scheme.PrivateKeySize) }
func (p MLDSAParameterSet) SignatureSize() int  { return p.size(sign.Scheme.SignatureSize) }

func (p MLDSAParameterSet) size(f func(sign.Scheme) int) int {
	if s := p.scheme(); s != nil {
		return f(s)
	}
	return 0
}

// MLDSAParameterSetByName reads "ML-DSA-44", "ML-DSA-65" or "ML-DSA-87".
func MLDSAParameterSetByName(name string) (MLDSAParameterSet, bool) {
	for _, p := range []MLDSAParameterSet{MLDSA44, MLDSA65, MLDSA87} {
		if p.String() == name {
			return p, true
		}
	}
	return 0, false
}

// mldsaByOID is the set of an ML-DSA algorithm identifier, 0 if it is not one.
func mldsaByOID(oid keyder.OID) MLDSAParameterSet {
	for _, p := range []MLDSAParameterSet{MLDSA44, MLDSA65, MLDSA87} {
		if p.oid().Equal(oid) {
			return p
		}
	}
	return 0
}

// oid is the set's identifier (RFC 9881: id-ml-dsa-44 is
// 2.16.840.1.101.3.4.3.17, then 18 and 19), written here rather than
// asked of circl, whose Oid method is an encoding/asn1 type.
func (p MLDSAParameterSet) oid() keyder.OID {
	return keyder.OID{2, 16, 840, 1, 101, 3, 4, 3, 16 + int(p)}
}

// MLDSAPrivateKey is an ML-DSA private key: its set and the seed it was
// made from (the form it is stored in), and the key itself.
type MLDSAPrivateKey struct {
	Set  MLDSAParameterSet
	Seed [MLDSASeedSize]byte
	pub  sign.PublicKey
	priv sign.PrivateKey
}

// MLDSAPublicKey is an ML-DSA public key: its set and its FIPS 204
// encoding.
type MLDSAPublicKey struct {
	Set   MLDSAParameterSet
	Bytes []byte
}

// NewMLDSAKey makes the key of a set from its seed (FIPS 204 ML-DSA.KeyGen_internal).
func NewMLDSAKey(set MLDSAParameterSet, seed []byte) (*MLDSAPrivateKey, error) {
	s := set.scheme()
	if s == nil {
		return nil, fmt.Errorf("%w: ML-DSA parameter set %d", ErrBadKeyType, int(set))
	}
	if len(seed) != MLDSASeedSize {
		return nil, fmt.Errorf("%w: an ML-DSA seed of %d bytes", ErrMalformedKey, len(seed))
	}
	k := &MLDSAPrivateKey{Set: set}
	copy(k.Seed[:], seed)
	k.pub, k.priv = s.DeriveKey(seed)
	return k, nil
}

// GenerateMLDSA makes a key of the set from 32 bytes of r, so a seeded
// source gives the same key every time.
func GenerateMLDSA(r io.Reader, set MLDSAParameterSet) (*MLDSAPrivateKey, error) {
	seed := make([]byte, MLDSASeedSize)
	if err := readRandom(r, seed); err != nil {
		return nil, err
	}
	return NewMLDSAKey(set, seed)
}

// Public is the key's public half.
func (k *MLDSAPrivateKey) Public() *MLDSAPublicKey {
	b, _ := k.pub.MarshalBinary()
	return &MLDSAPublicKey{Set: k.Set, Bytes: b}
}

// Expanded is the private key's FIPS 204 encoding (2560 bytes for
// ML-DSA-44), the size the CLI reports as its key-length-bytes.
func (k *MLDSAPrivateKey) Expanded() []byte {
	b, _ := k.priv.MarshalBinary()
	return b
}

// SignMLDSA signs msg with ML-DSA.Sign (FIPS 204 Algorithm 2, an empty
// context) in its deterministic variant: the same key signs the same
// message the same way.
func SignMLDSA(k *MLDSAPrivateKey, msg []byte) ([]byte, error) {
	if k == nil || k.priv == nil {
		return nil, fmt.Errorf("%w: no ML-DSA private key", ErrMalformedKey)
	}
	return k.Set.scheme().Sign(k.priv, msg, nil), nil
}

// VerifyMLDSA checks an ML-DSA signature of msg (an empty context).
func VerifyMLDSA(k *MLDSAPublicKey, msg, sig []byte) error {
	if k == nil || !k.Set.Valid() {
		return fmt.Errorf("%w: no ML-DSA public key", ErrMalformedKey)
	}
	s := k.Set.scheme()
	pub, err := s.UnmarshalBinaryPublicKey(k.Bytes)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	if len(sig) != s.SignatureSize() || !s.Verify(pub, msg, sig, nil) {
		return ErrBadSignature
	}
	return nil
}

// marshalMLDSAPublic is the SubjectPublicKeyInfo of RFC 9881: the set's
// OID with no parameters, the key's bytes as the BIT STRING.
func marshalMLDSAPublic(k *MLDSAPublicKey) ([]byte, error) {
	if k == nil || !k.Set.Valid() || len(k.Bytes) != k.Set.PublicKeySize() {
		return nil, fmt.Errorf("%w: ML-DSA public key", ErrMalformedKey)
	}
	return keyder.PublicKeyInfo{Algorithm: keyder.AlgorithmIdentifier{Algorithm: k.Set.oid()}, PublicKey: k.Bytes}.Marshal(), nil
}

func parseMLDSAPublic(spki keyder.PublicKeyInfo, set MLDSAParameterSet) (*MLDSAPublicKey, error) {
	if len(spki.Algorithm.Parameters) != 0 {
		return nil, fmt.Errorf("%w: ML-DSA algorithm parameters must be absent", ErrMalformedKey)
	}
	b := spki.PublicKey
	if spki.Bits != 8*len(b) || len(b) != set.PublicKeySize() {
		return nil, fmt.Errorf("%w: an %v public key of %d bytes", ErrMalformedKey, set, len(b))
	}
	if _, err := set.scheme().UnmarshalBinaryPublicKey(b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return &MLDSAPublicKey{Set: set, Bytes: append([]byte(nil), b...)}, nil
}

// The private key of RFC 9881 is a CHOICE: the seed ([0] IMPLICIT OCTET
// STRING), the expanded key (OCTET STRING) or both (SEQUENCE { seed OCTET
// STRING, expandedKey OCTET STRING }). The simulator writes the seed and
// reads the seed or both; an expanded key alone cannot give back the seed
// it is stored as.

func marshalMLDSAPrivate(k *MLDSAPrivateKey) ([]byte, error) {
	if k == nil || !k.Set.Valid() {
		return nil, fmt.Errorf("%w: ML-DSA private key", ErrMalformedKey)
	}
	inner := keyder.Implicit(0, k.Seed[:])
	return keyder.PrivateKeyInfo{Algorithm: keyder.AlgorithmIdentifier{Algorithm: k.Set.oid()}, PrivateKey: inner}.Marshal(), nil
}

func parseMLDSAPrivate(inner []byte, set MLDSAParameterSet) (*MLDSAPrivateKey, error) {
	p := keyder.NewParser(inner)
	tag, _, content := p.Any()
	if err := p.End(); err != nil {
		return nil, fmt.Errorf("%w: ML-DSA private key: %v", ErrMalformedKey, err)
	}
	switch {
	case tag == 0x80: // [0] IMPLICIT OCTET STRING, primitive
		return NewMLDSAKey(set, content)
	case tag == keyder.TagSequence:
		both := keyder.NewParser(content)
		seed, expanded := both.OctetString(), both.OctetString()
		if err := both.End(); err != nil {
			return nil, fmt.Errorf("%w: ML-DSA private key: %v", ErrMalformedKey, err)
		}
		k, err := NewMLDSAKey(set, seed)
		if err != nil {
			return nil, err
		}
		if string(k.Expanded()) != string(expanded) {
			return nil, fmt.Errorf("%w: the ML-DSA expanded key is not its seed's", ErrMalformedKey)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: an ML-DSA private key without its seed", ErrUnsupportedKey)
}
