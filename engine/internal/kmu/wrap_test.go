package kmu

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// ioWrapSetup logs in as example_user and makes: AES-256 target 524295,
// RSA pair 524294/524296 (target), AES wrapping key 524297, RSA wrapping
// pair 524298/524299, DES3 key 524300.
func ioWrapSetup(t *testing.T) *ioEnv {
	t.Helper()
	e := ioNew(t).login(t)
	for _, l := range []string{
		"genSymKey -t 31 -s 32 -l target",
		"genRSAKeyPair -m 2048 -e 65537 -l target-rsa",
		"genSymKey -t 31 -s 32 -l wrapper",
		"genRSAKeyPair -m 2048 -e 65537 -l wrapper-rsa",
		"genSymKey -t 21 -s 24 -l des",
	} {
		requireOK(t, e.tl, l)
	}
	require.Equal(t, hsm.ClassPublic, e.c.Object(524298).Class)
	require.Equal(t, hsm.KeyTypeDES3, e.c.Object(524300).KeyType)
	return e
}

func ioWrapped(name string, n int) string {
	return "Key Wrapped.\n" + sprintf("Wrapped Key written to file \"%s\" length %d\n", name, n) +
		"Cfm2WrapKey returned: 0x00 : HSM Return: SUCCESS\n"
}

// ioSameKey checks that an unwrapped key is a copy of the original.
func ioSameKey(t *testing.T, orig, got *hsm.Object) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, orig.Value, got.Value)
	assert.Equal(t, orig.KCV, got.KCV)
	assert.Equal(t, orig.Class, got.Class)
	assert.Equal(t, orig.KeyType, got.KeyType)
	assert.False(t, got.Local)
}

func TestIOWrapRoundTrips(t *testing.T) {
	e := ioWrapSetup(t)
	for _, tc := range []struct {
		target, wrap, unwrap uint64
		m                    string
	}{
		{524295, 524297, 524297, "4"},
		{524295, 524297, 524297, "5"},
		{524295, 524297, 524297, "6"},
		{524295, 524297, 524297, "10"},
		{524295, 524297, 524297, "11"},
		{524295, 524298, 524299, "7"},
		{524295, 524298, 524299, "7 -t 2"},
		{524295, 524298, 524299, "8"},
		{524295, 524298, 524299, "8 -t 5"},
		{524295, 524298, 524299, "12"},
		{524300, 524297, 524297, "4"},
		{524296, 524297, 524297, "4"},
		{524296, 524297, 524297, "6"},
		{524296, 524297, 524297, "11"},
		{524296, 524298, 524299, "7 -t 4"},
		// A key shared with example_user may be used to wrap.
		{524295, 524291, 524291, "6"},
	} {
		name := sprintf("w-%d-%s", tc.target, strings.ReplaceAll(tc.m, " ", ""))
		out := e.run(sprintf("wrapKey -k %d -w %d -m %s -out %s", tc.target, tc.wrap, tc.m, name))
		data := e.file(t, name)
		assert.Equal(t, ioWrapped(name, len(data)), out, name)
		assert.True(t, bytes.HasPrefix(data, []byte("HSMSIMWK\x01")), name)
		out = e.run(sprintf("unWrapKey -f %s -w %d -m %s", name, tc.unwrap, tc.m))
		h := ioHandleOf(t, out, "Key Unwrapped.  Key Handle: ")
		assert.Equal(t, "Cfm3UnWrapKey returned: 0x00 : HSM Return: SUCCESS\n"+
			sprintf("Key Unwrapped.  Key Handle: %d\n", h)+ioStatus3, out, name)
		orig, got := e.c.Object(tc.target), e.c.Object(h)
		ioSameKey(t, orig, got)
		assert.Equal(t, orig.Label, got.Label)
		assert.Equal(t, orig.Extractable, got.Extractable)
		assert.Equal(t, orig.Decrypt, got.Decrypt)
		assert.Equal(t, orig.Sign, got.Sign)
		assert.Equal(t, 3, got.Owner)
	}
}

