package openssl

import (
	"crypto/dsa"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/mech"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Keys are *rsa.PrivateKey, *mech.ECKey, *rsa.PublicKey or
// *mech.ECPublicKey: the types engine/mech parses and marshals, so keys
// move freely between this package and the simulated HSM.

// curveNames maps the names OpenSSL 3.0 accepts for -name and
// ec_paramgen_curve (short names and NIST names) to key_mgmt_util curve
// ids, for the curves the simulator implements.
var curveNames = map[string]int{
	"secp224r1":  mech.CurveP224,
	"p-224":      mech.CurveP224,
	"prime256v1": mech.CurveP256,
	"p-256":      mech.CurveP256,
	"secp384r1":  mech.CurveP384,
	"p-384":      mech.CurveP384,
	"secp521r1":  mech.CurveP521,
	"p-521":      mech.CurveP521,
	"secp256k1":  mech.CurveSecp256k1,
}

// nistNames are the "NIST CURVE:" lines of the -text output.
var nistNames = map[int]string{
	mech.CurveP224: "P-224",
	mech.CurveP256: "P-256",
	mech.CurveP384: "P-384",
	mech.CurveP521: "P-521",
}

func curveByName(name string) (int, bool) {
	id, ok := curveNames[strings.ToLower(name)]
	return id, ok
}

// curveInfo is mech.CurveByID for ids that come from curveNames or parsed
// keys, which are always valid.
func curveInfo(id int) mech.CurveInfo {
	info, _ := mech.CurveByID(id)
	return info
}

// keySource describes where a key is read from, for the messages.
type keySource struct {
	file   string // "" means standard input, which the simulator lacks
	format string // formatPEM or formatDER
	pass   *string
	// what is OpenSSL's wording: "private key", "public key", "key",
	// "public key of Public Key".
	what string
}

// loadPrivate reads a private key the way OpenSSL's load_key does (PKCS
// #8, encrypted PKCS #8, PKCS #1, SEC 1), printing OpenSSL's messages on
// failure.
func (c *ctx) loadPrivate(src keySource) (any, error) {
	data, err := c.openKeyFile(src)
	if err != nil {
		return nil, err
	}
	key, err := parsePrivate(data, src)
	if err != nil {
		c.printf("Could not read %s from %s\n", src.what, src.file)
		c.note("%s", keyErrText(err))
		return nil, errFailed
	}
	return key, nil
}

// loadPublic reads a public key (SubjectPublicKeyInfo or PKCS #1). Like
// OpenSSL 3.0 it does not take the public half of a private-key file.
func (c *ctx) loadPublic(src keySource) (any, error) {
	data, err := c.openKeyFile(src)
	if err != nil {
		return nil, err
	}
	key, err := parsePublic(data, src.format)
	if err != nil {
		c.printf("Could not read %s from %s\n", src.what, src.file)
		if _, perr := parsePrivate(data, keySource{format: src.format}); perr == nil || errors.Is(perr, errNeedPass) {
			c.note("%s holds a private key; write its public key with: openssl pkey -in %s -pubout -out <file>", src.file, src.file)
		} else {
			c.note("%s", keyErrText(err))
		}
		return nil, errFailed
	}
	return key, nil
}

func (c *ctx) openKeyFile(src keySource) ([]byte, error) {
	if src.file == "" {
		c.printf("Could not read %s from <stdin>\n", src.what)
		c.note("there is no standard input in the simulator; name the file with -in")
		return nil, errFailed
	}
	data, err := c.readFile(src.file)
	if err != nil {
		c.printf("Could not open file or uri for loading %s from %s\n", src.what, src.file)
		c.note("%s: %s", src.file, fileErrText(err))
		return nil, errFailed
	}
	return data, nil
}

// errNeedPass: the key is encrypted and no pass phrase was given.
var errNeedPass = errors.New("the key is encrypted and there is no terminal to ask for the pass phrase; give it with -passin pass:<phrase>")

// errDSA: mech parses DSA keys, but this subset has no DSA commands.
var errDSA = errors.New("DSA keys are not supported by the hsmsim simulator's openssl subset")

// keyErrText turns a parse error into one readable line.
func keyErrText(err error) string {
	switch {
	case errors.Is(err, errNeedPass), errors.Is(err, errDSA), errors.Is(err, errBadDecrypt), errors.Is(err, errPBE):
		return err.Error()
	case errors.Is(err, mech.ErrNotPEM):
		return "no PEM data found (is it a DER file? then add -inform DER)"
	case errors.Is(err, mech.ErrNoKeyInPEM):
		return "no key of the expected kind in the file: " + strings.TrimPrefix(err.Error(), mech.ErrNoKeyInPEM.Error()+": ")
	case errors.Is(err, mech.ErrCurveNotSupported), errors.Is(err, mech.ErrUnsupportedKey):
		return "key algorithm or curve not supported by the hsmsim simulator: " + err.Error()
	}
	return "malformed key: " + err.Error()
}

func parsePrivate(data []byte, src keySource) (any, error) {
	var key any
	var err error
	if src.format == formatDER {
		key, err = mech.ParsePrivateKeyDER(data)
	} else {
		key, err = parsePrivatePEM(data, src.pass)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey, *mech.ECKey:
		return k, nil
	case *dsa.PrivateKey:
		return nil, errDSA
	}
	return nil, fmt.Errorf("%w: %T", mech.ErrUnsupportedKey, key)
}

// parsePrivatePEM handles the encrypted forms mech refuses, then leaves
// the rest to mech.ParsePrivateKeyPEM.
func parsePrivatePEM(data []byte, pass *string) (any, error) {
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" {
			if pass == nil {
				return nil, errNeedPass
			}
			der, err := decryptPKCS8(b.Bytes, *pass)
			if err != nil {
				return nil, err
			}
			return mech.ParsePrivateKeyDER(der)
		}
		if _, ok := b.Headers["DEK-Info"]; ok {
			return nil, fmt.Errorf("%w: legacy PEM encryption (Proc-Type/DEK-Info) is not supported by the hsmsim simulator; convert the key to PKCS #8 first", errPBE)
		}
	}
	return mech.ParsePrivateKeyPEM(data)
}

