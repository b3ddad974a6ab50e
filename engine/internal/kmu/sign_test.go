package kmu

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

// ioSignSetup logs in as example_user and makes an RSA pair
// (524294/524295) and a P-256 pair (524296/524297), and a message file.
func ioSignSetup(t *testing.T) *ioEnv {
	t.Helper()
	e := ioNew(t).login(t)
	rp, rv := ioPairOf(t, e.run("genRSAKeyPair -m 2048 -e 65537 -l rsa"))
	ep, ev := ioPairOf(t, e.run("genECCKeyPair -i 2 -l ec"))
	require.Equal(t, []uint64{524294, 524295, 524296, 524297}, []uint64{rp, rv, ep, ev})
	require.NoError(t, e.fs.WriteFile("msg", []byte("the message to sign\n")))
	return e
}

const ioSignOK = "Cfm3Sign returned: 0x00 : HSM Return: SUCCESS\n"
const ioVerifyOK = "Signature verification successful\nCfm3Verify returned: 0x00 : HSM Return: SUCCESS\n"
const ioVerifyBad = "Cfm3Verify returned: 0x1b\n\nCSP Error: ERR_BAD_PKCS_DATA\n"

func TestIOSignVerify(t *testing.T) {
	e := ioSignSetup(t)
	require.NoError(t, e.fs.WriteFile("other", []byte("another message\n")))
	for _, tc := range []struct {
		priv, pub uint64
		m         string
	}{
		{524295, 524294, "0"}, {524295, 524294, "1"}, {524295, 524294, "2"}, {524295, 524294, "3"}, {524295, 524294, "4"},
		{524295, 524294, "5"}, {524295, 524294, "6"}, {524295, 524294, "7"}, {524295, 524294, "8"}, {524295, 524294, "9"},
		{524297, 524296, "15"}, {524297, 524296, "16"}, {524297, 524296, "17"}, {524297, 524296, "18"}, {524297, 524296, "19"},
	} {
		sig := "sig" + tc.m
		out := e.run(sprintf("sign -f msg -k %d -m %s -out %s", tc.priv, tc.m, sig))
		assert.Equal(t, ioSignOK+"signature is written to file "+sig+"\n"+ioStatus3, out, tc.m)
		assert.Equal(t, ioVerifyOK, e.run(sprintf("verify -f msg -s %s -k %d -m %s", sig, tc.pub, tc.m)), tc.m)
		assert.Equal(t, ioVerifyBad, e.run(sprintf("verify -f other -s %s -k %d -m %s", sig, tc.pub, tc.m)), tc.m)
	}
	// The RSA PKCS #1 v1.5 signature is the standard one.
	pub, err := x509.ParsePKIXPublicKey(e.c.Object(524294).Value)
	require.NoError(t, err)
	digest := sha256.Sum256([]byte("the message to sign\n"))
	assert.NoError(t, rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], e.file(t, "sig1")))
	ecPub, err := x509.ParsePKIXPublicKey(e.c.Object(524296).Value)
	require.NoError(t, err)
	assert.True(t, ecdsa.VerifyASN1(ecPub.(*ecdsa.PublicKey), digest[:], e.file(t, "sig17")))

	// A signature made with another mechanism, and a garbage signature.
	assert.Equal(t, ioVerifyBad, e.run("verify -f msg -s sig1 -k 524294 -m 2"))
	require.NoError(t, e.fs.WriteFile("junk", []byte("junk")))
	assert.Equal(t, ioVerifyBad, e.run("verify -f msg -s junk -k 524296 -m 17"))

	// A session key signs on its node only.
	_, sv := ioPairOf(t, e.run("genRSAKeyPair -m 2048 -e 65537 -l s -sess"))
	assert.Equal(t, ioSignOK+"signature is written to file s\nCluster Error Status\nNode id 2 and err state 0x00000000 : HSM Return: SUCCESS\n",
		e.run(sprintf("sign -f msg -k %d -m 1 -out s", sv)))
}

func TestIOSignSharedKey(t *testing.T) {
	e := ioNew(t)
	alice := e.ioAs(t, "alice")
	pub, priv := ioPairOf(t, alice.Exec("genRSAKeyPair -m 2048 -e 65537 -l shared -u 3").Output)
	e.login(t)
	require.NoError(t, e.fs.WriteFile("msg", []byte("m")))
	// example_user may use the shared key, and every CU the public key.
	assert.Contains(t, e.run(sprintf("sign -f msg -k %d -m 1 -out sig", priv)), ioSignOK)
	assert.Equal(t, ioVerifyOK, e.run(sprintf("verify -f msg -s sig -k %d -m 1", pub)))
	// alice's own EC public key from the scenario verifies too.
	assert.Equal(t, ioVerifyBad, e.run("verify -f msg -s sig -k 524292 -m 17"))
	// But example_user may not export the shared key.
	requireOK(t, e.tl, "genSymKey -t 31 -s 16 -l w")
	assert.Equal(t, "Cfm3WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n",
		e.run(sprintf("exportPrivateKey -k %d -w 524295 -out x", priv)))
	// alice's unshared private key is invisible.
	assert.Equal(t, "Cfm3Sign returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n",
		e.run("sign -f msg -k 524290 -m 1 -out x"))
}

