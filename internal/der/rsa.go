package der

import (
	"crypto/rsa"
	"errors"
	"math/big"
)

// pkcs1PrivateKey is RFC 8017 A.1.2 RSAPrivateKey: version, n, e, d, p,
// q, then (optional, as encoding/asn1 read them) dP, dQ, qInv and the
// other primes of a multi-prime key.
type pkcs1PrivateKey struct {
	Version          int64
	N                *big.Int
	E                int64
	D, P, Q          *big.Int
	Dp, Dq, Qinv     *big.Int
	AdditionalPrimes []pkcs1AdditionalPrime
}

type pkcs1AdditionalPrime struct {
	Prime, Exp, Coeff *big.Int
}

func (k *pkcs1PrivateKey) marshal() []byte {
	parts := [][]byte{Int(k.Version), Integer(k.N), Int(k.E), Integer(k.D), Integer(k.P), Integer(k.Q)}
	for _, v := range []*big.Int{k.Dp, k.Dq, k.Qinv} {
		if v == nil {
			break
		}
		parts = append(parts, Integer(v))
	}
	if len(k.AdditionalPrimes) > 0 {
		var ps [][]byte
		for _, a := range k.AdditionalPrimes {
			ps = append(ps, Sequence(Integer(a.Prime), Integer(a.Exp), Integer(a.Coeff)))
		}
		parts = append(parts, Sequence(ps...))
	}
	return Sequence(parts...)
}

// parsePKCS1PrivateKey reads the structure (no checks of the values) and
// nothing after it.
func parsePKCS1PrivateKey(b []byte) (pkcs1PrivateKey, error) {
	p := NewParser(b)
	s := p.Sequence()
	var k pkcs1PrivateKey
	k.Version = s.Int()
	k.N = s.Integer()
	k.E = s.Int()
	k.D, k.P, k.Q = s.Integer(), s.Integer(), s.Integer()
	for _, v := range []**big.Int{&k.Dp, &k.Dq, &k.Qinv} {
		if !s.Optional(TagInteger) {
			break
		}
		*v = s.Integer()
	}
	if s.Optional(TagSequence) {
		primes := s.Sequence()
		for !primes.Empty() {
			a := primes.Sequence()
			k.AdditionalPrimes = append(k.AdditionalPrimes, pkcs1AdditionalPrime{a.Integer(), a.Integer(), a.Integer()})
			a.End()
		}
	}
	s.End()
	if err := p.End(); err != nil {
		return pkcs1PrivateKey{}, err
	}
	return k, nil
}

// pkcs1PublicKey is RFC 8017 A.1.1 RSAPublicKey.
type pkcs1PublicKey struct {
	N *big.Int
	E int64
}

func parsePKCS1PublicKey(b []byte) (pkcs1PublicKey, error) {
	p := NewParser(b)
	s := p.Sequence()
	k := pkcs1PublicKey{N: s.Integer(), E: s.Int()}
	s.End()
	if err := p.End(); err != nil {
		return pkcs1PublicKey{}, err
	}
	return k, nil
}

// MarshalPKCS1PrivateKey is the "RSA PRIVATE KEY" DER of a key, as
// x509.MarshalPKCS1PrivateKey writes it (the CRT values computed first).
func MarshalPKCS1PrivateKey(key *rsa.PrivateKey) []byte {
	key.Precompute()
	var version int64
	if len(key.Primes) > 2 {
		version = 1
	}
	priv := pkcs1PrivateKey{
		Version: version,
		N:       key.N,
		E:       int64(key.E),
		D:       key.D,
		P:       key.Primes[0],
		Q:       key.Primes[1],
		Dp:      key.Precomputed.Dp,
		Dq:      key.Precomputed.Dq,
		Qinv:    key.Precomputed.Qinv,
	}
	priv.AdditionalPrimes = make([]pkcs1AdditionalPrime, len(key.Precomputed.CRTValues))
	for i, v := range key.Precomputed.CRTValues {
		priv.AdditionalPrimes[i] = pkcs1AdditionalPrime{key.Primes[2+i], v.Exp, v.Coeff}
	}
	return priv.marshal()
}

// ParsePKCS1PrivateKey reads an "RSA PRIVATE KEY" body and validates the
// key, as x509.ParsePKCS1PrivateKey does.
func ParsePKCS1PrivateKey(b []byte) (*rsa.PrivateKey, error) {
	priv, err := parsePKCS1PrivateKey(b)
	if err != nil {
		return nil, err
	}
	if priv.Version > 1 {
		return nil, errors.New("unsupported RSA private key version")
	}
	if priv.N.Sign() <= 0 || priv.D.Sign() <= 0 || priv.P.Sign() <= 0 || priv.Q.Sign() <= 0 ||
		priv.Dp != nil && priv.Dp.Sign() <= 0 ||
		priv.Dq != nil && priv.Dq.Sign() <= 0 ||
		priv.Qinv != nil && priv.Qinv.Sign() <= 0 {
		return nil, errors.New("RSA private key contains zero or negative value")
	}
	key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: priv.N, E: int(priv.E)}, D: priv.D}
	key.Primes = make([]*big.Int, 2+len(priv.AdditionalPrimes))
	key.Primes[0], key.Primes[1] = priv.P, priv.Q
	key.Precomputed.Dp, key.Precomputed.Dq, key.Precomputed.Qinv = priv.Dp, priv.Dq, priv.Qinv
	for i, a := range priv.AdditionalPrimes {
		if a.Prime == nil || a.Prime.Sign() <= 0 {
			return nil, errors.New("RSA private key contains zero or negative prime")
		}
		key.Primes[i+2] = a.Prime
	}
	key.Precompute()
	if err := key.Validate(); err != nil {
		return nil, err
	}
	return key, nil
}

