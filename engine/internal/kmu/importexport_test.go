//go:debug cryptocustomrand=1

package kmu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// ioEnv is the default cluster with its files and a key_mgmt_util on it.
type ioEnv struct {
	c  *hsm.Cluster
	fs *vfs.Mem
	tl *Tool
}

func ioNew(t *testing.T) *ioEnv {
	t.Helper()
	c, files, err := scenario.Default()
	require.NoError(t, err)
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	return &ioEnv{c: c, fs: fs, tl: New(c, fs, rand.NewChaCha8([32]byte{1}))}
}

// ioAs starts a second key_mgmt_util on the same cluster and files, logged
// in as user (example_user and alice are CUs with password "password").
func (e *ioEnv) ioAs(t *testing.T, user string) *Tool {
	t.Helper()
	tl := New(e.c, e.fs, rand.NewChaCha8([32]byte{byte(len(user))}))
	requireOK(t, tl, "loginHSM -u CU -s "+user+" -p password", "Cfm3LoginHSM")
	return tl
}

func (e *ioEnv) login(t *testing.T) *ioEnv {
	t.Helper()
	requireOK(t, e.tl, "loginHSM -u CU -s example_user -p password", "Cfm3LoginHSM")
	return e
}

func (e *ioEnv) run(line string) string { return e.tl.Exec(line).Output }

// sprintf keeps the tests' command lines short.
func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func (e *ioEnv) file(t *testing.T, name string) []byte {
	t.Helper()
	b, err := e.fs.ReadFile(name)
	require.NoError(t, err, name)
	return b
}

func (e *ioEnv) exists(name string) bool {
	_, err := e.fs.ReadFile(name)
	return err == nil
}

// ioHandles lists every handle of every node, to show that a refused
// command changed nothing.
func (e *ioEnv) ioHandles() [][]uint64 {
	var out [][]uint64
	for _, n := range e.c.Nodes {
		out = append(out, n.Handles())
	}
	return out
}

// ioHandleOf reads the handle from a "...Key Handle: N" style line.
func ioHandleOf(t *testing.T, out, prefix string) uint64 {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			var h uint64
			_, err := fmt.Sscan(strings.TrimPrefix(l, prefix), &h)
			require.NoError(t, err, l)
			return h
		}
	}
	t.Fatalf("no line %q in output:\n%s", prefix, out)
	return 0
}

// ioStatus3 is the Cluster Error Status of a key on all three nodes.
const ioStatus3 = "Cluster Error Status\n" +
	"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n" +
	"Node id 1 and err state 0x00000000 : HSM Return: SUCCESS\n" +
	"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n"

// ioStep is one command of a transcript and the output it must print.
type ioStep struct {
	line, want string
}

// ioParse reads a transcript: lines starting "Command: " are inputs, the
// text up to the next such line is the expected output, byte for byte.
func ioParse(data string) (steps []ioStep) {
	for _, l := range strings.SplitAfter(data, "\n") {
		switch {
		case strings.HasPrefix(l, Prompt):
			steps = append(steps, ioStep{line: strings.TrimSuffix(strings.TrimPrefix(l, Prompt), "\n")})
		case len(steps) == 0:
		default:
			steps[len(steps)-1].want += l
		}
	}
	return steps
}

// ioTranscript replays the golden testdata/name on tl (package golden:
// -update rewrites it from what the commands print).
func ioTranscript(t *testing.T, name string, tl *Tool) {
	t.Helper()
	golden.Run(t, filepath.Join("testdata", name), func(transcript string) string {
		steps := ioParse(transcript)
		require.NotEmpty(t, steps)
		var b strings.Builder
		for _, s := range steps {
			b.WriteString(Prompt + s.line + "\n" + tl.Exec(s.line).Output)
		}
		return b.String()
	})
}

