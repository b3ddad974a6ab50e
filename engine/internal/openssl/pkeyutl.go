package openssl

import (
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// signDigest signs an already computed digest (pkeyutl -sign, dgst with
// PSS). h is 0 for RSA PKCS #1 v1.5 without a digest, where the input is
// padded as it is.
func signDigest(r io.Reader, key any, h crypto.Hash, digest []byte, so sigOpts) ([]byte, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if so.pss {
			o, err := so.pssOptions(&k.PublicKey, h, true)
			if err != nil {
				return nil, err
			}
			if r == nil {
				return nil, errors.New("no random source")
			}
			return rsa.SignPSS(r, k, h, digest, o)
		}
		return rsa.SignPKCS1v15(nil, k, h, digest)
	case *mech.ECKey:
		return mech.SignDigestECDSA(r, k, digest)
	}
	return nil, fmt.Errorf("cannot sign with %T", key)
}

func verifyDigest(pub any, h crypto.Hash, digest, sig []byte, so sigOpts) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if so.pss {
			o, err := so.pssOptions(k, h, false)
			if err != nil {
				return err
			}
			return rsa.VerifyPSS(k, h, digest, sig, o)
		}
		return rsa.VerifyPKCS1v15(k, h, digest, sig)
	case *mech.ECPublicKey:
		if mech.VerifyDigestECDSA(k, digest, sig) != nil {
			return mech.ErrBadSignature
		}
		return nil
	}
	return fmt.Errorf("cannot verify with %T", pub)
}

// pkeyParams are the -pkeyopt settings.
type pkeyParams struct {
	sig     sigOpts
	oaep    bool
	digest  crypto.Hash
	oaepMD  crypto.Hash
	padding string
}

