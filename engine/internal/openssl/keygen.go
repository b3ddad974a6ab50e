package openssl

import (
	"crypto/rsa"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// RSA sizes the subset generates. OpenSSL goes from 512 to 16384 bits;
// engine/mech reads keys from 1024 bits, and pure-Go generation above 8192
// bits takes too long for an interactive simulator.
const (
	rsaMinBits    = 1024
	rsaMaxBits    = 8192
	rsaOpenSSLMin = 512
)

// generateRSA uses mech.GenerateRSA for the sizes and exponents CloudHSM
// itself generates, and mech.GenerateRSAUnrestricted for the other sizes
// OpenSSL allows (1024, 1536, 8192 bits, e = 3...). Both read every random
// byte from r, so seeded runs repeat.
func generateRSA(r io.Reader, bits, e int) (*rsa.PrivateKey, error) {
	if mech.CheckRSAParams(bits, e) == nil {
		return mech.GenerateRSA(r, bits, e)
	}
	if bits < rsaMinBits || bits > rsaMaxBits {
		return nil, fmt.Errorf("RSA modulus of %d bits", bits)
	}
	return mech.GenerateRSAUnrestricted(r, bits, e)
}

// checkRSABits prints OpenSSL's (and the simulator's) refusal of a size.
func (c *ctx) checkRSABits(bits int, lengthMsg string) error {
	if bits < rsaOpenSSLMin {
		c.printf("%s\n", lengthMsg)
		c.note("key size too small: OpenSSL's minimum is %d bits", rsaOpenSSLMin)
		return errFailed
	}
	if bits < rsaMinBits || bits > rsaMaxBits {
		c.printf("%s\n", lengthMsg)
		c.note("the simulator generates RSA keys of %d to %d bits", rsaMinBits, rsaMaxBits)
		return errFailed
	}
	return nil
}

func (c *ctx) checkExponent(e int64) error {
	if e < 3 || e%2 == 0 || e > mech.RSAMaxExponent {
		c.printf("%s: Error setting RSA public exponent\n", c.cmd)
		c.note("the public exponent must be odd, at least 3 and below 2^31")
		return errFailed
	}
	return nil
}

// outPass resolves the pass phrase for an encrypted output key.
func (c *ctx) outPass(ci *pbeCipher, optName, v string) (string, error) {
	if ci == nil {
		if v != "" {
			if _, err := c.passArg(optName, v); err != nil {
				return "", err
			}
		}
		return "", nil
	}
	p, err := c.passArg(optName, v)
	if err != nil {
		return "", err
	}
	if p == nil {
		c.printf("%s: Error getting passwords\n", c.cmd)
		c.note("pass phrase prompts are not available in the simulator; give the pass phrase with -%s pass:<phrase> (or leave out the cipher option)", optName)
		return "", errFailed
	}
	return *p, nil
}

// genrsaSpec is genrsa's options; a cipher option sets *ci.
func genrsaSpec(c *ctx, ci **pbeCipher) *cmdSpec {
	spec := &cmdSpec{
		usage: "genrsa [options] numbits",
		opts: []optDef{
			{"out", valueOpt, "outfile", "Output the key to specified file"},
			{"passout", valueOpt, "val", "Output file pass phrase source (pass:<phrase> only)"},
			{"3", flagOpt, "", "(deprecated) Use 3 for the E value"},
			{"F4", flagOpt, "", "Use the Fermat number F4 (0x10001) for the E value"},
			{"f4", flagOpt, "", "Use the Fermat number F4 (0x10001) for the E value"},
			{"primes", valueOpt, "+int", "Specify number of primes (2 only)"},
			{"verbose", flagOpt, "", "Verbose output"},
			{"quiet", flagOpt, "", "Terse output"},
			{"traditional", flagOpt, "", "Use traditional format for private keys"},
		},
		unknown: c.cipherHook(ci),
	}
	spec.opts = append(spec.opts, cipherHelp)
	return spec
}

// genrsaBits is the size of the key "genrsa args" generates: its numbits
// parameter, 2048 by default; ok is false when the line would not generate
// one (-help, a malformed line).
func genrsaBits(args []string) (bits int, ok bool) {
	c := &ctx{}
	var ci *pbeCipher
	o, err := c.parse(genrsaSpec(c, &ci), args)
	if err != nil || o == nil || len(o.pos) > 1 {
		return 0, false
	}
	if len(o.pos) == 0 {
		return 2048, true
	}
	n, err := strconv.ParseInt(o.pos[0], 10, 64)
	if err != nil {
		return 0, false
	}
	return clampBits(n), true
}

// clampBits keeps a size in an int, however large it was written.
func clampBits(n int64) int {
	if n > 1<<30 {
		return 1 << 30
	}
	return int(n)
}

func runGenRSA(c *ctx, args []string) error {
	var ci *pbeCipher
	spec := genrsaSpec(c, &ci)
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 1 {
		return c.fail("Extra arguments given.", "genrsa: Use -help for summary.")
	}
	bits := 2048
	if len(o.pos) == 1 {
		n, err := strconv.Atoi(o.pos[0])
		if err != nil {
			return c.fail(fmt.Sprintf("genrsa: Can't parse \"%s\" as a number", o.pos[0]))
		}
		bits = n
	}
	if p := o.str("primes"); p != "" && p != "2" {
		if _, err := strconv.Atoi(p); err != nil {
			return c.usageFail(fmt.Sprintf("Invalid number \"%s\" for option -primes", p))
		}
		return c.fail("genrsa: Error setting number of primes", "hsmsim: the simulator generates two-prime RSA keys only")
	}
	e := 65537
	if o.last("3", "F4", "f4") == "3" {
		e = 3
	}
	if err := c.checkRSABits(bits, "Error setting RSA length"); err != nil {
		return err
	}
	out := o.str("out")
	if err := c.checkOut(out); err != nil {
		return err
	}
	pass, err := c.outPass(ci, "passout", o.str("passout"))
	if err != nil {
		return err
	}
	if ci != nil && o.has("traditional") {
		return c.fail("genrsa: Error writing key", "hsmsim: the simulator encrypts keys only in PKCS #8 form; leave out -traditional")
	}
	if o.has("verbose") {
		c.printf("Generating RSA key with %d bits\n", bits)
	}
	key, err := generateRSA(c.rand, bits, e)
	if err != nil {
		return c.fail("genrsa: Error generating RSA key", "hsmsim: "+err.Error())
	}
	if o.has("verbose") {
		c.printf("e is %d (0x%06x)\n", e, e)
	}
	style := stylePKCS8
	if o.has("traditional") {
		style = styleTraditional
	}
	data, err := c.encodeKey(key, outKey{format: formatPEM, style: style, cipher: ci, pass: pass})
	if err != nil {
		return c.fail("genrsa: Error writing key", "hsmsim: "+err.Error())
	}
	c.emit(out, data, false, "")
	return nil
}

// keygenOpts collects -pkeyopt values for genpkey.
type keygenOpts struct {
	bits    int
	exp     int64
	curve   int
	curveOK bool
	curveIn string
}

// genpkeySpec is genpkey's options; a cipher option sets *ci.
func genpkeySpec(c *ctx, ci **pbeCipher) *cmdSpec {
	return &cmdSpec{
		usage: "genpkey [options]",
		opts: []optDef{
			{"algorithm", valueOpt, "val", "The public key algorithm (RSA or EC)"},
			{"pkeyopt", valueOpt, "val", "Set the public key algorithm option as opt:value"},
			{"out", valueOpt, "outfile", "Output file"},
			{"outform", formatOpt, "", "output format (DER or PEM)"},
			{"pass", valueOpt, "val", "Output file pass phrase source (pass:<phrase> only)"},
			{"text", flagOpt, "", "Print the key in text"},
			{"quiet", flagOpt, "", "Do not output status while generating keys"},
			cipherHelp,
		},
		unknown: c.cipherHook(ci),
	}
}

// genpkeyRSABits is the size of the RSA key "genpkey args" generates
// (-algorithm RSA, -pkeyopt rsa_keygen_bits:N, 2048 by default); ok is false
// for other algorithms and lines that would not generate a key.
func genpkeyRSABits(args []string) (bits int, ok bool) {
	c := &ctx{}
	var ci *pbeCipher
	o, err := c.parse(genpkeySpec(c, &ci), args)
	if err != nil || o == nil || !strings.EqualFold(o.str("algorithm"), "RSA") {
		return 0, false
	}
	bits = 2048
	for _, opt := range o.all("pkeyopt") {
		if v, found := strings.CutPrefix(opt, "rsa_keygen_bits:"); found {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				bits = clampBits(n)
			}
		}
	}
	return bits, true
}

