package mech

import (
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
)

// The simulator passes asymmetric keys around as the concrete types this
// package produces (*rsa.PrivateKey, *ECKey, *dsa.PrivateKey and their
// public halves). These helpers let callers treat them uniformly.

// PublicOf returns the public half of a private key (*rsa.PublicKey,
// *ECPublicKey, *dsa.PublicKey, ed25519.PublicKey or *MLDSAPublicKey).
// Public keys are returned as they are,
// with *ecdsa keys converted to the package's EC types; anything else gives
// nil.
func PublicOf(key any) any {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k != nil {
			return &k.PublicKey
		}
	case *ECKey:
		if k != nil {
			return k.Public()
		}
	case *dsa.PrivateKey:
		if k != nil {
			return &k.PublicKey
		}
	case *ecdsa.PrivateKey:
		if k != nil {
			if p, err := ECPublicKeyFromECDSA(&k.PublicKey); err == nil {
				return p
			}
		}
	case *ecdsa.PublicKey:
		if p, err := ECPublicKeyFromECDSA(k); err == nil {
			return p
		}
	case *rsa.PublicKey:
		if k != nil {
			return k
		}
	case *ECPublicKey:
		if k != nil {
			return k
		}
	case *dsa.PublicKey:
		if k != nil {
			return k
		}
	case ed25519.PrivateKey:
		if len(k) == ed25519.PrivateKeySize {
			return k.Public().(ed25519.PublicKey)
		}
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			return k
		}
	case *MLDSAPrivateKey:
		if k != nil {
			return k.Public()
		}
	case *MLDSAPublicKey:
		if k != nil {
			return k
		}
	}
	return nil
}

// KeyTypeOf returns the key_mgmt_util key type of an asymmetric key (either
// half), e.g. to fill OBJ_ATTR_KEY_TYPE after importPrivateKey.
func KeyTypeOf(key any) (KeyType, error) {
	switch PublicOf(key).(type) {
	case *rsa.PublicKey:
		return KeyTypeRSA, nil
	case *ECPublicKey:
		return KeyTypeEC, nil
	case *dsa.PublicKey:
		return KeyTypeDSA, nil
	case ed25519.PublicKey:
		return KeyTypeECEdwards, nil
	case *MLDSAPublicKey:
		return KeyTypeMLDSA, nil
	}
	return 0, fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
}
