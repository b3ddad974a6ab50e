package mech

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	_ "crypto/sha1" // register hashes usable with -t
	_ "crypto/sha256"
	_ "crypto/sha512"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// Wrapping mechanisms: the wrapKey / unWrapKey -m values.
const (
	WrapAESPKCS5       = 4  // AES_KEY_WRAP_PAD_PKCS5: PKCS #5 padding + RFC 3394
	WrapAESNoPad       = 5  // NIST_AES_WRAP_NO_PAD: RFC 3394
	WrapAESPad         = 6  // NIST_AES_WRAP_PAD: RFC 5649
	WrapRSAAES         = 7  // RSA_AES: OAEP-wrapped AES key + RFC 5649
	WrapRSAOAEP        = 8  // RSA_OAEP
	WrapAESGCM         = 10 // AES_GCM
	WrapCloudHSMAESGCM = 11 // CLOUDHSM_AES_GCM
	WrapRSAPKCS        = 12 // RSA_PKCS (PKCS #1 v1.5)
)

// DefaultWrapHash is the OAEP hash used when WrapParams.Hash is zero. The
// current wrapKey page documents no default for -t (the 2019 page said
// SHA1); the simulator picks SHA-256, the hash AWS's own BYOK envelope
// (wrapKey -m 7 -t 3) uses, because SHA-1 is deprecated for new wrapping.
const DefaultWrapHash = crypto.SHA256

// RSAAESKeySize is the size of the ephemeral AES key in the RSA_AES envelope.
const RSAAESKeySize = 32

// WrapParams carries the mechanism and its parameters.
type WrapParams struct {
	// Mechanism is the -m value (Wrap* constants).
	Mechanism int
	// Hash is the OAEP hash (and MGF1 hash) for RSA_AES and RSA_OAEP; zero
	// means DefaultWrapHash. Allowed: SHA1, SHA224, SHA256, SHA384, SHA512
	// (wrapKey -t; see WrapHashByID). Other mechanisms ignore it.
	Hash crypto.Hash
	// AAD is additional authenticated data, only for the GCM mechanisms.
	AAD []byte
	// TagSize is the GCM tag length in bytes (8..16, default 16), only for
	// the GCM mechanisms.
	TagSize int
	// IV is an explicit key-wrap IV. CloudHSM accepts only the default
	// A6A6A6A6A6A6A6A6 for mechanisms 4 and 5 and none for 6; the GCM
	// mechanisms always draw their IV from the random reader, so it must be
	// empty for them.
	IV []byte
}

// WrapMechanismName returns the name wrapKey's help prints for -m.
func WrapMechanismName(m int) (string, error) {
	switch m {
	case WrapAESPKCS5:
		return "AES_KEY_WRAP_PAD_PKCS5", nil
	case WrapAESNoPad:
		return "NIST_AES_WRAP_NO_PAD", nil
	case WrapAESPad:
		return "NIST_AES_WRAP_PAD", nil
	case WrapRSAAES:
		return "RSA_AES", nil
	case WrapRSAOAEP:
		return "RSA_OAEP", nil
	case WrapAESGCM:
		return "AES_GCM", nil
	case WrapCloudHSMAESGCM:
		return "CLOUDHSM_AES_GCM", nil
	case WrapRSAPKCS:
		return "RSA_PKCS", nil
	}
	return "", fmt.Errorf("%w: wrap mechanism %d", ErrBadMechanism, m)
}

// WrapMechanisms lists the valid -m values in ascending order.
func WrapMechanisms() []int {
	return []int{WrapAESPKCS5, WrapAESNoPad, WrapAESPad, WrapRSAAES, WrapRSAOAEP, WrapAESGCM, WrapCloudHSMAESGCM, WrapRSAPKCS}
}

// IsRSAWrapMechanism reports whether m wraps with an RSA key pair (the
// wrapping key is the public key, the unwrapping key the private key).
func IsRSAWrapMechanism(m int) bool {
	return m == WrapRSAAES || m == WrapRSAOAEP || m == WrapRSAPKCS
}

// WrapHashByID maps a wrapKey/unWrapKey -t value to its hash:
// 2 SHA1, 3 SHA256, 4 SHA384, 5 SHA512, 6 SHA224.
func WrapHashByID(t int) (crypto.Hash, error) {
	switch t {
	case 2:
		return crypto.SHA1, nil
	case 3:
		return crypto.SHA256, nil
	case 4:
		return crypto.SHA384, nil
	case 5:
		return crypto.SHA512, nil
	case 6:
		return crypto.SHA224, nil
	}
	return 0, fmt.Errorf("%w: -t %d", ErrBadHash, t)
}

