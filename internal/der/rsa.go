package der

import (
	"bytes"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"math/big"
)

// pkcs1PrivateKey is RFC 8017 A.1.2 RSAPrivateKey.
type pkcs1PrivateKey struct {
	Version int
	N       *big.Int
	E       int
	D       *big.Int
	P       *big.Int
	Q       *big.Int
	Dp      *big.Int `asn1:"optional"`
	Dq      *big.Int `asn1:"optional"`
	Qinv    *big.Int `asn1:"optional"`

	AdditionalPrimes []pkcs1AdditionalPrime `asn1:"optional,omitempty"`
}

type pkcs1AdditionalPrime struct {
	Prime *big.Int
	Exp   *big.Int
	Coeff *big.Int
}

// pkcs1PublicKey is RFC 8017 A.1.1 RSAPublicKey.
type pkcs1PublicKey struct {
	N *big.Int
	E int
}

// pkcs8 is RFC 5208 PrivateKeyInfo (trailing attributes are ignored on
// input, as encoding/asn1 does).
type pkcs8 struct {
	Version    int
	Algo       AlgorithmIdentifier
	PrivateKey []byte
}

// MarshalPKCS1PrivateKey is the "RSA PRIVATE KEY" DER of a key, as
// x509.MarshalPKCS1PrivateKey writes it (the CRT values computed first).
func MarshalPKCS1PrivateKey(key *rsa.PrivateKey) []byte {
	key.Precompute()
	version := 0
	if len(key.Primes) > 2 {
		version = 1
	}
	priv := pkcs1PrivateKey{
		Version: version,
		N:       key.N,
		E:       key.E,
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
	b, _ := asn1.Marshal(priv)
	return b
}

// ParsePKCS1PrivateKey reads an "RSA PRIVATE KEY" body and validates the
// key, as x509.ParsePKCS1PrivateKey does.
func ParsePKCS1PrivateKey(b []byte) (*rsa.PrivateKey, error) {
	var priv pkcs1PrivateKey
	if err := unmarshal(b, &priv); err != nil {
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
	key := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: priv.N, E: priv.E}, D: priv.D}
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
	b, _ := asn1.Marshal(pkcs1PublicKey{N: key.N, E: key.E})
	return b
}

// ParsePKCS1PublicKey reads an "RSA PUBLIC KEY" body, with
// x509.ParsePKCS1PublicKey's checks of the values.
func ParsePKCS1PublicKey(b []byte) (*rsa.PublicKey, error) {
	var pub pkcs1PublicKey
	if err := unmarshal(b, &pub); err != nil {
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
	return &rsa.PublicKey{N: pub.N, E: pub.E}, nil
}

// rsaAlgorithm is rsaEncryption with its NULL parameters.
func rsaAlgorithm() AlgorithmIdentifier {
	return AlgorithmIdentifier{Algorithm: OIDRSA, Parameters: asn1.NullRawValue}
}

// MarshalPKIXRSAPublicKey is the "PUBLIC KEY" (SubjectPublicKeyInfo) DER of
// an RSA key, as x509.MarshalPKIXPublicKey writes it.
func MarshalPKIXRSAPublicKey(key *rsa.PublicKey) []byte {
	b, _ := asn1.Marshal(publicKeyInfo{rsaAlgorithm(), bitString(MarshalPKCS1PublicKey(key))})
	return b
}

// ErrNotRSA is returned by the RSA readers for a well-formed key of another
// algorithm.
var ErrNotRSA = errors.New("not an RSA key")

// ParsePKIXRSAPublicKey reads a SubjectPublicKeyInfo holding an RSA key
// (ErrNotRSA for another algorithm) and accepts what
// x509.ParsePKIXPublicKey accepts of RSA keys.
func ParsePKIXRSAPublicKey(b []byte) (*rsa.PublicKey, error) {
	var spki publicKeyInfo
	if err := unmarshal(b, &spki); err != nil {
		return nil, err
	}
	if !spki.Algorithm.Algorithm.Equal(OIDRSA) {
		return nil, ErrNotRSA
	}
	// RFC 3279 2.3.1: the parameters are NULL.
	if !bytes.Equal(spki.Algorithm.Parameters.FullBytes, asn1.NullBytes) {
		return nil, errors.New("RSA key missing NULL parameters")
	}
	var pub pkcs1PublicKey
	if _, err := asn1.Unmarshal(spki.PublicKey.RightAlign(), &pub); err != nil {
		return nil, errors.New("invalid RSA public key")
	}
	if pub.N.Sign() <= 0 {
		return nil, errors.New("RSA modulus is not a positive number")
	}
	if pub.E <= 0 {
		return nil, errors.New("RSA public exponent is not a positive number")
	}
	return &rsa.PublicKey{N: pub.N, E: pub.E}, nil
}

// MarshalPKCS8RSAPrivateKey is the "PRIVATE KEY" (PKCS #8) DER of an RSA
// key, as x509.MarshalPKCS8PrivateKey writes it.
func MarshalPKCS8RSAPrivateKey(key *rsa.PrivateKey) []byte {
	b, _ := asn1.Marshal(pkcs8{Version: 0, Algo: rsaAlgorithm(), PrivateKey: MarshalPKCS1PrivateKey(key)})
	return b
}

// ParsePKCS8RSAPrivateKey reads a PKCS #8 PrivateKeyInfo holding an RSA key
// (ErrNotRSA for another algorithm).
func ParsePKCS8RSAPrivateKey(b []byte) (*rsa.PrivateKey, error) {
	var p pkcs8
	if _, err := asn1.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	if !p.Algo.Algorithm.Equal(OIDRSA) {
		return nil, ErrNotRSA
	}
	return ParsePKCS1PrivateKey(p.PrivateKey)
}
