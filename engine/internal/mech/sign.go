package mech

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
)

// SignFamily groups signing mechanisms by the key and padding they use.
type SignFamily int

// Signing families.
const (
	FamilyRSAPKCS SignFamily = iota + 1 // RSASSA-PKCS1-v1_5
	FamilyRSAPSS                        // RSASSA-PSS
	FamilyECDSA                         // ECDSA
)

// String returns "RSA_PKCS", "RSA_PSS" or "ECDSA".
func (f SignFamily) String() string {
	switch f {
	case FamilyRSAPKCS:
		return "RSA_PKCS"
	case FamilyRSAPSS:
		return "RSA_PSS"
	case FamilyECDSA:
		return "ECDSA"
	}
	return fmt.Sprintf("SignFamily(%d)", int(f))
}

// KeyType returns the key type the family signs with.
func (f SignFamily) KeyType() KeyType {
	if f == FamilyECDSA {
		return KeyTypeEC
	}
	return KeyTypeRSA
}

// Signing mechanisms: the sign / verify -m values.
const (
	SignSHA1RSAPKCS      = 0
	SignSHA256RSAPKCS    = 1
	SignSHA384RSAPKCS    = 2
	SignSHA512RSAPKCS    = 3
	SignSHA224RSAPKCS    = 4
	SignSHA1RSAPKCSPSS   = 5
	SignSHA256RSAPKCSPSS = 6
	SignSHA384RSAPKCSPSS = 7
	SignSHA512RSAPKCSPSS = 8
	SignSHA224RSAPKCSPSS = 9
	SignECDSASHA1        = 15
	SignECDSASHA224      = 16
	SignECDSASHA256      = 17
	SignECDSASHA384      = 18
	SignECDSASHA512      = 19
)

// SignMech describes one signing mechanism.
type SignMech struct {
	ID     int
	Name   string // as the sign page lists it, e.g. "SHA256_RSA_PKCS"
	Hash   crypto.Hash
	Family SignFamily
}

// SignMechanisms returns all mechanisms in -m order (0..9, 15..19).
func SignMechanisms() []SignMech {
	return []SignMech{
		{SignSHA1RSAPKCS, "SHA1_RSA_PKCS", crypto.SHA1, FamilyRSAPKCS},
		{SignSHA256RSAPKCS, "SHA256_RSA_PKCS", crypto.SHA256, FamilyRSAPKCS},
		{SignSHA384RSAPKCS, "SHA384_RSA_PKCS", crypto.SHA384, FamilyRSAPKCS},
		{SignSHA512RSAPKCS, "SHA512_RSA_PKCS", crypto.SHA512, FamilyRSAPKCS},
		{SignSHA224RSAPKCS, "SHA224_RSA_PKCS", crypto.SHA224, FamilyRSAPKCS},
		{SignSHA1RSAPKCSPSS, "SHA1_RSA_PKCS_PSS", crypto.SHA1, FamilyRSAPSS},
		{SignSHA256RSAPKCSPSS, "SHA256_RSA_PKCS_PSS", crypto.SHA256, FamilyRSAPSS},
		{SignSHA384RSAPKCSPSS, "SHA384_RSA_PKCS_PSS", crypto.SHA384, FamilyRSAPSS},
		{SignSHA512RSAPKCSPSS, "SHA512_RSA_PKCS_PSS", crypto.SHA512, FamilyRSAPSS},
		{SignSHA224RSAPKCSPSS, "SHA224_RSA_PKCS_PSS", crypto.SHA224, FamilyRSAPSS},
		{SignECDSASHA1, "ECDSA_SHA1", crypto.SHA1, FamilyECDSA},
		{SignECDSASHA224, "ECDSA_SHA224", crypto.SHA224, FamilyECDSA},
		{SignECDSASHA256, "ECDSA_SHA256", crypto.SHA256, FamilyECDSA},
		{SignECDSASHA384, "ECDSA_SHA384", crypto.SHA384, FamilyECDSA},
		{SignECDSASHA512, "ECDSA_SHA512", crypto.SHA512, FamilyECDSA},
	}
}

// SignMechanism looks up a sign/verify -m value; 10..14 are a documented
// gap and return ErrBadMechanism like any other unknown value.
func SignMechanism(m int) (SignMech, error) {
	for _, s := range SignMechanisms() {
		if s.ID == m {
			return s, nil
		}
	}
	return SignMech{}, fmt.Errorf("%w: signing mechanism %d", ErrBadMechanism, m)
}

func (s SignMech) digest(message []byte) []byte {
	h := s.Hash.New()
	h.Write(message)
	return h.Sum(nil)
}