func (p WrapParams) oaepHash() (crypto.Hash, error) {
	h := p.Hash
	if h == 0 {
		h = DefaultWrapHash
	}
	switch h {
	case crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512:
		if h.Available() {
			return h, nil
		}
	}
	return 0, fmt.Errorf("%w: %v", ErrBadHash, h)
}

func (p WrapParams) tagSize() int {
	if p.TagSize == 0 {
		return GCMTagSize
	}
	return p.TagSize
}

// checkParams rejects parameters that the mechanism does not take, as the
// wrapKey page restricts -aad, -tag_size and -i to specific mechanisms.
func (p WrapParams) checkParams() error {
	gcm := p.Mechanism == WrapAESGCM || p.Mechanism == WrapCloudHSMAESGCM
	if !gcm && len(p.AAD) > 0 {
		return fmt.Errorf("%w: AAD is only valid for AES_GCM and CLOUDHSM_AES_GCM", ErrBadParameter)
	}
	if !gcm && p.TagSize != 0 {
		return fmt.Errorf("%w: tag size is only valid for AES_GCM and CLOUDHSM_AES_GCM", ErrBadParameter)
	}
	if gcm {
		if err := checkTagSize(p.tagSize()); err != nil {
			return err
		}
	}
	if len(p.IV) > 0 {
		switch p.Mechanism {
		case WrapAESPKCS5, WrapAESNoPad:
			if !bytes.Equal(p.IV, DefaultKeyWrapIV()) {
				return fmt.Errorf("%w: only the default IV A6A6A6A6A6A6A6A6 is accepted", ErrBadParameter)
			}
		default:
			return fmt.Errorf("%w: an explicit IV is not accepted by mechanism %d", ErrBadParameter, p.Mechanism)
		}
	}
	return nil
}

func aesKeyArg(k any) ([]byte, error) {
	b, ok := k.([]byte)
	if !ok {
		return nil, fmt.Errorf("%w: AES mechanism needs an AES key, got %T", ErrKeyTypeMismatch, k)
	}
	switch len(b) {
	case 16, 24, 32:
		return b, nil
	}
	return nil, fmt.Errorf("%w: AES key of %d bytes", ErrBadKeySize, len(b))
}