func runGenPkey(c *ctx, args []string) error {
	var ci *pbeCipher
	spec := genpkeySpec(c, &ci)
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra option: \"" + o.pos[0] + "\"")
	}
	alg := strings.ToUpper(o.str("algorithm"))
	if alg == "" {
		c.printf("genpkey: Use -help for summary.\n")
		c.note("name the key type with -algorithm RSA or -algorithm EC")
		return errFailed
	}
	if alg != "RSA" && alg != "EC" {
		c.printf("Error initializing %s context\n", o.str("algorithm"))
		c.note("the simulator's openssl subset generates RSA and EC keys only")
		return errFailed
	}
	kg := keygenOpts{bits: 2048, exp: 65537}
	for _, po := range o.all("pkeyopt") {
		if err := c.setKeygenOpt(alg, po, &kg); err != nil {
			return err
		}
	}
	format := formatPEM
	if o.str("outform") == formatDER {
		format = formatDER
	}
	out := o.str("out")
	if err := c.checkOut(out); err != nil {
		return err
	}
	pass, err := c.outPass(ci, "pass", o.str("pass"))
	if err != nil {
		return err
	}
	var key any
	if alg == "RSA" {
		if err := c.checkRSABits(kg.bits, "genpkey: Error generating RSA key"); err != nil {
			return err
		}
		k, err := generateRSA(c.rand, kg.bits, int(kg.exp))
		if err != nil {
			return c.fail("genpkey: Error generating RSA key", "hsmsim: "+err.Error())
		}
		key = k
	} else {
		if !kg.curveOK {
			c.printf("genpkey: Error generating EC key\n")
			if kg.curveIn == "" {
				c.note("no curve given; add -pkeyopt ec_paramgen_curve:P-256 (or P-384, P-521, P-224, secp256k1)")
			} else {
				c.note("curve %s is not supported by the simulator (use P-224, P-256, P-384, P-521 or secp256k1)", kg.curveIn)
			}
			return errFailed
		}
		k, err := mech.GenerateEC(c.rand, kg.curve)
		if err != nil {
			return c.fail("genpkey: Error generating EC key", "hsmsim: "+err.Error())
		}
		key = k
	}
	style := stylePKCS8
	if format == formatDER {
		style = styleTraditional
	}
	data, err := c.encodeKey(key, outKey{format: format, style: style, cipher: ci, pass: pass})
	if err != nil {
		return c.fail("genpkey: Error writing key", "hsmsim: "+err.Error())
	}
	if o.has("text") {
		data = append(data, keyText(key, false)...)
	}
	c.emit(out, data, format == formatDER && !o.has("text"), "use -out <file> to save them")
	return nil
}