// Sign hashes message with the mechanism's hash and signs it.
//
//   - RSA PKCS #1 v1.5: deterministic, RFC 8017 8.2.
//   - RSA PSS: salt length = hash length and MGF1 with the same hash (the
//     PKCS #11 convention, CK_RSA_PKCS_PSS_PARAMS with sLen = hLen; AWS
//     documents no PSS parameters). The salt is read from r.
//   - ECDSA: the signature is DER SEQUENCE { r, s }, the form OpenSSL
//     (openssl dgst -verify) reads; works on all supported curves including
//     secp256k1. The nonce is derived from r, see ecdsaSign.
//
// priv is an *rsa.PrivateKey, *ECKey or *ecdsa.PrivateKey. A key that does
// not fit the mechanism's family gives ErrKeyTypeMismatch.
func Sign(r io.Reader, m int, priv any, message []byte) ([]byte, error) {
	s, err := SignMechanism(m)
	if err != nil {
		return nil, err
	}
	switch s.Family {
	case FamilyRSAPKCS, FamilyRSAPSS:
		k, ok := priv.(*rsa.PrivateKey)
		if !ok || k == nil {
			return nil, fmt.Errorf("%w: %s needs an RSA private key, got %T", ErrKeyTypeMismatch, s.Name, priv)
		}
		if err := CheckRSAPublicKey(&k.PublicKey); err != nil {
			return nil, err
		}
		// PSS needs emLen >= 2·hLen + 2 (RFC 8017 9.1.1 with sLen = hLen);
		// only small imported keys with big hashes (RSA-1024 + SHA-512)
		// miss it, and that is a key-size problem, not a malformed key.
		if emLen := (k.N.BitLen() + 6) / 8; s.Family == FamilyRSAPSS && emLen < 2*s.Hash.Size()+2 {
			return nil, fmt.Errorf("%w: %d-bit RSA key is too small for %s", ErrBadKeySize, k.N.BitLen(), s.Name)
		}
		digest := s.digest(message)
		var sig []byte
		if s.Family == FamilyRSAPKCS {
			sig, err = rsa.SignPKCS1v15(nil, k, s.Hash, digest)
		} else {
			if r == nil {
				return nil, fmt.Errorf("%w: nil reader", ErrRandom)
			}
			sig, err = rsa.SignPSS(r, k, s.Hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		if err != nil {
			// The size rules are checked above, so crypto/rsa only fails
			// on inconsistent key material.
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformedKey, s.Name, err)
		}
		return sig, nil
	default:
		k, err := ecPrivateArg(priv)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrKeyTypeMismatch, s.Name, err)
		}
		return ecdsaSign(r, k, s.digest(message))
	}
}

// Verify checks sig over message. pub is an *rsa.PublicKey, *ECPublicKey or
// *ecdsa.PublicKey (a private key is accepted too and its public half is
// used). PSS signatures must use salt length = hash length, matching Sign.
// A signature that does not verify gives ErrBadSignature.
func Verify(m int, pub any, message, sig []byte) error {
	s, err := SignMechanism(m)
	if err != nil {
		return err
	}
	if p := PublicOf(pub); p != nil {
		pub = p
	}
	switch s.Family {
	case FamilyRSAPKCS, FamilyRSAPSS:
		k, ok := pub.(*rsa.PublicKey)
		if !ok || k == nil {
			return fmt.Errorf("%w: %s needs an RSA public key, got %T", ErrKeyTypeMismatch, s.Name, pub)
		}
		if err := CheckRSAPublicKey(k); err != nil {
			return err
		}
		digest := s.digest(message)
		if s.Family == FamilyRSAPKCS {
			err = rsa.VerifyPKCS1v15(k, s.Hash, digest, sig)
		} else {
			err = rsa.VerifyPSS(k, s.Hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		if err != nil {
			return ErrBadSignature
		}
		return nil
	default:
		var k *ECPublicKey
		switch v := pub.(type) {
		case *ECPublicKey:
			k = v
		case *ecdsa.PublicKey:
			if k, err = ECPublicKeyFromECDSA(v); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%w: %s needs an EC public key, got %T", ErrKeyTypeMismatch, s.Name, pub)
		}
		return ecdsaVerify(k, s.digest(message), sig)
	}
}

func ecPrivateArg(priv any) (*ECKey, error) {
	switch v := priv.(type) {
	case *ECKey:
		if v == nil {
			return nil, errors.New("nil EC key")
		}
		return v, nil
	case *ecdsa.PrivateKey:
		return ECKeyFromECDSA(v)
	}
	return nil, fmt.Errorf("need an EC private key, got %T", priv)
}
