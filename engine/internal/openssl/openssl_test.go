//go:debug cryptocustomrand=1

package openssl

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/cert"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// oslEnv is a workspace and a seeded random source.
type oslEnv struct {
	t    *testing.T
	fs   *vfs.Mem
	rand *rand.ChaCha8
}

func newOslEnv(t *testing.T, seed byte) *oslEnv {
	t.Helper()
	return &oslEnv{t: t, fs: vfs.NewMem(), rand: rand.NewChaCha8([32]byte{seed})}
}

// run executes one command line (split on spaces).
func (e *oslEnv) run(line string) (string, bool) {
	return Run(strings.Fields(line), e.fs, e.rand)
}

// ok runs a command that must succeed and returns its output.
func (e *oslEnv) ok(line string) string {
	e.t.Helper()
	out, _ := e.run(line)
	require.NotContains(e.t, out, "Use -help", line)
	require.NotContains(e.t, out, "hsmsim:", line)
	return out
}

func (e *oslEnv) file(name string) []byte {
	e.t.Helper()
	b, err := e.fs.ReadFile(name)
	require.NoError(e.t, err, name)
	return b
}

func (e *oslEnv) put(name string, data []byte) {
	e.t.Helper()
	require.NoError(e.t, e.fs.WriteFile(name, data))
}

func first(s string, _ bool) string { return s }

func pemLabel(t *testing.T, data []byte) string {
	t.Helper()
	b, _ := pem.Decode(data)
	require.NotNil(t, b, "no PEM block in %q", data)
	return b.Type
}

func TestOslVersion(t *testing.T) {
	e := newOslEnv(t, 1)
	out, changed := e.run("version")
	assert.Equal(t, "OpenSSL 3.0 subset (hsmsim): rand, genrsa, genpkey, ecparam, rsa, pkey, ec, dgst, pkeyutl, enc, req, version\n", out)
	assert.False(t, changed)
	out, _ = e.run("version -x")
	assert.Equal(t, "version: Unknown option: -x\nversion: Use -help for summary.\n", out)
}

func TestOslUnknownCommand(t *testing.T) {
	e := newOslEnv(t, 1)
	out, changed := e.run("x509 -req -in client.csr")
	assert.Equal(t, "openssl: 'x509' is not part of the hsmsim simulator's openssl subset (supported: rand, genrsa, genpkey, ecparam, rsa, pkey, ec, dgst, pkeyutl, enc, req, version)\n", out)
	assert.False(t, changed)
	out, _ = Run(nil, e.fs, e.rand)
	assert.Contains(t, out, "supports: rand, genrsa")
}

func TestOslRand(t *testing.T) {
	e := newOslEnv(t, 1)
	out, changed := e.run("rand -out aes256.key 32")
	assert.Equal(t, "", out)
	assert.True(t, changed)
	assert.Len(t, e.file("aes256.key"), 32)

	out, changed = e.run("rand -hex 16")
	assert.Regexp(t, `^[0-9a-f]{32}\n$`, out)
	assert.False(t, changed)

	out, _ = e.run("rand -base64 60")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2)
	assert.Len(t, lines[0], 64)
	assert.Len(t, lines[1], 16)

	out, changed = e.run("rand 8")
	assert.Equal(t, "hsmsim: 8 bytes of binary output are not shown on this console; use -out <file> to save them, or -hex or -base64 to see them\n", out)
	assert.False(t, changed)

	out, _ = e.run("rand -hex -out r.txt 4")
	assert.Equal(t, "", out)
	assert.Regexp(t, `^[0-9a-f]{8}\n$`, string(e.file("r.txt")))

	// Same seed, same bytes.
	a, b := newOslEnv(t, 7), newOslEnv(t, 7)
	assert.Equal(t, a.ok("rand -hex 32"), b.ok("rand -hex 32"))
}

func TestOslRandErrors(t *testing.T) {
	cases := map[string]string{
		"rand":                  "rand: Use -help for summary.\n",
		"rand 0":                "rand: Use -help for summary.\n",
		"rand abc":              "rand: Can't parse \"abc\" as a number\nrand: Use -help for summary.\n",
		"rand -foo 3":           "rand: Unknown option: -foo\nrand: Use -help for summary.\n",
		"rand -out":             "rand: Option -out needs a value\nrand: Use -help for summary.\n",
		"rand 5 -hex":           "rand: Use -help for summary.\n",
		"rand -out ../a.key 32": "Can't open \"../a.key\" for writing, Permission denied (outside the workspace)\n",
	}
	for line, want := range cases {
		e := newOslEnv(t, 1)
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
}

var oslHexLine = regexp.MustCompile(`^    ([0-9a-f]{2}:){0,14}[0-9a-f]{2}:?$`)

// checkBignumBlock checks OpenSSL's colon-hex layout after a label.
func checkBignumBlock(t *testing.T, text, label string) {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != label {
			continue
		}
		n := 0
		for _, h := range lines[i+1:] {
			if !strings.HasPrefix(h, "    ") {
				break
			}
			assert.Regexp(t, oslHexLine, h)
			if strings.HasSuffix(h, ":") {
				assert.Len(t, h, 4+15*3, "full lines hold 15 bytes")
			}
			n++
		}
		assert.Positive(t, n, label)
		return
	}
	t.Fatalf("label %q not in %q", label, text)
}

