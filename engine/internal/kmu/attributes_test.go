package kmu_test

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// attrsTool starts key_mgmt_util on the default cluster with a seeded
// reader.
func attrsTool(t *testing.T) (*kmu.Tool, *hsm.Cluster, *vfs.Mem) {
	t.Helper()
	c, files, err := scenario.Default()
	require.NoError(t, err)
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	return kmu.New(c, fs, rand.NewChaCha8([32]byte{1})), c, fs
}

// attrsLogin logs in a crypto user of the default cluster.
func attrsLogin(t *testing.T, tl *kmu.Tool, name string) {
	t.Helper()
	r := tl.Exec("loginHSM -u CU -s " + name + " -p password")
	require.Len(t, r.Calls, 1, r.Output)
	require.Equal(t, hsm.RCSuccess, r.Calls[0].RC, r.Output)
}

const attrsAllOK = "Cluster Error Status\n" +
	"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n" +
	"Node id 1 and err state 0x00000000 : HSM Return: SUCCESS\n" +
	"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n"

// attrsReplay runs the commands of a transcript (lines starting with
// "Command: ") on a fresh default cluster and returns the transcript the
// tool produces.
func attrsReplay(t *testing.T, transcript string) string {
	t.Helper()
	tl, _, _ := attrsTool(t)
	var b strings.Builder
	for _, line := range strings.Split(transcript, "\n") {
		cmd, ok := strings.CutPrefix(line, kmu.Prompt)
		if !ok {
			continue
		}
		r := tl.Exec(cmd)
		require.Nil(t, r.Ask, "transcript commands must not ask: %s", cmd)
		b.WriteString(kmu.Prompt + cmd + "\n" + r.Output)
	}
	return b.String()
}

func TestAttrsTranscript(t *testing.T) {
	golden.Run(t, filepath.Join("testdata", "attrs.md"), func(transcript string) string {
		return attrsReplay(t, transcript)
	})
}

func TestListAttributesNeedsNoLogin(t *testing.T) {
	tl, _, _ := attrsTool(t)
	r := tl.Exec("listAttributes")
	want := "Following are the possible attribute values for getAttributes:\n\n" +
		"      OBJ_ATTR_CLASS                  = 0\n" +
		"      OBJ_ATTR_TOKEN                  = 1\n" +
		"      OBJ_ATTR_PRIVATE                = 2\n" +
		"      OBJ_ATTR_LABEL                  = 3\n" +
		"      OBJ_ATTR_KEY_TYPE               = 256\n" +
		"      OBJ_ATTR_ENCRYPT                = 260\n" +
		"      OBJ_ATTR_DECRYPT                = 261\n" +
		"      OBJ_ATTR_WRAP                   = 262\n" +
		"      OBJ_ATTR_UNWRAP                 = 263\n" +
		"      OBJ_ATTR_SIGN                   = 264\n" +
		"      OBJ_ATTR_VERIFY                 = 266\n" +
		"      OBJ_ATTR_LOCAL                  = 355\n" +
		"      OBJ_ATTR_MODULUS                = 288\n" +
		"      OBJ_ATTR_MODULUS_BITS           = 289\n" +
		"      OBJ_ATTR_PUBLIC_EXPONENT        = 290\n" +
		"      OBJ_ATTR_VALUE_LEN              = 353\n" +
		"      OBJ_ATTR_EXTRACTABLE            = 354\n" +
		"      OBJ_ATTR_KCV                    = 371\n"
	assert.Equal(t, want, r.Output)
	assert.False(t, r.Changed)
}

