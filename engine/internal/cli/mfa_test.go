package cli

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// signMFAFile signs each unsigned token of an MFA token file in place, as
// "openssl pkeyutl -sign -pkeyopt digest:sha256" signs the decoded token.
func signMFAFile(t *testing.T, tl *Tool, path, out string, k *rsa.PrivateKey) {
	t.Helper()
	b, err := tl.FS.ReadFile(path)
	require.NoError(t, err)
	var f tokenFile
	require.NoError(t, json.Unmarshal(b, &f))
	for i, e := range f.Tokens {
		tk, err := base64.StdEncoding.DecodeString(e.Unsigned)
		require.NoError(t, err)
		require.Len(t, tk, hsm.MFATokenLen)
		sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, tk)
		require.NoError(t, err)
		f.Tokens[i].Signed = base64.StdEncoding.EncodeToString(sig)
	}
	b, _ = json.Marshal(f)
	require.NoError(t, tl.FS.WriteFile(out, b))
}

// answer answers the questions of a result in turn, each after running
// before (what the user does in the other terminal), and returns what was
// printed.
func answer(t *testing.T, r tool.Result, answers ...string) string {
	t.Helper()
	out := r.Output
	for _, a := range answers {
		require.NotNil(t, r.Ask, "no question for %q after:\n%s", a, out)
		out += r.Ask.Prompt + a + "\n"
		r = r.Ask.Answer(a)
		out += r.Output
	}
	require.Nil(t, r.Ask, "a question is left:\n%s", out)
	return out
}