func TestIOWrapNoHeader(t *testing.T) {
	e := ioWrapSetup(t)
	kek := e.c.Object(524297).Value
	target := e.c.Object(524295)

	// RFC 3394 without a header: exactly what any RFC 3394 tool reads.
	assert.Equal(t, ioWrapped("raw", 40), e.run("wrapKey -k 524295 -w 524297 -m 5 -noheader -i A6A6A6A6A6A6A6A6 -out raw"))
	plain, err := mech.AESKeyUnwrap(kek, e.file(t, "raw"))
	require.NoError(t, err)
	assert.Equal(t, target.Value, plain)
	out := e.run("unWrapKey -f raw -w 524297 -m 5 -noheader -l un -id un-01 -kc 4 -kt 31")
	h := ioHandleOf(t, out, "Key Unwrapped. Key Handle: ")
	assert.Equal(t, "Cfm3CreateUnwrapTemplate2 returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm2UnWrapWithTemplate3 returned: 0x00 : HSM Return: SUCCESS\n"+
		sprintf("Key Unwrapped. Key Handle: %d\n", h)+ioStatus3, out)
	got := e.c.Object(h)
	ioSameKey(t, target, got)
	assert.Equal(t, "un", got.Label)
	assert.Equal(t, "un-01", got.KeyID)

	// A key wrapped outside key_mgmt_util (RFC 5649), imported non-extractable.
	outside := []byte("a generic secret of 29 bytes!")
	wrapped, err := mech.AESKeyWrapPad(kek, outside)
	require.NoError(t, err)
	require.NoError(t, e.fs.WriteFile("outside", wrapped))
	out = e.run("unWrapKey -f outside -w 524297 -m 6 -noheader -l gen -kc 4 -kt 16 -nex -sess")
	h = ioHandleOf(t, out, "Key Unwrapped. Key Handle: ")
	assert.True(t, strings.HasSuffix(out, "Cluster Error Status\nNode id 2 and err state 0x00000000 : HSM Return: SUCCESS\n"), out)
	got = e.c.Object(h)
	assert.Equal(t, outside, got.Value)
	assert.Equal(t, hsm.KeyTypeGenericSecret, got.KeyType)
	assert.False(t, got.Extractable)
	assert.False(t, got.Token)

	// AES_GCM with the IV in its own file, AAD and a short tag.
	require.NoError(t, e.fs.WriteFile("aad", []byte("context")))
	require.NoError(t, e.fs.WriteFile("aad2", []byte("other")))
	assert.Equal(t, ioWrapped("gcm", 32+12), e.run("wrapKey -k 524295 -w 524297 -m 10 -noheader -iv_file iv -aad aad -tag_size 12 -out gcm"))
	assert.Len(t, e.file(t, "iv"), mech.GCMIVSize)
	out = e.run("unWrapKey -f gcm -w 524297 -m 10 -noheader -iv_file iv -aad aad -tag_size 12 -l g -kc 4 -kt 31")
	ioSameKey(t, target, e.c.Object(ioHandleOf(t, out, "Key Unwrapped. Key Handle: ")))
	before := e.ioHandles()
	assert.Equal(t, "Cfm3CreateUnwrapTemplate2 returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm2UnWrapWithTemplate3 returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n",
		e.run("unWrapKey -f gcm -w 524297 -m 10 -noheader -iv_file iv -aad aad2 -tag_size 12 -l g -kc 4 -kt 31"))

	// A private key without header; -kt must name its type.
	requireOK(t, e.tl, "wrapKey -k 524296 -w 524297 -m 6 -noheader -out priv", "Cfm2WrapKey")
	assert.Equal(t, "Cfm3CreateUnwrapTemplate2 returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm2UnWrapWithTemplate3 returned: 0x0a : HSM Error: Invalid input data/params\n",
		e.run("unWrapKey -f priv -w 524297 -m 6 -noheader -l p -kc 3 -kt 3"))
	// Secret bytes that are not a private key.
	assert.Equal(t, "Cfm3CreateUnwrapTemplate2 returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cfm2UnWrapWithTemplate3 returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n",
		e.run("unWrapKey -f raw -w 524297 -m 5 -noheader -l p -kc 3 -kt 0"))
	assert.Equal(t, before, e.ioHandles())
	out = e.run("unWrapKey -f priv -w 524297 -m 6 -noheader -l p -kc 3 -kt 0")
	ioSameKey(t, e.c.Object(524296), e.c.Object(ioHandleOf(t, out, "Key Unwrapped. Key Handle: ")))
}