func TestGetAttributeAllOfSharedSecretKey(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	r := tl.Exec("getAttribute -o 524291 -a 512 -out attr_524291")
	assert.Equal(t, "got all attributes of size 444 attr cnt 17\n"+
		"Attributes dumped into attr_524291 file\n"+
		"Cfm3GetAttribute returned: 0x00 : HSM Return: SUCCESS\n", r.Output)
	assert.True(t, r.Changed, "a file was written")
	b, err := fs.ReadFile("attr_524291")
	require.NoError(t, err)
	kcv := c.Object(524291).KCV
	require.Len(t, kcv, 3)
	want := "OBJ_ATTR_CLASS\n0x04\nOBJ_ATTR_KEY_TYPE\n0x1f\nOBJ_ATTR_TOKEN\n0x01\nOBJ_ATTR_PRIVATE\n0x01\n" +
		"OBJ_ATTR_ENCRYPT\n0x01\nOBJ_ATTR_DECRYPT\n0x01\nOBJ_ATTR_WRAP\n0x01\nOBJ_ATTR_UNWRAP\n0x01\n" +
		"OBJ_ATTR_SIGN\n0x00\nOBJ_ATTR_VERIFY\n0x00\nOBJ_ATTR_LOCAL\n0x01\nOBJ_ATTR_SENSITIVE\n0x01\n" +
		"OBJ_ATTR_EXTRACTABLE\n0x01\nOBJ_ATTR_LABEL\nteam-shared-aes128\nOBJ_ATTR_ID\nteam-01\n" +
		"OBJ_ATTR_VALUE_LEN\n0x00000010\nOBJ_ATTR_KCV\n0x" + attrsHex(kcv) + "\n"
	assert.Equal(t, want, string(b))
}

func attrsHex(b []byte) string {
	const digits = "0123456789abcdef"
	var s strings.Builder
	for _, x := range b {
		s.WriteByte(digits[x>>4])
		s.WriteByte(digits[x&15])
	}
	return s.String()
}

// attrsNames returns the attribute names of a dump, in order.
func attrsNames(dump string) []string {
	var names []string
	for _, l := range strings.Split(dump, "\n") {
		if strings.HasPrefix(l, "OBJ_ATTR_") {
			names = append(names, l)
		}
	}
	return names
}

func TestGetAttributeAllOfRSAPublicKey(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	r := tl.Exec("getAttribute -o 524289 -a 512 -out attr_524289")
	assert.Equal(t, "got all attributes of size 785 attr cnt 26\n"+
		"Attributes dumped into attr_524289 file\n"+
		"Cfm3GetAttribute returned: 0x00 : HSM Return: SUCCESS\n", r.Output)
	b, err := fs.ReadFile("attr_524289")
	require.NoError(t, err)
	dump := string(b)
	assert.Equal(t, []string{"OBJ_ATTR_CLASS", "OBJ_ATTR_KEY_TYPE", "OBJ_ATTR_TOKEN", "OBJ_ATTR_PRIVATE",
		"OBJ_ATTR_ENCRYPT", "OBJ_ATTR_DECRYPT", "OBJ_ATTR_WRAP", "OBJ_ATTR_UNWRAP", "OBJ_ATTR_SIGN",
		"OBJ_ATTR_VERIFY", "OBJ_ATTR_LOCAL", "OBJ_ATTR_SENSITIVE", "OBJ_ATTR_EXTRACTABLE", "OBJ_ATTR_LABEL",
		"OBJ_ATTR_ID", "OBJ_ATTR_VALUE_LEN", "OBJ_ATTR_KCV", "OBJ_ATTR_MODULUS", "OBJ_ATTR_MODULUS_BITS",
		"OBJ_ATTR_PUBLIC_EXPONENT", "OBJ_ATTR_TRUSTED", "OBJ_ATTR_WRAP_WITH_TRUSTED", "OBJ_ATTR_DESTROYABLE",
		"OBJ_ATTR_DERIVE", "OBJ_ATTR_ALWAYS_SENSITIVE", "OBJ_ATTR_NEVER_EXTRACTABLE"}, attrsNames(dump))
	// The public key as genRSAKeyPair.md shows it: encrypt, wrap, verify,
	// not sensitive; an empty ID keeps its (empty) value line.
	assert.Contains(t, dump, "OBJ_ATTR_CLASS\n0x02\nOBJ_ATTR_KEY_TYPE\n0x00\n")
	assert.Contains(t, dump, "OBJ_ATTR_ENCRYPT\n0x01\nOBJ_ATTR_DECRYPT\n0x00\nOBJ_ATTR_WRAP\n0x01\n")
	assert.Contains(t, dump, "OBJ_ATTR_SENSITIVE\n0x00\n")
	assert.Contains(t, dump, "OBJ_ATTR_LABEL\nalice-rsa2048\nOBJ_ATTR_ID\n\nOBJ_ATTR_VALUE_LEN\n0x00000200\n")
	assert.Contains(t, dump, "OBJ_ATTR_MODULUS_BITS\n0x00000800\nOBJ_ATTR_PUBLIC_EXPONENT\n0x010001\n")
	assert.True(t, strings.HasSuffix(dump, "OBJ_ATTR_NEVER_EXTRACTABLE\n0x00\n"))

	// The modulus: 0x and 512 hex digits in lines of 80 characters.
	_, rest, _ := strings.Cut(dump, "OBJ_ATTR_MODULUS\n")
	modText, _, _ := strings.Cut(rest, "OBJ_ATTR_MODULUS_BITS\n")
	lines := strings.Split(strings.TrimSuffix(modText, "\n"), "\n")
	require.Len(t, lines, 7)
	for _, l := range lines[:6] {
		assert.Len(t, l, 80)
	}
	assert.Len(t, lines[6], 514-480)
	assert.Equal(t, "0x"+attrsHex(c.Object(524289).Modulus), strings.Join(lines, ""))
}