func rsaPublicArg(k any) (*rsa.PublicKey, error) {
	var pub *rsa.PublicKey
	switch v := k.(type) {
	case *rsa.PublicKey:
		pub = v
	case *rsa.PrivateKey:
		if v != nil {
			pub = &v.PublicKey
		}
	default:
		return nil, fmt.Errorf("%w: RSA mechanism needs an RSA key, got %T", ErrKeyTypeMismatch, k)
	}
	if err := CheckRSAPublicKey(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

func rsaPrivateArg(k any) (*rsa.PrivateKey, error) {
	priv, ok := k.(*rsa.PrivateKey)
	if !ok || priv == nil {
		return nil, fmt.Errorf("%w: RSA unwrap needs an RSA private key, got %T", ErrKeyTypeMismatch, k)
	}
	if err := CheckRSAPublicKey(&priv.PublicKey); err != nil {
		return nil, err
	}
	return priv, nil
}

// Wrap wraps keyMaterial (the raw key value, or a PKCS #8 DER private key)
// under wrappingKey, which is the AES key value ([]byte) for mechanisms 4,
// 5, 6, 10 and 11 and an *rsa.PublicKey (or *rsa.PrivateKey) for 7, 8 and
// 12. Output formats:
//
//   - 4, 5, 6: the RFC 3394 / RFC 5649 ciphertext (see keywrap.go).
//   - 7 RSA_AES: RSA-OAEP(Hash, MGF1 with the same hash, empty label) of a
//     fresh 32-byte AES key read from r, immediately followed by keyMaterial
//     wrapped with that key using RFC 5649 — the envelope AWS documents for
//     BYOK (wrapKey -noheader -m 7).
//   - 8 RSA_OAEP: RSA-OAEP(Hash) of keyMaterial; at most
//     modulusBytes − 2·hashBytes − 2 bytes.
//   - 12 RSA_PKCS: RSAES-PKCS1-v1_5 of keyMaterial; at most modulusBytes − 11.
//   - 10 AES_GCM and 11 CLOUDHSM_AES_GCM: iv || ciphertext || tag with a
//     12-byte IV read from r. CLOUDHSM_AES_GCM is defined to prepend the
//     HSM-generated IV; the simulator prepends it for AES_GCM as well so
//     that the wrapped blob is self-contained (the caller can split off the
//     first 12 bytes to honour wrapKey -iv_file).
//
// Randomness is read from r only, so seeded runs reproduce the output.
// Size violations give ErrWrapSize, wrong key kinds ErrKeyTypeMismatch and
// unknown mechanisms ErrBadMechanism.
func Wrap(r io.Reader, p WrapParams, wrappingKey any, keyMaterial []byte) ([]byte, error) {
	if _, err := WrapMechanismName(p.Mechanism); err != nil {
		return nil, err
	}
	if err := p.checkParams(); err != nil {
		return nil, err
	}
	if len(keyMaterial) == 0 {
		return nil, fmt.Errorf("%w: empty key material", ErrWrapSize)
	}
	switch p.Mechanism {
	case WrapAESPKCS5, WrapAESNoPad, WrapAESPad:
		kek, err := aesKeyArg(wrappingKey)
		if err != nil {
			return nil, err
		}
		switch p.Mechanism {
		case WrapAESPKCS5:
			return AESKeyWrapPKCS5(kek, keyMaterial)
		case WrapAESNoPad:
			return AESKeyWrap(kek, keyMaterial)
		default:
			return AESKeyWrapPad(kek, keyMaterial)
		}
	case WrapAESGCM, WrapCloudHSMAESGCM:
		kek, err := aesKeyArg(wrappingKey)
		if err != nil {
			return nil, err
		}
		iv := make([]byte, GCMIVSize)
		if err := readRandom(r, iv); err != nil {
			return nil, err
		}
		ct, err := gcmSeal(kek, iv, keyMaterial, p.AAD, p.tagSize())
		if err != nil {
			return nil, err
		}
		return append(iv, ct...), nil
	}

	pub, err := rsaPublicArg(wrappingKey)
	if err != nil {
		return nil, err
	}
	switch p.Mechanism {
	case WrapRSAOAEP:
		h, err := p.oaepHash()
		if err != nil {
			return nil, err
		}
		return encryptOAEP(r, h, pub, keyMaterial)
	case WrapRSAAES:
		h, err := p.oaepHash()
		if err != nil {
			return nil, err
		}
		ephemeral := make([]byte, RSAAESKeySize)
		if err := readRandom(r, ephemeral); err != nil {
			return nil, err
		}
		head, err := encryptOAEP(r, h, pub, ephemeral)
		if err != nil {
			return nil, err
		}
		tail, err := AESKeyWrapPad(ephemeral, keyMaterial)
		if err != nil {
			return nil, err
		}
		return append(head, tail...), nil
	default: // WrapRSAPKCS
		return encryptPKCS1v15(r, pub, keyMaterial)
	}
}

// Unwrap reverses Wrap. unwrappingKey is the AES key value ([]byte) or the
// *rsa.PrivateKey. Any integrity failure (wrong key, tampering, bad
// padding, wrong AAD) is reported as ErrUnwrapIntegrity without detail, as
// an HSM would.
func Unwrap(p WrapParams, unwrappingKey any, wrapped []byte) ([]byte, error) {
	if _, err := WrapMechanismName(p.Mechanism); err != nil {
		return nil, err
	}
	if err := p.checkParams(); err != nil {
		return nil, err
	}
	switch p.Mechanism {
	case WrapAESPKCS5, WrapAESNoPad, WrapAESPad:
		kek, err := aesKeyArg(unwrappingKey)
		if err != nil {
			return nil, err
		}
		switch p.Mechanism {
		case WrapAESPKCS5:
			return AESKeyUnwrapPKCS5(kek, wrapped)
		case WrapAESNoPad:
			return AESKeyUnwrap(kek, wrapped)
		default:
			return AESKeyUnwrapPad(kek, wrapped)
		}
	case WrapAESGCM, WrapCloudHSMAESGCM:
		kek, err := aesKeyArg(unwrappingKey)
		if err != nil {
			return nil, err
		}
		if len(wrapped) < GCMIVSize+p.tagSize() {
			return nil, fmt.Errorf("%w: GCM blob of %d bytes", ErrUnwrapIntegrity, len(wrapped))
		}
		return gcmOpen(kek, wrapped[:GCMIVSize], wrapped[GCMIVSize:], p.AAD, p.tagSize())
	}

	priv, err := rsaPrivateArg(unwrappingKey)
	if err != nil {
		return nil, err
	}
	k := priv.Size()
	switch p.Mechanism {
	case WrapRSAOAEP:
		h, err := p.oaepHash()
		if err != nil {
			return nil, err
		}
		if len(wrapped) != k {
			return nil, fmt.Errorf("%w: RSA_OAEP blob of %d bytes for a %d-byte modulus", ErrUnwrapIntegrity, len(wrapped), k)
		}
		return decryptOAEP(h, priv, wrapped)
	case WrapRSAAES:
		h, err := p.oaepHash()
		if err != nil {
			return nil, err
		}
		if len(wrapped) < k+16 {
			return nil, fmt.Errorf("%w: RSA_AES blob of %d bytes for a %d-byte modulus", ErrUnwrapIntegrity, len(wrapped), k)
		}
		ephemeral, err := decryptOAEP(h, priv, wrapped[:k])
		if err != nil {
			return nil, err
		}
		if l := len(ephemeral); l != 16 && l != 24 && l != 32 {
			return nil, ErrUnwrapIntegrity
		}
		return AESKeyUnwrapPad(ephemeral, wrapped[k:])
	default: // WrapRSAPKCS
		if len(wrapped) != k {
			return nil, fmt.Errorf("%w: RSA_PKCS blob of %d bytes for a %d-byte modulus", ErrUnwrapIntegrity, len(wrapped), k)
		}
		out, err := rsa.DecryptPKCS1v15(nil, priv, wrapped)
		if err != nil {
			return nil, ErrUnwrapIntegrity
		}
		return out, nil
	}
}

// encryptOAEP uses crypto/rsa, whose OAEP reads exactly hashSize seed bytes
// from r (it does not apply the Go 1.26 reader override), so it is
// reproducible with a seeded reader.
func encryptOAEP(r io.Reader, h crypto.Hash, pub *rsa.PublicKey, msg []byte) ([]byte, error) {
	if max := pub.Size() - 2*h.Size() - 2; len(msg) > max {
		return nil, fmt.Errorf("%w: %d bytes, RSA-OAEP/%v with a %d-bit key takes at most %d", ErrWrapSize, len(msg), h, pub.N.BitLen(), max)
	}
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrRandom)
	}
	out, err := rsa.EncryptOAEPWithOptions(r, pub, msg, &rsa.OAEPOptions{Hash: h, MGFHash: h})
	if err != nil {
		if errors.Is(err, rsa.ErrMessageTooLong) {
			return nil, fmt.Errorf("%w: %v", ErrWrapSize, err)
		}
		return nil, fmt.Errorf("mech: RSA-OAEP encryption: %w", err)
	}
	return out, nil
}