func parsePublic(data []byte, format string) (any, error) {
	var key any
	var err error
	if format == formatDER {
		key, err = mech.ParsePublicKeyDER(data)
		if err != nil {
			if k, err1 := keyder.ParsePKCS1PublicKey(data); err1 == nil {
				if err2 := mech.CheckRSAPublicKey(k); err2 != nil {
					return nil, err2
				}
				key, err = k, nil
			}
		}
	} else {
		key, err = mech.ParsePublicKeyPEM(data)
	}
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PublicKey, *mech.ECPublicKey:
		return k, nil
	case *dsa.PublicKey:
		return nil, errDSA
	}
	return nil, fmt.Errorf("%w: %T", mech.ErrUnsupportedKey, key)
}

// publicOf returns the public half of a key (or the key if public).
func publicOf(key any) any {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *mech.ECKey:
		return k.Public()
	}
	return key
}

func isPrivate(key any) bool {
	switch key.(type) {
	case *rsa.PrivateKey, *mech.ECKey:
		return true
	}
	return false
}

// Encodings of private keys as OpenSSL 3.0 writes them.
type privStyle int

const (
	stylePKCS8       privStyle = iota // "PRIVATE KEY"
	styleTraditional                  // "RSA PRIVATE KEY" / "EC PRIVATE KEY"
)

func marshalSEC1(k *mech.ECKey) ([]byte, error) {
	point, err := k.Public().Bytes()
	if err != nil {
		return nil, err
	}
	info := curveInfo(k.CurveID)
	d := k.Scalar()
	if len(d) != (info.Bits+7)/8 {
		return nil, fmt.Errorf("%w: EC private scalar out of range", mech.ErrMalformedKey)
	}
	// SEC 1 C.4 ECPrivateKey with the named curve and public key, as
	// `openssl ec` and `openssl ecparam -genkey` write it.
	return keyder.ECPrivateKey{
		Version:       1,
		PrivateKey:    d,
		Params:        info.OID.Element(),
		PublicKey:     point,
		PublicKeyBits: 8 * len(point),
		HasPublicKey:  true,
	}.Marshal(), nil
}

// privateDER returns the DER of a private key in the given style and its
// PEM label.
func privateDER(key any, style privStyle) ([]byte, string, error) {
	if style == stylePKCS8 {
		der, err := mech.MarshalPrivateKeyDER(key)
		return der, "PRIVATE KEY", err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return keyder.MarshalPKCS1PrivateKey(k), "RSA PRIVATE KEY", nil
	case *mech.ECKey:
		der, err := marshalSEC1(k)
		return der, "EC PRIVATE KEY", err
	}
	return nil, "", fmt.Errorf("%w: %T", mech.ErrUnsupportedKey, key)
}

// outKey says how a command writes a key.
type outKey struct {
	format string
	style  privStyle
	cipher *pbeCipher // nil: unencrypted
	pass   string
	// rsaPublicPKCS1 writes "RSA PUBLIC KEY" (-RSAPublicKey_out).
	rsaPublicPKCS1 bool
}

// encodeKey encodes a private or public key for output.
func (c *ctx) encodeKey(key any, ok outKey) ([]byte, error) {
	if !isPrivate(key) {
		var der []byte
		label := "PUBLIC KEY"
		var err error
		if rk, isRSA := key.(*rsa.PublicKey); isRSA && ok.rsaPublicPKCS1 {
			der, label = keyder.MarshalPKCS1PublicKey(rk), "RSA PUBLIC KEY"
		} else {
			der, err = mech.MarshalPublicKeyDER(key)
		}
		if err != nil {
			return nil, err
		}
		return encodeOut(der, label, ok.format), nil
	}
	if ok.cipher != nil {
		if ok.style != stylePKCS8 || ok.format != formatPEM {
			return nil, fmt.Errorf("%w: the hsmsim simulator encrypts keys only as PKCS #8 PEM (no -traditional, no -outform DER with a cipher)", errPBE)
		}
		der, _, err := privateDER(key, stylePKCS8)
		if err != nil {
			return nil, err
		}
		enc, err := encryptPKCS8(c.rand, der, ok.pass, ok.cipher)
		if err != nil {
			return nil, err
		}
		return encodeOut(enc, "ENCRYPTED PRIVATE KEY", formatPEM), nil
	}
	der, label, err := privateDER(key, ok.style)
	if err != nil {
		return nil, err
	}
	return encodeOut(der, label, ok.format), nil
}