func (c *ctx) setKeygenOpt(alg, po string, kg *keygenOpts) error {
	bad := func(why string) error {
		c.printf("genpkey: Error setting %s parameter:\n", po)
		c.note("%s", why)
		return errFailed
	}
	name, val, ok := strings.Cut(po, ":")
	if !ok {
		return bad("write -pkeyopt as name:value")
	}
	switch {
	case alg == "RSA" && name == "rsa_keygen_bits":
		n, err := strconv.Atoi(val)
		if err != nil {
			return bad("rsa_keygen_bits needs a number")
		}
		kg.bits = n
	case alg == "RSA" && name == "rsa_keygen_pubexp":
		n, ok := parseBN(val)
		if !ok {
			return bad("rsa_keygen_pubexp needs a number")
		}
		if err := c.checkExponent(n); err != nil {
			return err
		}
		kg.exp = n
	case alg == "RSA" && name == "rsa_keygen_primes":
		if val != "2" {
			return bad("the simulator generates two-prime RSA keys only")
		}
	case alg == "EC" && (name == "ec_paramgen_curve" || name == "group"):
		kg.curveIn = val
		kg.curve, kg.curveOK = curveByName(val)
	case alg == "EC" && name == "ec_param_enc":
		if val != "named_curve" {
			return bad("the simulator writes named curves only (ec_param_enc:named_curve)")
		}
	default:
		return bad(fmt.Sprintf("option %s is not supported for %s keys by the simulator's openssl subset", name, alg))
	}
	return nil
}

