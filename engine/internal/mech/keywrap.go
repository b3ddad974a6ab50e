package mech

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// This file implements the three AES key-wrap variants CloudHSM offers
// (manage-aes-key-wrapping): RFC 3394 without padding (-m 5), RFC 5649 with
// "zero" padding (-m 6) and the vendor "PKCS #5 padding" variant (-m 4).

// defaultKeyWrapIV is the RFC 3394 default initial value, the only explicit
// IV CloudHSM accepts for the no-padding and PKCS #5 variants. Constants
// (not byte-array variables) keep the package free of mutable globals.
const defaultKeyWrapIV uint64 = 0xA6A6A6A6A6A6A6A6

// kwpMagic is the RFC 5649 alternative initial value prefix.
const kwpMagic uint32 = 0xA65959A6

// DefaultKeyWrapIV returns the RFC 3394 default IV A6A6A6A6A6A6A6A6.
func DefaultKeyWrapIV() []byte { return binary.BigEndian.AppendUint64(nil, defaultKeyWrapIV) }

// maxKWPLen is the largest plaintext RFC 5649 can carry (32-bit MLI).
const maxKWPLen = 1<<32 - 1

func newKEK(kek []byte) (cipher.Block, error) {
	switch len(kek) {
	case 16, 24, 32:
	default:
		return nil, fmt.Errorf("%w: AES wrapping key of %d bytes", ErrBadKeySize, len(kek))
	}
	return aes.NewCipher(kek)
}

// wrapCore is the RFC 3394 2.2.1 wrapping process W (index-based form) for
// plaintext of n >= 1 semiblocks.
func wrapCore(b cipher.Block, iv uint64, plaintext []byte) []byte {
	n := len(plaintext) / 8
	out := make([]byte, 8+len(plaintext))
	copy(out[8:], plaintext)
	a := iv
	var buf [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			binary.BigEndian.PutUint64(buf[:8], a)
			copy(buf[8:], out[8*i:8*i+8])
			b.Encrypt(buf[:], buf[:])
			a = binary.BigEndian.Uint64(buf[:8]) ^ uint64(n*j+i)
			copy(out[8*i:8*i+8], buf[8:])
		}
	}
	binary.BigEndian.PutUint64(out[:8], a)
	return out
}

// unwrapCore is the inverse W⁻¹; it returns the recovered integrity value A
// and the plaintext. The caller checks A.
func unwrapCore(b cipher.Block, ciphertext []byte) (uint64, []byte) {
	n := len(ciphertext)/8 - 1
	p := make([]byte, 8*n)
	copy(p, ciphertext[8:])
	a := binary.BigEndian.Uint64(ciphertext[:8])
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			binary.BigEndian.PutUint64(buf[:8], a^uint64(n*j+i))
			copy(buf[8:], p[8*(i-1):8*i])
			b.Decrypt(buf[:], buf[:])
			a = binary.BigEndian.Uint64(buf[:8])
			copy(p[8*(i-1):8*i], buf[8:])
		}
	}
	return a, p
}

// AESKeyWrap wraps plaintext with kek using RFC 3394 and the default IV.
// The plaintext must be a multiple of 8 bytes and at least 16 bytes, which
// is why this mechanism is only for block-aligned keys (AES, DES3).
func AESKeyWrap(kek, plaintext []byte) ([]byte, error) {
	b, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(plaintext) < 16 || len(plaintext)%8 != 0 {
		return nil, fmt.Errorf("%w: RFC 3394 needs a multiple of 8 bytes, at least 16 (got %d)", ErrWrapSize, len(plaintext))
	}
	return wrapCore(b, defaultKeyWrapIV, plaintext), nil
}

// AESKeyUnwrap reverses AESKeyWrap; a wrong key or modified ciphertext gives
// ErrUnwrapIntegrity.
func AESKeyUnwrap(kek, ciphertext []byte) ([]byte, error) {
	b, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < 24 || len(ciphertext)%8 != 0 {
		return nil, fmt.Errorf("%w: RFC 3394 ciphertext of %d bytes", ErrUnwrapIntegrity, len(ciphertext))
	}
	a, p := unwrapCore(b, ciphertext)
	if !ivEqual(a, defaultKeyWrapIV) {
		return nil, ErrUnwrapIntegrity
	}
	return p, nil
}

