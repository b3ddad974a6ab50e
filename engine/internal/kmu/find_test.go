package kmu_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// findOutput is what findKey prints for the handles it found, all nodes up.
func findOutput(handles ...string) string {
	s := "Total number of keys present " + itoaFind(len(handles)) + "\n"
	if len(handles) > 0 {
		s += " number of keys matched from start index 0::" + itoaFind(len(handles)-1) + "\n" +
			strings.Join(handles, ", ") + "\n"
	}
	return s + attrsAllOK + "Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS\n"
}

func itoaFind(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoaFind(n/10) + string(rune('0'+n%10))
}

func TestFindKeyNotLoggedIn(t *testing.T) {
	tl, _, _ := attrsTool(t)
	assert.Equal(t, "Cfm3FindKey returned: 0xa9 : HSM Error: User is not logged in\n", tl.Exec("findKey").Output)
	assert.Equal(t, "Cfm3FindKey returned: 0xa9 : HSM Error: User is not logged in\n", tl.Exec("findSingleKey -k 524289").Output)
}

func TestFindKeyListsUsableKeys(t *testing.T) {
	tl, _, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	// Alice's public keys and the key she shared with example_user; not
	// her private or unshared keys.
	assert.Equal(t, findOutput("524289", "524291", "524292"), tl.Exec("findKey").Output)

	tl2, _, _ := attrsTool(t)
	attrsLogin(t, tl2, "alice")
	assert.Equal(t, findOutput("524288", "524289", "524290", "524291", "524292", "524293", "524303"), tl2.Exec("findKey").Output)
}

func TestFindKeyFilters(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "alice")
	kcv := attrsHex(c.Object(524291).KCV)
	for _, tc := range []struct {
		args string
		want []string
	}{
		{"-c 2", []string{"524289", "524292"}},
		{"-c 3", []string{"524290", "524293"}},
		{"-c 4", []string{"524288", "524291", "524303"}},
		{"-t 0", []string{"524289", "524290"}},
		{"-t 3 -c 3", []string{"524293"}},
		{"-t 16", []string{"524303"}},
		{"-t 21", nil},
		{"-l alice-aes256", []string{"524288"}},
		{"-l alice", nil},
		{"-id team-01", []string{"524291"}},
		{"-kcv 0x" + kcv, []string{"524291"}},
		{"-kcv " + strings.ToUpper(kcv), []string{"524291"}},
		{"-u 3", []string{"524289", "524291", "524292"}},
		{"-u 3,4 -c 4", []string{"524291"}},
		{"-u 2", []string{"524289", "524292"}},
		{"-sess 0 -c 4", []string{"524288", "524291", "524303"}},
		{"-sess 1", nil},
	} {
		assert.Equal(t, findOutput(tc.want...), tl.Exec("findKey "+tc.args).Output, tc.args)
	}
}

func TestFindKeyBadParameters(t *testing.T) {
	tl, _, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	for _, tc := range []struct{ args, err string }{
		{"-c 9", "invalid key class 9 for -c"},
		{"-c x", `invalid value "x" for -c`},
		{"-t 5", "invalid key type 5 for -t"},
		{"-sess 2", `invalid value "2" for -sess (0 or 1)`},
		{"-kcv zz", `invalid key check value "zz" for -kcv`},
		{"-u x", `invalid user id "x" in -u`},
		{"-q 1", "unknown parameter -q"},
	} {
		out := tl.Exec("findKey " + tc.args).Output
		assert.Contains(t, out, "\tError: "+tc.err, tc.args)
		assert.Contains(t, out, "Syntax: findKey -h", tc.args)
		assert.NotContains(t, out, "Cfm3FindKey", tc.args)
	}
}

func TestFindKeySessionKeysBelongToTheirSession(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	require.Contains(t, tl.Exec("genSymKey -t 31 -s 16 -l s1 -sess").Output, "Key Handle: 524295")
	assert.Equal(t, findOutput("524295"), tl.Exec("findKey -sess 1").Output)
	assert.Equal(t, findOutput("524289", "524291", "524292"), tl.Exec("findKey -sess 0").Output)

	other := kmu.New(c, fs, rand.NewChaCha8([32]byte{2}))
	attrsLogin(t, other, "example_user")
	assert.Equal(t, findOutput(), other.Exec("findKey -sess 1").Output, "another session of the same user")
}