func TestOslGenRSAAndText(t *testing.T) {
	e := newOslEnv(t, 2)
	out, changed := e.run("genrsa -out k.pem 1024")
	assert.Equal(t, "", out)
	assert.True(t, changed)
	assert.Equal(t, "PRIVATE KEY", pemLabel(t, e.file("k.pem")))

	text := e.ok("rsa -in k.pem -text -noout")
	assert.True(t, strings.HasPrefix(text, "Private-Key: (1024 bit, 2 primes)\nmodulus:\n    00:"), text)
	assert.Contains(t, text, "\npublicExponent: 65537 (0x10001)\nprivateExponent:\n")
	for _, l := range []string{"modulus:", "privateExponent:", "prime1:", "prime2:", "exponent1:", "exponent2:", "coefficient:"} {
		checkBignumBlock(t, text, l)
	}
	assert.Equal(t, text, e.ok("pkey -in k.pem -text -noout"))

	out, changed = e.run("rsa -in k.pem -pubout -out k.pub")
	assert.Equal(t, "writing RSA key\n", out)
	assert.True(t, changed)
	assert.Equal(t, "PUBLIC KEY", pemLabel(t, e.file("k.pub")))

	pub := e.ok("rsa -pubin -in k.pub -text -noout")
	assert.True(t, strings.HasPrefix(pub, "Public-Key: (1024 bit)\nModulus:\n    00:"), pub)
	assert.True(t, strings.HasSuffix(pub, "\nExponent: 65537 (0x10001)\n"), pub)
	assert.Equal(t, pub, e.ok("pkey -in k.pem -text_pub -noout"))

	mod := e.ok("rsa -in k.pem -modulus -noout")
	assert.Regexp(t, `^Modulus=[0-9A-F]{256}\n$`, mod)
	assert.Equal(t, "RSA key ok\n", e.ok("rsa -in k.pem -check -noout"))

	e.ok("rsa -in k.pem -traditional -out trad.pem")
	assert.Equal(t, "RSA PRIVATE KEY", pemLabel(t, e.file("trad.pem")))
	e.ok("rsa -in k.pem -RSAPublicKey_out -out pkcs1.pub")
	assert.Equal(t, "RSA PUBLIC KEY", pemLabel(t, e.file("pkcs1.pub")))
	e.ok("rsa -in trad.pem -out again.pem")
	assert.Equal(t, e.file("k.pem"), e.file("again.pem"), "PKCS #1 and PKCS #8 hold the same key")

	// -text without -noout also writes the key, to the same place.
	out = e.ok("rsa -in k.pem -text -out both.pem")
	assert.Equal(t, "writing RSA key\n", out)
	assert.Equal(t, text+string(e.file("k.pem")), string(e.file("both.pem")))

	// genrsa -3 and -traditional.
	e.ok("genrsa -3 -traditional -out e3.pem 1024")
	assert.Equal(t, "RSA PRIVATE KEY", pemLabel(t, e.file("e3.pem")))
	assert.Contains(t, e.ok("rsa -in e3.pem -text -noout"), "publicExponent: 3 (0x3)\n")
	assert.Equal(t, "Generating RSA key with 1024 bits\ne is 65537 (0x010001)\n", e.ok("genrsa -verbose -out v.pem 1024"))
}

func TestOslGenRSADeterministic(t *testing.T) {
	a, b := newOslEnv(t, 9), newOslEnv(t, 9)
	a.ok("genrsa -out k.pem")
	b.ok("genrsa -out k.pem")
	assert.Equal(t, a.file("k.pem"), b.file("k.pem"))
	assert.Contains(t, a.ok("rsa -in k.pem -text -noout"), "Private-Key: (2048 bit, 2 primes)")
	c := newOslEnv(t, 10)
	c.ok("genrsa -out k.pem")
	assert.NotEqual(t, a.file("k.pem"), c.file("k.pem"))

	a.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec.pem")
	b.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec.pem")
	assert.Equal(t, a.file("ec.pem"), b.file("ec.pem"))
	// Signatures use the reader too and repeat with it.
	a.put("m.txt", []byte("message"))
	b.put("m.txt", []byte("message"))
	assert.Equal(t, a.ok("dgst -sha256 -sign ec.pem -hex m.txt"), b.ok("dgst -sha256 -sign ec.pem -hex m.txt"))
}

