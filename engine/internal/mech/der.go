package mech

import (
	"bytes"
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"math/big"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// This file holds the DER encodings of keys, all written and read with
// package der: RSA's and Ed25519's are crypto/x509's layout, EC's and
// DSA's (which crypto/x509 cannot write, DSA, or know, secp256k1) the
// PKIX and PKCS #8 structures of RFC 5480, RFC 5915 and RFC 3279.

func oidRSA() keyder.OID { return keyder.OIDRSA }
func oidEC() keyder.OID  { return keyder.OIDEC }
func oidDSA() keyder.OID { return keyder.OIDDSA }

// dsaAlgorithm is id-dsa with the key's Dss-Parms.
func dsaAlgorithm(p dsa.Parameters) keyder.AlgorithmIdentifier {
	return keyder.AlgorithmIdentifier{Algorithm: oidDSA(), Parameters: keyder.DSAParameters{P: p.P, Q: p.Q, G: p.G}.Marshal()}
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
		return keyder.PublicKeyInfo{Algorithm: dsaAlgorithm(k.Parameters), PublicKey: keyder.Integer(k.Y)}.Marshal(), nil
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
		return keyder.PrivateKeyInfo{Algorithm: dsaAlgorithm(k.Parameters), PrivateKey: keyder.Integer(k.X)}.Marshal(), nil
	}
	return nil, fmt.Errorf("%w: cannot encode private key of type %T", ErrUnsupportedKey, priv)
}

// curveFromParams reads a namedCurve OID from AlgorithmIdentifier
// parameters or an "EC PARAMETERS" body.
func curveFromParams(der []byte) (int, error) {
	oid, err := keyder.ParseOID(der)
	if err != nil {
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
	spki, err := keyder.ParsePublicKeyInfo(der)
	if err != nil {
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
		id, err := curveFromParams(spki.Algorithm.Parameters)
		if err != nil {
			return nil, err
		}
		if spki.Bits%8 != 0 {
			return nil, fmt.Errorf("%w: EC public key bit string", ErrMalformedKey)
		}
		return asKey(newECPublicKey(id, spki.PublicKey))
	case alg.Equal(oidEd25519()):
		return asKey(parseEd25519SPKI(der))
	case mldsaByOID(alg) != 0:
		return asKey(parseMLDSAPublic(spki, mldsaByOID(alg)))
	case alg.Equal(oidDSA()):
		params, err := keyder.ParseDSAParameters(spki.Algorithm.Parameters)
		if err != nil {
			return nil, fmt.Errorf("%w: DSA parameters: %v", ErrMalformedKey, err)
		}
		y, err := keyder.ParseInteger(spki.PublicKey)
		if err != nil || spki.Bits%8 != 0 {
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
	if p8, err := keyder.ParsePrivateKeyInfo(der); err == nil {
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

func parsePKCS8(p8 keyder.PrivateKeyInfo) (any, error) {
	if p8.Version != 0 && p8.Version != 1 {
		return nil, fmt.Errorf("%w: PKCS #8 version %d", ErrMalformedKey, p8.Version)
	}
	alg := p8.Algorithm.Algorithm
	switch {
	case alg.Equal(oidRSA()):
		return asKey(parsePKCS1(p8.PrivateKey))
	case alg.Equal(oidEC()):
		id, err := curveFromParams(p8.Algorithm.Parameters)
		if err != nil {
			return nil, err
		}
		return asKey(parseSEC1(p8.PrivateKey, id))
	case alg.Equal(oidEd25519()):
		return asKey(parseEd25519PKCS8(p8.PrivateKey))
	case mldsaByOID(alg) != 0:
		return asKey(parseMLDSAPrivate(p8.PrivateKey, mldsaByOID(alg)))
	case alg.Equal(oidDSA()):
		params, err := keyder.ParseDSAParameters(p8.Algorithm.Parameters)
		if err != nil {
			return nil, fmt.Errorf("%w: DSA parameters: %v", ErrMalformedKey, err)
		}
		x, err := keyder.ParseInteger(p8.PrivateKey)
		if err != nil {
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
	sec, err := keyder.ParseECPrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: not an ECPrivateKey: %v", ErrMalformedKey, err)
	}
	if sec.Version != 1 {
		return nil, fmt.Errorf("%w: ECPrivateKey version %d", ErrMalformedKey, sec.Version)
	}
	if sec.Params != nil {
		id, err := curveFromParams(sec.Params)
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
	if len(sec.PublicKey) > 0 {
		pt, err := c.decodePoint(sec.PublicKey)
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
	t, err := keyder.ParseDSAPrivateKey(der)
	if err != nil {
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
