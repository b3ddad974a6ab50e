package kmu_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
)

// Every command the real tool's help lists (key_mgmt_util-help.md) is
// implemented: it has a -h text of the tool's style and answers as a
// command, never as an unknown or unsupported one.
func TestEveryHelpCommandIsImplemented(t *testing.T) {
	tl, _, _ := attrsTool(t)
	help := tl.Exec("help").Output
	var names []string
	for _, line := range strings.Split(help, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(line, "   ") || f[0] == "Command" || f[0] == "=======" {
			continue
		}
		if strings.HasPrefix(line, "                          ") {
			continue // a summary's second line
		}
		names = append(names, f[0])
	}
	for _, want := range []string{"getHSMInfo", "getPartitionInfo", "loginStatus", "getToken", "delToken", "approveToken", "listTokens", "createPublicKey", "genSymKey", "listECCCurveIds"} {
		assert.Contains(t, names, want)
	}
	require.Len(t, names, 43, "the commands of key_mgmt_util-help.md")
	for _, n := range names {
		c := kmu.Lookup(n)
		require.NotNil(t, c, n)
		h := tl.Exec(n + " -h").Output
		assert.Contains(t, h, "\nDescription\n===========\n", n)
		assert.Contains(t, h, "Syntax: "+n, n)
		out := tl.Exec(n).Output
		assert.NotContains(t, out, "not support", n)
		assert.NotContains(t, out, "Invalid Command", n)
	}
}

func TestGetHSMInfo(t *testing.T) {
	tl, c, _ := attrsTool(t)
	want := "HSM Info of node 2 (10.0.1.12):\n" +
		"Label                :cavium\n" +
		"Model                :NITROX-III CNN35XX-NFBE\n" +
		"Serial Number        :3.0A0101-ICM000003\n" +
		"HSM Flags            :0\n" +
		"FIPS state           :2 [FIPS mode with single factor authentication]\n" +
		"Manufacturer ID      :\n" +
		"Device ID            :10\n" +
		"Class Code           :100000\n" +
		"System vendor ID     :177D\n" +
		"SubSystem ID         :10\n" +
		"TotalPublicMemory    :560596\n" +
		fmt.Sprintf("FreePublicMemory     :%d\n", 560596-200000-4096*(len(c.Nodes[2].Users)+len(c.Nodes[2].Objects))) +
		"TotalPrivateMemory   :0\n" +
		"FreePrivateMemory    :0\n" +
		"Hardware Major       :3\n" +
		"Hardware Minor       :0\n" +
		"Firmware Major       :2\n" +
		"Firmware Minor       :03\n" +
		"Temperature          :58 C\n" +
		"Build Number         :13\n" +
		"Firmware ID          :xxxxxxxxxxxxxxx\n" +
		"\nCfm3GetHSMInfo returned: 0x00 : HSM Return: SUCCESS\n"
	assert.Equal(t, want, tl.Exec("getHSMInfo").Output, "no login needed")

	// With HSM 2 away the calls go to the highest HSM still up.
	c.Nodes[2].Up = false
	assert.True(t, strings.HasPrefix(tl.Exec("getHSMInfo").Output, "HSM Info of node 1 (10.0.3.11):\n"))
	for _, n := range c.Nodes {
		n.Up = false
	}
	assert.Equal(t, "Cfm3GetHSMInfo returned: 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n", tl.Exec("getHSMInfo").Output)
	assert.Equal(t, "Cfm3GetPartitionInfo returned: 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n", tl.Exec("getPartitionInfo").Output)
}

func TestGetPartitionInfo(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "alice")
	n := c.Nodes[2]
	want := "Partition Info of node 2 (10.0.1.12):\n" +
		"Partition Name       :PARTITION_1\n" +
		"Partition Serial No  :" + n.PartitionID() + "\n" +
		"Node Id              :2\n" +
		"Max Users            :1024\n" +
		fmt.Sprintf("Occupied Users       :%d\n", len(n.Users)) +
		"Max Objects          :3300\n" +
		fmt.Sprintf("Occupied Objects     :%d\n", len(n.Objects)) +
		"FIPS state           :2 [FIPS mode with single factor authentication]\n" +
		"\nCfm3GetPartitionInfo returned: 0x00 : HSM Return: SUCCESS\n"
	assert.Equal(t, want, tl.Exec("getPartitionInfo").Output)
	before := len(n.Objects)
	tl.Exec("genSymKey -t 31 -s 32 -l more")
	assert.Contains(t, tl.Exec("getPartitionInfo").Output, fmt.Sprintf("Occupied Objects     :%d\n", before+1))
}

func TestLoginStatus(t *testing.T) {
	tl, _, _ := attrsTool(t)
	r := tl.Exec("loginStatus")
	assert.Equal(t, "Login State          :Not logged in\n\nCfm3GetLoginStatus returned: 0x00 : HSM Return: SUCCESS\n", r.Output)
	assert.False(t, r.Changed)
	attrsLogin(t, tl, "example_user")
	assert.Equal(t, "Login State          :Logged in\n"+
		"User Name            :example_user\n"+
		"User Type            :CU\n"+
		"User Id              :3\n"+
		"Session Node         :2 (10.0.1.12)\n"+
		"\nCfm3GetLoginStatus returned: 0x00 : HSM Return: SUCCESS\n", tl.Exec("loginStatus").Output)
	tl.Exec("logoutHSM")
	assert.Contains(t, tl.Exec("loginStatus").Output, "Not logged in")
}

