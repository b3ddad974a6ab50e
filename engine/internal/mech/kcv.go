package mech

import (
	"crypto"
	"crypto/aes"
	"crypto/des"
	"crypto/sha1"
	"fmt"
)

// KCVSize is the length of a key check value (OBJ_ATTR_KCV) in bytes.
const KCVSize = 3

// CheckValue computes the 3-byte key check value the HSM reports for a
// secret key. For block-cipher keys (AES, DES3) it is the conventional KCV:
// the first three bytes of the ECB encryption of one all-zero block, which
// lets users compare a key with an external system without revealing it.
// GENERIC_SECRET and RC4 keys have no block cipher, so the simulator uses
// the first three bytes of SHA-1 of the key value (a documented simulator
// choice; AWS does not publish its method for these types).
func CheckValue(t KeyType, value []byte) ([]byte, error) {
	switch t {
	case KeyTypeAES:
		b, err := aes.NewCipher(value)
		if err != nil {
			return nil, fmt.Errorf("%w: AES key of %d bytes", ErrBadKeySize, len(value))
		}
		out := make([]byte, aes.BlockSize)
		b.Encrypt(out, out)
		return out[:KCVSize], nil
	case KeyTypeDES3:
		k := value
		if len(k) == 16 { // two-key Triple DES: K3 = K1
			k = append(append([]byte{}, value...), value[:8]...)
		}
		b, err := des.NewTripleDESCipher(k)
		if err != nil {
			return nil, fmt.Errorf("%w: DES3 key of %d bytes", ErrBadKeySize, len(value))
		}
		out := make([]byte, des.BlockSize)
		b.Encrypt(out, out)
		return out[:KCVSize], nil
	case KeyTypeGenericSecret, KeyTypeRC4:
		if len(value) == 0 {
			return nil, fmt.Errorf("%w: empty %v key", ErrBadKeySize, t)
		}
		sum := sha1.Sum(value)
		return sum[:KCVSize], nil
	}
	return nil, fmt.Errorf("%w: no check value for %v", ErrBadKeyType, t)
}

// PublicCheckValue returns a 3-byte check value for a public key: the first
// three bytes of SHA-1 over its PKIX (SubjectPublicKeyInfo) DER encoding.
// This is a simulator choice: it gives both halves of a key pair a stable,
// comparable fingerprint. It returns nil for keys it cannot encode.
func PublicCheckValue(pub crypto.PublicKey) []byte {
	der, err := MarshalPublicKeyDER(pub)
	if err != nil {
		return nil
	}
	return PublicDERCheckValue(der)
}

// PublicDERCheckValue is PublicCheckValue of the key whose PKIX DER the
// caller already holds.
func PublicDERCheckValue(der []byte) []byte {
	sum := sha1.Sum(der)
	return sum[:KCVSize]
}
