package openssl

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Pass-phrase protected private keys: PKCS #8 EncryptedPrivateKeyInfo with
// PBES2 (RFC 8018), which is what OpenSSL 3.0 writes for
// `genrsa -aes256` and `pkey -aes256`: PBKDF2 with HMAC-SHA-256, 2048
// iterations, an 8-byte salt, and the chosen CBC cipher.

var (
	errPBE        = errors.New("unsupported key encryption")
	errBadDecrypt = errors.New("bad decrypt (wrong pass phrase?)")
)

var (
	oidPBES2        = keyder.OID{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2       = keyder.OID{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA1 = keyder.OID{1, 2, 840, 113549, 2, 7}
)

// pbeCipher is a CBC cipher usable for key encryption and `enc`.
type pbeCipher struct {
	name    string // OpenSSL's long name, "aes-256-cbc"
	oid     keyder.OID
	keyLen  int
	block   func(key []byte) (cipher.Block, error)
	blockSz int
}

func aesCipher(bits int, last int) *pbeCipher {
	return &pbeCipher{
		name:    fmt.Sprintf("aes-%d-cbc", bits),
		oid:     keyder.OID{2, 16, 840, 1, 101, 3, 4, 1, last},
		keyLen:  bits / 8,
		block:   aes.NewCipher,
		blockSz: aes.BlockSize,
	}
}

// cbcCiphers returns the ciphers by every name OpenSSL accepts for them.
func cbcCiphers() map[string]*pbeCipher {
	a128, a192, a256 := aesCipher(128, 2), aesCipher(192, 22), aesCipher(256, 42)
	des3 := &pbeCipher{
		name:    "des-ede3-cbc",
		oid:     keyder.OID{1, 2, 840, 113549, 3, 7},
		keyLen:  24,
		block:   des.NewTripleDESCipher,
		blockSz: des.BlockSize,
	}
	return map[string]*pbeCipher{
		"aes128": a128, "aes-128-cbc": a128,
		"aes192": a192, "aes-192-cbc": a192,
		"aes256": a256, "aes-256-cbc": a256,
		"des3": des3, "des-ede3-cbc": des3,
	}
}

// otherCiphers are real OpenSSL cipher names the subset does not
// implement; they are refused by name rather than called unknown.
var otherCipherPrefixes = []string{"aes-", "aria", "camellia", "des", "bf", "blowfish", "cast", "chacha", "idea", "rc2", "rc4", "rc5", "seed", "sm4", "id-aes"}

func isOtherCipher(name string) bool {
	n := strings.ToLower(name)
	for _, p := range otherCipherPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// cipherHook is the unknown-option hook of commands that take a cipher
// option to protect the key they write.
func (c *ctx) cipherHook(dst **pbeCipher) func(string) (bool, error) {
	return func(name string) (bool, error) {
		if ci, ok := cbcCiphers()[strings.ToLower(name)]; ok {
			*dst = ci
			return true, nil
		}
		if isOtherCipher(name) {
			return false, c.fail(fmt.Sprintf("%s: cipher %s is not supported by the hsmsim simulator's openssl subset (use -aes128, -aes192, -aes256 or -des3)", c.cmd, name))
		}
		return false, nil
	}
}

// cipherHelp is the -help line of the cipher options.
var cipherHelp = optDef{"aes128, -aes192, -aes256, -des3", helpOpt, "", "Encrypt the key with this cipher (needs a pass phrase)"}

func prfByOID(oid keyder.OID) (func() hash.Hash, bool) {
	if len(oid) == 0 || oid.Equal(oidHMACWithSHA1) {
		return sha1.New, true
	}
	base := keyder.OID{1, 2, 840, 113549, 2}
	if len(oid) == 6 && oid[:5].Equal(base) {
		switch oid[5] {
		case 8:
			return sha256.New224, true
		case 9:
			return sha256.New, true
		case 10:
			return sha512.New384, true
		case 11:
			return sha512.New, true
		}
	}
	return nil, false
}

// maxPBKDF2Iter bounds the work a crafted file can demand.
const maxPBKDF2Iter = 1_000_000

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo to PrivateKeyInfo DER.
func decryptPKCS8(der []byte, pass string) ([]byte, error) {
	epki, err := keyder.ParseEncryptedPrivateKeyInfo(der)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed encrypted private key", errPBE)
	}
	if !epki.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("%w: scheme %v (the hsmsim simulator reads PBES2 only)", errPBE, epki.Algorithm.Algorithm)
	}
	p, err := keyder.ParsePBES2Params(epki.Algorithm.Parameters)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed PBES2 parameters", errPBE)
	}
	if !p.KDF.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("%w: key derivation %v (the hsmsim simulator reads PBKDF2 only)", errPBE, p.KDF.Algorithm)
	}
	kp, err := keyder.ParsePBKDF2Params(p.KDF.Parameters)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed PBKDF2 parameters", errPBE)
	}
	prf, ok := prfByOID(kp.PRF.Algorithm)
	if !ok {
		return nil, fmt.Errorf("%w: PBKDF2 PRF %v", errPBE, kp.PRF.Algorithm)
	}
	if kp.Iter < 1 || kp.Iter > maxPBKDF2Iter {
		return nil, fmt.Errorf("%w: PBKDF2 iteration count %d", errPBE, kp.Iter)
	}
	var ci *pbeCipher
	for _, cand := range cbcCiphers() {
		if cand.oid.Equal(p.Enc.Algorithm) {
			ci = cand
		}
	}
	if ci == nil {
		return nil, fmt.Errorf("%w: cipher %v", errPBE, p.Enc.Algorithm)
	}
	if kp.KeyLength != 0 && kp.KeyLength != int64(ci.keyLen) {
		return nil, fmt.Errorf("%w: key length %d for %s", errPBE, kp.KeyLength, ci.name)
	}
	iv, err := keyder.ParseOctetString(p.Enc.Parameters)
	if err != nil || len(iv) != ci.blockSz {
		return nil, fmt.Errorf("%w: malformed IV", errPBE)
	}
	key, err := pbkdf2.Key(prf, pass, kp.Salt, int(kp.Iter), ci.keyLen)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errPBE, err)
	}
	plain, err := cbcDecrypt(ci, key, iv, epki.Data, true)
	if err != nil {
		return nil, errBadDecrypt
	}
	return plain, nil
}

