package mech

import (
	"bytes"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"math/big"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// This file holds the DER (ASN.1) encodings of keys. RSA's and Ed25519's
// are package der's (crypto/x509's layout without crypto/x509, which the engine does
// not link); PKIX and PKCS #8 structures for EC and DSA, which crypto/x509
// cannot write (DSA) or know (secp256k1), are written here with
// encoding/asn1.

func oidRSA() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1} }
func oidEC() asn1.ObjectIdentifier  { return asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1} }
func oidDSA() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1} }

// subjectPublicKeyInfo is RFC 5280 4.1.2.7.
type subjectPublicKeyInfo struct {
	Algorithm keyder.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// pkcs8 is RFC 5208 PrivateKeyInfo. Attributes and the RFC 5958 public key
// are ignored on input (encoding/asn1 tolerates trailing elements).
type pkcs8 struct {
	Version    int
	Algo       keyder.AlgorithmIdentifier
	PrivateKey []byte
}

// ecPrivateKeyIn is SEC 1 C.4 ECPrivateKey as read; Params is kept raw
// (the whole [0] element) so explicit (non-named) parameters can be reported
// as unsupported rather than as garbage.
type ecPrivateKeyIn struct {
	Version    int
	PrivateKey []byte
	Params     asn1.RawValue  `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

// dsaPrivateKeyTraditional is OpenSSL's "DSA PRIVATE KEY" body.
type dsaPrivateKeyTraditional struct {
	Version       int
	P, Q, G, Y, X *big.Int
}

func algID(oid asn1.ObjectIdentifier, params any) (keyder.AlgorithmIdentifier, error) {
	der, err := asn1.Marshal(params)
	if err != nil {
		return keyder.AlgorithmIdentifier{}, err
	}
	return keyder.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: der}}, nil
}

// MarshalPublicKeyDER returns the PKIX SubjectPublicKeyInfo DER of an
// *rsa.PublicKey, *ECPublicKey, *ecdsa.PublicKey, *dsa.PublicKey,
// ed25519.PublicKey or *MLDSAPublicKey.
func MarshalPublicKeyDER(pub any) ([]byte, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrMalformedKey, len(k))
		}
		return keyder.MarshalPKIXEd25519PublicKey(k), nil
	case *MLDSAPublicKey:
		return marshalMLDSAPublic(k)
	case *rsa.PublicKey:
		if err := CheckRSAPublicKey(k); err != nil {
			return nil, err
		}
		return keyder.MarshalPKIXRSAPublicKey(k), nil
	case *ecdsa.PublicKey:
		ek, err := ECPublicKeyFromECDSA(k)
		if err != nil {
			return nil, err
		}
		return MarshalPublicKeyDER(ek)
	case *ECPublicKey:
		c, err := k.params()
		if err != nil {
			return nil, err
		}
		return c.marshalSPKI(k.pt), nil
	case *dsa.PublicKey:
		if err := checkDSAPublicKey(k); err != nil {
			return nil, err
		}
		alg, err := algID(oidDSA(), dsaParamsASN1{k.P, k.Q, k.G})
		if err != nil {
			return nil, err
		}
		y, err := asn1.Marshal(k.Y)
		if err != nil {
			return nil, err
		}
		return asn1.Marshal(subjectPublicKeyInfo{alg, asn1.BitString{Bytes: y, BitLength: 8 * len(y)}})
	}
	return nil, fmt.Errorf("%w: cannot encode public key of type %T", ErrUnsupportedKey, pub)
}

// MarshalPrivateKeyDER returns the PKCS #8 PrivateKeyInfo DER of an
// *rsa.PrivateKey, *ECKey, *ecdsa.PrivateKey, *dsa.PrivateKey,
// ed25519.PrivateKey or *MLDSAPrivateKey. Its length is what importPrivateKey prints as "BER
// encoded key length".
func MarshalPrivateKeyDER(priv any) ([]byte, error) {
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: Ed25519 private key of %d bytes", ErrMalformedKey, len(k))
		}
		return keyder.MarshalPKCS8Ed25519PrivateKey(k), nil
	case *MLDSAPrivateKey:
		return marshalMLDSAPrivate(k)
	case *rsa.PrivateKey:
		if k == nil {
			break
		}
		if err := CheckRSAPublicKey(&k.PublicKey); err != nil {
			return nil, err
		}
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		return keyder.MarshalPKCS8RSAPrivateKey(k), nil
	case *ecdsa.PrivateKey:
		ek, err := ECKeyFromECDSA(k)
		if err != nil {
			return nil, err
		}
		return MarshalPrivateKeyDER(ek)
	case *ECKey:
		// The constructors checked the point is the scalar's.
		c, err := k.params()
		if err != nil {
			return nil, err
		}
		return c.marshalPKCS8(k.d, k.pt), nil
	case *dsa.PrivateKey:
		if err := checkDSAPrivateKey(k); err != nil {
			return nil, err
		}
		inner, err := asn1.Marshal(k.X)
		if err != nil {
			return nil, err
		}
		alg, err := algID(oidDSA(), dsaParamsASN1{k.P, k.Q, k.G})
		if err != nil {
			return nil, err
		}
		return asn1.Marshal(pkcs8{Version: 0, Algo: alg, PrivateKey: inner})
	}
	return nil, fmt.Errorf("%w: cannot encode private key of type %T", ErrUnsupportedKey, priv)
}

// unmarshalExact is asn1.Unmarshal that also rejects trailing data, so that
// concatenated or truncated blobs are not silently accepted.
func unmarshalExact(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	return nil
}

// curveFromParams reads a namedCurve OID from AlgorithmIdentifier
// parameters or an "EC PARAMETERS" body.
func curveFromParams(der []byte) (int, error) {
	var oid asn1.ObjectIdentifier
	if err := unmarshalExact(der, &oid); err != nil {
		return 0, fmt.Errorf("%w: EC parameters are not a named curve (explicit or implicit parameters are not supported)", ErrUnsupportedKey)
	}
	info, err := curveByOID(oid)
	if err != nil {
		return 0, err
	}
	if !info.Supported {
		return 0, fmt.Errorf("%w: %s", ErrCurveNotSupported, info.Name)
	}
	return info.ID, nil
}

// ParsePublicKeyDER parses a PKIX SubjectPublicKeyInfo and returns an
// *rsa.PublicKey, *ECPublicKey or *dsa.PublicKey.
func ParsePublicKeyDER(der []byte) (any, error) {
	var spki subjectPublicKeyInfo
	if err := unmarshalExact(der, &spki); err != nil {
		return nil, fmt.Errorf("%w: not a SubjectPublicKeyInfo: %v", ErrMalformedKey, err)
	}
	alg := spki.Algorithm.Algorithm
	switch {
	case alg.Equal(oidRSA()):
		pub, err := keyder.ParsePKIXRSAPublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		if err := CheckRSAPublicKey(pub); err != nil {
			return nil, err
		}
		return pub, nil
	case alg.Equal(oidEC()):
		id, err := curveFromParams(spki.Algorithm.Parameters.FullBytes)
		if err != nil {
			return nil, err
		}
		if spki.PublicKey.BitLength%8 != 0 {
			return nil, fmt.Errorf("%w: EC public key bit string", ErrMalformedKey)
		}
		return asKey(newECPublicKey(id, spki.PublicKey.Bytes))
	case alg.Equal(oidEd25519()):
		return asKey(parseEd25519SPKI(der))
	case mldsaByOID(alg) != 0:
		return asKey(parseMLDSAPublic(spki, mldsaByOID(alg)))
	case alg.Equal(oidDSA()):
		var params dsaParamsASN1
		if err := unmarshalExact(spki.Algorithm.Parameters.FullBytes, &params); err != nil {
			return nil, fmt.Errorf("%w: DSA parameters: %v", ErrMalformedKey, err)
		}
		var y *big.Int
		if err := unmarshalExact(spki.PublicKey.Bytes, &y); err != nil || spki.PublicKey.BitLength%8 != 0 {
			return nil, fmt.Errorf("%w: DSA public value", ErrMalformedKey)
		}
		pub := &dsa.PublicKey{Parameters: dsa.Parameters{P: params.P, Q: params.Q, G: params.G}, Y: y}
		if err := checkDSAPublicKey(pub); err != nil {
			return nil, err
		}
		return pub, nil
	}
	return nil, fmt.Errorf("%w: public key algorithm %v", ErrUnsupportedKey, alg)
}

// ParsePrivateKeyDER parses a private key in PKCS #8 DER and, as a
// convenience for raw DER files, also PKCS #1 RSA, SEC 1 EC (with a named
// curve) and OpenSSL's traditional DSA layout. It returns an
// *rsa.PrivateKey, *ECKey or *dsa.PrivateKey, always validated.
func ParsePrivateKeyDER(der []byte) (any, error) {
	var p8 pkcs8
	if err := unmarshalExact(der, &p8); err == nil && len(p8.Algo.Algorithm) > 0 {
		return parsePKCS8(p8)
	}
	if k, err := parsePKCS1(der); err == nil {
		return k, nil
	}
	if k, err := parseSEC1(der, 0); err == nil {
		return k, nil
	}
	if k, err := parseDSATraditional(der); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: not a PKCS #8, PKCS #1, SEC 1 or DSA private key", ErrMalformedKey)
}

func parsePKCS8(p8 pkcs8) (any, error) {
	if p8.Version != 0 && p8.Version != 1 {
		return nil, fmt.Errorf("%w: PKCS #8 version %d", ErrMalformedKey, p8.Version)
	}
	alg := p8.Algo.Algorithm
	switch {
	case alg.Equal(oidRSA()):
		return asKey(parsePKCS1(p8.PrivateKey))
	case alg.Equal(oidEC()):
		id, err := curveFromParams(p8.Algo.Parameters.FullBytes)
		if err != nil {
			return nil, err
		}
		return asKey(parseSEC1(p8.PrivateKey, id))
	case alg.Equal(oidEd25519()):
		return asKey(parseEd25519PKCS8(p8.PrivateKey))
	case mldsaByOID(alg) != 0:
		return asKey(parseMLDSAPrivate(p8.PrivateKey, mldsaByOID(alg)))
	case alg.Equal(oidDSA()):
		var params dsaParamsASN1
		if err := unmarshalExact(p8.Algo.Parameters.FullBytes, &params); err != nil {
			return nil, fmt.Errorf("%w: DSA parameters: %v", ErrMalformedKey, err)
		}
		var x *big.Int
		if err := unmarshalExact(p8.PrivateKey, &x); err != nil {
			return nil, fmt.Errorf("%w: DSA private value: %v", ErrMalformedKey, err)
		}
		k := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsa.Parameters{P: params.P, Q: params.Q, G: params.G}}, X: x}
		if err := checkDSAParameters(&k.Parameters); err != nil {
			return nil, err
		}
		if x == nil || x.Sign() <= 0 || x.Cmp(k.Q) >= 0 {
			return nil, fmt.Errorf("%w: DSA x out of range", ErrMalformedKey)
		}
		k.Y = new(big.Int).Exp(k.G, x, k.P)
		return k, nil
	}
	return nil, fmt.Errorf("%w: private key algorithm %v", ErrUnsupportedKey, alg)
}

func parsePKCS1(der []byte) (*rsa.PrivateKey, error) {
	k, err := keyder.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	if err := CheckRSAPublicKey(&k.PublicKey); err != nil {
		return nil, err
	}
	return k, nil
}

// parseSEC1 parses an ECPrivateKey. curveID is the curve named outside the
// structure (PKCS #8 AlgorithmIdentifier or a preceding EC PARAMETERS
// block), 0 if none; parameters inside the structure take precedence and
// must agree with it.
func parseSEC1(der []byte, curveID int) (*ECKey, error) {
	var sec ecPrivateKeyIn
	if err := unmarshalExact(der, &sec); err != nil {
		return nil, fmt.Errorf("%w: not an ECPrivateKey: %v", ErrMalformedKey, err)
	}
	if sec.Version != 1 {
		return nil, fmt.Errorf("%w: ECPrivateKey version %d", ErrMalformedKey, sec.Version)
	}
	if len(sec.Params.FullBytes) > 0 {
		// For a RawValue with an explicit tag, encoding/asn1 keeps the
		// outer [0] element; its content is the ECParameters choice.
		id, err := curveFromParams(sec.Params.Bytes)
		if err != nil {
			return nil, err
		}
		if curveID != 0 && id != curveID {
			return nil, fmt.Errorf("%w: conflicting EC curve parameters", ErrMalformedKey)
		}
		curveID = id
	}
	if curveID == 0 {
		return nil, fmt.Errorf("%w: EC private key names no curve", ErrMalformedKey)
	}
	c, err := curveParams(curveID)
	if err != nil {
		return nil, err
	}
	if len(sec.PrivateKey) == 0 || len(sec.PrivateKey) > c.ByteLen+1 {
		return nil, fmt.Errorf("%w: EC private key of %d bytes", ErrMalformedKey, len(sec.PrivateKey))
	}
	k, err := ecKeyFromScalar(curveID, c, sec.PrivateKey)
	if err != nil {
		return nil, err
	}
	if len(sec.PublicKey.Bytes) > 0 {
		pt, err := c.decodePoint(sec.PublicKey.Bytes)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(pt, k.pt) {
			return nil, fmt.Errorf("%w: EC public key does not match private key", ErrMalformedKey)
		}
	}
	return k, nil
}

func parseDSATraditional(der []byte) (*dsa.PrivateKey, error) {
	var t dsaPrivateKeyTraditional
	if err := unmarshalExact(der, &t); err != nil {
		return nil, fmt.Errorf("%w: not a DSA private key: %v", ErrMalformedKey, err)
	}
	if t.Version != 0 {
		return nil, fmt.Errorf("%w: DSA private key version %d", ErrMalformedKey, t.Version)
	}
	k := &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsa.Parameters{P: t.P, Q: t.Q, G: t.G}, Y: t.Y}, X: t.X}
	if err := checkDSAPrivateKey(k); err != nil {
		return nil, err
	}
	return k, nil
}

// asKey converts a typed parse result to (any, error) so that a failed parse
// returns a true nil interface rather than a typed nil pointer, which
// callers comparing the key against nil would otherwise mistake for a key.
func asKey[K any](k K, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return k, nil
}
