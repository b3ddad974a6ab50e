package openssl

import (
	"crypto"
	"crypto/rsa"
	_ "crypto/sha1" // registers crypto.SHA1
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// digestByName maps OpenSSL digest names (as -sha256 options and as
// digest:/rsa_oaep_md: values) to hashes.
var digestByName = map[string]crypto.Hash{
	"sha1":     crypto.SHA1,
	"sha224":   crypto.SHA224,
	"sha2-224": crypto.SHA224,
	"sha256":   crypto.SHA256,
	"sha2-256": crypto.SHA256,
	"sha384":   crypto.SHA384,
	"sha2-384": crypto.SHA384,
	"sha512":   crypto.SHA512,
	"sha2-512": crypto.SHA512,
}

// otherDigests are real OpenSSL digests the subset does not implement.
var otherDigests = map[string]bool{
	"md5": true, "md4": true, "md5-sha1": true, "mdc2": true, "ripemd": true, "ripemd160": true, "rmd160": true,
	"sha3-224": true, "sha3-256": true, "sha3-384": true, "sha3-512": true, "shake128": true, "shake256": true,
	"sha512-224": true, "sha512-256": true, "blake2b512": true, "blake2s256": true, "sm3": true, "whirlpool": true,
}

// digestDisplay is OpenSSL 3's name of a digest in dgst output.
func digestDisplay(h crypto.Hash) string {
	switch h {
	case crypto.SHA1:
		return "SHA1"
	case crypto.SHA224:
		return "SHA2-224"
	case crypto.SHA256:
		return "SHA2-256"
	case crypto.SHA384:
		return "SHA2-384"
	case crypto.SHA512:
		return "SHA2-512"
	}
	return h.String()
}

const supportedDigestsText = "-sha1, -sha224, -sha256, -sha384 or -sha512"

func lookupDigest(name string) (crypto.Hash, bool) {
	h, ok := digestByName[strings.ToLower(name)]
	return h, ok
}

func hashOf(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

// sigOpts are the RSA signature options of -sigopt and -pkeyopt.
type sigOpts struct {
	pss      bool
	saltSpec string // "", "digest", "max", "auto" or a number
	mgf1     crypto.Hash
}

// pssOptions turns the salt specification into crypto/rsa's. OpenSSL 3.0
// signs with the longest salt by default and detects it when verifying.
func (s sigOpts) pssOptions(pub *rsa.PublicKey, h crypto.Hash, signing bool) (*rsa.PSSOptions, error) {
	o := &rsa.PSSOptions{Hash: h}
	maxSalt := (pub.N.BitLen()-1+7)/8 - h.Size() - 2
	switch s.saltSpec {
	case "", "auto", "-2":
		if signing {
			o.SaltLength = maxSalt
		} else {
			o.SaltLength = rsa.PSSSaltLengthAuto
		}
	case "max", "-3":
		o.SaltLength = maxSalt
	case "digest", "-1":
		o.SaltLength = rsa.PSSSaltLengthEqualsHash
	default:
		n, err := strconv.Atoi(s.saltSpec)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("invalid salt length %q", s.saltSpec)
		}
		o.SaltLength = n
		if n == 0 {
			// crypto/rsa reads 0 as "auto"; a zero-length salt is legal in
			// PSS but has no crypto/rsa spelling.
			return nil, fmt.Errorf("a salt length of 0 is not supported by the simulator")
		}
	}
	if s.mgf1 != 0 && s.mgf1 != h {
		return nil, fmt.Errorf("an MGF1 digest different from the signature digest is not supported by the simulator")
	}
	if maxSalt < 0 || o.SaltLength > maxSalt {
		return nil, fmt.Errorf("salt length too large for the key")
	}
	return o, nil
}

// set applies one "name:value" signature option; it returns false
// for options it does not know.
func (s *sigOpts) set(name, val string) bool {
	switch name {
	case "rsa_padding_mode":
		switch val {
		case "pkcs1":
			s.pss = false
		case "pss":
			s.pss = true
		default:
			return false
		}
	case "rsa_pss_saltlen":
		s.saltSpec = val
	case "rsa_mgf1_md":
		h, ok := lookupDigest(val)
		if !ok {
			return false
		}
		s.mgf1 = h
	default:
		return false
	}
	return true
}

// signMech maps a hash and key to the engine/mech signing mechanism.
func signMech(key any, h crypto.Hash) (int, bool) {
	_, isRSA := publicOf(key).(*rsa.PublicKey)
	for _, m := range mech.SignMechanisms() {
		if m.Hash != h {
			continue
		}
		if isRSA && m.Family == mech.FamilyRSAPKCS {
			return m.ID, true
		}
		if !isRSA && m.Family == mech.FamilyECDSA {
			return m.ID, true
		}
	}
	return 0, false
}

func runDgst(c *ctx, args []string) error {
	var hash crypto.Hash
	spec := &cmdSpec{
		usage: "dgst [options] [file...]",
		opts: []optDef{
			{"sha1, -sha224, -sha256, -sha384, -sha512", helpOpt, "", "Message digest to use (default sha256)"},
			{"out", valueOpt, "outfile", "Output to filename rather than stdout"},
			{"binary", flagOpt, "", "Output in binary form"},
			{"hex", flagOpt, "", "Print as hex dump"},
			{"r", flagOpt, "", "Print the digest in coreutils format"},
			{"c", flagOpt, "", "Print the digest with separating colons"},
			{"sign", valueOpt, "val", "Sign digest using private key"},
			{"verify", valueOpt, "val", "Verify a signature using public key"},
			{"prverify", valueOpt, "val", "Verify a signature using private key"},
			{"signature", valueOpt, "infile", "File with signature to verify"},
			{"keyform", formatOpt, "", "Key file format (PEM or DER)"},
			{"passin", valueOpt, "val", "Input file pass phrase source (pass:<phrase> only)"},
			{"sigopt", valueOpt, "val", "Signature parameter in n:v form"},
		},
		unknown: func(name string) (bool, error) {
			if h, ok := lookupDigest(name); ok {
				hash = h
				return true, nil
			}
			if otherDigests[strings.ToLower(name)] {
				return false, c.fail(fmt.Sprintf("dgst: message digest %s is not supported by the hsmsim simulator's openssl subset (use %s)", name, supportedDigestsText))
			}
			return false, nil
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	explicit := hash != 0
	if !explicit {
		hash = crypto.SHA256
	}
	files := o.pos
	if len(files) == 0 {
		return c.fail("dgst: there is no standard input in the simulator; name the file to digest", "dgst: Use -help for summary.")
	}
	mode := o.last("sign", "verify", "prverify")
	if mode != "" && len(files) > 1 {
		return c.fail("dgst: Can only sign or verify one file.")
	}
	verifying := mode == "verify" || mode == "prverify"
	if verifying && o.str("signature") == "" {
		return c.fail("No signature to verify: use the -signature option")
	}
	var so sigOpts
	for _, v := range o.all("sigopt") {
		name, val, _ := strings.Cut(v, ":")
		if !so.set(name, val) {
			c.printf("dgst: Signature parameter error\n")
			c.note("-sigopt %s is not supported by the simulator (rsa_padding_mode:pkcs1|pss, rsa_pss_saltlen:N|digest|max|auto, rsa_mgf1_md:<digest>)", v)
			return errFailed
		}
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
	switch mode {
	case "sign", "prverify":
		key, err = c.loadPrivate(keySource{file: o.str(mode), format: keyForm, pass: passin, what: "private key"})
	case "verify":
		key, err = c.loadPublic(keySource{file: o.str(mode), format: keyForm, what: "public key"})
	}
	if err != nil {
		return err
	}
	if so.pss {
		if _, ok := publicOf(key).(*rsa.PublicKey); !ok && key != nil {
			c.printf("dgst: Signature parameter error\n")
			c.note("rsa_padding_mode:pss needs an RSA key")
			return errFailed
		}
	}
	var sig []byte
	if verifying {
		if sig, err = c.readFile(o.str("signature")); err != nil {
			c.printf("Error opening signature file %s\n", o.str("signature"))
			c.note("%s: %s", o.str("signature"), fileErrText(err))
			return errFailed
		}
	}

	failed := false
	for _, f := range files {
		data, err := c.readData(f)
		if err != nil {
			failed = true
			continue
		}
		switch mode {
		case "":
			c.emitDigest(o, out, explicit, hash, f, hashOf(hash, data))
		case "sign":
			s, err := c.dgstSign(key, hash, data, so)
			if err != nil {
				return c.fail("Error signing data", "hsmsim: "+err.Error())
			}
			if o.has("hex") {
				c.emit(out, fmt.Appendf(nil, "%s-%s(%s)= %s\n", algPrefix(key), digestDisplay(hash), f, hex.EncodeToString(s)), false, "")
			} else {
				c.emit(out, s, true, "use -out <file> to save the signature, or -hex to see it")
			}
		default:
			if dgstVerify(key, hash, data, sig, so) {
				c.emit(out, []byte("Verified OK\n"), false, "")
			} else {
				c.emit(out, []byte("Verification failure\n"), false, "")
				failed = true
			}
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

func algPrefix(key any) string {
	if _, ok := publicOf(key).(*rsa.PublicKey); ok {
		return "RSA"
	}
	return "EC"
}

// emitDigest prints one digest in the chosen format.
func (c *ctx) emitDigest(o *opts, out string, explicit bool, h crypto.Hash, file string, sum []byte) {
	if o.has("binary") {
		c.emit(out, sum, true, "use -out <file> to save it, or leave out -binary to see it in hex")
		return
	}
	hx := hex.EncodeToString(sum)
	if o.has("c") {
		parts := make([]string, len(sum))
		for i, b := range sum {
			parts[i] = fmt.Sprintf("%02x", b)
		}
		hx = strings.Join(parts, ":")
	}
	if o.has("r") {
		c.emit(out, fmt.Appendf(nil, "%s *%s\n", hx, file), false, "")
		return
	}
	name := digestDisplay(h)
	if !explicit {
		// OpenSSL 3.0 names its default digest by its legacy name.
		name = "SHA256"
	}
	c.emit(out, fmt.Appendf(nil, "%s(%s)= %s\n", name, file, hx), false, "")
}

// dgstSign hashes and signs with engine/mech (PKCS #1 v1.5, ECDSA) or, for
// -sigopt rsa_padding_mode:pss, with OpenSSL's PSS defaults.
func (c *ctx) dgstSign(key any, h crypto.Hash, data []byte, so sigOpts) ([]byte, error) {
	if so.pss {
		return signDigest(c.rand, key, h, hashOf(h, data), so)
	}
	m, ok := signMech(key, h)
	if !ok {
		return nil, fmt.Errorf("no signing mechanism for %T with %v", key, h)
	}
	return mech.Sign(c.rand, m, key, data)
}

func dgstVerify(key any, h crypto.Hash, data, sig []byte, so sigOpts) bool {
	if so.pss {
		return verifyDigest(publicOf(key), h, hashOf(h, data), sig, so) == nil
	}
	m, ok := signMech(key, h)
	if !ok {
		return false
	}
	return mech.Verify(m, publicOf(key), data, sig) == nil
}
