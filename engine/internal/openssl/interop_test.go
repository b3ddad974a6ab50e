package openssl

import (
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Round trips with the real openssl binary, on a real directory: files
// the simulator writes must satisfy OpenSSL and the other way round.

type interopEnv struct {
	t   *testing.T
	dir string
	fs  vfs.FS
	rnd *rand.ChaCha8
}

func newInteropEnv(t *testing.T) *interopEnv {
	t.Helper()
	testenv.OpenSSL(t)
	dir := t.TempDir()
	return &interopEnv{t: t, dir: dir, fs: vfs.Dir{Root: dir}, rnd: rand.NewChaCha8([32]byte{42})}
}

// sim runs the simulator and requires success.
func (e *interopEnv) sim(line string) string {
	e.t.Helper()
	out, _ := Run(strings.Fields(line), e.fs, e.rnd)
	require.NotContains(e.t, out, "hsmsim:", line)
	require.NotContains(e.t, out, "Use -help", line)
	return out
}

// real runs the openssl binary in the directory and returns its combined
// output; it fails the test if OpenSSL reports an error.
func (e *interopEnv) real(line string) string {
	e.t.Helper()
	out, err := e.realErr(line)
	require.NoError(e.t, err, "openssl %s\n%s", line, out)
	return out
}

func (e *interopEnv) realErr(line string) (string, error) {
	cmd := exec.Command("openssl", strings.Fields(line)...)
	cmd.Dir = e.dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestOslInteropRSA(t *testing.T) {
	e := newInteropEnv(t)
	require.NoError(t, e.fs.WriteFile("officer1.token", []byte("registration token\n")))

	// Simulator key, OpenSSL checks and uses it.
	e.sim("genrsa -out sim.pem 2048")
	assert.Equal(t, "RSA key ok\n", e.real("rsa -in sim.pem -check -noout"))
	assert.Equal(t, e.real("rsa -in sim.pem -text -noout"), e.sim("rsa -in sim.pem -text -noout"))
	e.sim("rsa -in sim.pem -pubout -out sim.pub")
	assert.Equal(t, e.real("pkey -pubin -in sim.pub -text -noout"), e.sim("pkey -pubin -in sim.pub -text -noout"))
	realPEM, _ := e.realErr("rsa -in sim.pem")
	assert.Equal(t, realPEM, e.sim("rsa -in sim.pem"), "same PKCS #8 bytes and the same message")
	e.sim("dgst -sha256 -sign sim.pem -out sim.sig officer1.token")
	assert.Equal(t, "Verified OK\n", e.real("dgst -sha256 -verify sim.pub -signature sim.sig officer1.token"))
	e.real("dgst -sha256 -sign sim.pem -out real.sig officer1.token")
	assert.Equal(t, e.file("real.sig"), e.file("sim.sig"), "PKCS #1 v1.5 signatures are deterministic")

	// OpenSSL key, the simulator uses it.
	e.real("genrsa -out real.pem 1024")
	e.real("rsa -in real.pem -pubout -out real.pub")
	assert.Equal(t, e.real("rsa -in real.pem -text -noout"), e.sim("rsa -in real.pem -text -noout"))
	e.real("dgst -sha384 -sign real.pem -out r.sig officer1.token")
	assert.Equal(t, "Verified OK\n", e.sim("dgst -sha384 -verify real.pub -signature r.sig officer1.token"))
	assert.Equal(t, e.real("dgst -sha384 officer1.token"), e.sim("dgst -sha384 officer1.token"))
	assert.Equal(t, e.real("dgst -sha256 -sign real.pem -hex officer1.token"), e.sim("dgst -sha256 -sign real.pem -hex officer1.token"))

	// PSS and OAEP both ways.
	e.real("dgst -sha256 -binary -out h.bin officer1.token")
	e.sim("pkeyutl -sign -inkey real.pem -in h.bin -out pss.sim -pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256")
	assert.Equal(t, "Signature Verified Successfully\n", e.real("pkeyutl -verify -pubin -inkey real.pub -in h.bin -sigfile pss.sim -pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256"))
	e.real("pkeyutl -sign -inkey real.pem -in h.bin -out pss.real -pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256")
	assert.Equal(t, "Signature Verified Successfully\n", e.sim("pkeyutl -verify -pubin -inkey real.pub -in h.bin -sigfile pss.real -pkeyopt rsa_padding_mode:pss -pkeyopt digest:sha256"))
	e.sim("pkeyutl -encrypt -pubin -inkey real.pub -in officer1.token -out oaep.sim -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256")
	assert.Equal(t, "registration token\n", e.real("pkeyutl -decrypt -inkey real.pem -in oaep.sim -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256"))
	e.real("pkeyutl -encrypt -pubin -inkey real.pub -in officer1.token -out v15.real")
	assert.Equal(t, "registration token\n", e.sim("pkeyutl -decrypt -inkey real.pem -in v15.real"))

	// Pass-phrase protected keys, as the quorum pages make them.
	e.sim("genrsa -out officer1.key -aes256 -passout pass:secret 1024")
	assert.Equal(t, "RSA key ok\n", e.real("rsa -in officer1.key -passin pass:secret -check -noout"))
	e.real("genrsa -out officer2.key -aes256 -passout pass:other 1024")
	e.sim("rsa -in officer2.key -passin pass:other -pubout -out officer2.pub")
	e.real("pkey -in officer2.key -passin pass:other -pubout -out officer2.real.pub")
	assert.Equal(t, e.file("officer2.real.pub"), e.file("officer2.pub"))

	// DER forms.
	e.sim("rsa -in real.pem -outform DER -out k8.der")
	e.sim("pkey -in real.pem -outform DER -out k1.der")
	e.real("rsa -in real.pem -outform DER -out k8.real.der")
	e.real("pkey -in real.pem -outform DER -out k1.real.der")
	assert.Equal(t, e.file("k8.real.der"), e.file("k8.der"))
	assert.Equal(t, e.file("k1.real.der"), e.file("k1.der"))
}

func TestOslInteropEC(t *testing.T) {
	e := newInteropEnv(t)
	require.NoError(t, e.fs.WriteFile("m.txt", []byte("message\n")))
	for _, curve := range []string{"prime256v1", "secp384r1", "secp521r1", "secp256k1", "secp224r1"} {
		e.sim("ecparam -name " + curve + " -genkey -out sim.pem")
		assert.Equal(t, "read EC key\nEC Key valid.\n", e.real("ec -in sim.pem -check -noout"), curve)
		realOut, _ := e.realErr("ec -in sim.pem -text -noout")
		assert.Equal(t, realOut, e.sim("ec -in sim.pem -text -noout"), curve)
		e.sim("ec -in sim.pem -pubout -out sim.pub")
		e.real("ec -in sim.pem -pubout -out sim.real.pub")
		assert.Equal(t, e.file("sim.real.pub"), e.file("sim.pub"), curve)
		e.sim("dgst -sha256 -sign sim.pem -out s.sig m.txt")
		assert.Equal(t, "Verified OK\n", e.real("dgst -sha256 -verify sim.pub -signature s.sig m.txt"), curve)

		e.real("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:" + curve + " -out real.pem")
		e.real("pkey -in real.pem -pubout -out real.pub")
		assert.Equal(t, e.real("pkey -in real.pem -text -noout"), e.sim("pkey -in real.pem -text -noout"), curve)
		realPEM, _ := e.realErr("pkey -in real.pem")
		assert.Equal(t, realPEM, e.sim("pkey -in real.pem"), curve)
		e.real("dgst -sha512 -sign real.pem -out r.sig m.txt")
		assert.Equal(t, "Verified OK\n", e.sim("dgst -sha512 -verify real.pub -signature r.sig m.txt"), curve)

		// pkeyutl over a digest.
		e.real("dgst -sha256 -binary -out h.bin m.txt")
		e.sim("pkeyutl -sign -inkey real.pem -in h.bin -out p.sig")
		assert.Equal(t, "Signature Verified Successfully\n", e.real("pkeyutl -verify -pubin -inkey real.pub -in h.bin -sigfile p.sig"), curve)
		e.real("pkeyutl -sign -inkey real.pem -in h.bin -out p2.sig")
		assert.Equal(t, "Signature Verified Successfully\n", e.sim("pkeyutl -verify -pubin -inkey real.pub -in h.bin -sigfile p2.sig"), curve)
	}
}

func TestOslInteropRandEnc(t *testing.T) {
	e := newInteropEnv(t)
	e.sim("rand -out aes256.key 32")
	assert.Len(t, e.file("aes256.key"), 32)
	require.NoError(t, e.fs.WriteFile("p.txt", []byte("plain text to protect\n")))
	k := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	iv := "0f0e0d0c0b0a09080706050403020100"
	for _, ci := range []string{"aes-256-cbc", "aes-128-cbc", "des3"} {
		e.sim("enc -" + ci + " -K " + k + " -iv " + iv + " -in p.txt -out sim.enc")
		e.realErr("enc -" + ci + " -K " + k + " -iv " + iv + " -in p.txt -out real.enc")
		assert.Equal(t, e.file("real.enc"), e.file("sim.enc"), ci)
		out, _ := e.realErr("enc -d -" + ci + " -K " + k + " -iv " + iv + " -in sim.enc")
		assert.True(t, strings.HasSuffix(out, "plain text to protect\n"), ci)
	}
	realB64, _ := e.realErr("enc -aes-256-cbc -K " + k + " -iv " + iv + " -in p.txt -a")
	assert.Equal(t, realB64, e.sim("enc -aes-256-cbc -K "+k+" -iv "+iv+" -in p.txt -a"))
}

func (e *interopEnv) file(name string) []byte {
	e.t.Helper()
	b, err := e.fs.ReadFile(name)
	require.NoError(e.t, err, name)
	return b
}

// req -x509: the trust anchor of the mutual TLS setup. OpenSSL reads and
// verifies the simulator's certificate as a CA, and issues a client
// certificate with it; the simulator's certificate of OpenSSL's key is the
// same names and key as OpenSSL's own.
func TestOslInteropReqX509(t *testing.T) {
	e := newInteropEnv(t)
	e.sim("genrsa -out ca.key 4096")
	e.sim("req -new -x509 -days 3652 -key ca.key -out ca.crt -subj /C=US/O=Example/CN=rootCA")
	text := e.real("x509 -in ca.crt -noout -text")
	assert.Contains(t, text, "Issuer: C = US, O = Example, CN = rootCA")
	assert.Contains(t, text, "Subject: C = US, O = Example, CN = rootCA")
	assert.Contains(t, text, "CA:TRUE")
	assert.Contains(t, text, "Not Before: Jan  1 00:00:00 2025 GMT")
	assert.Contains(t, text, "Not After : Jan  1 00:00:00 2035 GMT")
	assert.Contains(t, text, "Signature Algorithm: sha256WithRSAEncryption")
	assert.Contains(t, text, "Public-Key: (4096 bit)")
	assert.Contains(t, e.real("verify -CAfile ca.crt ca.crt"), "ca.crt: OK")
	// The key identifiers are OpenSSL's.
	e.real("req -new -x509 -days 3652 -key ca.key -out real.crt -subj /C=US/O=Example/CN=rootCA")
	realText := e.real("x509 -in real.crt -noout -text")
	for _, ext := range []string{"X509v3 Subject Key Identifier", "X509v3 Authority Key Identifier"} {
		i, j := strings.Index(text, ext), strings.Index(realText, ext)
		require.True(t, i >= 0 && j >= 0, ext)
		assert.Equal(t, strings.SplitN(realText[j:], "\n", 3)[1], strings.SplitN(text[i:], "\n", 3)[1], ext)
	}

	// A client certificate signed by it verifies.
	e.real("genrsa -out client.key 2048")
	e.real("req -new -key client.key -out client.csr -subj /CN=client")
	e.real("x509 -req -days 365 -in client.csr -CA ca.crt -CAkey ca.key -out client.crt -CAcreateserial")
	assert.Contains(t, e.real("verify -CAfile ca.crt client.crt"), "client.crt: OK")

	// An EC key, SHA-384.
	e.real("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec.key")
	e.sim("req -new -x509 -key ec.key -sha384 -out ec.crt -subj /CN=ec")
	ecText := e.real("x509 -in ec.crt -noout -text")
	assert.Contains(t, ecText, "Signature Algorithm: ecdsa-with-SHA384")
	assert.Contains(t, ecText, "Not After : Jan 31 00:00:00 2025 GMT", "30 days by default")
	assert.Contains(t, e.real("verify -no_check_time -CAfile ec.crt ec.crt"), "ec.crt: OK", "expired in real time: valid from the simulated epoch")
}