func TestGetAttributeAllOfECKeys(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "alice")
	stored := c.Object(524292).Clone()
	r := tl.Exec("getAttribute -o 524293 -a 512 -out attr_524293")
	assert.Equal(t, "got all attributes of size 529 attr cnt 19\n"+
		"Attributes dumped into attr_524293 file\n"+
		"Cfm3GetAttribute returned: 0x00 : HSM Return: SUCCESS\n", r.Output)
	b, err := fs.ReadFile("attr_524293")
	require.NoError(t, err)
	dump := string(b)
	names := attrsNames(dump)
	require.Len(t, names, 19)
	assert.Equal(t, []string{"OBJ_ATTR_MODULUS", "OBJ_ATTR_MODULUS_BITS"}, names[17:])
	// An EC private key as genECCKeyPair.md shows it: sign only, the
	// public point in bare hex on one line.
	assert.Contains(t, dump, "OBJ_ATTR_CLASS\n0x03\nOBJ_ATTR_KEY_TYPE\n0x03\n")
	assert.Contains(t, dump, "OBJ_ATTR_ENCRYPT\n0x00\nOBJ_ATTR_DECRYPT\n0x00\nOBJ_ATTR_WRAP\n0x00\nOBJ_ATTR_UNWRAP\n0x00\nOBJ_ATTR_SIGN\n0x01\nOBJ_ATTR_VERIFY\n0x00\n")
	assert.Contains(t, dump, "OBJ_ATTR_LABEL\nalice-p256\nOBJ_ATTR_ID\n\n")
	assert.Regexp(t, "\nOBJ_ATTR_MODULUS\n04[0-9a-f]{128}\nOBJ_ATTR_MODULUS_BITS\n0x00000100\n$", dump)

	// Both halves report the same point.
	r = tl.Exec("getAttribute -o 524292 -a 288 -out point_pub")
	require.Len(t, r.Calls, 1, r.Output)
	assert.Equal(t, hsm.RCSuccess, r.Calls[0].RC, r.Output)
	pub, _ := fs.ReadFile("point_pub")
	_, priv, _ := strings.Cut(dump, "OBJ_ATTR_MODULUS\n")
	priv, _, _ = strings.Cut(priv, "\n")
	assert.Equal(t, "OBJ_ATTR_MODULUS\n"+priv+"\n", string(pub))
	// Reading attributes changes no key.
	assert.Equal(t, stored, c.Object(524292), "the stored object is not modified")
}

func TestGetAttributeOneAttribute(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	kcv := attrsHex(c.Object(524291).KCV)
	for _, tc := range []struct {
		attr, want string
	}{
		{"256", "OBJ_ATTR_KEY_TYPE\n0x0000001f\n"},
		{"0", "OBJ_ATTR_CLASS\n0x00000004\n"},
		{"355", "OBJ_ATTR_LOCAL\n0x00000001\n"},
		{"3", "OBJ_ATTR_LABEL\nteam-shared-aes128\n"},
		{"258", "OBJ_ATTR_ID\nteam-01\n"},
		{"353", "OBJ_ATTR_VALUE_LEN\n0x00000010\n"},
		{"371", "OBJ_ATTR_KCV\n0x" + kcv + "\n"},
		{"134", "OBJ_ATTR_TRUSTED\n0x00000000\n"},
		{"370", "OBJ_ATTR_DESTROYABLE\n0x00000001\n"},
	} {
		r := tl.Exec("getAttribute -o 524291 -a " + tc.attr + " -out one.txt")
		assert.Equal(t, "Attributes dumped into one.txt file\nCfm3GetAttribute returned: 0x00 : HSM Return: SUCCESS\n", r.Output, tc.attr)
		b, err := fs.ReadFile("one.txt")
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b), tc.attr)
	}
}