// parseBN reads a number as BN_asc2bn does: decimal, or hex after 0x.
func parseBN(s string) (int64, bool) {
	base := 10
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		s, base = h, 16
	}
	n, err := strconv.ParseInt(s, base, 64)
	return n, err == nil
}

// supportedCurves lists the curves in `ecparam -list_curves` order and
// wording.
var supportedCurves = []struct{ name, comment string }{
	{"secp224r1", "NIST/SECG curve over a 224 bit prime field"},
	{"secp256k1", "SECG curve over a 256 bit prime field"},
	{"secp384r1", "NIST/SECG curve over a 384 bit prime field"},
	{"secp521r1", "NIST/SECG curve over a 521 bit prime field"},
	{"prime256v1", "X9.62/SECG curve over a 256 bit prime field"},
}

func runECParam(c *ctx, args []string) error {
	spec := &cmdSpec{
		usage: "ecparam [options]",
		opts: []optDef{
			{"name", valueOpt, "val", "Use the ec parameters with specified 'short name'"},
			{"genkey", flagOpt, "", "Generate ec key"},
			{"noout", flagOpt, "", "Do not print the ec parameter"},
			{"out", valueOpt, "outfile", "Output file"},
			{"outform", formatOpt, "", "Output format (PEM only in the simulator)"},
			{"text", flagOpt, "", "Print the ec parameters in text form"},
			{"list_curves", flagOpt, "", "Prints a list of all curve 'short names'"},
			{"param_enc", valueOpt, "val", "Specifies the way the ec parameters are encoded (named_curve)"},
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra arguments given.")
	}
	if o.has("list_curves") {
		for _, cv := range supportedCurves {
			c.printf("  %-10s: %s\n", cv.name, cv.comment)
		}
		c.note("these are the curves the simulator implements; real OpenSSL lists more")
		return nil
	}
	if o.str("outform") == formatDER {
		return c.fail("ecparam: unable to write DER output", "hsmsim: the simulator's ecparam writes PEM only")
	}
	if pe := o.str("param_enc"); pe != "" && pe != "named_curve" {
		return c.fail("ecparam: unable to set the parameter encoding", "hsmsim: the simulator writes named curves only")
	}
	name := o.str("name")
	if name == "" {
		c.printf("Unable to load parameters from <NULL>\n")
		c.note("name a curve with -name (prime256v1, secp384r1, secp521r1, secp224r1, secp256k1)")
		return errFailed
	}
	id, ok := curveByName(name)
	if !ok {
		c.printf("unable to generate key\n")
		c.note("curve %s is not supported by the simulator (see -list_curves)", name)
		return errFailed
	}
	out := o.str("out")
	if err := c.checkOut(out); err != nil {
		return err
	}
	var data []byte
	if o.has("text") {
		data = append(data, fmt.Sprintf("EC-Parameters: (%d bit)\n", curveInfo(id).Bits)...)
		data = append(data, ecParamText(id)...)
	}
	if !o.has("noout") {
		data = append(data, ecParamsPEM(id)...)
	}
	if o.has("genkey") {
		key, err := mech.GenerateEC(c.rand, id)
		if err != nil {
			return c.fail("unable to generate key", "hsmsim: "+err.Error())
		}
		pemKey, err := c.encodeKey(key, outKey{format: formatPEM, style: styleTraditional})
		if err != nil {
			return c.fail("unable to write private key", "hsmsim: "+err.Error())
		}
		data = append(data, pemKey...)
	}
	if len(data) > 0 {
		c.emit(out, data, false, "")
	} else if out != "" {
		c.queueWrite(out, nil)
	}
	return nil
}
