package kmu_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// miscCert fetches certificate type s with getCert and parses it.
func miscCert(t *testing.T, tl *kmu.Tool, fs *vfs.Mem, s string) *x509.Certificate {
	t.Helper()
	r := tl.Exec("getCert -f cert" + s + ".crt -s " + s)
	require.Equal(t, "Cfm3GetCert() returned 0 :HSM Return: SUCCESS\n", r.Output, s)
	assert.True(t, r.Changed)
	b, err := fs.ReadFile("cert" + s + ".crt")
	require.NoError(t, err)
	blk, rest := pem.Decode(b)
	require.NotNil(t, blk)
	assert.Equal(t, "CERTIFICATE", blk.Type)
	assert.Empty(t, rest)
	cert, err := x509.ParseCertificate(blk.Bytes)
	require.NoError(t, err)
	_, isEC := cert.PublicKey.(*ecdsa.PublicKey)
	assert.True(t, isEC, "ECDSA P-256 keys")
	return cert
}

func TestGetCertWritesVerifiableChains(t *testing.T) {
	tl, _, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	mfrRoot := miscCert(t, tl, fs, "1")
	hardware := miscCert(t, tl, fs, "2")
	custRoot := miscCert(t, tl, fs, "4")
	clusterCust := miscCert(t, tl, fs, "8")
	clusterHW := miscCert(t, tl, fs, "16")

	assert.True(t, mfrRoot.IsCA)
	assert.True(t, custRoot.IsCA)
	assert.False(t, clusterCust.IsCA)
	require.NoError(t, mfrRoot.CheckSignatureFrom(mfrRoot), "self-signed")
	require.NoError(t, custRoot.CheckSignatureFrom(custRoot), "self-signed")
	require.NoError(t, hardware.CheckSignatureFrom(mfrRoot))
	require.NoError(t, clusterHW.CheckSignatureFrom(hardware), "chained to the manufacturer root")
	require.NoError(t, clusterCust.CheckSignatureFrom(custRoot), "signed by the customer root")
	assert.Equal(t, clusterCust.PublicKey, clusterHW.PublicKey, "both cluster certificates certify the partition key")
	assert.Contains(t, clusterCust.Subject.CommonName, "10.0.1.12", "the session's HSM")

	// The same HSM gives the same keys every time.
	again := miscCert(t, tl, fs, "1")
	assert.Equal(t, mfrRoot.PublicKey, again.PublicKey)
	assert.Equal(t, mfrRoot.SerialNumber, again.SerialNumber)
}

func TestGetCertRefusals(t *testing.T) {
	tl, _, fs := attrsTool(t)
	assert.Equal(t, "Cfm3GetCert() returned a9 :HSM Error: User is not logged in\n", tl.Exec("getCert -f c.crt -s 4").Output)
	attrsLogin(t, tl, "example_user")
	out := tl.Exec("getCert -f c.crt -s 3").Output
	assert.Contains(t, out, "\tError: invalid certificate type 3 for -s (1, 2, 4, 8 or 16)")
	assert.Contains(t, out, "Syntax: getCert -h")
	assert.Contains(t, tl.Exec("getCert -f c.crt").Output, "missing required parameter(s) -s")
	assert.Contains(t, tl.Exec("getCert -f ../c.crt -s 4").Output, "Error: -f: invalid file name \"../c.crt\": outside the workspace")
	assert.Contains(t, tl.Exec("getCert -f aes256.key/c.crt -s 4").Output, "Error: -f: open aes256.key/c.crt: Not a directory")
	_, err := fs.ReadFile("c.crt")
	assert.True(t, vfs.IsNotExist(err))
}

func TestGetCertWithNodesDown(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	c.Nodes[2].Up = false
	cert := miscCert(t, tl, fs, "8")
	assert.Contains(t, cert.Subject.CommonName, "10.0.2.9", "the first HSM that is up answers")
	c.Nodes[0].Up, c.Nodes[1].Up = false, false
	assert.Equal(t, "Cfm3GetCert() returned 30000085 :HSM CLUSTER ERROR: Server in cluster is unavailable\n",
		tl.Exec("getCert -f none.crt -s 8").Output)
	_, err := fs.ReadFile("none.crt")
	assert.True(t, vfs.IsNotExist(err))
}

