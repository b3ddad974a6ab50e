package kmu

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

const ioMaskedOK = "Cfm3ExtractMaskedObject returned: 0x00 : HSM Return: SUCCESS\n"

func ioMaskedInserted(h uint64) string {
	return "Cfm3InsertMaskedObject returned: 0x00 : HSM Return: SUCCESS\n" + sprintf("New Key Handle: %d\n", h) + ioStatus3
}

func TestIOMaskedRoundTrip(t *testing.T) {
	e := ioNew(t).login(t)
	require.Contains(t, e.run("genSymKey -t 31 -s 32 -l masked -id m-01 -nex -u 4 -m_value 1"), "Key Handle: 524295")
	assert.Equal(t, "Object was masked and written to file \"maskedObj\"\n"+ioMaskedOK, e.run("extractMaskedObject -o 524295 -out maskedObj"))
	data := e.file(t, "maskedObj")
	assert.True(t, bytes.HasPrefix(data, []byte("HSMSIMMO\x01")))
	assert.NotContains(t, string(data), "masked", "the object is encrypted")

	// Into the same cluster: a new handle and the same key, metadata and ID.
	out := e.run("insertMaskedObject -f maskedObj")
	assert.Equal(t, ioMaskedInserted(524296), out)
	orig, got := e.c.Object(524295), e.c.Object(524296)
	require.NotNil(t, got)
	assert.Equal(t, orig.Value, got.Value)
	assert.Equal(t, orig.KCV, got.KCV)
	assert.Equal(t, "m-01", got.KeyID)
	assert.Equal(t, []int{4}, got.Shared)
	assert.Equal(t, 1, got.MValue)
	assert.Equal(t, 3, got.Owner)
	assert.False(t, got.Extractable, "a non-extractable key can be masked and stays non-extractable")
	assert.True(t, got.Local)
	for _, n := range e.c.Nodes {
		assert.True(t, n.Objects[524296].Equal(e.c.Object(524296)), "node %d holds the same copy", n.ID)
	}

	// Into a clone of the cluster (same HSMs): alice inserts example_user's
	// object, and the key still belongs to example_user.
	c2, files, err := scenario.Default()
	require.NoError(t, err)
	fs2 := vfs.NewMem()
	require.NoError(t, fs2.Restore(files))
	require.NoError(t, fs2.WriteFile("maskedObj", data))
	alice := New(c2, fs2, rand.NewChaCha8([32]byte{2}))
	requireOK(t, alice, "loginHSM -u CU -s alice -p password")
	assert.Equal(t, ioMaskedInserted(524295), alice.Exec("insertMaskedObject -f maskedObj -min_srv 2 -timeout 5").Output)
	assert.Equal(t, 3, c2.Object(524295).Owner)
	assert.Equal(t, orig.Value, c2.Object(524295).Value)

	// Into a cluster of other HSMs: the seal does not open.
	c3, files3, err := scenario.Default()
	require.NoError(t, err)
	c3.Nodes[0].Addr = "10.9.9.9"
	fs3 := vfs.NewMem()
	require.NoError(t, fs3.Restore(files3))
	require.NoError(t, fs3.WriteFile("maskedObj", data))
	other := New(c3, fs3, nil)
	requireOK(t, other, "loginHSM -u CU -s example_user -p password")
	before := len(c3.Nodes[0].Objects)
	assert.Equal(t, "Cfm3InsertMaskedObject returned: 0xba : HSM Error: Unwrap failed: integrity check on the wrapped key failed\n",
		other.Exec("insertMaskedObject -f maskedObj").Output)
	assert.Equal(t, before, len(c3.Nodes[0].Objects))
}

func TestIOMaskedPairAndSession(t *testing.T) {
	e := ioNew(t).login(t)
	pub, priv := ioPairOf(t, e.run("genECCKeyPair -i 14 -l ec"))
	require.Contains(t, e.run("extractMaskedObject -o "+sprintf("%d", priv)+" -out priv.mo"), ioMaskedOK)
	require.Contains(t, e.run("extractMaskedObject -o "+sprintf("%d", pub)+" -out pub.mo"), ioMaskedOK)
	out := e.run("insertMaskedObject -f priv.mo")
	h := ioHandleOf(t, out, "New Key Handle: ")
	assert.Equal(t, e.c.Object(priv).Value, e.c.Object(h).Value)
	assert.Equal(t, hsm.ClassPrivate, e.c.Object(h).Class)
	out = e.run("insertMaskedObject -f pub.mo")
	h = ioHandleOf(t, out, "New Key Handle: ")
	assert.Equal(t, hsm.ClassPublic, e.c.Object(h).Class)

	// A session key comes back as a session key of the inserting session.
	requireOK(t, e.tl, "genSymKey -t 31 -s 16 -sess -l s")
	s := e.c.Find(e.tl.Session, hsm.Filter{Label: ioPtr("s")})
	require.Len(t, s, 1)
	require.Contains(t, e.run(sprintf("extractMaskedObject -o %d -out s.mo", s[0])), ioMaskedOK)
	out = e.run("insertMaskedObject -f s.mo")
	h = ioHandleOf(t, out, "New Key Handle: ")
	assert.True(t, strings.HasSuffix(out, "Cluster Error Status\nNode id 2 and err state 0x00000000 : HSM Return: SUCCESS\n"), out)
	assert.False(t, e.c.Object(h).Token)
	assert.Equal(t, e.tl.Session.Name, e.c.Object(h).Session)
}

