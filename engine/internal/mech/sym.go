package mech

import (
	"bytes"
	"fmt"
	"io"
)

// Symmetric key size limits, in bytes, as genSymKey enforces them.
const (
	// GenericSecretMaxSize: genSymKey documents "less than 3584" bytes.
	GenericSecretMaxSize = 3583
	// RC4MinSize and RC4MaxSize follow the PKCS #11 CKM_RC4_KEY_GEN range
	// (40 to 2048 bits); genSymKey itself gives no range.
	RC4MinSize = 5
	RC4MaxSize = 256
	// DES3Size: genSymKey accepts only 24-byte (three-key) Triple DES.
	DES3Size = 24
)

// CheckSecretSize reports whether size (bytes) is a valid genSymKey -s value
// for the key type. It is separate from GenerateSecret so that command
// parsers can reject a bad -s before consuming randomness.
func CheckSecretSize(t KeyType, size int) error {
	ok := false
	switch t {
	case KeyTypeAES:
		ok = size == 16 || size == 24 || size == 32
	case KeyTypeDES3:
		ok = size == DES3Size
	case KeyTypeGenericSecret:
		ok = size >= 1 && size <= GenericSecretMaxSize
	case KeyTypeRC4:
		ok = size >= RC4MinSize && size <= RC4MaxSize
	default:
		return fmt.Errorf("%w: %v is not a symmetric key type", ErrBadKeyType, t)
	}
	if !ok {
		return fmt.Errorf("%w: %d bytes for %v", ErrBadKeySize, size, t)
	}
	return nil
}

// GenerateSecret returns size random bytes read from r for a secret key of
// type t. DES3 keys get their DES parity bits set to odd parity, because a
// real HSM stores them that way and the check value is computed from the
// adjusted bytes; a DES3 key whose thirds collapse to single DES (K1 == K2
// or K2 == K3) is redrawn.
func GenerateSecret(r io.Reader, t KeyType, size int) ([]byte, error) {
	if err := CheckSecretSize(t, size); err != nil {
		return nil, err
	}
	key := make([]byte, size)
	if t != KeyTypeDES3 {
		if err := readRandom(r, key); err != nil {
			return nil, err
		}
		return key, nil
	}
	for range maxRejections {
		if err := readRandom(r, key); err != nil {
			return nil, err
		}
		SetDESParity(key)
		if !bytes.Equal(key[0:8], key[8:16]) && !bytes.Equal(key[8:16], key[16:24]) {
			return key, nil
		}
	}
	return nil, fmt.Errorf("%w: cannot draw a non-degenerate DES3 key", ErrRandom)
}

// SetDESParity sets the least significant bit of every byte so that each
// byte has odd parity, the DES key convention (FIPS 46-3).
func SetDESParity(key []byte) {
	for i, b := range key {
		b &^= 1
		p := b ^ b>>4
		p ^= p >> 2
		p ^= p >> 1
		if p&1 == 0 {
			b |= 1
		}
		key[i] = b
	}
}

// HasDESParity reports whether every byte of key has odd parity.
func HasDESParity(key []byte) bool {
	for _, b := range key {
		p := b ^ b>>4
		p ^= p >> 2
		p ^= p >> 1
		if p&1 == 0 {
			return false
		}
	}
	return true
}