func runPkeyutl(c *ctx, args []string) error {
	spec := &cmdSpec{
		usage: "pkeyutl [options]",
		opts: []optDef{
			{"in", valueOpt, "infile", "Input file"},
			{"out", valueOpt, "outfile", "Output file"},
			{"sigfile", valueOpt, "infile", "Signature file (verify operation only)"},
			{"inkey", valueOpt, "val", "Input private key file"},
			{"keyform", formatOpt, "", "Private key format (PEM or DER)"},
			{"pubin", flagOpt, "", "Input is a public key"},
			{"passin", valueOpt, "val", "Input file pass phrase source (pass:<phrase> only)"},
			{"sign", flagOpt, "", "Sign input data with private key"},
			{"verify", flagOpt, "", "Verify with public key"},
			{"encrypt", flagOpt, "", "Encrypt input data with public key"},
			{"decrypt", flagOpt, "", "Decrypt input data with private key"},
			{"pkeyopt", valueOpt, "val", "Public key options as opt:value"},
			{"hexdump", flagOpt, "", "Hex dump output"},
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra option: \"" + o.pos[0] + "\"")
	}
	op := o.last("sign", "verify", "encrypt", "decrypt")
	if op == "" {
		op = "sign"
	}
	if o.str("inkey") == "" {
		return c.usageFail("no private key given (-inkey parameter).")
	}
	if op == "verify" && o.str("sigfile") == "" {
		return c.fail("pkeyutl: No signature file specified for verify")
	}
	if op != "verify" && o.str("sigfile") != "" {
		return c.fail("pkeyutl: Signature file specified for non verify")
	}
	passin, err := c.passArg("passin", o.str("passin"))
	if err != nil {
		return err
	}
	out := o.str("out")
	if err := c.checkOut(out); err != nil {
		return err
	}
	keyForm := formatPEM
	if o.str("keyform") == formatDER {
		keyForm = formatDER
	}
	var key any
	if o.has("pubin") {
		key, err = c.loadPublic(keySource{file: o.str("inkey"), format: keyForm, what: "public key"})
	} else {
		key, err = c.loadPrivate(keySource{file: o.str("inkey"), format: keyForm, pass: passin, what: "private key"})
	}
	if err != nil {
		return c.fail("pkeyutl: Error initializing context")
	}
	_, isRSA := publicOf(key).(*rsa.PublicKey)
	if !isRSA && (op == "encrypt" || op == "decrypt") {
		c.printf("pkeyutl: Error initializing context\n")
		c.note("operation not supported for this keytype: EC keys cannot %s", op)
		return errFailed
	}
	if !isPrivate(key) && (op == "sign" || op == "decrypt") {
		return c.fail("A private key is needed for this operation", "pkeyutl: Error initializing context")
	}
	var pp pkeyParams
	for _, v := range o.all("pkeyopt") {
		if err := c.setPkeyOpt(&pp, v, op, isRSA); err != nil {
			return err
		}
	}
	if o.str("in") == "" {
		return c.fail("pkeyutl: there is no standard input in the simulator; name the input file with -in")
	}
	in, err := c.readData(o.str("in"))
	if err != nil {
		return err
	}
	var sig []byte
	if op == "verify" {
		if sig, err = c.readFile(o.str("sigfile")); err != nil {
			c.printf("Can't open signature file %s\n", o.str("sigfile"))
			c.note("%s: %s", o.str("sigfile"), fileErrText(err))
			return errFailed
		}
	}
	opFail := func(why string) error {
		c.printf("Public Key operation error\n")
		c.note("%s", why)
		return errFailed
	}

	var result []byte
	switch op {
	case "sign", "verify":
		h := pp.digest
		if pp.sig.pss && h == 0 {
			h = crypto.SHA1 // OpenSSL's PSS default
		}
		if h != 0 && len(in) != h.Size() {
			return opFail(fmt.Sprintf("invalid digest length: the input must be the %d-byte %s digest (%d bytes given)", h.Size(), digestDisplay(h), len(in)))
		}
		if rk, ok := publicOf(key).(*rsa.PublicKey); ok && h == 0 && len(in) > rk.Size()-11 {
			return opFail("data too large for key size")
		}
		if op == "verify" {
			if verifyDigest(publicOf(key), h, in, sig, pp.sig) == nil {
				c.emit(out, []byte("Signature Verified Successfully\n"), false, "")
				return nil
			}
			c.emit(out, []byte("Signature Verification Failure\n"), false, "")
			return errFailed
		}
		result, err = signDigest(c.rand, key, h, in, pp.sig)
		if err != nil {
			return opFail(err.Error())
		}
	case "encrypt":
		if result, err = rsaEncrypt(c.rand, publicOf(key).(*rsa.PublicKey), in, pp); err != nil {
			return opFail(err.Error())
		}
	case "decrypt":
		if result, err = rsaDecrypt(key.(*rsa.PrivateKey), in, pp); err != nil {
			return opFail(err.Error())
		}
	}
	if o.has("hexdump") {
		c.emit(out, []byte(hexdump(result)), false, "")
		return nil
	}
	if op == "decrypt" && out == "" && isPrintable(result) {
		c.out.Write(result)
		return nil
	}
	c.emit(out, result, true, "use -out <file> to save them, or -hexdump to see them")
	return nil
}

func (c *ctx) setPkeyOpt(pp *pkeyParams, v, op string, isRSA bool) error {
	bad := func(why string) error {
		c.printf("pkeyutl: Can't set parameter \"%s\":\n", v)
		c.note("%s", why)
		return errFailed
	}
	name, val, ok := strings.Cut(v, ":")
	if !ok {
		return bad("write -pkeyopt as name:value")
	}
	signing := op == "sign" || op == "verify"
	if name == "digest" && signing {
		h, ok := lookupDigest(val)
		if !ok {
			return bad("digest " + val + " is not supported by the simulator (sha1, sha224, sha256, sha384, sha512)")
		}
		pp.digest = h
		return nil
	}
	if !isRSA {
		return bad("option " + name + " is not supported for EC keys")
	}
	switch name {
	case "rsa_padding_mode":
		switch {
		case val == "pkcs1":
			pp.padding, pp.sig.pss, pp.oaep = val, false, false
		case val == "pss" && signing:
			pp.padding, pp.sig.pss = val, true
		case val == "oaep" && !signing:
			pp.padding, pp.oaep = val, true
		default:
			return bad("padding mode " + val + " is not available for -" + op + " in the simulator (pkcs1; pss to sign and verify; oaep to encrypt and decrypt)")
		}
	case "rsa_pss_saltlen":
		if !signing {
			return bad("rsa_pss_saltlen applies to signatures")
		}
		pp.sig.saltSpec = val
	case "rsa_mgf1_md":
		h, ok := lookupDigest(val)
		if !ok {
			return bad("digest " + val + " is not supported by the simulator")
		}
		pp.sig.mgf1 = h
	case "rsa_oaep_md":
		h, ok := lookupDigest(val)
		if !ok || signing {
			return bad("rsa_oaep_md takes sha1, sha224, sha256, sha384 or sha512 and applies to OAEP")
		}
		pp.oaepMD = h
	default:
		return bad("option " + name + " is not supported by the simulator's openssl subset")
	}
	return nil
}

