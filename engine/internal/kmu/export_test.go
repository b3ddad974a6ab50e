package kmu

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

// ioExportSetup logs in as example_user and makes an AES key (524295), an
// RSA pair (524294/524296), a non-extractable AES key (524297) and a session
// wrapping key (524298).
func ioExportSetup(t *testing.T) *ioEnv {
	t.Helper()
	e := ioNew(t).login(t)
	for _, l := range []string{
		"genSymKey -t 31 -s 32 -l aes",
		"genRSAKeyPair -m 2048 -e 65537 -l rsa",
		"genSymKey -t 31 -s 16 -l fixed -nex",
		"genSymKey -t 31 -s 16 -sess -l wrapper",
	} {
		requireOK(t, e.tl, l)
	}
	require.NotNil(t, e.c.Object(524297))
	require.False(t, e.c.Object(524297).Extractable)
	return e
}

// ioPairOf reads the handles genRSAKeyPair and genECCKeyPair print.
func ioPairOf(t *testing.T, out string) (pub, priv uint64) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if _, err := fmt.Sscanf(l, "Cfm3GenerateKeyPair:    public key handle: %d    private key handle: %d", &pub, &priv); err == nil {
			return pub, priv
		}
	}
	t.Fatalf("no key pair in output:\n%s", out)
	return 0, 0
}

const ioExportOK = "Cfm3WrapKey returned: 0x00 : HSM Return: SUCCESS\nCfm3UnWrapHostKey returned: 0x00 : HSM Return: SUCCESS\n"

func TestIOExSymKey(t *testing.T) {
	e := ioExportSetup(t)
	assert.Equal(t, ioExportOK+"Wrapped Symmetric Key written to file \"a.key\"\n", e.run("exSymKey -k 524295 -w 524298 -out a.key -m 4"))
	assert.Equal(t, e.c.Object(524295).Value, e.file(t, "a.key"), "the file holds the plaintext key")

	// Round trip: importing the exported file gives a key with the same KCV.
	out := e.run("imSymKey -f a.key -t 31 -l again -w 524298")
	h := ioHandleOf(t, out, "Symmetric Key Unwrapped.  Key Handle: ")
	assert.Equal(t, e.c.Object(524295).KCV, e.c.Object(h).KCV)

	// -wk: the -w key wraps, the file unwraps; only Cfm3WrapKey is printed.
	require.NoError(t, e.fs.WriteFile("wrapper.key", e.c.Object(524298).Value))
	assert.Equal(t, "Cfm3WrapKey returned: 0x00 : HSM Return: SUCCESS\nWrapped Symmetric Key written to file \"b.key\"\n",
		e.run("exSymKey -k 524295 -w 524298 -out b.key -wk wrapper.key"))
	assert.Equal(t, e.c.Object(524295).Value, e.file(t, "b.key"))
}