func TestFindKeyByModulus(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	mod := attrsHex(c.Object(524289).Modulus)

	// A getAttribute dump of the modulus, bare hex, and a PEM public key.
	requireOK(t, tl, "getAttribute -o 524289 -a 288 -out m.txt")
	require.NoError(t, fs.WriteFile("m.hex", []byte("0x"+mod+"\n")))
	pub, err := keyobj.PublicKey(c.Object(524289))
	require.NoError(t, err)
	pemBytes, err := mech.MarshalPublicKeyPEM(pub)
	require.NoError(t, err)
	require.NoError(t, fs.WriteFile("m.pem", pemBytes))
	for _, f := range []string{"m.txt", "m.hex", "m.pem"} {
		assert.Equal(t, findOutput("524289"), tl.Exec("findKey -m "+f).Output, f)
	}
	// The modulus is also that of alice's private key, which stays
	// invisible to example_user; alice finds both halves.
	alice := kmu.New(c, fs, rand.NewChaCha8([32]byte{2}))
	attrsLogin(t, alice, "alice")
	assert.Equal(t, findOutput("524289", "524290"), alice.Exec("findKey -m m.txt").Output)

	// The scenario's rsa2048.pub is a key no HSM holds.
	assert.Equal(t, findOutput(), tl.Exec("findKey -m rsa2048.pub").Output)

	assert.Equal(t, "\n\tError: cannot open file \"nope.txt\" given with -m: no such file\n\n", tl.Exec("findKey -m nope.txt").Output)
	assert.Contains(t, tl.Exec("findKey -m aes256.key").Output, "Error: file \"aes256.key\" given with -m: no RSA modulus in hex found")
}

func TestFindKeyNodeDown(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	c.Nodes[0].Up = false
	assert.Equal(t, "Total number of keys present 3\n"+
		" number of keys matched from start index 0::2\n"+
		"524289, 524291, 524292\n"+
		"Cluster Error Status\n"+
		"Node id 0 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n"+
		"Node id 1 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS\n", tl.Exec("findKey").Output)
}

func TestFindSingleKey(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	const ok = "Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS\n"
	for _, h := range []string{"524289", "524291", "524292"} {
		assert.Equal(t, ok+attrsAllOK, tl.Exec("findSingleKey -k "+h).Output, h)
	}

	const invalid = "HSM Error: Invalid object handle is passed to this operation"
	unknown := "Cfm3FindKey returned: 0xa8 : " + invalid + "\n" +
		"Cluster Error Status\n" +
		"Node id 0 and err state 0x000000a8 : " + invalid + "\n" +
		"Node id 1 and err state 0x000000a8 : " + invalid + "\n" +
		"Node id 2 and err state 0x000000a8 : " + invalid + "\n"
	for _, h := range []string{"524288", "524290", "524303", "1"} {
		assert.Equal(t, unknown, tl.Exec("findSingleKey -k "+h).Output, h)
	}

	// A node out of sync answers for its missing copy; a down node cannot.
	delete(c.Nodes[1].Objects, 524291)
	c.Nodes[2].Up = false
	assert.Equal(t, ok+"Cluster Error Status\n"+
		"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 1 and err state 0x000000a8 : "+invalid+"\n"+
		"Node id 2 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n",
		tl.Exec("findSingleKey -k 524291").Output)

	out := tl.Exec("findSingleKey -k x").Output
	assert.Contains(t, out, "Error: invalid key handle \"x\" for -k")
	assert.Contains(t, tl.Exec("findSingleKey").Output, "missing required parameter(s) -k")
	assert.Contains(t, tl.Exec("findSingleKey -h").Output, "Syntax: findSingleKey -h\n        findSingleKey -k <key-handle>\n")
}

func TestFindSingleKeySessionKey(t *testing.T) {
	tl, _, _ := attrsTool(t)
	attrsLogin(t, tl, "example_user")
	require.Contains(t, tl.Exec("genSymKey -t 31 -s 16 -l s1 -sess").Output, "Key Handle: 524295")
	// A session key lives on its session's HSM only.
	assert.Equal(t, "Cfm3FindKey returned: 0x00 : HSM Return: SUCCESS\n"+
		"Cluster Error Status\n"+
		"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n", tl.Exec("findSingleKey -k 524295").Output)
}
