package mech

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"io"
)

// GCM sizes. The IV is always the 96-bit size GCM is designed for; the tag
// may be shortened down to GCMMinTagSize bytes, the minimum the wrapKey
// -tag_size option accepts.
const (
	GCMIVSize      = 12
	GCMTagSize     = 16
	GCMMinTagSize  = 8
	gcmStdMinTagSz = 12 // smallest tag crypto/cipher.NewGCMWithTagSize takes
)

func newGCM(key []byte) (cipher.AEAD, error) {
	switch len(key) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("%w: AES key of %d bytes", ErrBadKeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeySize, err)
	}
	return cipher.NewGCM(b)
}

func checkTagSize(tagSize int) error {
	if tagSize < GCMMinTagSize || tagSize > GCMTagSize {
		return fmt.Errorf("%w: GCM tag size %d (want %d..%d)", ErrBadParameter, tagSize, GCMMinTagSize, GCMTagSize)
	}
	return nil
}

// gcmSeal returns ct || tag[:tagSize]. GCM's tag truncation is simply the
// leftmost bytes of the full tag (SP 800-38D 7.1), so a full 16-byte seal
// truncated is exactly what a shorter-tag GCM would produce; this lets us
// support the 8..11-byte tags that crypto/cipher refuses.
func gcmSeal(key, iv, plaintext, aad []byte, tagSize int) ([]byte, error) {
	if err := checkTagSize(tagSize); err != nil {
		return nil, err
	}
	if len(iv) != GCMIVSize {
		return nil, fmt.Errorf("%w: GCM IV of %d bytes", ErrBadParameter, len(iv))
	}
	g, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	full := g.Seal(nil, iv, plaintext, aad)
	return full[:len(plaintext)+tagSize], nil
}

// gcmOpen authenticates and decrypts ct || tag. For tag sizes the standard
// library supports it is used directly. For shorter tags the plaintext is
// recovered by running the CTR keystream (sealing the ciphertext yields
// ciphertext XOR keystream), the full tag is recomputed over the recovered
// plaintext and its prefix is compared in constant time.
func gcmOpen(key, iv, sealed, aad []byte, tagSize int) ([]byte, error) {
	if err := checkTagSize(tagSize); err != nil {
		return nil, err
	}
	if len(iv) != GCMIVSize {
		return nil, fmt.Errorf("%w: GCM IV of %d bytes", ErrBadParameter, len(iv))
	}
	if len(sealed) < tagSize {
		return nil, fmt.Errorf("%w: GCM data shorter than the tag", ErrUnwrapIntegrity)
	}
	if len(key) != 16 && len(key) != 24 && len(key) != 32 {
		return nil, fmt.Errorf("%w: AES key of %d bytes", ErrBadKeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeySize, err)
	}
	if tagSize >= gcmStdMinTagSz {
		g, err := cipher.NewGCMWithTagSize(b, tagSize)
		if err != nil {
			return nil, err
		}
		pt, err := g.Open(nil, iv, sealed, aad)
		if err != nil {
			return nil, ErrUnwrapIntegrity
		}
		return pt, nil
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	ct, tag := sealed[:len(sealed)-tagSize], sealed[len(sealed)-tagSize:]
	pt := g.Seal(nil, iv, ct, nil)[:len(ct)]
	full := g.Seal(nil, iv, pt, aad)
	if subtle.ConstantTimeCompare(full[len(pt):len(pt)+tagSize], tag) != 1 {
		return nil, ErrUnwrapIntegrity
	}
	return pt, nil
}

// SealGCM encrypts plaintext with AES-GCM under key (16, 24 or 32 bytes)
// and returns iv || ciphertext || tag with a fresh 12-byte IV read from r
// and a 16-byte tag. The self-describing layout is what masked objects and
// aesWrapUnwrap store, so the IV never has to be managed separately.
func SealGCM(r io.Reader, key, plaintext, aad []byte) ([]byte, error) {
	iv := make([]byte, GCMIVSize)
	if err := readRandom(r, iv); err != nil {
		return nil, err
	}
	ct, err := gcmSeal(key, iv, plaintext, aad, GCMTagSize)
	if err != nil {
		return nil, err
	}
	return append(iv, ct...), nil
}

// OpenGCM reverses SealGCM. Tampering, a wrong key or wrong aad give
// ErrUnwrapIntegrity.
func OpenGCM(key, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < GCMIVSize+GCMTagSize {
		return nil, fmt.Errorf("%w: sealed data of %d bytes is too short", ErrUnwrapIntegrity, len(sealed))
	}
	return gcmOpen(key, sealed[:GCMIVSize], sealed[GCMIVSize:], aad, GCMTagSize)
}