func TestGetAttributeRefusals(t *testing.T) {
	tl, _, fs := attrsTool(t)
	r := tl.Exec("getAttribute -o 524291 -a 512 -out x.txt")
	assert.Equal(t, "Cfm3GetAttribute returned: 0xa9 : HSM Error: User is not logged in\n", r.Output)

	attrsLogin(t, tl, "example_user")
	const invalid = "Cfm3GetAttribute returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n"
	for _, line := range []string{
		"getAttribute -o 524288 -a 512 -out x.txt", // alice's own key: invisible to example_user
		"getAttribute -o 524290 -a 0 -out x.txt",   // alice's private key
		"getAttribute -o 999999 -a 512 -out x.txt", // no such key
	} {
		assert.Equal(t, invalid, tl.Exec(line).Output, line)
	}
	const noAttr = "Cfm3GetAttribute returned: 0xab : HSM Error: Invalid attribute or attribute value\n"
	assert.Equal(t, noAttr, tl.Exec("getAttribute -o 524291 -a 288 -out x.txt").Output, "no modulus on an AES key")
	assert.Equal(t, noAttr, tl.Exec("getAttribute -o 524291 -a 7 -out x.txt").Output, "no attribute 7")

	out := tl.Exec("getAttribute -o abc -a 0 -out x.txt").Output
	assert.Contains(t, out, "Error: invalid key handle \"abc\" for -o")
	assert.Contains(t, out, "Syntax: getAttribute -h")
	assert.Contains(t, tl.Exec("getAttribute -o 524291 -a 0 -out ../x.txt").Output, "Error: -out: invalid file name")
	assert.Contains(t, tl.Exec("getAttribute -o 524291 -a 0").Output, "missing required parameter(s) -out")

	_, err := fs.ReadFile("x.txt")
	assert.True(t, vfs.IsNotExist(err), "no refused command writes its file")
}

func TestGetAttributeHelp(t *testing.T) {
	tl, _, _ := attrsTool(t)
	for _, name := range []string{"getAttribute", "setAttribute", "listAttributes"} {
		out := tl.Exec(name + " -h").Output
		assert.Contains(t, out, "Syntax: "+name, name)
	}
}

func TestSetAttributeMakesSessionKeyPersistent(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	r := tl.Exec("genSymKey -t 31 -s 24 -l tmpAES -sess")
	require.Contains(t, r.Output, "Key Handle: 524295")
	require.Nil(t, c.Nodes[0].Objects[524295], "a session key lives on its session's node only")

	mark := c.Mark()
	r = tl.Exec("setAttribute -o 524295 -a 1")
	require.NotNil(t, r.Ask)
	assert.Equal(t, "This attribute is defined as a boolean value.\n", r.Output)
	assert.Equal(t, "Enter the boolean attribute value (0 or 1):", r.Ask.Prompt)
	assert.False(t, r.Ask.Secret)
	r = r.Ask.Answer("1")
	assert.Equal(t, "Cfm3SetAttribute returned: 0x00 : HSM Return: SUCCESS\n"+attrsAllOK, r.Output)
	assert.True(t, r.Changed)
	assert.Equal(t, []uint64{524295}, c.ChangesSince(mark).Keys, "the cluster records the key made persistent")
	for _, n := range c.Nodes {
		o := n.Objects[524295]
		require.NotNil(t, o, "node %d", n.ID)
		assert.True(t, o.Token)
		assert.Empty(t, o.Session)
		assert.Equal(t, 3, o.Owner)
	}
	assert.True(t, c.Nodes[0].Objects[524295].Equal(c.Nodes[2].Objects[524295]), "the copies agree")
	assert.NotSame(t, c.Nodes[0].Objects[524295], c.Nodes[1].Objects[524295], "nodes hold their own copies")

	// The key outlives its session.
	tl.Exec("logoutHSM")
	assert.NotNil(t, c.Object(524295))
	attrsLogin(t, tl, "example_user")
	assert.Contains(t, tl.Exec("findKey -sess 0").Output, "524289, 524291, 524292, 524295\n")
}