func TestMFARegisterLoginDeregister(t *testing.T) {
	tl := testTool(t)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	require.NoError(t, tl.FS.WriteFile("cu1.pub", pubPEM(t, k)))
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	require.NoError(t, tl.FS.WriteFile("other.pub", pubPEM(t, other)))

	run(t, tl, "login --username cu1 --role crypto-user --password password")
	// A crypto user changes only its own MFA.
	assert.JSONEq(t, `{"error_code":1,"data":"Only admins can change the MFA of another user"}`,
		run(t, tl, "user change-mfa token-sign --username cu2 --role crypto-user --change-password password --token t.json"))

	// The tokens: one per HSM, SHA-256 sized, not yet signed.
	r := tl.Exec("user change-mfa token-sign --username cu1 --change-password password1 --role crypto-user --token t.json")
	require.NotNil(t, r.Ask)
	assert.Equal(t, promptSignedToken, r.Ask.Prompt)
	assert.True(t, r.Ask.Shell)
	b, err := tl.FS.ReadFile("t.json")
	require.NoError(t, err)
	var f tokenFile
	require.NoError(t, json.Unmarshal(b, &f))
	assert.Equal(t, "2.0", f.Version)
	require.Len(t, f.Tokens, 3)
	for _, e := range f.Tokens {
		assert.Empty(t, e.Signed)
	}
	// Not signed: refused, nothing changes.
	out := answer(t, r, "")
	assert.Contains(t, out, `"data": "The token file t.json holds a token that is not signed`)
	assert.Empty(t, tl.Cluster.FindUser("cu1").MFAPubKey)

	// Signed with another key than the one given: refused.
	r = tl.Exec("user change-mfa token-sign --username cu1 --change-password password1 --role crypto-user --token t.json")
	signMFAFile(t, tl, "t.json", "t.json", other)
	out = answer(t, r, "", "cu1.pub")
	assert.Contains(t, out, `"data": "The signed tokens do not verify with the public key"`)
	assert.Empty(t, tl.Cluster.FindUser("cu1").MFAPubKey)

	// Signed right, into another file.
	r = tl.Exec("user change-mfa token-sign --username cu1 --change-password password1 --role crypto-user --token t.json")
	signMFAFile(t, tl, "t.json", "signed.json", k)
	out = answer(t, r, "signed.json", "cu1.pub")
	assert.Equal(t, promptSignedToken+"signed.json\n"+promptPublicKey+"cu1.pub\n"+
		reply(0, userData("cu1", "crypto-user")), out)
	for _, n := range tl.Cluster.Nodes {
		u := n.FindUser("cu1")
		assert.Equal(t, string(pubPEM(t, k)), u.MFAPubKey, "node %d", n.ID)
		assert.True(t, u.TwoFA)
		assert.Empty(t, u.QuorumPubKey, "no --change-quorum")
		assert.True(t, u.CheckPassword("password1"), "the password is the new one")
	}
	assert.Contains(t, run(t, tl, "user list"), `"username": "cu1",
        "role": "crypto-user",
        "locked": "false",
        "mfa": [
          {
            "strategy": "token-sign",
            "status": "enabled"
          }
        ],`)
	run(t, tl, "logout")

	// A password login is no longer enough.
	assert.JSONEq(t, `{"error_code":1,"data":"MFA is enabled for this user: log in with login --username <USERNAME> --role <ROLE> mfa-token-sign --token <TOKEN>"}`,
		run(t, tl, "login --username cu1 --role crypto-user --password password1"))
	// MFA login: the password first, then the signed tokens.
	r = tl.Exec("login --username cu1 --role crypto-user mfa-token-sign --token login.json")
	require.NotNil(t, r.Ask)
	assert.Equal(t, "Enter password:", r.Ask.Prompt)
	r = r.Ask.Answer("password1")
	require.NotNil(t, r.Ask)
	assert.Equal(t, promptSignedToken, r.Ask.Prompt)
	signMFAFile(t, tl, "login.json", "login.json", other)
	out = answer(t, r, "")
	assert.Contains(t, out, "MFA token verification failed")
	assert.Nil(t, tl.Session)

	r = tl.Exec("login --username cu1 --role crypto-user --password password1 mfa-token-sign --token login.json")
	signMFAFile(t, tl, "login.json", "login.json", k)
	assert.Equal(t, promptSignedToken+"\n"+reply(0, userData("cu1", "crypto-user")), answer(t, r, ""))
	require.NotNil(t, tl.Session)
	assert.Equal(t, "cu1", tl.Session.User)
	run(t, tl, "logout")
	// A wrong password stops before any token is written.
	require.NoError(t, tl.FS.Remove("login.json"))
	assert.Contains(t, run(t, tl, "login --username cu1 --role crypto-user --password wrong mfa-token-sign --token login.json"), "Login failed")
	_, err = tl.FS.ReadFile("login.json")
	assert.Error(t, err)
	// A user without MFA logs in with the password alone.
	assert.Contains(t, run(t, tl, "login --username cu2 --role crypto-user --password password mfa-token-sign --token login.json"),
		"MFA is not enabled for this user: log in without mfa-token-sign")

	// An admin deregisters it (and sets the password); the user logs in
	// with the password again.
	run(t, tl, "login --username admin --role admin --password password")
	assert.JSONEq(t, `{"error_code":0,"data":{"username":"cu1","role":"crypto-user"}}`,
		run(t, tl, "user change-mfa token-sign --username cu1 --role crypto-user --change-password password2 --deregister"))
	run(t, tl, "logout")
	for _, n := range tl.Cluster.Nodes {
		assert.False(t, n.FindUser("cu1").HasMFA())
		assert.False(t, n.FindUser("cu1").TwoFA)
	}
	assert.Contains(t, run(t, tl, "login --username cu1 --role crypto-user --password password2"), `"username": "cu1"`)
}

// --change-quorum makes the MFA key the user's quorum key too.
func TestMFAChangeQuorum(t *testing.T) {
	tl := testTool(t)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	require.NoError(t, tl.FS.WriteFile("admin1.pub", pubPEM(t, k)))
	run(t, tl, "login --username admin1 --role admin --password password")
	r := tl.Exec("user change-mfa token-sign --username admin1 --role admin --token t.json --change-quorum")
	require.NotNil(t, r.Ask)
	r = r.Ask.Answer("password")
	r = r.Ask.Answer("password")
	signMFAFile(t, tl, "t.json", "t.json", k)
	assert.Contains(t, answer(t, r, "", "admin1.pub"), `"username": "admin1"`)
	u := tl.Cluster.FindUser("admin1")
	assert.Equal(t, string(pubPEM(t, k)), u.MFAPubKey)
	assert.Equal(t, u.MFAPubKey, u.QuorumPubKey)
}