// MarshalPKCS1PublicKey is the "RSA PUBLIC KEY" DER of a key.
func MarshalPKCS1PublicKey(key *rsa.PublicKey) []byte {
	return Sequence(Integer(key.N), Int(int64(key.E)))
}

// ParsePKCS1PublicKey reads an "RSA PUBLIC KEY" body, with
// x509.ParsePKCS1PublicKey's checks of the values.
func ParsePKCS1PublicKey(b []byte) (*rsa.PublicKey, error) {
	pub, err := parsePKCS1PublicKey(b)
	if err != nil {
		return nil, err
	}
	return checkPublic(pub)
}

func checkPublic(pub pkcs1PublicKey) (*rsa.PublicKey, error) {
	if pub.N.Sign() <= 0 || pub.E <= 0 {
		return nil, errors.New("RSA public key contains zero or negative value")
	}
	if pub.E > 1<<31-1 {
		return nil, errors.New("RSA public key contains large public exponent")
	}
	return &rsa.PublicKey{N: pub.N, E: int(pub.E)}, nil
}

// rsaAlgorithm is rsaEncryption with its NULL parameters.
func rsaAlgorithm() AlgorithmIdentifier {
	return AlgorithmIdentifier{Algorithm: OIDRSA, Parameters: Null()}
}

// MarshalPKIXRSAPublicKey is the "PUBLIC KEY" (SubjectPublicKeyInfo) DER of
// an RSA key, as x509.MarshalPKIXPublicKey writes it.
func MarshalPKIXRSAPublicKey(key *rsa.PublicKey) []byte {
	return PublicKeyInfo{Algorithm: rsaAlgorithm(), PublicKey: MarshalPKCS1PublicKey(key)}.Marshal()
}

// ErrNotRSA is returned by the RSA readers for a well-formed key of another
// algorithm.
var ErrNotRSA = errors.New("not an RSA key")

// ParsePKIXRSAPublicKey reads a SubjectPublicKeyInfo holding an RSA key
// (ErrNotRSA for another algorithm) and accepts what
// x509.ParsePKIXPublicKey accepts of RSA keys in DER (it also reads past
// bytes after the RSAPublicKey and keys in a BIT STRING of unused bits,
// which this refuses).
func ParsePKIXRSAPublicKey(b []byte) (*rsa.PublicKey, error) {
	spki, err := ParsePublicKeyInfo(b)
	if err != nil {
		return nil, err
	}
	if !spki.Algorithm.Algorithm.Equal(OIDRSA) {
		return nil, ErrNotRSA
	}
	// RFC 3279 2.3.1: the parameters are NULL.
	if !isNull(spki.Algorithm.Parameters) {
		return nil, errors.New("RSA key missing NULL parameters")
	}
	pub, err := parsePKCS1PublicKey(spki.PublicKey)
	if err != nil || spki.Bits%8 != 0 {
		return nil, errors.New("invalid RSA public key")
	}
	if pub.N.Sign() <= 0 {
		return nil, errors.New("RSA modulus is not a positive number")
	}
	if pub.E <= 0 {
		return nil, errors.New("RSA public exponent is not a positive number")
	}
	return &rsa.PublicKey{N: pub.N, E: int(pub.E)}, nil
}

// MarshalPKCS8RSAPrivateKey is the "PRIVATE KEY" (PKCS #8) DER of an RSA
// key, as x509.MarshalPKCS8PrivateKey writes it.
func MarshalPKCS8RSAPrivateKey(key *rsa.PrivateKey) []byte {
	return PrivateKeyInfo{Algorithm: rsaAlgorithm(), PrivateKey: MarshalPKCS1PrivateKey(key)}.Marshal()
}

// ParsePKCS8RSAPrivateKey reads a PKCS #8 PrivateKeyInfo holding an RSA key
// (ErrNotRSA for another algorithm).
func ParsePKCS8RSAPrivateKey(b []byte) (*rsa.PrivateKey, error) {
	p, err := ParsePrivateKeyInfo(b)
	if err != nil {
		return nil, err
	}
	if !p.Algorithm.Algorithm.Equal(OIDRSA) {
		return nil, ErrNotRSA
	}
	return ParsePKCS1PrivateKey(p.PrivateKey)
}

// ParsePKCS8RSAPrivateKeyUnvalidated reads the RSA key of a PKCS #8
// PrivateKeyInfo (ErrNotRSA for another algorithm) without checking its
// values: no precomputation, no validation, for a caller that reads
// thousands of keys it wrote itself and checks what it needs. Its N, E, D
// and primes are the structure's (the primes of a multi-prime key after p
// and q).
func ParsePKCS8RSAPrivateKeyUnvalidated(b []byte) (*rsa.PrivateKey, error) {
	p, err := ParsePrivateKeyInfo(b)
	if err != nil {
		return nil, err
	}
	if !p.Algorithm.Algorithm.Equal(OIDRSA) {
		return nil, ErrNotRSA
	}
	k, err := parsePKCS1PrivateKey(p.PrivateKey)
	if err != nil {
		return nil, err
	}
	key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: k.N, E: int(k.E)}, D: k.D, Primes: []*big.Int{k.P, k.Q}}
	for _, a := range k.AdditionalPrimes {
		key.Primes = append(key.Primes, a.Prime)
	}
	return key, nil
}