// encryptPKCS8 wraps PrivateKeyInfo DER the way OpenSSL 3.0 does.
func encryptPKCS8(r io.Reader, der []byte, pass string, ci *pbeCipher) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no random source")
	}
	salt := make([]byte, 8)
	iv := make([]byte, ci.blockSz)
	if _, err := io.ReadFull(r, salt); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(r, iv); err != nil {
		return nil, err
	}
	const iter = 2048
	key, err := pbkdf2.Key(sha256.New, pass, salt, iter, ci.keyLen)
	if err != nil {
		return nil, err
	}
	ct, err := cbcEncrypt(ci, key, iv, der, true)
	if err != nil {
		return nil, err
	}
	kdf := keyder.PBKDF2Params{
		Salt: salt,
		Iter: iter,
		PRF:  keyder.AlgorithmIdentifier{Algorithm: keyder.OID{1, 2, 840, 113549, 2, 9}, Parameters: keyder.Null()},
	}.Marshal()
	params := keyder.PBES2Params{
		KDF: keyder.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: kdf},
		Enc: keyder.AlgorithmIdentifier{Algorithm: ci.oid, Parameters: keyder.OctetString(iv)},
	}.Marshal()
	return keyder.EncryptedPrivateKeyInfo{
		Algorithm: keyder.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: params},
		Data:      ct,
	}.Marshal(), nil
}

// cbcEncrypt encrypts with PKCS #7 padding unless pad is false, in which
// case the input must be block aligned.
func cbcEncrypt(ci *pbeCipher, key, iv, plain []byte, pad bool) ([]byte, error) {
	b, err := ci.block(key)
	if err != nil {
		return nil, err
	}
	if len(iv) != b.BlockSize() {
		return nil, errors.New("bad IV length")
	}
	data := append([]byte(nil), plain...)
	if pad {
		n := b.BlockSize() - len(data)%b.BlockSize()
		data = append(data, bytes.Repeat([]byte{byte(n)}, n)...)
	} else if len(data)%b.BlockSize() != 0 {
		return nil, errors.New("data not multiple of block length")
	}
	out := make([]byte, len(data))
	cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, data)
	return out, nil
}

// cbcDecrypt decrypts and, if pad, checks and strips PKCS #7 padding.
func cbcDecrypt(ci *pbeCipher, key, iv, ct []byte, pad bool) ([]byte, error) {
	b, err := ci.block(key)
	if err != nil {
		return nil, err
	}
	bs := b.BlockSize()
	if len(iv) != bs {
		return nil, errors.New("bad IV length")
	}
	if len(ct)%bs != 0 || (pad && len(ct) == 0) {
		return nil, errors.New("wrong final block length")
	}
	out := make([]byte, len(ct))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, ct)
	if !pad {
		return out, nil
	}
	n := int(out[len(out)-1])
	if n == 0 || n > bs {
		return nil, errBadDecrypt
	}
	for _, v := range out[len(out)-n:] {
		if int(v) != n {
			return nil, errBadDecrypt
		}
	}
	return out[:len(out)-n], nil
}