func TestIOWrapKeyRefusals(t *testing.T) {
	e := ioWrapSetup(t)
	assert.Equal(t, "Cfm2WrapKey returned: 0xa9 : HSM Error: User is not logged in\n",
		New(e.c, e.fs, nil).Exec("wrapKey -k 524295 -w 524297 -m 4 -out x").Output)
	require.Contains(t, e.run("genSymKey -t 31 -s 16 -l fixed -nex"), "Key Handle: 524301")
	for _, tc := range []struct{ line, want string }{
		{"wrapKey -k 524291 -w 524297 -m 4 -out x", "Cfm2WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n"},
		{"wrapKey -k 524301 -w 524297 -m 4 -out x", "Cfm2WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n"},
		{"wrapKey -k 524288 -w 524297 -m 4 -out x", "Cfm2WrapKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"wrapKey -k 524295 -w 524288 -m 4 -out x", "Cfm2WrapKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"wrapKey -k 524294 -w 524297 -m 4 -out x", "Cfm2WrapKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		// The wrapping key must fit the mechanism.
		{"wrapKey -k 524295 -w 524298 -m 4 -out x", "Cfm2WrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"wrapKey -k 524295 -w 524297 -m 7 -out x", "Cfm2WrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"wrapKey -k 524295 -w 524299 -m 8 -out x", "Cfm2WrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"wrapKey -k 524295 -w 524300 -m 4 -out x", "Cfm2WrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		// A 2048-bit private key does not fit in one RSA block.
		{"wrapKey -k 524296 -w 524298 -m 8 -out x", "Cfm2WrapKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"wrapKey -k 524296 -w 524298 -m 12 -out x", "Cfm2WrapKey returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"wrapKey -k 524295 -w 524297 -m 10 -out x -aad none", "\n\tError: cannot open file \"none\" given with -aad: no such file\n\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	for _, tc := range []struct{ line, want string }{
		{"wrapKey -k 524295 -w 524297 -m 4 -out x -aad none", "-aad is valid only for AES_GCM (10) and CLOUDHSM_AES_GCM (11)"},
		{"wrapKey -k 524295 -w 524297 -m 9 -out x", "invalid wrapping mechanism 9 for -m (4, 5, 6, 7, 8, 10, 11 or 12)"},
		{"wrapKey -k 524295 -w 524297 -out x", "missing required parameter(s) -m"},
		{"wrapKey -k 524295 -w 524297 -m 4 -t 3 -out x", "-t is valid only for RSA_AES (7) and RSA_OAEP (8)"},
		{"wrapKey -k 524295 -w 524298 -m 7 -t 7 -out x", "invalid hash 7 for -t (2, 3, 4, 5 or 6)"},
		{"wrapKey -k 524295 -w 524297 -m 10 -tag_size 12 -out x", "-tag_size is valid only with -noheader for AES_GCM (10) and CLOUDHSM_AES_GCM (11)"},
		{"wrapKey -k 524295 -w 524297 -m 10 -noheader -tag_size 4 -out x", "invalid tag size 4 for -tag_size (8 to 16)"},
		{"wrapKey -k 524295 -w 524297 -m 5 -noheader -i 0011223344556677 -out x", "invalid IV for -i: the HSM accepts only the default IV A6A6A6A6A6A6A6A6 for mechanisms 4 and 5"},
		{"wrapKey -k 524295 -w 524297 -m 5 -noheader -i zz -out x", "invalid IV \"zz\" for -i: give 8 bytes as 16 hex digits"},
		{"wrapKey -k 524295 -w 524297 -m 6 -noheader -i A6A6A6A6A6A6A6A6 -out x", "-i is valid only with -noheader for mechanisms 4 and 5"},
		{"wrapKey -k 524295 -w 524297 -m 11 -noheader -iv_file iv -out x", "-iv_file is valid only with -noheader for AES_GCM (10)"},
	} {
		out := e.run(tc.line)
		assert.True(t, strings.HasPrefix(out, "\n\tError: "+tc.want+"\n"), "%s:\n%s", tc.line, out)
	}
	assert.False(t, e.exists("x"))
	// Without OBJ_ATTR_WRAP the key cannot wrap.
	e.c.Update(524297, nil, func(o *hsm.Object) { o.Wrap = false })
	assert.Equal(t, "Cfm2WrapKey returned: 0xab : HSM Error: Invalid attribute or attribute value\n", e.run("wrapKey -k 524295 -w 524297 -m 4 -out x"))
	// A key marked OBJ_ATTR_WRAP_WITH_TRUSTED needs a trusted wrapping key.
	e.c.Update(524295, nil, func(o *hsm.Object) { o.WrapWithTrusted = true })
	assert.Equal(t, "Cfm2WrapKey returned: 0xc6 : HSM Error: Key Access is denied\n", e.run("wrapKey -k 524295 -w 524291 -m 4 -out x"))
	assert.False(t, e.exists("x"))
}

func TestIOUnWrapKeyRefusals(t *testing.T) {
	e := ioWrapSetup(t)
	requireOK(t, e.tl, "wrapKey -k 524295 -w 524297 -m 4 -out w4", "Cfm2WrapKey")
	requireOK(t, e.tl, "wrapKey -k 524295 -w 524298 -m 7 -out w7", "Cfm2WrapKey")
	w4 := e.file(t, "w4")
	tampered := bytes.Clone(w4)
	tampered[len(tampered)-1] ^= 1
	require.NoError(t, e.fs.WriteFile("tampered", tampered))
	require.NoError(t, e.fs.WriteFile("truncated", w4[:len(w4)-3]))
	require.NoError(t, e.fs.WriteFile("v9", append([]byte("HSMSIMWK\x09"), w4[9:]...)))
	require.NoError(t, e.fs.WriteFile("shortiv", []byte("123")))
	before := e.ioHandles()
	for _, tc := range []struct{ line, want string }{
		{"unWrapKey -f tampered -w 524297 -m 4", "Cfm3UnWrapKey returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n"},
		// Another AES key of the same size.
		{"unWrapKey -f w4 -w 524295 -m 4", "Cfm3UnWrapKey returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n"},
		{"unWrapKey -f w4 -w 524288 -m 4", "Cfm3UnWrapKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		// RSA mechanisms unwrap with the private key, not the public one.
		{"unWrapKey -f w7 -w 524298 -m 7", "Cfm3UnWrapKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		// The wrong private key.
		{"unWrapKey -f w7 -w 524296 -m 7", "Cfm3UnWrapKey returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n"},
		{"unWrapKey -f w4 -w 524297 -m 6", "\n\tError: file \"w4\" was wrapped with mechanism 4; give -m 4\n\n"},
		{"unWrapKey -f truncated -w 524297 -m 4", "\n\tError: file \"truncated\": the wrapKey header is truncated or damaged\n\n"},
		{"unWrapKey -f v9 -w 524297 -m 4", "\n\tError: file \"v9\": wrapKey header version 9 is not known\n\n"},
		{"unWrapKey -f aes256.key -w 524297 -m 4", "\n\tError: file \"aes256.key\" has no wrapKey header; for a key wrapped outside key_mgmt_util give -noheader with -l, -kc and -kt\n\n"},
		{"unWrapKey -f none -w 524297 -m 4", "\n\tError: cannot open file \"none\" given with -f: no such file\n\n"},
		{"unWrapKey -f w4 -w 524297 -m 4 -id team-01", "Cfm3UnWrapKey returned: 0xb9 : HSM Error: Object with this ID already exists\n"},
		{"unWrapKey -f aes256.key -w 524297 -m 4 -noheader -l x -kc 4 -kt 31 -u 2", "Cfm3CreateUnwrapTemplate2 returned: 0x0a : HSM Error: Invalid input data/params\n"},
		{"unWrapKey -f aes256.key -w 524297 -m 10 -noheader -l x -kc 4 -kt 31 -iv_file shortiv", "\n\tError: file \"shortiv\" given with -iv_file holds 3 bytes; an AES_GCM IV is 12 bytes\n\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	for _, tc := range []struct{ line, want string }{
		{"unWrapKey -f w4 -w 524297 -m 4 -kc 4", "-kc is valid only with -noheader"},
		{"unWrapKey -f w4 -w 524297 -m 4 -noheader -l x -kc 4", "-noheader needs -l, -kc and -kt"},
		{"unWrapKey -f w4 -w 524297 -m 4 -noheader -l x -kc 4 -kt 0", "invalid key type 0 for -kt with -kc 4 (16 GENERIC_SECRET, 21 DES3, 31 AES)"},
		{"unWrapKey -f w4 -w 524297 -m 4 -noheader -l x -kc 3 -kt 31", "invalid key type 31 for -kt with -kc 3 (0 RSA, 1 DSA, 3 EC)"},
		{"unWrapKey -f w4 -w 524297 -m 4 -noheader -l x -kc 2 -kt 0", "invalid key class 2 for -kc (3 = private key, 4 = secret key)"},
		{"unWrapKey -f w4 -w 524297", "missing required parameter(s) -m"},
	} {
		out := e.run(tc.line)
		assert.True(t, strings.HasPrefix(out, "\n\tError: "+tc.want+"\n"), "%s:\n%s", tc.line, out)
	}
	assert.Equal(t, before, e.ioHandles(), "refused unwraps create nothing")
	assert.Equal(t, "Cfm3UnWrapKey returned: 0xa9 : HSM Error: User is not logged in\n",
		New(e.c, e.fs, nil).Exec("unWrapKey -f w4 -w 524297 -m 4").Output)

	// The header's label and ID can be replaced; -nex and -sess apply.
	out := e.run("unWrapKey -f w4 -w 524297 -m 4 -l renamed -id new-01 -nex -sess")
	o := e.c.Object(ioHandleOf(t, out, "Key Unwrapped.  Key Handle: "))
	assert.Equal(t, "renamed", o.Label)
	assert.Equal(t, "new-01", o.KeyID)
	assert.False(t, o.Extractable)
	assert.False(t, o.Token)
}

func TestIOAesWrapUnwrap(t *testing.T) {
	e := ioWrapSetup(t)
	des := e.c.Object(524300).Value
	require.NoError(t, e.fs.WriteFile("3DES.key", des))
	out := e.run("aesWrapUnwrap -f 3DES.key -w 524297 -m 1")
	wrapped := e.file(t, "wrapped_key")
	want, err := mech.AESKeyWrapPKCS5(e.c.Object(524297).Value, des)
	require.NoError(t, err)
	assert.Equal(t, want, wrapped)
	require.Len(t, wrapped, 40, "24 bytes, PKCS #5 padded to 32, wrapped to 40, as on the page")
	var hexLines string
	for i := 0; i < 40; i += 8 {
		var parts []string
		for _, b := range wrapped[i : i+8] {
			parts = append(parts, sprintf("%02X", b))
		}
		hexLines += strings.Join(parts, " ") + "\n"
	}
	assert.Equal(t, "Warning: IV (-i) is missing.\n"+
		"         0xA6A6A6A6A6A6A6A6 is considered as default IV\n"+
		"result data:\n"+hexLines+
		"result written to file wrapped_key\n"+
		"Cfm3WrapHostKey returned: 0x00 : HSM Return: SUCCESS\n", out)

	out = e.run("aesWrapUnwrap -m 0 -f wrapped_key -w 524297 -out 3DES.key.unwrapped")
	assert.True(t, strings.HasSuffix(out, "result written to file 3DES.key.unwrapped\nCfm3UnWrapHostKey returned: 0x00 : HSM Return: SUCCESS\n"), out)
	assert.Equal(t, des, e.file(t, "3DES.key.unwrapped"))

	// An alternate IV: it round trips, and the default IV cannot undo it.
	out = e.run("aesWrapUnwrap -m 1 -f 3DES.key -w 524297 -i 0x0011223344556677 -out alt")
	assert.True(t, strings.HasPrefix(out, "result data:\n"), out)
	assert.NotEqual(t, wrapped, e.file(t, "alt"))
	requireOK(t, e.tl, "aesWrapUnwrap -m 0 -f alt -w 524297 -i 0011223344556677 -out back", "Cfm3UnWrapHostKey")
	assert.Equal(t, des, e.file(t, "back"))
	assert.Equal(t, "Warning: IV (-i) is missing.\n"+
		"         0xA6A6A6A6A6A6A6A6 is considered as default IV\n"+
		"Cfm3UnWrapHostKey returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n",
		e.run("aesWrapUnwrap -m 0 -f alt -w 524297 -out failed"))
	assert.Empty(t, e.file(t, "failed"), "the page: a failed command leaves an empty output file")

	require.NoError(t, e.fs.WriteFile("big", make([]byte, 4096)))
	for _, tc := range []struct{ line, want string }{
		{"aesWrapUnwrap -m 1 -f big -w 524297", "\n\tError: file \"big\" holds 4096 bytes; aesWrapUnwrap takes files of less than 4096 bytes\n\n"},
		{"aesWrapUnwrap -m 1 -f none -w 524297", "\n\tError: cannot open file \"none\" given with -f: no such file\n\n"},
		{"aesWrapUnwrap -m 1 -f 3DES.key -w 524298 -out y", "Cfm3WrapHostKey returned: 0xbc : HSM Error: Invalid mechanism for this key\n"},
		{"aesWrapUnwrap -m 0 -f wrapped_key -w 524288 -out y", "Cfm3UnWrapHostKey returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	assert.False(t, e.exists("y"))
	out = e.run("aesWrapUnwrap -m 2 -f 3DES.key -w 524297")
	assert.True(t, strings.HasPrefix(out, "\n\tError: invalid mode 2 for -m (1 = wrap, 0 = unwrap)\n"), out)
	out = e.run("aesWrapUnwrap -m 1 -f 3DES.key -w 524297 -i 00")
	assert.True(t, strings.HasPrefix(out, "\n\tError: invalid IV \"00\" for -i: give 8 bytes as 16 hex digits\n"), out)
}

// TestIOAesWrapMatchesMech checks the alternate-IV key wrap against mech's
// with the default IV, for every length around the block boundaries.
func TestIOAesWrapMatchesMech(t *testing.T) {
	kek := bytes.Repeat([]byte{0x42}, 16)
	for n := 0; n <= 41; n++ {
		in := bytes.Repeat([]byte{byte(n)}, n)
		got, err := aesWrapPKCS5(kek, mech.DefaultKeyWrapIV(), in)
		require.NoError(t, err)
		want, err := mech.AESKeyWrapPKCS5(kek, in)
		require.NoError(t, err)
		assert.Equal(t, want, got, n)
		back, err := aesUnwrapPKCS5(kek, mech.DefaultKeyWrapIV(), got)
		require.NoError(t, err)
		assert.Equal(t, in, back, n)
	}
	_, err := aesUnwrapPKCS5(kek, mech.DefaultKeyWrapIV(), []byte("short"))
	assert.ErrorIs(t, err, mech.ErrUnwrapIntegrity)
}

func TestIOWrapHeaderDecode(t *testing.T) {
	h := wrapHeader{mechanism: 7, hash: 3, class: hsm.ClassPrivate, keyType: hsm.KeyTypeRSA, flags: 0x5a5, label: "l", id: "i"}
	data := encodeWrapped(h, []byte{1, 2, 3})
	got, wrapped, err := decodeWrapped(data)
	require.NoError(t, err)
	assert.Equal(t, h, got)
	assert.Equal(t, []byte{1, 2, 3}, wrapped)
	// Every truncation and any trailing byte is refused, never a panic.
	for i := range data {
		_, _, err := decodeWrapped(data[:i])
		assert.Error(t, err, i)
	}
	_, _, err = decodeWrapped(append(bytes.Clone(data), 0))
	assert.Error(t, err)
}

func TestIOWrapTranscript(t *testing.T) {
	e := ioNew(t)
	ioTranscript(t, "io_wrap.md", e.tl)
}