func TestOslGenRSAErrors(t *testing.T) {
	cases := map[string]string{
		"genrsa -foo":              "genrsa: Unknown cipher: foo\ngenrsa: Use -help for summary.\n",
		"genrsa -out":              "genrsa: Option -out needs a value\ngenrsa: Use -help for summary.\n",
		"genrsa abc":               "genrsa: Can't parse \"abc\" as a number\n",
		"genrsa -out k.pem 1024 x": "Extra arguments given.\ngenrsa: Use -help for summary.\n",
		"genrsa -out k.pem 100":    "Error setting RSA length\nhsmsim: key size too small: OpenSSL's minimum is 512 bits\n",
		"genrsa -out k.pem 16384":  "Error setting RSA length\nhsmsim: the simulator generates RSA keys of 1024 to 8192 bits\n",
		"genrsa -out k.pem -aes256 2048": "genrsa: Error getting passwords\n" +
			"hsmsim: pass phrase prompts are not available in the simulator; give the pass phrase with -passout pass:<phrase> (or leave out the cipher option)\n",
		"genrsa -passout env:X -aes256 -out k.pem": "genrsa: Error getting passwords\nhsmsim: -passout env:X: only pass:<phrase> is supported by the simulator (no env:, file:, fd: or stdin)\n",
		"genrsa -camellia256 -out k.pem":           "genrsa: cipher camellia256 is not supported by the hsmsim simulator's openssl subset (use -aes128, -aes192, -aes256 or -des3)\n",
		"genrsa -primes 3 -out k.pem":              "genrsa: Error setting number of primes\nhsmsim: the simulator generates two-prime RSA keys only\n",
	}
	for line, want := range cases {
		e := newOslEnv(t, 1)
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
		_, err := e.fs.ReadFile("k.pem")
		assert.True(t, vfs.IsNotExist(err), "%s must not write k.pem", line)
	}
}