func TestIOSeedWalkthrough(t *testing.T) {
	e := ioNew(t)
	ioTranscript(t, "io_seed.md", e.tl)

	// The exported symmetric key is the plaintext of key 524295.
	aes := e.c.Object(524295)
	require.NotNil(t, aes)
	assert.Equal(t, aes.Value, e.file(t, "aes256.key.exp"))

	// The exported private key is key 524296, as PKCS #8 PEM.
	blk, _ := pem.Decode(e.file(t, "rsa2048.key.exp"))
	require.NotNil(t, blk)
	assert.Equal(t, "PRIVATE KEY", blk.Type)
	priv, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	require.NoError(t, err)
	assert.Equal(t, e.c.Object(524296).Value, blk.Bytes)
	pubObj := e.c.Object(524294)
	pub, err := keyobj.PublicKey(pubObj)
	require.NoError(t, err)
	assert.True(t, priv.(*rsa.PrivateKey).PublicKey.Equal(pub))

	// The exported public key is key 524294.
	pblk, _ := pem.Decode(e.file(t, "rsa2048.pub.exp"))
	require.NotNil(t, pblk)
	assert.Equal(t, "PUBLIC KEY", pblk.Type)
	assert.Equal(t, pubObj.Value, pblk.Bytes)

	// The imported keys were not generated on the HSM, and they are the
	// keys in the files.
	imported := e.c.Object(524301)
	require.NotNil(t, imported)
	assert.False(t, imported.Local)
	assert.Equal(t, "rsa2048-imported", imported.Label)
	assert.Equal(t, 3, imported.Owner)
	filePriv, err := mech.ParsePrivateKeyPEM(e.file(t, "rsa2048.key"))
	require.NoError(t, err)
	der, err := mech.MarshalPrivateKeyDER(filePriv)
	require.NoError(t, err)
	assert.Equal(t, der, imported.Value)
	importedPub := e.c.Object(524302)
	require.NotNil(t, importedPub)
	assert.False(t, importedPub.Local)
	assert.Equal(t, imported.Modulus, importedPub.Modulus)
	assert.Nil(t, e.c.Object(524300), "deleteKey removed the imported AES key")
}

// TestIOSeedImportedAESKey checks what the seed's deleted imSymKey key was.
func TestIOSeedImportedAESKey(t *testing.T) {
	e := ioNew(t).login(t)
	e.run("genSymKey -t 31 -s 16 -sess -l w")
	out := e.run("imSymKey -f aes256.key -t 31 -l aes256-imported -w 524295")
	assert.Contains(t, out, "Symmetric Key Unwrapped.  Key Handle: 524296\n")
	o := e.c.Object(524296)
	require.NotNil(t, o)
	assert.Equal(t, e.file(t, "aes256.key"), o.Value)
	kcv, err := mech.CheckValue(mech.KeyTypeAES, o.Value)
	require.NoError(t, err)
	assert.Equal(t, kcv, o.KCV)
	assert.False(t, o.Local)
	assert.True(t, o.Extractable)
	assert.Equal(t, hsm.KeyTypeAES, o.KeyType)
	assert.True(t, o.Token)
}