func (pp pkeyParams) oaepHashes() (crypto.Hash, crypto.Hash) {
	h := pp.oaepMD
	if h == 0 {
		h = crypto.SHA1 // OpenSSL's OAEP default
	}
	m := pp.sig.mgf1
	if m == 0 {
		m = h
	}
	return h, m
}

// rsaEncrypt uses mech's reproducible PKCS #1 v1.5 and OAEP encryption;
// only an MGF1 digest different from the OAEP digest needs crypto/rsa
// directly.
func rsaEncrypt(r io.Reader, pub *rsa.PublicKey, in []byte, pp pkeyParams) ([]byte, error) {
	if len(in) == 0 {
		return nil, errors.New("the simulator does not encrypt empty input")
	}
	if !pp.oaep {
		if len(in) > pub.Size()-11 {
			return nil, errors.New("data too large for key size")
		}
		return mech.Wrap(r, mech.WrapParams{Mechanism: mech.WrapRSAPKCS}, pub, in)
	}
	h, m := pp.oaepHashes()
	if len(in) > pub.Size()-2*h.Size()-2 {
		return nil, errors.New("data too large for key size")
	}
	if h == m {
		return mech.Wrap(r, mech.WrapParams{Mechanism: mech.WrapRSAOAEP, Hash: h}, pub, in)
	}
	if r == nil {
		return nil, errors.New("no random source")
	}
	return rsa.EncryptOAEPWithOptions(r, pub, in, &rsa.OAEPOptions{Hash: h, MGFHash: m})
}

func rsaDecrypt(priv *rsa.PrivateKey, in []byte, pp pkeyParams) ([]byte, error) {
	var out []byte
	var err error
	if !pp.oaep {
		out, err = mech.Unwrap(mech.WrapParams{Mechanism: mech.WrapRSAPKCS}, priv, in)
	} else {
		h, m := pp.oaepHashes()
		if h == m {
			out, err = mech.Unwrap(mech.WrapParams{Mechanism: mech.WrapRSAOAEP, Hash: h}, priv, in)
		} else {
			out, err = priv.Decrypt(nil, in, &rsa.OAEPOptions{Hash: h, MGFHash: m})
		}
	}
	if err != nil {
		return nil, errors.New("padding check failed (wrong key or padding mode?)")
	}
	return out, nil
}

// isPrintable reports whether decrypted data is text that can be shown.
func isPrintable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if r < ' ' && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		if r == 0x7f {
			return false
		}
	}
	return true
}

// hexdump is OpenSSL's BIO_dump layout.
func hexdump(b []byte) string {
	var s strings.Builder
	for off := 0; off < len(b); off += 16 {
		fmt.Fprintf(&s, "%04x - ", off)
		for j := range 16 {
			if off+j >= len(b) {
				s.WriteString("   ")
				continue
			}
			sep := byte(' ')
			if j == 7 {
				sep = '-'
			}
			fmt.Fprintf(&s, "%02x%c", b[off+j], sep)
		}
		s.WriteString("  ")
		for j := 0; j < 16 && off+j < len(b); j++ {
			ch := b[off+j]
			if ch < ' ' || ch > '~' {
				ch = '.'
			}
			s.WriteByte(ch)
		}
		s.WriteByte('\n')
	}
	return s.String()
}