func TestSetAttributeRefusals(t *testing.T) {
	tl, c, _ := attrsTool(t)
	r := tl.Exec("setAttribute -o 524291 -a 1 -v 1")
	assert.Equal(t, "Cfm3SetAttribute returned: 0xa9 : HSM Error: User is not logged in\n", r.Output)

	attrsLogin(t, tl, "example_user")
	tl.Exec("genSymKey -t 31 -s 16 -l tmp -sess")
	before := c.Object(524295).Clone()

	// Only the owner may change a key; a key you cannot see is no key.
	assert.Equal(t, "Cfm3SetAttribute returned: 0xc6 : HSM Error: Key Access is denied\n",
		tl.Exec("setAttribute -o 524291 -a 1 -v 1").Output, "shared with example_user, owned by alice")
	assert.Equal(t, "Cfm3SetAttribute returned: 0xc6 : HSM Error: Key Access is denied\n",
		tl.Exec("setAttribute -o 524289 -a 1 -v 1").Output, "alice's public key")
	assert.Equal(t, "Cfm3SetAttribute returned: 0xa8 : HSM Error: Invalid object handle is passed to this operation\n",
		tl.Exec("setAttribute -o 524288 -a 1 -v 1").Output, "alice's key, invisible")

	// key_mgmt_util changes OBJ_ATTR_TOKEN only, and only to 1.
	out := tl.Exec("setAttribute -o 524295 -a 3 -v 1").Output
	assert.Contains(t, out, "Error: key_mgmt_util can change only OBJ_ATTR_TOKEN (-a 1), not attribute 3")
	assert.Contains(t, out, "Syntax: setAttribute -h")
	assert.Contains(t, tl.Exec("setAttribute -o 524295 -a 1 -v 0").Output, "the only valid value is 1")
	assert.Contains(t, tl.Exec("setAttribute -o 524295 -a 1 -v yes").Output, "a boolean, 0 or 1")
	mark := c.Mark()
	r = tl.Exec("setAttribute -o 524295 -a 1")
	require.NotNil(t, r.Ask)
	r = r.Ask.Answer("0")
	assert.True(t, c.ChangesSince(mark).Empty(), "a refusal records no change")
	assert.Equal(t, "\n\tError: invalid value 0 for OBJ_ATTR_TOKEN: the only valid value is 1, which makes a session key persistent\n\n", r.Output)
	assert.False(t, r.Changed)

	// Refusals change nothing.
	assert.True(t, before.Equal(c.Object(524295)))
	assert.False(t, c.Object(524295).Token)
	assert.Nil(t, c.Nodes[0].Objects[524295])
	assert.Equal(t, 4, c.Object(524291).Owner)
}

func TestSetAttributeWithNodeDown(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	tl.Exec("genSymKey -t 31 -s 16 -l tmp -sess")
	c.Nodes[1].Up = false
	r := tl.Exec("setAttribute -o 524295 -a 1 -v 1")
	assert.Equal(t, "Cfm3SetAttribute returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cluster Error Status\n"+
		"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 1 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n"+
		"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n", r.Output)
	assert.Nil(t, c.Nodes[1].Objects[524295], "the down node missed the key")
	assert.True(t, c.Nodes[0].Objects[524295].Token)

	// Setting it again on a persistent key succeeds and changes nothing;
	// the node that came back without it answers for its missing copy.
	c.Nodes[1].Up = true
	r = tl.Exec("setAttribute -o 524295 -a 1 -v 1")
	assert.Equal(t, "Cfm3SetAttribute returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cluster Error Status\n"+
		"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 1 and err state 0x000000a8 : HSM Error: Invalid object handle is passed to this operation\n"+
		"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n", r.Output)
	assert.False(t, r.Changed, "nothing changed")
	assert.Nil(t, c.Nodes[1].Objects[524295], "setAttribute does not sync keys")
}

func TestAttributeSetsAndSizes(t *testing.T) {
	_, c, _ := attrsTool(t)
	for _, tc := range []struct {
		h           uint64
		count, size int
	}{
		{524288, 17, 444}, // AES
		{524303, 17, 444}, // generic secret
		{524289, 26, 785}, // RSA public
		{524290, 26, 785}, // RSA private
	} {
		attrs := c.Object(tc.h).Attributes()
		assert.Len(t, attrs, tc.count, "%d", tc.h)
		assert.Equal(t, tc.size, hsm.DumpSize(attrs), "%d", tc.h)
	}
}