func TestGenPBEKeyIsRefusedByFIPSPolicy(t *testing.T) {
	tl, c, _ := attrsTool(t)
	assert.Equal(t, "Cfm3GeneratePBEKey returned: 0xa9 : HSM Error: User is not logged in\n", tl.Exec("genPBEKey").Output)
	attrsLogin(t, tl, "example_user")
	before := c.CountObjects()
	const fips = "HSM Error: This operation violates the current configured/FIPS policies"
	want := "Cfm3GeneratePBEKey returned: 0xb3 : " + fips + "\n" +
		"Cluster Error Status\n" +
		"Node id 0 and err state 0x000000b3 : " + fips + "\n" +
		"Node id 1 and err state 0x000000b3 : " + fips + "\n" +
		"Node id 2 and err state 0x000000b3 : " + fips + "\n"
	r := tl.Exec("genPBEKey -pwd secret123 -s salt -i 1000 -l pbe")
	assert.Equal(t, want, r.Output)
	assert.False(t, r.Changed)
	assert.Equal(t, want, tl.Exec("genPBEKey").Output)
	assert.Equal(t, before, c.CountObjects(), "no key is made")
	assert.Contains(t, tl.Exec("genPBEKey -h").Output, "do not support it")
}

func TestIsValidKeyHandlefile(t *testing.T) {
	tl, c, fs := attrsTool(t)
	// A helper command: it reads a local file and needs no login.
	assert.Equal(t, "Input key file has real private key\n", tl.Exec("IsValidKeyHandlefile -f rsa2048.key").Output)

	pub, err := keyobj.PublicKey(c.Object(524289))
	require.NoError(t, err)
	for _, h := range []uint64{15, 524290} {
		fake, err := kmu.FakePEM(pub.(*rsa.PublicKey), h)
		require.NoError(t, err)
		require.NoError(t, fs.WriteFile("caviumKey.pem", fake))
		assert.Equal(t, "Input file has invalid key handle: "+itoaFind(int(h))+"\n",
			tl.Exec("IsValidKeyHandlefile -f caviumKey.pem").Output)
	}

	// The file getCaviumPrivKey writes is recognised as such.
	attrsLogin(t, tl, "alice")
	requireOK(t, tl, "getCaviumPrivKey -k 524290 -out cav.pem")
	assert.Equal(t, "Input file has invalid key handle: 524290\n", tl.Exec("IsValidKeyHandlefile -f cav.pem").Output)

	assert.Equal(t, "\n\tError: file \"aes256.key\" holds no PEM private key\n\n", tl.Exec("IsValidKeyHandlefile -f aes256.key").Output)
	assert.Equal(t, "\n\tError: file \"rsa2048.pub\" holds no PEM private key\n\n", tl.Exec("IsValidKeyHandlefile -f rsa2048.pub").Output)
	assert.Equal(t, "\n\tError: cannot open file \"none.pem\" given with -f: no such file\n\n", tl.Exec("IsValidKeyHandlefile -f none.pem").Output)
	assert.Contains(t, tl.Exec("IsValidKeyHandlefile").Output, "missing required parameter(s) -f")
}

func TestMiscCommandsAreListedInHelp(t *testing.T) {
	tl, _, _ := attrsTool(t)
	out := tl.Exec("help").Output
	for _, want := range []string{
		"   findKey                Find Key\n",
		"   findSingleKey          Find single Key\n",
		"   getAttribute           Reads an attribute from an object\n",
		"   setAttribute           Sets an attribute of an object\n",
		"   getCert                Gets Partition Certificates stored on HSM\n",
		"   genPBEKey              Generates a PBE DES3 key\n",
		"   IsValidKeyHandlefile   Checks if private key file has\n                          an HSM key handle or a real key\n",
		"   listAttributes         List all attributes for getAttributes\n",
	} {
		assert.Contains(t, out, want)
	}
}

func TestListECCCurveIds(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	tl := kmu.New(c, fs, nil)
	assert.Equal(t, "Supported ECC Curve IDs:\n\t 2 : NID_X9_62_prime256v1\n\t13 : NID_secp224r1\n\t14 : NID_secp384r1\n\t15 : NID_secp521r1\n\t16 : NID_secp256k1\n", tl.Exec("listECCCurveIds").Output)
}