func TestOslECKeys(t *testing.T) {
	e := newOslEnv(t, 3)
	out, changed := e.run("ecparam -name prime256v1 -genkey -out ec.pem")
	assert.Equal(t, "", out)
	assert.True(t, changed)
	data := e.file("ec.pem")
	assert.True(t, bytes.HasPrefix(data, []byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n-----BEGIN EC PRIVATE KEY-----\n")), string(data))

	e.ok("ecparam -name prime256v1 -genkey -noout -out ec2.pem")
	assert.Equal(t, "EC PRIVATE KEY", pemLabel(t, e.file("ec2.pem")))
	assert.Equal(t, "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n", e.ok("ecparam -name P-256"))
	assert.Equal(t, "EC-Parameters: (256 bit)\nASN1 OID: secp256k1\n", e.ok("ecparam -name secp256k1 -text -noout"))

	out = e.ok("ec -in ec.pem -pubout -out ec.pub")
	assert.Equal(t, "read EC key\nwriting EC key\n", out)
	assert.Equal(t, "PUBLIC KEY", pemLabel(t, e.file("ec.pub")))

	text := e.ok("ec -in ec.pem -text -noout")
	assert.True(t, strings.HasPrefix(text, "read EC key\nPrivate-Key: (256 bit)\npriv:\n    "), text)
	assert.True(t, strings.HasSuffix(text, "\nASN1 OID: prime256v1\nNIST CURVE: P-256\n"), text)
	checkBignumBlock(t, text, "priv:")
	checkBignumBlock(t, text, "pub:")
	assert.Contains(t, text, "pub:\n    04:")
	pubText := e.ok("pkey -pubin -in ec.pub -text -noout")
	assert.True(t, strings.HasPrefix(pubText, "Public-Key: (256 bit)\npub:\n    04:"), pubText)

	// pkey writes PKCS #8, ec writes SEC 1.
	e.ok("pkey -in ec.pem -out p8.pem")
	assert.Equal(t, "PRIVATE KEY", pemLabel(t, e.file("p8.pem")))
	e.ok("ec -in p8.pem -out sec1.pem")
	assert.Equal(t, "EC PRIVATE KEY", pemLabel(t, e.file("sec1.pem")))

	for curve, bits := range map[string]string{"P-224": "224", "P-384": "384", "secp521r1": "521", "secp256k1": "256"} {
		e.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:" + curve + " -out c.pem")
		assert.Equal(t, "PRIVATE KEY", pemLabel(t, e.file("c.pem")))
		assert.Contains(t, e.ok("pkey -in c.pem -text -noout"), "Private-Key: ("+bits+" bit)\n", curve)
	}
	assert.Equal(t, "Key is valid\n", e.ok("pkey -in c.pem -check -noout"))
}

func TestOslKeyErrors(t *testing.T) {
	e := newOslEnv(t, 4)
	e.ok("ecparam -name prime256v1 -genkey -noout -out ec.pem")
	e.ok("genrsa -out k.pem 1024")
	e.put("text.txt", []byte("just text\n"))
	e.put("broken.pem", []byte("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"))
	cases := map[string]string{
		"rsa -in nope.pem":            "Could not open file or uri for loading private key from nope.pem\nhsmsim: nope.pem: No such file or directory\n",
		"pkey -in nope.pem":           "Could not open file or uri for loading key from nope.pem\nhsmsim: nope.pem: No such file or directory\n",
		"rsa -pubin -in nope.pem":     "Could not open file or uri for loading public key from nope.pem\nhsmsim: nope.pem: No such file or directory\n",
		"rsa -in text.txt":            "Could not read private key from text.txt\nhsmsim: no PEM data found (is it a DER file? then add -inform DER)\n",
		"rsa -in ec.pem":              "Not an RSA key\n",
		"ec -in k.pem":                "read EC key\nNot an EC key\nunable to load Key\n",
		"rsa -foo":                    "rsa: Unknown cipher: foo\nrsa: Use -help for summary.\n",
		"rsa -in k.pem -outform XYZ":  "rsa: Bad format \"XYZ\"\nrsa: Invalid format \"XYZ\" for option -outform\nrsa: Use -help for summary.\n",
		"rsa":                         "Could not read private key from <stdin>\nhsmsim: there is no standard input in the simulator; name the file with -in\n",
		"rsa -pubin -in k.pem":        "Could not read public key from k.pem\nhsmsim: k.pem holds a private key; write its public key with: openssl pkey -in k.pem -pubout -out <file>\n",
		"pkey -in k.pem -out x.pem y": "pkey: Extra option: \"y\"\npkey: Use -help for summary.\n",
	}
	for line, want := range cases {
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
	out, _ := e.run("rsa -in broken.pem")
	assert.True(t, strings.HasPrefix(out, "Could not read private key from broken.pem\nhsmsim: malformed key: "), out)
}

func TestOslDgst(t *testing.T) {
	e := newOslEnv(t, 5)
	e.put("m.txt", []byte("hello\n"))
	sum := sha256.Sum256([]byte("hello\n"))
	hx := hex.EncodeToString(sum[:])
	assert.Equal(t, "SHA2-256(m.txt)= "+hx+"\n", e.ok("dgst -sha256 m.txt"))
	assert.Equal(t, "SHA256(m.txt)= "+hx+"\n", e.ok("dgst m.txt"))
	assert.Equal(t, "SHA1(m.txt)= f572d396fae9206628714fb2ce00f72e94f2258f\n", e.ok("dgst -sha1 m.txt"))
	assert.Equal(t, "SHA2-224(m.txt)= 2d6d67d91d0badcdd06cbbba1fe11538a68a37ec9c2e26457ceff12b\n", e.ok("dgst -sha224 m.txt"))
	assert.Equal(t, hx+" *m.txt\n", e.ok("dgst -sha256 -r m.txt"))
	assert.Contains(t, e.ok("dgst -sha256 -c m.txt"), "= 58:91:b5:b5:")
	assert.True(t, strings.HasPrefix(e.ok("dgst -sha384 m.txt"), "SHA2-384(m.txt)= 1d0f284efe3edea4"))
	assert.True(t, strings.HasPrefix(e.ok("dgst -sha512 m.txt"), "SHA2-512(m.txt)= e7c22b994c59d9cf"))

	out, changed := e.run("dgst -sha256 -binary -out h.bin m.txt")
	assert.Equal(t, "", out)
	assert.True(t, changed)
	assert.Equal(t, sum[:], e.file("h.bin"))

	// Sign and verify, RSA and EC.
	e.ok("genrsa -out k.pem 1024")
	e.ok("rsa -in k.pem -pubout -out k.pub")
	e.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out ec.pem")
	e.ok("pkey -in ec.pem -pubout -out ec.pub")
	for _, k := range []string{"k", "ec"} {
		for _, md := range []string{"-sha1", "-sha256", "-sha512"} {
			out, changed = e.run("dgst " + md + " -sign " + k + ".pem -out m.sig m.txt")
			assert.Equal(t, "", out)
			assert.True(t, changed)
			assert.Equal(t, "Verified OK\n", e.ok("dgst "+md+" -verify "+k+".pub -signature m.sig m.txt"), k+md)
			assert.Equal(t, "Verified OK\n", e.ok("dgst "+md+" -prverify "+k+".pem -signature m.sig m.txt"), k+md)
		}
	}
	e.put("other.txt", []byte("hellO\n"))
	out, changed = e.run("dgst -sha512 -verify ec.pub -signature m.sig other.txt")
	assert.Equal(t, "Verification failure\n", out)
	assert.False(t, changed)
	out, _ = e.run("dgst -sha256 -verify ec.pub -signature m.sig m.txt")
	assert.Equal(t, "Verification failure\n", out, "wrong digest")

	hexSig := e.ok("dgst -sha256 -sign k.pem -hex m.txt")
	assert.Regexp(t, `^RSA-SHA2-256\(m\.txt\)= [0-9a-f]{256}\n$`, hexSig)
	assert.Regexp(t, `^EC-SHA1\(m\.txt\)= 30[0-9a-f]+\n$`, e.ok("dgst -sha1 -sign ec.pem -hex m.txt"))
	assert.Equal(t, "hsmsim: 128 bytes of binary output are not shown on this console; use -out <file> to save the signature, or -hex to see it\n",
		first(e.run("dgst -sha256 -sign k.pem m.txt")))

	// PSS through -sigopt.
	e.ok("dgst -sha256 -sign k.pem -sigopt rsa_padding_mode:pss -out pss.sig m.txt")
	assert.Equal(t, "Verified OK\n", e.ok("dgst -sha256 -verify k.pub -sigopt rsa_padding_mode:pss -signature pss.sig m.txt"))
	out, _ = e.run("dgst -sha256 -verify k.pub -signature pss.sig m.txt")
	assert.Equal(t, "Verification failure\n", out)
}

func TestOslDgstErrors(t *testing.T) {
	e := newOslEnv(t, 6)
	e.put("m.txt", []byte("x"))
	e.ok("genrsa -out k.pem 1024")
	cases := map[string]string{
		"dgst -foo m.txt":                               "dgst: Unknown option or message digest: foo\ndgst: Use -help for summary.\n",
		"dgst -md5 m.txt":                               "dgst: message digest md5 is not supported by the hsmsim simulator's openssl subset (use -sha1, -sha224, -sha256, -sha384 or -sha512)\n",
		"dgst -sha256 nope.txt":                         "nope.txt: No such file or directory\n",
		"dgst -sha256 -sign nope.pem m.txt":             "Could not open file or uri for loading private key from nope.pem\nhsmsim: nope.pem: No such file or directory\n",
		"dgst -sha256 -sign":                            "dgst: Option -sign needs a value\ndgst: Use -help for summary.\n",
		"dgst -sha256 -sign k.pem m.txt m.txt":          "dgst: Can only sign or verify one file.\n",
		"dgst -sha256 -verify k.pem m.txt":              "No signature to verify: use the -signature option\n",
		"dgst -sha256 -verify k.pem -signature s m.txt": "Could not read public key from k.pem\nhsmsim: k.pem holds a private key; write its public key with: openssl pkey -in k.pem -pubout -out <file>\n",
		"dgst -sha256":                                  "dgst: there is no standard input in the simulator; name the file to digest\ndgst: Use -help for summary.\n",
	}
	for line, want := range cases {
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
	// A missing file among several: the others are still digested, but
	// nothing is written.
	out, changed := e.run("dgst -sha1 -out d.txt m.txt nope.txt")
	assert.Equal(t, "nope.txt: No such file or directory\n", out)
	assert.False(t, changed)
	_, err := e.fs.ReadFile("d.txt")
	assert.True(t, vfs.IsNotExist(err))
}

func TestOslPkeyutl(t *testing.T) {
	e := newOslEnv(t, 7)
	e.ok("genrsa -out k.pem 1024")
	e.ok("rsa -in k.pem -pubout -out k.pub")
	e.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out ec.pem")
	e.ok("pkey -in ec.pem -pubout -out ec.pub")
	e.put("m.txt", []byte("secret message"))
	e.ok("dgst -sha256 -binary -out h.bin m.txt")

	signOpts := []string{"", "-pkeyopt digest:sha256", "-pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256",
		"-pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256 -pkeyopt rsa_pss_saltlen:digest"}
	for _, so := range signOpts {
		out, changed := e.run("pkeyutl -sign -inkey k.pem -in h.bin -out s.sig " + so)
		assert.Equal(t, "", out, so)
		assert.True(t, changed)
		assert.Equal(t, "Signature Verified Successfully\n", e.ok("pkeyutl -verify -pubin -inkey k.pub -in h.bin -sigfile s.sig "+so), so)
		out, _ = e.run("pkeyutl -verify -pubin -inkey k.pub -in m.txt -sigfile s.sig")
		assert.Equal(t, "Signature Verification Failure\n", out, "m.txt is not the signed digest")
	}
	// pkeyutl -sign with digest:sha256 equals dgst -sign.
	e.ok("pkeyutl -sign -inkey k.pem -in h.bin -out a.sig -pkeyopt digest:sha256")
	e.ok("dgst -sha256 -sign k.pem -out b.sig m.txt")
	assert.Equal(t, e.file("a.sig"), e.file("b.sig"))

	e.ok("pkeyutl -sign -inkey ec.pem -in h.bin -out es.sig")
	assert.Equal(t, "Signature Verified Successfully\n", e.ok("pkeyutl -verify -pubin -inkey ec.pub -in h.bin -sigfile es.sig"))
	assert.Equal(t, "Verified OK\n", e.ok("dgst -sha256 -verify ec.pub -signature es.sig m.txt"), "ECDSA over the digest is dgst's signature")
	out, changed := e.run("pkeyutl -verify -inkey ec.pem -in m.txt -sigfile es.sig")
	assert.Equal(t, "Signature Verification Failure\n", out)
	assert.False(t, changed)

	for _, po := range []string{"", "-pkeyopt rsa_padding_mode:oaep", "-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256",
		"-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha1"} {
		e.ok("pkeyutl -encrypt -pubin -inkey k.pub -in m.txt -out c.bin " + po)
		assert.Len(t, e.file("c.bin"), 128)
		assert.Equal(t, "secret message", e.ok("pkeyutl -decrypt -inkey k.pem -in c.bin "+po), po)
	}
	out, _ = e.run("pkeyutl -decrypt -inkey k.pem -in c.bin")
	assert.Equal(t, "Public Key operation error\nhsmsim: padding check failed (wrong key or padding mode?)\n", out)

	dump := e.ok("pkeyutl -sign -inkey k.pem -in h.bin -hexdump")
	lines := strings.Split(strings.TrimSuffix(dump, "\n"), "\n")
	require.Len(t, lines, 8)
	assert.Regexp(t, `^0000 - ([0-9a-f]{2} ){7}[0-9a-f]{2}-([0-9a-f]{2} ){8}  .{16}$`, lines[0])
	assert.True(t, strings.HasPrefix(lines[7], "0070 - "))
}

func TestOslPkeyutlErrors(t *testing.T) {
	e := newOslEnv(t, 8)
	e.ok("genrsa -out k.pem 1024")
	e.ok("rsa -in k.pem -pubout -out k.pub")
	e.ok("ecparam -name prime256v1 -genkey -out ec.pem")
	e.put("m.txt", []byte("0123456789"))
	cases := map[string]string{
		"pkeyutl -sign -in m.txt":                                     "pkeyutl: no private key given (-inkey parameter).\npkeyutl: Use -help for summary.\n",
		"pkeyutl -verify -inkey k.pem -in m.txt":                      "pkeyutl: No signature file specified for verify\n",
		"pkeyutl -sign -inkey k.pem -in m.txt -sigfile m.txt":         "pkeyutl: Signature file specified for non verify\n",
		"pkeyutl -sign -inkey nope -in m.txt":                         "Could not open file or uri for loading private key from nope\nhsmsim: nope: No such file or directory\npkeyutl: Error initializing context\n",
		"pkeyutl -encrypt -inkey ec.pem -in m.txt":                    "pkeyutl: Error initializing context\nhsmsim: operation not supported for this keytype: EC keys cannot encrypt\n",
		"pkeyutl -sign -pubin -inkey k.pub -in m.txt":                 "A private key is needed for this operation\npkeyutl: Error initializing context\n",
		"pkeyutl -sign -inkey k.pem -in m.txt -pkeyopt foo:bar":       "pkeyutl: Can't set parameter \"foo:bar\":\nhsmsim: option foo is not supported by the simulator's openssl subset\n",
		"pkeyutl -sign -inkey k.pem -in m.txt -pkeyopt digest:sha256": "Public Key operation error\nhsmsim: invalid digest length: the input must be the 32-byte SHA2-256 digest (10 bytes given)\n",
		"pkeyutl -sign -inkey k.pem":                                  "pkeyutl: there is no standard input in the simulator; name the input file with -in\n",
		"pkeyutl -encrypt -inkey k.pem -in m.txt -pkeyopt rsa_padding_mode:pss": "pkeyutl: Can't set parameter \"rsa_padding_mode:pss\":\n" +
			"hsmsim: padding mode pss is not available for -encrypt in the simulator (pkcs1; pss to sign and verify; oaep to encrypt and decrypt)\n",
	}
	for line, want := range cases {
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
	out, _ := e.run("pkeyutl -sign -inkey k.pem -in m.txt")
	assert.Equal(t, "hsmsim: 128 bytes of binary output are not shown on this console; use -out <file> to save them, or -hexdump to see them\n", out)
}

func TestOslEnc(t *testing.T) {
	e := newOslEnv(t, 11)
	key := bytes.Repeat([]byte{0x11}, 32)
	iv := bytes.Repeat([]byte{0x22}, 16)
	plain := []byte("attack at dawn, or maybe later\n")
	e.put("p.txt", plain)
	K, IV := hex.EncodeToString(key), hex.EncodeToString(iv)

	out, changed := e.run("enc -aes-256-cbc -K " + K + " -iv " + IV + " -in p.txt -out c.bin")
	assert.Equal(t, "", out)
	assert.True(t, changed)

	block, err := aes.NewCipher(key)
	require.NoError(t, err)
	padded := append(append([]byte(nil), plain...), 1)
	want := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(want, padded)
	assert.Equal(t, want, e.file("c.bin"))

	assert.Equal(t, string(plain), e.ok("enc -d -aes-256-cbc -K "+K+" -iv "+IV+" -in c.bin"))
	e.ok("enc -d -aes-256-cbc -K " + K + " -iv " + IV + " -in c.bin -out back.txt")
	assert.Equal(t, plain, e.file("back.txt"))

	b64 := e.ok("enc -aes-256-cbc -K " + K + " -iv " + IV + " -in p.txt -a")
	e.put("c.b64", []byte(b64))
	assert.Equal(t, string(plain), e.ok("enc -d -a -aes-256-cbc -K "+K+" -iv "+IV+" -in c.b64"))
	assert.Equal(t, "key="+strings.ToUpper(K)+"\niv ="+strings.ToUpper(IV)+"\n", e.ok("enc -aes-256-cbc -K "+K+" -iv "+IV+" -P"))

	cases := map[string]string{
		"enc -aes-256-cbc -K " + K + " -in p.txt":               "iv undefined\n",
		"enc -aes-256-cbc -pass pass:x -in p.txt":               "enc: password-based key derivation (-pass, -k, -kfile, -pbkdf2, -iter, -md, -S) is not supported by the hsmsim simulator's openssl subset\nhsmsim: give the key and IV in hex with -K and -iv\n",
		"enc -aes-256-cbc -in p.txt":                            "enc: password-based encryption is not supported by the hsmsim simulator's openssl subset\nhsmsim: give the key and IV in hex with -K and -iv\n",
		"enc -aes-256-cbc -K zz -iv 00 -in p.txt":               "hex string is too short, padding with zero bytes to length\nnon-hex digit\ninvalid hex key value\n",
		"enc -d -aes-256-cbc -K 01 -iv 00 -in c.bin -out x.txt": "hex string is too short, padding with zero bytes to length\nhex string is too short, padding with zero bytes to length\nbad decrypt\nhsmsim: wrong key or IV, or the input is not aes-256-cbc ciphertext\n",
		"enc -foo": "enc: Unknown cipher: foo\nenc: Use -help for summary.\n",
		"enc -aes-256-gcm -K 00 -iv 00 -in p.txt": "enc: cipher aes-256-gcm is not supported by the hsmsim simulator's openssl subset (use -aes-128-cbc, -aes-192-cbc, -aes-256-cbc or -des3)\n",
	}
	for line, want := range cases {
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
	out, _ = e.run("enc -aes-128-cbc -K " + K + " -iv " + IV + " -in p.txt")
	assert.Equal(t, "hex string is too long, ignoring excess\nhsmsim: 32 bytes of binary output are not shown on this console; use -out <file> to save them, or -a for base64\n", out)
}

func TestOslEncryptedKeys(t *testing.T) {
	e := newOslEnv(t, 12)
	out, changed := e.run("genrsa -out officer1.key -aes256 -passout pass:secret 1024")
	assert.Equal(t, "", out)
	assert.True(t, changed)
	assert.Equal(t, "ENCRYPTED PRIVATE KEY", pemLabel(t, e.file("officer1.key")))

	out, _ = e.run("rsa -in officer1.key -outform PEM -pubout -out officer1.pub")
	assert.Equal(t, "Could not read private key from officer1.key\nhsmsim: the key is encrypted and there is no terminal to ask for the pass phrase; give it with -passin pass:<phrase>\n", out)
	out, _ = e.run("rsa -in officer1.key -passin pass:wrong -pubout -out officer1.pub")
	assert.Equal(t, "Could not read private key from officer1.key\nhsmsim: bad decrypt (wrong pass phrase?)\n", out)
	_, err := e.fs.ReadFile("officer1.pub")
	assert.True(t, vfs.IsNotExist(err))

	assert.Equal(t, "writing RSA key\n", e.ok("rsa -in officer1.key -passin pass:secret -outform PEM -pubout -out officer1.pub"))
	e.put("officer1.token", []byte("token"))
	e.ok("dgst -sha256 -sign officer1.key -passin pass:secret -out officer1.token.sig1 officer1.token")
	assert.Equal(t, "Verified OK\n", e.ok("dgst -sha256 -verify officer1.pub -signature officer1.token.sig1 officer1.token"))

	// Re-encrypt with another cipher, decrypt to plain PKCS #8.
	e.ok("pkey -in officer1.key -passin pass:secret -des3 -passout pass:other -out o2.key")
	e.ok("pkey -in o2.key -passin pass:other -out plain.pem")
	assert.Equal(t, "PRIVATE KEY", pemLabel(t, e.file("plain.pem")))
	e.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes128 -pass pass:pw -out ec.key")
	assert.Contains(t, e.ok("pkey -in ec.key -passin pass:pw -text -noout"), "NIST CURVE: P-256")
}

func TestOslGenpkeyErrors(t *testing.T) {
	cases := map[string]string{
		"genpkey":                    "genpkey: Use -help for summary.\nhsmsim: name the key type with -algorithm RSA or -algorithm EC\n",
		"genpkey -algorithm ED25519": "Error initializing ED25519 context\nhsmsim: the simulator's openssl subset generates RSA and EC keys only\n",
		"genpkey -algorithm EC":      "genpkey: Error generating EC key\nhsmsim: no curve given; add -pkeyopt ec_paramgen_curve:P-256 (or P-384, P-521, P-224, secp256k1)\n",
		"genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1": "genpkey: Error generating EC key\nhsmsim: curve brainpoolP256r1 is not supported by the simulator (use P-224, P-256, P-384, P-521 or secp256k1)\n",
		"genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:abc":              "genpkey: Error setting rsa_keygen_bits:abc parameter:\nhsmsim: rsa_keygen_bits needs a number\n",
		"genpkey -algorithm RSA -pkeyopt foo:1":                            "genpkey: Error setting foo:1 parameter:\nhsmsim: option foo is not supported for RSA keys by the simulator's openssl subset\n",
		"genpkey -algorithm RSA -pkeyopt rsa_keygen_pubexp:4":              "genpkey: Error setting RSA public exponent\nhsmsim: the public exponent must be odd, at least 3 and below 2^31\n",
		"ecparam -name foo -genkey":                                        "unable to generate key\nhsmsim: curve foo is not supported by the simulator (see -list_curves)\n",
		"ecparam -genkey":                                                  "Unable to load parameters from <NULL>\nhsmsim: name a curve with -name (prime256v1, secp384r1, secp521r1, secp224r1, secp256k1)\n",
	}
	for line, want := range cases {
		e := newOslEnv(t, 1)
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
	e := newOslEnv(t, 1)
	e.ok("genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -pkeyopt rsa_keygen_pubexp:0x10001 -out r.pem")
	assert.Contains(t, e.ok("pkey -in r.pem -text -noout"), "Private-Key: (1024 bit, 2 primes)")
	out := e.ok("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -outform DER -out ec.der")
	assert.Equal(t, "", out)
	assert.Contains(t, e.ok("ec -inform DER -in ec.der -text -noout"), "ASN1 OID: prime256v1")
}

func TestOslDERForms(t *testing.T) {
	e := newOslEnv(t, 13)
	e.ok("genrsa -out k.pem 1024")
	e.ok("rsa -in k.pem -outform DER -out k8.der")
	e.ok("pkey -in k.pem -outform DER -out k1.der")
	e.ok("rsa -in k.pem -pubout -outform DER -out kp.der")
	assert.NotEqual(t, e.file("k8.der"), e.file("k1.der"), "rsa writes PKCS #8 DER, pkey the traditional form")
	for _, f := range []string{"k8.der", "k1.der"} {
		e.ok("rsa -inform DER -in " + f + " -out back.pem")
		assert.Equal(t, e.file("k.pem"), e.file("back.pem"), f)
	}
	assert.Contains(t, e.ok("pkey -pubin -inform DER -in kp.der -text -noout"), "Public-Key: (1024 bit)")
	out, _ := e.run("rsa -in k.pem -outform DER")
	assert.Regexp(t, `^writing RSA key\nhsmsim: \d+ bytes of binary output are not shown on this console; use -out <file> to save them\n$`, out)
}

func TestOslHelp(t *testing.T) {
	e := newOslEnv(t, 1)
	for _, cmd := range subsetNames {
		out, changed := e.run(cmd + " -help")
		assert.True(t, strings.HasPrefix(out, "Usage: "+cmd), cmd)
		assert.Contains(t, out, " -help               Display this summary\n", cmd)
		assert.False(t, changed)
	}
}

func TestOslNoPartialWrites(t *testing.T) {
	e := newOslEnv(t, 14)
	e.ok("genrsa -out k.pem 1024")
	before := e.fs.Snapshot()
	for _, line := range []string{
		"rsa -in k.pem -out k.pem -outform XYZ",
		"pkey -in nope.pem -out k.pem",
		"dgst -sha256 -out k.pem nope.txt",
		"enc -d -aes-256-cbc -K 00 -iv 00 -in k.pem -out k.pem",
		"genrsa -out k.pem 100",
		"pkeyutl -sign -inkey k.pem -in k.pem -out k.pem",
	} {
		_, changed := e.run(line)
		assert.False(t, changed, line)
		assert.Equal(t, before, e.fs.Snapshot(), line)
	}
}

// req makes a self-signed CA of a key, and refuses what it does not do.
func TestOslReq(t *testing.T) {
	e := newOslEnv(t, 1)
	e.ok("genrsa -out ca.key 2048")
	out, changed := e.run("req -new -x509 -days 3652 -key ca.key -out ca.crt -subj /CN=rootCA")
	assert.Equal(t, "", out)
	assert.True(t, changed)
	certs, err := cert.ParseChain(e.file("ca.crt"))
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, "RSA-2048", cert.KeyName(certs[0].PublicKey))

	// Without -subj, the names Enter gives, and a note.
	out, _ = e.run("req -new -x509 -key ca.key -out plain.crt")
	assert.Equal(t, "hsmsim: there is no terminal for OpenSSL's distinguished name questions: the certificate has the names Enter gives (/C=AU/ST=Some-State/O=Internet Widgits Pty Ltd); choose them with -subj\n", out)

	for line, want := range map[string]string{
		"req -new -key ca.key -out x.csr":             "hsmsim: only self-signed certificates (req -new -x509 -key <file>) are in the hsmsim simulator's openssl subset\n",
		"req -new -x509 -newkey rsa:2048":             "req: Unknown option: -newkey\nreq: Use -help for summary.\n",
		"req -new -x509 -out x.crt":                   "hsmsim: give the certificate's key with -key <file> (make one with openssl genrsa or genpkey); -newkey is not in the hsmsim simulator's openssl subset\n",
		"req -new -x509 -key ca.key -days 0":          "req: Non-positive number \"0\" for option -days\nreq: Use -help for summary.\n",
		"req -new -x509 -key ca.key -subj CN=x":       "req: name is expected to be in the format /type0=value0/type1=value1/type2=... where characters may be escaped by \\. This name is not in that format: 'CN=x'\nError making certificate request\n",
		"req -new -x509 -key missing.key -subj /CN=x": "Could not open file or uri for loading private key from missing.key\nhsmsim: missing.key: No such file or directory\n",
	} {
		out, changed := e.run(line)
		assert.Equal(t, want, out, line)
		assert.False(t, changed, line)
	}
}