func TestIOSignRefusals(t *testing.T) {
	e := ioSignSetup(t)
	assert.Equal(t, "Cfm3Sign returned: 0xa9 : HSM Error: User is not logged in\n",
		New(e.c, e.fs, nil).Exec("sign -f msg -k 524295 -m 1 -out x").Output)
	assert.Equal(t, "Cfm3Verify returned: 0xa9 : HSM Error: User is not logged in\n",
		New(e.c, e.fs, nil).Exec("verify -f msg -s msg -k 524294 -m 1").Output)
	require.Contains(t, e.run("genSymKey -t 31 -s 16 -l aes"), "Key Handle: 524298")
	for _, tc := range []struct{ line, want string }{
		// An RSA key with an ECDSA mechanism and the reverse.
		{"sign -f msg -k 524295 -m 17 -out x", "Cfm3Sign returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"sign -f msg -k 524297 -m 1 -out x", "Cfm3Sign returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		// sign takes a private key, verify a public one.
		{"sign -f msg -k 524294 -m 1 -out x", "Cfm3Sign returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"sign -f msg -k 524298 -m 1 -out x", "Cfm3Sign returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"verify -f msg -s msg -k 524295 -m 1", "Cfm3Verify returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"verify -f msg -s msg -k 524296 -m 1", "Cfm3Verify returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"sign -f msg -k 600000 -m 1 -out x", "Cfm3Sign returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"verify -f msg -s msg -k 600000 -m 1", "Cfm3Verify returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"sign -f none -k 524295 -m 1 -out x", "\n\tError: cannot open file \"none\" given with -f: no such file\n\n"},
		{"verify -f msg -s none -k 524294 -m 1", "\n\tError: cannot open file \"none\" given with -s: no such file\n\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	out := e.run("sign -f msg -k 524295 -m 12 -out x")
	assert.True(t, strings.HasPrefix(out, "\n\tError: invalid signing mechanism 12 for -m (0 to 9, 15 to 19)\n"), out)
	assert.False(t, e.exists("x"))
	// Without OBJ_ATTR_SIGN / OBJ_ATTR_VERIFY.
	e.c.Update(524295, nil, func(o *hsm.Object) { o.Sign = false })
	assert.Equal(t, "Cfm3Sign returned: 0xab : HSM Error: Invalid attribute or attribute value\n", e.run("sign -f msg -k 524295 -m 1 -out x"))
	e.c.Update(524294, nil, func(o *hsm.Object) { o.Verify = false })
	assert.Equal(t, "Cfm3Verify returned: 0xab : HSM Error: Invalid attribute or attribute value\n", e.run("verify -f msg -s msg -k 524294 -m 1"))
	assert.False(t, e.exists("x"))
}

// TestIOSignOpenSSL has OpenSSL verify a signature made in the simulator
// with a public key exported from it, when OpenSSL is there.
func TestIOSignOpenSSL(t *testing.T) {
	openssl := testenv.OpenSSL(t)
	e := ioSignSetup(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		pub, priv uint64
		m         string
	}{{524294, 524295, "1"}, {524296, 524297, "17"}} {
		require.Contains(t, e.run(sprintf("sign -f msg -k %d -m %s -out sig", tc.priv, tc.m)), ioSignOK)
		requireOK(t, e.tl, sprintf("exportPubKey -k %d -out pub", tc.pub), "Cfm3ExportPubKey")
		for _, f := range []string{"msg", "sig", "pub"} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, f), e.file(t, f), 0o600))
		}
		out, err := exec.Command(openssl, "dgst", "-sha256", "-verify", filepath.Join(dir, "pub"),
			"-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "msg")).CombinedOutput()
		assert.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "Verified OK")
	}
}

func TestIOSignTranscript(t *testing.T) {
	e := ioNew(t)
	ioTranscript(t, "io_sign.md", e.tl)
	// The fake PEM of the transcript names its key.
	data := e.file(t, "cav.pem")
	h, ok := ParseFakePEM(data)
	assert.True(t, ok)
	assert.Equal(t, uint64(524295), h)
	blk, _ := pem.Decode(data)
	assert.Equal(t, "RSA PRIVATE KEY", blk.Type)
}