// AESKeyWrapPad wraps plaintext of any length from 1 byte using RFC 5649:
// the alternative IV A65959A6 || 32-bit length, zero padding to a multiple
// of 8, and a single AES block encryption when the padded input is 8 bytes.
func AESKeyWrapPad(kek, plaintext []byte) ([]byte, error) {
	b, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(plaintext) == 0 || uint64(len(plaintext)) > maxKWPLen {
		return nil, fmt.Errorf("%w: RFC 5649 plaintext of %d bytes", ErrWrapSize, len(plaintext))
	}
	aiv := uint64(kwpMagic)<<32 | uint64(len(plaintext))
	padded := make([]byte, (len(plaintext)+7)/8*8)
	copy(padded, plaintext)
	if len(padded) == 8 {
		out := binary.BigEndian.AppendUint64(make([]byte, 0, 16), aiv)
		out = append(out, padded...)
		b.Encrypt(out, out)
		return out, nil
	}
	return wrapCore(b, aiv, padded), nil
}

// AESKeyUnwrapPad reverses AESKeyWrapPad, checking the magic value, the
// length indicator and that all padding bytes are zero (RFC 5649 3).
func AESKeyUnwrapPad(kek, ciphertext []byte) ([]byte, error) {
	b, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < 16 || len(ciphertext)%8 != 0 {
		return nil, fmt.Errorf("%w: RFC 5649 ciphertext of %d bytes", ErrUnwrapIntegrity, len(ciphertext))
	}
	a, p := unwrapAny(b, ciphertext)
	if !ivEqual(a>>32, uint64(kwpMagic)) {
		return nil, ErrUnwrapIntegrity
	}
	mli := int(a & 0xffffffff)
	if mli <= len(p)-8 || mli > len(p) {
		return nil, ErrUnwrapIntegrity
	}
	var nonzero byte
	for _, c := range p[mli:] {
		nonzero |= c
	}
	if nonzero != 0 {
		return nil, ErrUnwrapIntegrity
	}
	return p[:mli], nil
}

// AESKeyWrapPKCS5 is CloudHSM's "AES key wrap with PKCS #5 padding"
// (CKM_CLOUDHSM_AES_KEY_WRAP_PKCS5_PAD, key_mgmt_util -m 4), for which no
// standard exists. The simulator pads with PKCS #5 to a multiple of 8 (always
// adding 1 to 8 bytes, so even aligned keys grow by a block) and then applies
// RFC 3394 with the default IV. When the padded input is a single 8-byte
// block (keys shorter than 8 bytes), RFC 3394 is undefined, so the simulator
// does what RFC 5649 does in that case: one AES encryption of IV || block.
func AESKeyWrapPKCS5(kek, plaintext []byte) ([]byte, error) {
	b, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	pad := 8 - len(plaintext)%8
	padded := make([]byte, len(plaintext)+pad)
	copy(padded, plaintext)
	for i := len(plaintext); i < len(padded); i++ {
		padded[i] = byte(pad)
	}
	if len(padded) == 8 {
		out := binary.BigEndian.AppendUint64(make([]byte, 0, 16), defaultKeyWrapIV)
		out = append(out, padded...)
		b.Encrypt(out, out)
		return out, nil
	}
	return wrapCore(b, defaultKeyWrapIV, padded), nil
}

// AESKeyUnwrapPKCS5 reverses AESKeyWrapPKCS5, checking the IV and the
// PKCS #5 padding.
func AESKeyUnwrapPKCS5(kek, ciphertext []byte) ([]byte, error) {
	b, err := newKEK(kek)
	if err != nil {
		return nil, err
	}
	if len(ciphertext) < 16 || len(ciphertext)%8 != 0 {
		return nil, fmt.Errorf("%w: ciphertext of %d bytes", ErrUnwrapIntegrity, len(ciphertext))
	}
	a, p := unwrapAny(b, ciphertext)
	if !ivEqual(a, defaultKeyWrapIV) {
		return nil, ErrUnwrapIntegrity
	}
	pad := int(p[len(p)-1])
	if pad < 1 || pad > 8 {
		return nil, ErrUnwrapIntegrity
	}
	for _, c := range p[len(p)-pad:] {
		if int(c) != pad {
			return nil, ErrUnwrapIntegrity
		}
	}
	return p[:len(p)-pad], nil
}

// unwrapAny inverts either a single-block wrap (16 bytes of ciphertext, as
// RFC 5649 uses for one semiblock) or the full W⁻¹.
func unwrapAny(b cipher.Block, ciphertext []byte) (uint64, []byte) {
	if len(ciphertext) == 16 {
		buf := make([]byte, 16)
		b.Decrypt(buf, ciphertext)
		return binary.BigEndian.Uint64(buf[:8]), buf[8:]
	}
	return unwrapCore(b, ciphertext)
}

// ivEqual compares integrity values in constant time.
func ivEqual(a, b uint64) bool {
	var x, y [8]byte
	binary.BigEndian.PutUint64(x[:], a)
	binary.BigEndian.PutUint64(y[:], b)
	return subtle.ConstantTimeCompare(x[:], y[:]) == 1
}