// officerToken gives the default cluster's admin a quorum token for user
// management the way cloudhsm_mgmt_util does (its M value set to 2 first).
func officerToken(t *testing.T, c *hsm.Cluster) (*hsm.Session, *hsm.QuorumToken) {
	t.Helper()
	s, st := c.Login(hsm.RoleCO, "admin", "password", nil)
	require.NotNil(t, s, st)
	c.Quorum = map[int]int{hsm.ServiceUserMgmt: 2}
	tok, rc := c.NewToken(s, hsm.ServiceUserMgmt, []byte("token data"))
	require.Equal(t, hsm.RCSuccess, rc)
	return s, tok
}

func TestTokensAreTheClusters(t *testing.T) {
	tl, c, fs := attrsTool(t)
	assert.Equal(t, "Cfm3ListTokens returned: 0xa9 : HSM Error: User is not logged in\n", tl.Exec("listTokens").Output)
	attrsLogin(t, tl, "alice")
	assert.Equal(t, "Num of tokens = 0\n\nCfm3ListTokens returned: 0x00 : HSM Return: SUCCESS\n", tl.Exec("listTokens").Output)

	// A token an officer got in cloudhsm_mgmt_util shows here too.
	officerToken(t, c)
	assert.Equal(t, "-------- Token - 0 ----------\n"+
		"Token:\nId:1\nService:3\nNode:2\nKey Handle:0\nUser:admin\n"+
		"Token Validity: 600 sec\n"+
		"Required num of approvers : 2\n"+
		"Current num of approvals : 0\n"+
		"Num of tokens = 1\n\n"+
		"Cfm3ListTokens returned: 0x00 : HSM Return: SUCCESS\n", tl.Exec("listTokens").Output)

	// The services are crypto officers'; a crypto user is refused and
	// nothing changes.
	notAllowed := "returned: 0xc7 : HSM Error: This operation is not allowed for the user type\n"
	r := tl.Exec("getToken -t 3 -f my.token")
	assert.Equal(t, "Cfm3GetToken "+notAllowed, r.Output)
	assert.False(t, r.Changed)
	_, err := fs.ReadFile("my.token")
	assert.Error(t, err, "no token file written")
	r = tl.Exec("delToken -t 3")
	assert.Equal(t, "Cfm3DelToken "+notAllowed, r.Output)
	assert.False(t, r.Changed)
	require.NoError(t, fs.WriteFile("tok", []byte("token data")))
	require.NoError(t, fs.WriteFile("sig", []byte("x")))
	require.NoError(t, fs.WriteFile("approval.txt", []byte("Multi Token File Path = tok;\nToken File Path = ;\nNumber of Approvals = 1;\nApprover Type = 2;\nApprover Name = admin;\nApproval File = sig;\n")))
	r = tl.Exec("approveToken -f approval.txt")
	assert.Equal(t, "Cfm3ApproveToken "+notAllowed, r.Output)
	assert.Len(t, c.Tokens, 1)
	assert.Empty(t, c.Tokens[0].Approvals)

	// Bad input is refused before any HSM call.
	assert.Contains(t, tl.Exec("getToken -t 5 -f x").Output, `Error: invalid value "5" for -t: the quorum services are 3 (USER_MGMT) and 4 (MISC_CO)`)
	assert.Contains(t, tl.Exec("approveToken -f missing.txt").Output, `Error: cannot open file "missing.txt" given with -f: no such file`)
	require.NoError(t, fs.WriteFile("bad.txt", []byte("Color = blue;\n")))
	assert.Contains(t, tl.Exec("approveToken -f bad.txt").Output, `Error: bad.txt: line 1: unknown field "Color"`)
}

// With an officer's session (which key_mgmt_util's own loginHSM does not
// open) the token commands do what cloudhsm_mgmt_util's do, on the same
// tokens.
func TestTokenCommandsOfAnOfficer(t *testing.T) {
	tl, c, fs := attrsTool(t)
	s, _ := officerToken(t, c)
	c.Tokens = nil
	tl.Session = s
	r := tl.Exec("getToken -t 3 -f officer.token")
	assert.True(t, r.Changed)
	assert.Equal(t, "Cfm3GetToken returned: 0x00 : HSM Return: SUCCESS\n\n"+
		"Token:\nId:1\nService:3\nNode:2\nKey Handle:0\nUser:admin\n\nToken written to officer.token\n", r.Output)
	data, err := fs.ReadFile("officer.token")
	require.NoError(t, err)
	require.NotNil(t, c.TokenByData(data))
	r = tl.Exec("delToken -t 3")
	assert.Equal(t, "Cfm3DelToken returned: 0x00 : HSM Return: SUCCESS\n", r.Output)
	assert.True(t, r.Changed)
	assert.Empty(t, c.Tokens)
	assert.Equal(t, "Cfm3DelToken returned: 0xdf : HSM Error: Quorum token not found\n", tl.Exec("delToken -t 3").Output)
}