// The usage of the two commands, as their pages give it.
func TestMFAUsage(t *testing.T) {
	tl := testTool(t)
	assert.Equal(t, helpTexts()["login mfa-token-sign"], run(t, tl, "help login mfa-token-sign"))
	assert.Equal(t, helpTexts()["login mfa-token-sign"], run(t, tl, "login --username a --role admin mfa-token-sign --help"))
	assert.Contains(t, run(t, tl, "login mfa-token-sign --token t.json"), "the following required arguments were not provided:\n  --username <USERNAME>\n  --role <ROLE>")
	assert.Contains(t, run(t, tl, "login --username a --role admin mfa-token-sign"), "the following required arguments were not provided:\n  --token <TOKEN>")
	assert.Equal(t, helpTexts()["user change-mfa"], run(t, tl, "help user change-mfa"))
	assert.Contains(t, run(t, tl, "user change-mfa token-sign --username a --role admin"), "<--token <TOKEN>|--deregister>")
	assert.Contains(t, run(t, tl, "user change-mfa token-sign --username a --role admin --token t --deregister"), "cannot be used with")
}

// FuzzTokenSignatures: any signed token file is read without a panic, and
// what is read pairs each token with a signature.
func FuzzTokenSignatures(f *testing.F) {
	tk := make([]byte, 32)
	f.Add([]byte(`{"version":"2.0","tokens":[{"unsigned":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signed":"AAEC"}]}`))
	f.Add([]byte(`{"version":"2.0","tokens":[]}`))
	f.Add([]byte(`{"version":"1.0"}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sigs, why := tokenSignatures(b, [][]byte{tk})
		if why == "" {
			require.Len(t, sigs, 1)
		} else {
			require.Nil(t, sigs)
		}
	})
}

// user change-password --deregister-mfa true removes the MFA key with the
// new password; false, or leaving it out, keeps it.
func TestChangePasswordDeregistersMFA(t *testing.T) {
	tl := testTool(t)
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	require.NoError(t, tl.FS.WriteFile("cu1.pub", pubPEM(t, k)))
	run(t, tl, "login --username admin --role admin --password password")
	r := tl.Exec("user change-mfa token-sign --username cu1 --role crypto-user --change-password password --token t.json --change-quorum")
	signMFAFile(t, tl, "t.json", "t.json", k)
	answer(t, r, "", "cu1.pub")
	require.True(t, tl.Cluster.FindUser("cu1").HasMFA())

	assert.Contains(t, run(t, tl, "user change-password --username cu1 --role crypto-user --password password3 --deregister-mfa maybe"),
		`"data": "Invalid value \"maybe\" for --deregister-mfa: give true or false"`)
	assert.Contains(t, run(t, tl, "user change-password --username cu1 --role crypto-user --password password3 --deregister-mfa false"), `"username": "cu1"`)
	assert.True(t, tl.Cluster.FindUser("cu1").HasMFA())
	assert.Contains(t, run(t, tl, "user change-password --username cu1 --role crypto-user --password password4 --deregister-mfa true"), `"username": "cu1"`)
	for _, n := range tl.Cluster.Nodes {
		u := n.FindUser("cu1")
		assert.False(t, u.HasMFA() || u.TwoFA, "node %d", n.ID)
		assert.NotEmpty(t, u.QuorumPubKey, "node %d: the quorum key stays", n.ID)
		assert.True(t, u.CheckPassword("password4"))
	}
	assert.Contains(t, run(t, tl, "user change-password --username cu1 --role crypto-user --password password4 --deregister-quorum true"), `"username": "cu1"`)
	assert.Empty(t, tl.Cluster.FindUser("cu1").QuorumPubKey)
	run(t, tl, "logout")
	assert.Contains(t, run(t, tl, "login --username cu1 --role crypto-user --password password4"), `"username": "cu1"`)
}

// Tab after login offers its options and mfa-token-sign; after
// mfa-token-sign, --token and a file.
func TestCompleteLoginMFA(t *testing.T) {
	tl := testTool(t)
	names := func(sl tool.Slot) []string {
		var out []string
		for _, c := range sl.Choices {
			out = append(out, c.Value)
		}
		return out
	}
	sl := tl.Complete("login --username cu1 --role crypto-user ")
	assert.Contains(t, names(sl), "mfa-token-sign")
	assert.Contains(t, names(sl), "--password")
	sl = tl.Complete("login --username cu1 --role crypto-user mfa-token-sign ")
	assert.Contains(t, names(sl), "--token")
	assert.NotContains(t, names(sl), "--password")
	sl = tl.Complete("login --username cu1 --role crypto-user mfa-token-sign --token ")
	assert.Equal(t, tool.File, sl.Kind)
	sl = tl.Complete("help login ")
	assert.Equal(t, []string{"mfa-token-sign"}, names(sl))
}