func encodeOut(der []byte, label, format string) []byte {
	if format == formatDER {
		return der
	}
	return pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der})
}

// ecParamsPEM is the "EC PARAMETERS" block `openssl ecparam` writes.
func ecParamsPEM(curveID int) []byte {
	der := curveInfo(curveID).OID.Element()
	return pem.EncodeToMemory(&pem.Block{Type: "EC PARAMETERS", Bytes: der})
}

// keyText is the -text output of a key, laid out as OpenSSL 3.0's
// encode_key2text provider does. pubOnly prints just the public half
// (-text_pub, public keys).
func keyText(key any, pubOnly bool) string {
	var b strings.Builder
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if pubOnly {
			return keyText(&k.PublicKey, true)
		}
		fmt.Fprintf(&b, "Private-Key: (%d bit, %d primes)\n", k.N.BitLen(), len(k.Primes))
		printBignum(&b, "modulus:", k.N)
		printBignum(&b, "publicExponent:", big.NewInt(int64(k.E)))
		printBignum(&b, "privateExponent:", k.D)
		if len(k.Primes) >= 2 {
			printBignum(&b, "prime1:", k.Primes[0])
			printBignum(&b, "prime2:", k.Primes[1])
			printBignum(&b, "exponent1:", k.Precomputed.Dp)
			printBignum(&b, "exponent2:", k.Precomputed.Dq)
			printBignum(&b, "coefficient:", k.Precomputed.Qinv)
		}
	case *rsa.PublicKey:
		fmt.Fprintf(&b, "Public-Key: (%d bit)\n", k.N.BitLen())
		printBignum(&b, "Modulus:", k.N)
		printBignum(&b, "Exponent:", big.NewInt(int64(k.E)))
	case *mech.ECKey:
		if pubOnly {
			return keyText(k.Public(), true)
		}
		info := curveInfo(k.CurveID)
		fmt.Fprintf(&b, "Private-Key: (%d bit)\n", info.Bits)
		if d := k.Scalar(); len(d) > 0 {
			printBuf(&b, "priv:", d)
		}
		if pt, err := k.Public().Bytes(); err == nil {
			printBuf(&b, "pub:", pt)
		}
		b.WriteString(ecParamText(k.CurveID))
	case *mech.ECPublicKey:
		info := curveInfo(k.CurveID)
		fmt.Fprintf(&b, "Public-Key: (%d bit)\n", info.Bits)
		if pt, err := k.Bytes(); err == nil {
			printBuf(&b, "pub:", pt)
		}
		b.WriteString(ecParamText(k.CurveID))
	}
	return b.String()
}

func ecParamText(curveID int) string {
	s := "ASN1 OID: " + curveInfo(curveID).ShortName + "\n"
	if n, ok := nistNames[curveID]; ok {
		s += "NIST CURVE: " + n + "\n"
	}
	return s
}

// printBignum is ossl_bio_print_labeled_bignum: numbers that fit a
// machine word print as "label N (0xN)", others as colon-separated hex,
// 15 bytes a line, with a 00 byte in front when the top bit is set.
func printBignum(b *strings.Builder, label string, n *big.Int) {
	if n == nil {
		return
	}
	if n.Sign() == 0 {
		fmt.Fprintf(b, "%s 0\n", label)
		return
	}
	if n.IsUint64() {
		fmt.Fprintf(b, "%s %d (0x%x)\n", label, n.Uint64(), n.Uint64())
		return
	}
	raw := n.Bytes()
	if raw[0] >= 0x80 {
		raw = append([]byte{0}, raw...)
	}
	printBuf(b, label, raw)
}

// printBuf is print_labeled_buf: 15 bytes a line, four spaces in front.
func printBuf(b *strings.Builder, label string, buf []byte) {
	b.WriteString(label)
	b.WriteByte('\n')
	for i, v := range buf {
		if i%15 == 0 {
			if i > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("    ")
		}
		fmt.Fprintf(b, "%02x", v)
		if i != len(buf)-1 {
			b.WriteByte(':')
		}
	}
	b.WriteByte('\n')
}

// passArg interprets -passin/-passout values. Only pass:<phrase> is
// possible: the simulator has no terminal, environment or descriptors.
func (c *ctx) passArg(opt, v string) (*string, error) {
	if v == "" {
		return nil, nil
	}
	if p, ok := strings.CutPrefix(v, "pass:"); ok {
		return &p, nil
	}
	c.printf("%s: Error getting passwords\n", c.cmd)
	c.note("-%s %s: only pass:<phrase> is supported by the simulator (no env:, file:, fd: or stdin)", opt, v)
	return nil, errFailed
}