func TestCreatePublicKey(t *testing.T) {
	tl, c, fs := attrsTool(t)
	attrsLogin(t, tl, "alice")
	pemPub, err := fs.ReadFile("rsa2048.pub")
	require.NoError(t, err)
	mark := c.Mark()
	r := tl.Exec("importPubKey -l viaPEM -f rsa2048.pub")
	require.Contains(t, r.Output, "Public Key Handle: ")
	require.Len(t, c.ChangesSince(mark).Keys, 1)
	pemHandle := c.ChangesSince(mark).Keys[0]

	// The same key from its modulus, as openssl rsa -pubin -modulus prints it.
	o := c.Nodes[0].Objects[pemHandle]
	require.NotNil(t, o)
	require.NoError(t, fs.WriteFile("rsa2048.mod", []byte(fmt.Sprintf("Modulus=%X\n", o.Modulus))))
	mark = c.Mark()
	r = tl.Exec("createPublicKey -l viaModulus -m rsa2048.mod -e 65537")
	require.Len(t, c.ChangesSince(mark).Keys, 1)
	h := c.ChangesSince(mark).Keys[0]
	assert.Equal(t, fmt.Sprintf("Cfm3CreatePublicKey returned: 0x00 : HSM Return: SUCCESS\nPublic Key Handle: %d\n", h)+attrsAllOK, r.Output)
	got := c.Nodes[1].Objects[h]
	require.NotNil(t, got)
	assert.Equal(t, hsm.ClassPublic, got.Class)
	assert.Equal(t, hsm.KeyTypeRSA, got.KeyType)
	assert.Equal(t, o.Value, got.Value, "the same public key as the PEM file's")
	assert.Equal(t, o.KCV, got.KCV)
	assert.Equal(t, "viaModulus", got.Label)
	_ = pemPub

	count := len(c.Nodes[0].Objects)
	for line, want := range map[string]string{
		"createPublicKey -l x -m rsa2048.mod -e 3":    "invalid public exponent 3 for -e",
		"createPublicKey -l x -m nothing -e 65537":    `cannot open file "nothing" given with -m: no such file`,
		"createPublicKey -l x -m aes256.key -e 65537": "aes256.key: the modulus file does not hold a hexadecimal modulus",
		"createPublicKey -l x -m short.mod -e 65537":  "short.mod: an RSA modulus is odd and 1024 to 4096 bits long, not 8 bits",
		"createPublicKey -m rsa2048.mod -e 65537":     "missing required parameter(s) -l",
	} {
		require.NoError(t, fs.WriteFile("short.mod", []byte("ff")))
		assert.Contains(t, tl.Exec(line).Output, want, line)
	}
	assert.Len(t, c.Nodes[0].Objects, count, "refusals make no key")
}

// -min_srv: a key that cannot reach that many HSMs is not made, answered
// at once whether or not -timeout is given (the simulator does not wait),
// and uses no handle; -timeout is valid only with -min_srv.
func TestMinSrvAndTimeout(t *testing.T) {
	tl, c, _ := attrsTool(t)
	attrsLogin(t, tl, "alice")
	c.Nodes[1].Up = false
	unavailable := "Cfm3GenerateSymmetricKey returned: 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n" +
		"Cluster Error Status\n" +
		"Node id 0 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n" +
		"Node id 1 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n" +
		"Node id 2 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n"
	before := c.CountObjects()
	for _, line := range []string{
		"genSymKey -t 31 -s 32 -l k -min_srv 3",
		"genSymKey -t 31 -s 32 -l k -min_srv 3 -timeout 1",
		"genSymKey -t 31 -s 32 -l k -min_srv 16",
	} {
		r := tl.Exec(line)
		assert.Equal(t, unavailable, r.Output, line)
		assert.False(t, r.Changed, line)
	}
	assert.Equal(t, before, c.CountObjects(), "no key made")
	assert.Contains(t, tl.Exec("genSymKey -t 31 -s 32 -l k -timeout 1").Output, "-timeout is valid only together with -min_srv")

	// Two HSMs are up: -min_srv 2 is met, the key goes to both, and it takes
	// the handle the refused ones did not use.
	r := tl.Exec("genSymKey -t 31 -s 32 -l k -min_srv 2 -timeout 1")
	assert.Equal(t, "Cfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS\n"+
		"Symmetric Key Created.  Key Handle: 524295\n"+
		"Cluster Error Status\n"+
		"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 1 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable\n"+
		"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n", r.Output)
	r = tl.Exec("genRSAKeyPair -m 2048 -e 65537 -l p -min_srv 3")
	assert.Contains(t, r.Output, "Cfm3GenerateKeyPair returned: 0x30000085")
	r = tl.Exec("genSymKey -t 31 -s 32 -l k2")
	assert.Contains(t, r.Output, "Key Handle: 524296", "the refused pair used no handle")
}