func ioPtr[T any](v T) *T { return &v }

func TestIOMaskedRefusals(t *testing.T) {
	e := ioNew(t)
	assert.Equal(t, "Cfm3ExtractMaskedObject returned: 0xa9 : HSM Error: User is not logged in\n", e.run("extractMaskedObject -o 524291 -out x"))
	assert.Equal(t, "Cfm3InsertMaskedObject returned: 0xa9 : HSM Error: User is not logged in\n", e.run("insertMaskedObject -f x"))
	e.login(t)
	for _, tc := range []struct{ line, want string }{
		// Shared with example_user, owned by alice: only the owner masks it.
		{"extractMaskedObject -o 524291 -out x", "Cfm3ExtractMaskedObject returned: 0xc6 : HSM Error: Key Access is denied\n"},
		// alice's public key is readable, but not example_user's to mask.
		{"extractMaskedObject -o 524289 -out x", "Cfm3ExtractMaskedObject returned: 0xc6 : HSM Error: Key Access is denied\n"},
		{"extractMaskedObject -o 524288 -out x", "Cfm3ExtractMaskedObject returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"},
		{"insertMaskedObject -f none", "\n\tError: cannot open file \"none\" given with -f: no such file\n\n"},
		{"insertMaskedObject -f aes256.key", "\n\tError: file \"aes256.key\" is not a masked object made by extractMaskedObject\n\n"},
	} {
		assert.Equal(t, tc.want, e.run(tc.line), tc.line)
	}
	assert.False(t, e.exists("x"))

	requireOK(t, e.tl, "genSymKey -t 31 -s 16 -l k")
	require.Contains(t, e.run("extractMaskedObject -o 524295 -out k.mo"), ioMaskedOK)
	data := e.file(t, "k.mo")
	before := e.ioHandles()
	for i := 0; i < len(data); i += 7 {
		bad := bytes.Clone(data)
		bad[i] ^= 0x20
		require.NoError(t, e.fs.WriteFile("bad.mo", bad))
		out := e.run("insertMaskedObject -f bad.mo")
		assert.True(t, strings.HasPrefix(out, "Cfm3InsertMaskedObject returned: 0xba") || strings.HasPrefix(out, "\n\tError: "), "byte %d: %s", i, out)
	}
	for _, n := range []int{0, 8, 9, 20, len(data) - 1} {
		require.NoError(t, e.fs.WriteFile("short.mo", data[:n]))
		out := e.run("insertMaskedObject -f short.mo")
		assert.True(t, strings.HasPrefix(out, "Cfm3InsertMaskedObject returned: 0xba") || strings.HasPrefix(out, "\n\tError: "), "length %d: %s", n, out)
	}
	assert.Equal(t, before, e.ioHandles(), "nothing is inserted from a damaged file")

	// The owner must still exist where the object is inserted.
	for _, n := range e.c.Nodes {
		for _, o := range n.Objects {
			if o.Owner == 3 {
				o.Owner = 4
			}
		}
		e.c.RemoveUserFrom(n.ID, 3)
	}
	assert.Equal(t, "Cfm3InsertMaskedObject returned: 0x9d : HSM Error: user isn't initialized or user with this name doesn't exist\n",
		e.run("insertMaskedObject -f k.mo"))
	out := e.run("insertMaskedObject -f k.mo -timeout 3")
	assert.True(t, strings.HasPrefix(out, "\n\tError: -timeout is valid only together with -min_srv\n"), out)
}

func TestIOMaskingKey(t *testing.T) {
	c1, _, err := scenario.Default()
	require.NoError(t, err)
	c2, _, err := scenario.Default()
	require.NoError(t, err)
	assert.Equal(t, maskingKey(c1), maskingKey(c2), "the same HSMs give the same key")
	c2.Nodes[0], c2.Nodes[2] = c2.Nodes[2], c2.Nodes[0]
	assert.Equal(t, maskingKey(c1), maskingKey(c2), "node order does not matter")
	c2.Nodes = c2.Nodes[:2]
	assert.NotEqual(t, maskingKey(c1), maskingKey(c2))
	assert.Len(t, maskingKey(c1), 32)
}

func TestIOMaskedTranscript(t *testing.T) {
	e := ioNew(t)
	ioTranscript(t, "io_masked.md", e.tl)
}