func TestIOImSymKeyRefusals(t *testing.T) {
	e := ioNew(t)
	out := e.run("imSymKey -f aes256.key -t 31 -l x -w 524291")
	assert.Equal(t, "Cfm3WrapHostKey returned: 0xa9 : HSM Error: User is not logged in\n", out)

	e.login(t)
	require.NoError(t, e.fs.WriteFile("short.key", []byte("0123456789")))
	require.NoError(t, e.fs.WriteFile("des.key", make([]byte, 24)))
	before := e.ioHandles()
	for _, tc := range []struct{ line, want string }{
		// alice's own AES key is invisible to example_user.
		{"imSymKey -f aes256.key -t 31 -l x -w 524288", "Cfm3WrapHostKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"imSymKey -f aes256.key -t 31 -l x -w 999999", "Cfm3WrapHostKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		// An RSA public key cannot be an AES wrapping key.
		{"imSymKey -f aes256.key -t 31 -l x -w 524289", "Cfm3WrapHostKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"imSymKey -f missing.key -t 31 -l x -w 524291", "\n\tError: cannot open file \"missing.key\" given with -f: no such file\n\n"},
		{"imSymKey -f short.key -t 31 -l x -w 524291", "\n\tError: file \"short.key\": holds 10 bytes; an AES key is 16, 24 or 32 bytes\n\n"},
		{"imSymKey -f aes256.key -t 21 -l x -w 524291", "\n\tError: file \"aes256.key\": holds 32 bytes; a DES3 key is 24 bytes\n\n"},
		{"imSymKey -f aes256.key -t 31 -l x -w 524291 -wk short.key", "\n\tError: file \"short.key\" given with -wk holds 10 bytes; an AES key is 16, 24 or 32 bytes\n\n"},
		// The template check: -u names a user that is not a CU.
		{"imSymKey -f aes256.key -t 31 -l x -w 524291 -u 1", "Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\nCfm3CreateUnwrapTemplate returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"imSymKey -f aes256.key -t 31 -l x -w 524291 -id team-01", "Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\nCfm3CreateUnwrapTemplate returned: 0xb9 : HSM Error: Object with this ID already exists\n"},
		// -wk and -w must be the same key: here they are not.
		{"imSymKey -f des.key -t 21 -l x -w 524291 -wk aes256.key", "Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\nCfm3CreateUnwrapTemplate returned: 0x00 : HSM Return: SUCCESS\nCfm3UnWrapKey returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	usage := e.run("imSymKey -f aes256.key -t 16 -l x -w 524291")
	assert.True(t, strings.HasPrefix(usage, "\n\tError: invalid key type 16 for -t (21 = DES3 or 31 = AES)\n"), usage)
	usage = e.run("imSymKey -f aes256.key -t 31 -w 524291")
	assert.True(t, strings.HasPrefix(usage, "\n\tError: missing required parameter(s) -l\n"), usage)
	assert.Equal(t, before, e.ioHandles(), "refused imports create nothing")

	// A wrapping key whose OBJ_ATTR_ENCRYPT is off cannot wrap on the host,
	// and one whose OBJ_ATTR_UNWRAP is off cannot unwrap.
	out = e.run("genSymKey -t 31 -s 16 -l wrapper")
	w := ioHandleOf(t, out, "Symmetric Key Created.  Key Handle: ")
	e.c.Update(w, nil, func(o *hsm.Object) { o.Encrypt = false })
	assert.Equal(t, "Cfm3WrapHostKey returned: 0xab : HSM Error: Invalid attribute or attribute value\n",
		e.run(sprintf("imSymKey -f aes256.key -t 31 -l x -w %d", w)))
	e.c.Update(w, nil, func(o *hsm.Object) { o.Encrypt, o.Unwrap = true, false })
	assert.Equal(t, "Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\nCfm3CreateUnwrapTemplate returned: 0x00 : HSM Return: SUCCESS\nCfm3UnWrapKey returned: 0xab : HSM Error: Invalid attribute or attribute value\n",
		e.run(sprintf("imSymKey -f aes256.key -t 31 -l x -w %d", w)))
}

func TestIOImSymKeyOptions(t *testing.T) {
	e := ioNew(t).login(t)
	// A key shared with example_user may wrap; -wk with the same material.
	require.NoError(t, e.fs.WriteFile("team.key", e.c.Object(524291).Value))
	require.NoError(t, e.fs.WriteFile("des.key", []byte("0123456789abcdefghijklmn")))
	out := e.run("imSymKey -f des.key -t 21 -l des -id des-01 -w 524291 -wk team.key -nex -u 4 -attest")
	h := ioHandleOf(t, out, "Symmetric Key Unwrapped.  Key Handle: ")
	assert.Equal(t, "Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm3CreateUnwrapTemplate returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm3UnWrapKey returned: 0x00 : HSM Return: SUCCESS\n"+
		sprintf("Symmetric Key Unwrapped.  Key Handle: %d\n", h)+
		"Attestation Check : [PASS]\n"+ioStatus3, out)
	o := e.c.Object(h)
	require.NotNil(t, o)
	assert.Equal(t, hsm.KeyTypeDES3, o.KeyType)
	assert.Equal(t, "des", o.Label)
	assert.Equal(t, "des-01", o.KeyID)
	assert.False(t, o.Extractable)
	assert.True(t, o.NeverExtractable)
	assert.Equal(t, []int{4}, o.Shared)
	assert.Equal(t, []byte("0123456789abcdefghijklmn"), o.Value)

	// A session import lives on the session's node only.
	out = e.run("imSymKey -f aes256.key -t 31 -l s -w 524291 -sess")
	h = ioHandleOf(t, out, "Symmetric Key Unwrapped.  Key Handle: ")
	assert.True(t, strings.HasSuffix(out, "Cluster Error Status\nNode id 2 and err state 0x00000000 : HSM Return: SUCCESS\n"), out)
	assert.False(t, e.c.Object(h).Token)
}

func TestIOImportPrivateKey(t *testing.T) {
	e := ioNew(t).login(t)
	// An EC key made outside the HSM.
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.NewChaCha8([32]byte{7}))
	require.NoError(t, err)
	p8, err := x509.MarshalPKCS8PrivateKey(ek)
	require.NoError(t, err)
	require.NoError(t, e.fs.WriteFile("ec.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})))
	out := e.run("importPrivateKey -f ec.pem -l ec-imported -w 524291 -id ec-01")
	h := ioHandleOf(t, out, "Private Key Unwrapped.  Key Handle: ")
	assert.Equal(t, sprintf("BER encoded key length is %d\n", len(p8))+
		"Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm3CreateUnwrapTemplate returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm3UnWrapKey returned: 0x00 : HSM Return: SUCCESS\n"+
		sprintf("Private Key Unwrapped.  Key Handle: %d\n", h)+ioStatus3, out)
	o := e.c.Object(h)
	assert.Equal(t, hsm.KeyTypeEC, o.KeyType)
	assert.Equal(t, hsm.ClassPrivate, o.Class)
	assert.False(t, o.Local)
	assert.Equal(t, "ec-01", o.KeyID)
	got, err := keyobj.PrivateKey(o)
	require.NoError(t, err)
	gotDER, err := mech.MarshalPrivateKeyDER(got)
	require.NoError(t, err)
	assert.Equal(t, p8, gotDER)

	// A PKCS #1 file is accepted too; the length printed is its PKCS #8 DER.
	rk, err := mech.ParsePrivateKeyPEM(e.file(t, "rsa2048.key"))
	require.NoError(t, err)
	require.NoError(t, e.fs.WriteFile("rsa1.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk.(*rsa.PrivateKey))})))
	out = e.run("importPrivateKey -f rsa1.pem -l r -w 524291")
	assert.True(t, strings.HasPrefix(out, "BER encoded key length is 1216\n"), out)
	assert.Contains(t, out, "Private Key Unwrapped.  Key Handle: ")
}

func TestIOImportPrivateKeyRefusals(t *testing.T) {
	e := ioNew(t)
	assert.Equal(t, "Cfm3WrapHostKey returned: 0xa9 : HSM Error: User is not logged in\n",
		e.run("importPrivateKey -f rsa2048.key -l x -w 524291"))
	e.login(t)
	// A password-protected key (a legacy encrypted PEM and a PKCS #8 one).
	blk, _ := pem.Decode(e.file(t, "rsa2048.key"))
	enc := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{
		"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: blk.Bytes})
	require.NoError(t, e.fs.WriteFile("enc.pem", enc))
	require.NoError(t, e.fs.WriteFile("enc8.pem", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}})))
	require.NoError(t, e.fs.WriteFile("junk.pem", []byte("not a key")))
	require.NoError(t, e.fs.WriteFile("bad.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 3, 1, 2, 3}})))
	before := e.ioHandles()
	for _, tc := range []struct{ line, want string }{
		{"importPrivateKey -f enc.pem -l x -w 524291", "\n\tError: file \"enc.pem\" holds a password-protected PEM key, which cannot be imported; decrypt it first (openssl pkey -in enc.pem -out plain.pem)\n\n"},
		{"importPrivateKey -f enc8.pem -l x -w 524291", "\n\tError: file \"enc8.pem\" holds a password-protected PEM key, which cannot be imported; decrypt it first (openssl pkey -in enc8.pem -out plain.pem)\n\n"},
		{"importPrivateKey -f junk.pem -l x -w 524291", "\n\tError: file \"junk.pem\" is not in PEM format\n\n"},
		{"importPrivateKey -f rsa2048.pub -l x -w 524291", "\n\tError: file \"rsa2048.pub\" holds no key of the kind this command imports\n\n"},
		{"importPrivateKey -f bad.pem -l x -w 524291", "\n\tError: file \"bad.pem\" holds a malformed key\n\n"},
		{"importPrivateKey -f nothere.pem -l x -w 524291", "\n\tError: cannot open file \"nothere.pem\" given with -f: no such file\n\n"},
		{"importPrivateKey -f rsa2048.key -l x -w 524288", "BER encoded key length is 1216\nCfm3WrapHostKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"importPrivateKey -f rsa2048.key -l x -w 524290", "BER encoded key length is 1216\nCfm3WrapHostKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	// The page: importPrivateKey has no -nex.
	usage := e.run("importPrivateKey -f rsa2048.key -l x -w 524291 -nex")
	assert.True(t, strings.HasPrefix(usage, "\n\tError: unknown parameter -nex\n"), usage)
	assert.Equal(t, before, e.ioHandles())
}

func TestIOImportPubKey(t *testing.T) {
	e := ioNew(t)
	assert.Equal(t, "Cfm3CreatePublicKey returned: 0xa9 : HSM Error: User is not logged in\n",
		e.run("importPubKey -f rsa2048.pub -l p"))
	e.login(t)
	out := e.run("importPubKey -f rsa2048.pub -l p -sess -id p-01")
	h := ioHandleOf(t, out, "Public Key Handle: ")
	assert.Equal(t, "Cfm3CreatePublicKey returned: 0x00 : HSM Return: SUCCESS\n"+
		sprintf("Public Key Handle: %d\n", h)+
		"Cluster Error Status\nNode id 2 and err state 0x00000000 : HSM Return: SUCCESS\n", out)
	o := e.c.Object(h)
	assert.Equal(t, hsm.ClassPublic, o.Class)
	assert.False(t, o.Token)
	assert.False(t, o.Local)
	assert.Equal(t, "p-01", o.KeyID)

	// An EC public key, and a PKCS #1 "RSA PUBLIC KEY".
	ek, err := ecdsa.GenerateKey(elliptic.P384(), rand.NewChaCha8([32]byte{9}))
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	require.NoError(t, err)
	require.NoError(t, e.fs.WriteFile("ec.pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	out = e.run("importPubKey -f ec.pub -l ecpub")
	h = ioHandleOf(t, out, "Public Key Handle: ")
	assert.Equal(t, hsm.KeyTypeEC, e.c.Object(h).KeyType)
	pub, err := mech.ParsePublicKeyPEM(e.file(t, "rsa2048.pub"))
	require.NoError(t, err)
	require.NoError(t, e.fs.WriteFile("rsa1.pub", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub.(*rsa.PublicKey))})))
	requireOK(t, e.tl, "importPubKey -f rsa1.pub -l r1", "Cfm3CreatePublicKey")

	before := e.ioHandles()
	require.NoError(t, e.fs.WriteFile("junk.pub", []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")))
	for _, tc := range []struct{ line, want string }{
		{"importPubKey -f junk.pub -l x", "\n\tError: file \"junk.pub\" holds a malformed key\n\n"},
		{"importPubKey -f rsa2048.key -l x", "\n\tError: file \"rsa2048.key\" holds no key of the kind this command imports\n\n"},
		{"importPubKey -f none.pub -l x", "\n\tError: cannot open file \"none.pub\" given with -f: no such file\n\n"},
		{"importPubKey -f rsa2048.pub -l x -id team-01", "Cfm3CreatePublicKey returned: 0xb9 : HSM Error: Object with this ID already exists\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	assert.Equal(t, before, e.ioHandles())
}

// TestIONoPanic throws random command lines at the commands of this group:
// whatever the flags and files, each answers without panicking.
func TestIONoPanic(t *testing.T) {
	e := ioNew(t).login(t)
	for _, l := range []string{
		"genSymKey -t 31 -s 16 -l a", "genSymKey -t 21 -s 24 -l d", "genSymKey -t 16 -s 40 -l g",
		"genRSAKeyPair -m 2048 -e 65537 -l r", "genECCKeyPair -i 2 -l e", "genSymKey -t 31 -s 16 -l s -sess",
		"wrapKey -k 524295 -w 524295 -m 4 -out wrapped", "extractMaskedObject -o 524295 -out masked",
		"getCaviumPrivKey -k 524298 -out fake",
	} {
		requireOK(t, e.tl, l)
	}
	require.NoError(t, e.fs.WriteFile("empty", nil))
	require.NoError(t, e.fs.WriteFile("junk", []byte("-----BEGIN PRIVATE KEY-----\n\x00\xff\n-----END PRIVATE KEY-----\nHSMSIMWK\x01\x04")))
	require.NoError(t, e.fs.WriteFile("hdr", []byte("HSMSIMWK\x01\x04\x00\x00\x04\x1f\xff\xff\xff\xff")))
	values := map[string][]string{
		"handle": {"524288", "524289", "524290", "524291", "524292", "524295", "524296", "524297", "524298", "524299", "524300", "524301", "999999", "0", "-1", "x", "18446744073709551615"},
		"file":   {"aes256.key", "rsa2048.key", "rsa2048.pub", "wrapped", "masked", "fake", "empty", "junk", "hdr", "none", "../x", ""},
		"number": {"0", "1", "2", "3", "4", "5", "6", "7", "8", "10", "11", "12", "16", "17", "19", "21", "31", "-5", "99999999999", "x", "0x10"},
		"text":   {"l", "", "team-01", strings.Repeat("x", 200), "A6A6A6A6A6A6A6A6", "0xA6A6A6A6A6A6A6A6", "zz", "3,4", "1"},
	}
	kind := func(flag string) string {
		switch flag {
		case "k", "w", "o":
			return "handle"
		case "f", "out", "wk", "aad", "iv_file", "s":
			return "file"
		case "m", "t", "kc", "kt", "tag_size", "min_srv", "timeout", "m_value":
			return "number"
		}
		return "text"
	}
	names := []string{"imSymKey", "importPrivateKey", "importPubKey", "exSymKey", "exportPrivateKey", "exportPubKey",
		"wrapKey", "unWrapKey", "aesWrapUnwrap", "sign", "verify", "getCaviumPrivKey", "extractMaskedObject", "insertMaskedObject"}
	r := rand.New(rand.NewPCG(1, 2))
	ok := 0
	for i := 0; i < 6000; i++ {
		c := commands[names[r.IntN(len(names))]]
		line := c.Name
		for _, f := range c.Flags {
			if f.Required || r.IntN(10) < 3 {
				line += " -" + f.Name
				if f.Kind.TakesValue() {
					vs := values[kind(f.Name)]
					line += " '" + vs[r.IntN(len(vs))] + "'"
				}
			}
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("%s panicked: %v", line, p)
				}
			}()
			if r := e.tl.Exec(line); len(r.Calls) > 0 && r.Calls[len(r.Calls)-1].RC == hsm.RCSuccess {
				ok++
			}
		}()
	}
	t.Logf("%d lines succeeded", ok)
}