func TestIOExSymKeyRefusals(t *testing.T) {
	e := ioExportSetup(t)
	for _, tc := range []struct{ line, want string }{
		// Shared with example_user: usable, not exportable.
		{"exSymKey -k 524291 -w 524298 -out x", "Cfm3WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n"},
		// alice's key is invisible to example_user.
		{"exSymKey -k 524288 -w 524298 -out x", "Cfm3WrapKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"exSymKey -k 600000 -w 524298 -out x", "Cfm3WrapKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		// Non-extractable.
		{"exSymKey -k 524297 -w 524298 -out x", "Cfm3WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n"},
		// A private key is not a symmetric key.
		{"exSymKey -k 524296 -w 524298 -out x", "Cfm3WrapKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		// The wrapping key must be AES.
		{"exSymKey -k 524295 -w 524294 -out x", "Cfm3WrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"exSymKey -k 524295 -w 524298 -out x -wk none.key", "\n\tError: cannot open file \"none.key\" given with -wk: no such file\n\n"},
		// -wk holds another key than -w: the host unwrap fails.
		{"exSymKey -k 524295 -w 524298 -out x -wk aes256.key", "Cfm3WrapKey returned: 0x00 : HSM Return: SUCCESS\nCfm3UnWrapHostKey returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	assert.False(t, e.exists("x"), "no file is written when the export fails")
	usage := e.run("exSymKey -k 524295 -w 524298 -out x -m 5")
	assert.True(t, strings.HasPrefix(usage, "\n\tError: invalid wrapping mechanism 5 for -m: the only valid value is 4 (NIST_AES_WRAP)\n"), usage)
	usage = e.run("exSymKey -k 524295 -w 524298 -out ../x")
	assert.True(t, strings.HasPrefix(usage, "\n\tError: -out: invalid file name \"../x\": outside the workspace\n"), usage)

	// A wrapping key whose OBJ_ATTR_WRAP or OBJ_ATTR_DECRYPT is off.
	e.c.Update(524298, nil, func(o *hsm.Object) { o.Wrap = false })
	assert.Equal(t, "Cfm3WrapKey returned: 0xab : HSM Error: Invalid attribute or attribute value\n", e.run("exSymKey -k 524295 -w 524298 -out x"))
	e.c.Update(524298, nil, func(o *hsm.Object) { o.Wrap, o.Decrypt = true, false })
	assert.Equal(t, "Cfm3WrapKey returned: 0x00 : HSM Return: SUCCESS\nCfm3UnWrapHostKey returned: 0xab : HSM Error: Invalid attribute or attribute value\n", e.run("exSymKey -k 524295 -w 524298 -out x"))
	assert.False(t, e.exists("x"))

	// alice, the owner of 524291, may export it.
	alice := e.ioAs(t, "alice")
	assert.Equal(t, "Cfm3WrapKey returned: 0x00 : HSM Return: SUCCESS\nCfm3UnWrapHostKey returned: 0x00 : HSM Return: SUCCESS\nWrapped Symmetric Key written to file \"team.key\"\n",
		alice.Exec("exSymKey -k 524291 -w 524288 -out team.key").Output)
	assert.Equal(t, "Cfm3WrapKey returned: 0xa9 : HSM Error: User is not logged in\n", New(e.c, e.fs, nil).Exec("exSymKey -k 524295 -w 524298 -out x").Output)
}

func TestIOExportPrivateKey(t *testing.T) {
	e := ioExportSetup(t)
	out := e.run("exportPrivateKey -k 524296 -w 524298 -out rsa.pem")
	assert.Equal(t, ioExportOK+"PEM formatted private key is written to rsa.pem\n", out)
	blk, rest := pem.Decode(e.file(t, "rsa.pem"))
	require.NotNil(t, blk)
	assert.Empty(t, rest)
	assert.Equal(t, "PRIVATE KEY", blk.Type)
	priv, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)
	pub, err := keyobj.PublicKey(e.c.Object(524294))
	require.NoError(t, err)
	assert.True(t, priv.(*rsa.PrivateKey).PublicKey.Equal(pub))

	// Round trip: the exported file imports as the same key.
	out = e.run("importPrivateKey -f rsa.pem -l back -w 524298")
	h := ioHandleOf(t, out, "Private Key Unwrapped.  Key Handle: ")
	assert.Equal(t, e.c.Object(524296).Value, e.c.Object(h).Value)
	assert.Equal(t, e.c.Object(524296).KCV, e.c.Object(h).KCV)

	// An EC key exports as PKCS #8 too.
	_, ecPriv := ioPairOf(t, e.run("genECCKeyPair -i 14 -l ec"))
	require.Equal(t, hsm.ClassPrivate, e.c.Object(ecPriv).Class)
	assert.Contains(t, e.run(sprintf("exportPrivateKey -k %d -w 524298 -out ec.pem", ecPriv)), "PEM formatted private key is written to ec.pem\n")
	blk, _ = pem.Decode(e.file(t, "ec.pem"))
	require.NotNil(t, blk)
	_, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)

	for _, tc := range []struct{ line, want string }{
		{"exportPrivateKey -k 524295 -w 524298 -out x", "Cfm3WrapKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"exportPrivateKey -k 524290 -w 524298 -out x", "Cfm3WrapKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"exportPrivateKey -k 524296 -w 524296 -out x", "Cfm3WrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	assert.False(t, e.exists("x"))

	// A non-extractable private key cannot be exported.
	_, fixed := ioPairOf(t, e.run("genRSAKeyPair -m 2048 -e 65537 -l fixed -nex"))
	assert.Equal(t, "Cfm3WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n", e.run(sprintf("exportPrivateKey -k %d -w 524298 -out x", fixed)))
}

func TestIOExportPubKey(t *testing.T) {
	e := ioExportSetup(t)
	assert.Equal(t, "PEM formatted public key is written to rsa.pub\nCfm3ExportPubKey returned: 0x00 : HSM Return: SUCCESS\n", e.run("exportPubKey -k 524294 -out rsa.pub"))
	blk, _ := pem.Decode(e.file(t, "rsa.pub"))
	require.NotNil(t, blk)
	assert.Equal(t, "PUBLIC KEY", blk.Type)
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	require.NoError(t, err)
	want, err := keyobj.PublicKey(e.c.Object(524294))
	require.NoError(t, err)
	assert.True(t, pub.(*rsa.PublicKey).Equal(want))

	// Public keys are readable by every CU: alice's too.
	assert.Equal(t, "PEM formatted public key is written to alice.pub\nCfm3ExportPubKey returned: 0x00 : HSM Return: SUCCESS\n", e.run("exportPubKey -k 524289 -out alice.pub"))
	requireOK(t, e.tl, "exportPubKey -k 524292 -out alice-ec.pub", "Cfm3ExportPubKey")
	ecPub, err := mech.ParsePublicKeyPEM(e.file(t, "alice-ec.pub"))
	require.NoError(t, err)
	_, isEC := ecPub.(*mech.ECPublicKey)
	assert.True(t, isEC)

	for _, tc := range []struct{ line, want string }{
		{"exportPubKey -k 524296 -out x", "Cfm3ExportPubKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"exportPubKey -k 524295 -out x", "Cfm3ExportPubKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"exportPubKey -k 600000 -out x", "Cfm3ExportPubKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	e.c.Update(524294, nil, func(o *hsm.Object) { o.Extractable = false })
	assert.Equal(t, "Cfm3ExportPubKey returned: 0xc6 : HSM Error: Key Access is denied\n", e.run("exportPubKey -k 524294 -out x"))
	assert.False(t, e.exists("x"))
	assert.Equal(t, "Cfm3ExportPubKey returned: 0xa9 : HSM Error: User is not logged in\n", New(e.c, e.fs, nil).Exec("exportPubKey -k 524294 -out x").Output)
}

// TestIOExportOpenSSL has OpenSSL read the exported keys, when it is there.
func TestIOExportOpenSSL(t *testing.T) {
	openssl := testenv.OpenSSL(t)
	e := ioExportSetup(t)
	requireOK(t, e.tl, "genECCKeyPair -i 2 -l p256")
	requireOK(t, e.tl, "genECCKeyPair -i 16 -l k1")
	dir := t.TempDir()
	for _, tc := range []struct {
		cmd, file string
		args      []string
	}{
		{"exportPubKey -k 524294 -out f", "rsa.pub", []string{"pkey", "-pubin", "-noout", "-text"}},
		{"exportPrivateKey -k 524296 -w 524298 -out f", "rsa.pem", []string{"pkey", "-noout", "-check"}},
		{"exportPubKey -k 524299 -out f", "p256.pub", []string{"pkey", "-pubin", "-noout", "-text"}},
		{"exportPrivateKey -k 524300 -w 524298 -out f", "p256.pem", []string{"pkey", "-noout", "-text"}},
		{"exportPrivateKey -k 524302 -w 524298 -out f", "k1.pem", []string{"pkey", "-noout", "-text"}},
	} {
		require.Contains(t, e.run(tc.cmd), "written to", tc.cmd)
		path := filepath.Join(dir, tc.file)
		require.NoError(t, os.WriteFile(path, e.file(t, "f"), 0o600))
		out, err := exec.Command(openssl, append(tc.args, "-in", path)...).CombinedOutput()
		assert.NoError(t, err, "%s: %s", tc.cmd, out)
	}
}

// fakeRSAKey is the PKCS #1 RSAPrivateKey of a fake PEM file, in
// encoding/asn1's terms.
type fakeRSAKey struct {
	Version int
	N, E, D *big.Int
	P, Q    *big.Int
	Dp, Dq  *big.Int
	Qinv    *big.Int
}

func TestIOGetCaviumPrivKey(t *testing.T) {
	e := ioExportSetup(t)
	assert.Equal(t, "Private Key Handle is written to cav.pem in fake PEM format\ngetCaviumPrivKey returned: 0x00 : HSM Return: SUCCESS\n",
		e.run("getCaviumPrivKey -k 524296 -out cav.pem"))
	data := e.file(t, "cav.pem")
	blk, _ := pem.Decode(data)
	require.NotNil(t, blk)
	assert.Equal(t, "RSA PRIVATE KEY", blk.Type)
	h, ok := ParseFakePEM(data)
	assert.True(t, ok)
	assert.Equal(t, uint64(524296), h)
	// The real modulus and exponent, and nothing private; the bytes are
	// those encoding/asn1 writes of the structure.
	var k fakeRSAKey
	_, err := asn1.Unmarshal(blk.Bytes, &k)
	require.NoError(t, err)
	again, err := asn1.Marshal(k)
	require.NoError(t, err)
	assert.Equal(t, again, blk.Bytes)
	assert.Equal(t, e.c.Object(524296).Modulus, k.N.Bytes())
	assert.Equal(t, big.NewInt(65537), k.E)
	assert.Equal(t, 0, k.P.Sign())
	_, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	assert.Error(t, err, "a fake PEM is not a usable private key")

	// A real key file is not a fake PEM.
	_, ok = ParseFakePEM(e.file(t, "rsa2048.key"))
	assert.False(t, ok)

	requireOK(t, e.tl, "genECCKeyPair -i 2 -l ec")
	for _, tc := range []struct{ line, want string }{
		{"getCaviumPrivKey -k 524300 -out x", "getCaviumPrivKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"getCaviumPrivKey -k 524294 -out x", "getCaviumPrivKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"getCaviumPrivKey -k 524290 -out x", "getCaviumPrivKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	assert.False(t, e.exists("x"))
}