func decryptOAEP(h crypto.Hash, priv *rsa.PrivateKey, ct []byte) ([]byte, error) {
	out, err := priv.Decrypt(nil, ct, &rsa.OAEPOptions{Hash: h, MGFHash: h})
	if err != nil {
		return nil, ErrUnwrapIntegrity
	}
	return out, nil
}

// encryptPKCS1v15 implements RSAES-PKCS1-v1_5 (RFC 8017 7.2.1) itself:
// rsa.EncryptPKCS1v15 ignores the caller's reader since Go 1.26, which would
// make wrapped blobs irreproducible. The padding string is filled from r;
// zero bytes are replaced by further bytes from r.
func encryptPKCS1v15(r io.Reader, pub *rsa.PublicKey, msg []byte) ([]byte, error) {
	k := pub.Size()
	if len(msg) > k-11 {
		return nil, fmt.Errorf("%w: %d bytes, RSA PKCS #1 v1.5 with a %d-bit key takes at most %d", ErrWrapSize, len(msg), pub.N.BitLen(), k-11)
	}
	em := make([]byte, k)
	em[1] = 2
	ps := em[2 : k-len(msg)-1]
	if err := readRandom(r, ps); err != nil {
		return nil, err
	}
	var one [1]byte
	for i := range ps {
		for n := 0; ps[i] == 0; n++ {
			if n == maxRejections {
				return nil, fmt.Errorf("%w: reader keeps returning zero bytes", ErrRandom)
			}
			if err := readRandom(r, one[:]); err != nil {
				return nil, err
			}
			ps[i] = one[0]
		}
	}
	copy(em[k-len(msg):], msg)
	m := new(big.Int).SetBytes(em)
	c := new(big.Int).Exp(m, big.NewInt(int64(pub.E)), pub.N)
	return c.FillBytes(make([]byte, k)), nil
}
