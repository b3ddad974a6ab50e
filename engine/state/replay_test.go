package state_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// replayStep is one line typed in the session. want, when set, must appear
// in the output, so that the step does what it says (a refused command
// would make the check empty). keep names the keys the line created or
// changed (Reply.Touched): "name" is the last of them, "name.pub" the
// first, for the lines after to use as {name}. before runs first, for what
// the learner does outside the session (signing a quorum token).
type replayStep struct {
	line   string
	want   string
	keep   string
	before func(t *testing.T, s *shell.Session)
}

// yes is the answer to every cloudhsm_mgmt_util confirmation.
func yes(line, want string) []replayStep {
	return []replayStep{{line: line}, {line: "y", want: want}}
}

// signToken signs a quorum token file with an officer's key, what
// "openssl dgst -sha256 -sign key -out sig token" does.
func signToken(key, token, sig string) func(t *testing.T, s *shell.Session) {
	return func(t *testing.T, s *shell.Session) {
		keyPEM, err := s.ReadFile(key)
		require.NoError(t, err)
		k, err := mech.ParsePrivateKeyPEM(keyPEM)
		require.NoError(t, err)
		data, err := s.ReadFile(token)
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		b, err := rsa.SignPKCS1v15(nil, k.(*rsa.PrivateKey), crypto.SHA256, sum[:])
		require.NoError(t, err)
		require.NoError(t, s.WriteFile(sig, b))
	}
}

// signMFA signs each unsigned token of an MFA token file in place with a
// user's key, what "openssl pkeyutl -sign -pkeyopt digest:sha256" does to
// each decoded token.
func signMFA(key, file string) func(t *testing.T, s *shell.Session) {
	return func(t *testing.T, s *shell.Session) {
		keyPEM, err := s.ReadFile(key)
		require.NoError(t, err)
		k, err := mech.ParsePrivateKeyPEM(keyPEM)
		require.NoError(t, err)
		b, err := s.ReadFile(file)
		require.NoError(t, err)
		var f struct {
			Version string `json:"version"`
			Tokens  []struct {
				Unsigned string `json:"unsigned"`
				Signed   string `json:"signed"`
			} `json:"tokens"`
		}
		require.NoError(t, json.Unmarshal(b, &f))
		for i, e := range f.Tokens {
			tk, err := base64.StdEncoding.DecodeString(e.Unsigned)
			require.NoError(t, err)
			sig, err := rsa.SignPKCS1v15(nil, k.(*rsa.PrivateKey), crypto.SHA256, tk)
			require.NoError(t, err)
			f.Tokens[i].Signed = base64.StdEncoding.EncodeToString(sig)
		}
		b, err = json.Marshal(f)
		require.NoError(t, err)
		require.NoError(t, s.WriteFile(file, b))
	}
}

const approvalFile = `Multi Token File Path = quorum.token;
Token File Path = ;
Number of Approvals = 2;
Approver Type = 2;
Approver Name = admin;
Approval File = quorum.sig.admin;
Approver Type = 2;
Approver Name = officer2;
Approval File = quorum.sig.officer2;
`

// changeReplay runs every command of both tools that changes a cluster,
// and the host shell's node commands.
func changeReplay() []replayStep {
	var steps []replayStep
	add := func(s ...replayStep) { steps = append(steps, s...) }
	add(
		replayStep{line: "openssl genrsa -out admin.key 2048"},
		replayStep{line: "openssl rsa -in admin.key -pubout -out admin.pub", want: "writing RSA key"},
		replayStep{line: "openssl genrsa -out officer2.key 2048"},
		replayStep{line: "openssl rsa -in officer2.key -pubout -out officer2.pub", want: "writing RSA key"},
		replayStep{line: "echo registration-admin > admin.token"},
		replayStep{line: "openssl dgst -sha256 -sign admin.key -out admin.token.sig admin.token"},
		replayStep{line: "echo registration-officer2 > officer2.token"},
		replayStep{line: "openssl dgst -sha256 -sign officer2.key -out officer2.token.sig officer2.token"},

		// cloudhsm_mgmt_util: users, share lists, attributes.
		replayStep{line: "cloudhsm_mgmt_util"},
		replayStep{line: "loginHSM CO admin wrong-password", want: "loginHSM failed: RET_USER_LOGIN_FAILURE"},
		replayStep{line: "loginHSM CO ADMIN password", want: "loginHSM success on server 2"},
	)
	add(yes("createUser CU bob password1", "Creating User bob(CU) on 3 nodes")...)
	// A name that differs only in case is the same name.
	add(yes("createUser CU BOB password1", "createUser failed: User with this name already exists")...)
	add(replayStep{line: "A"})
	add(yes("changePswd CU Bob password2", "Changing password for Bob(CU) on 3 nodes")...)
	add(replayStep{line: "logoutHSM"}, replayStep{line: "loginHSM CU alice password", want: "loginHSM success"})
	add(yes("shareKey 524288 5 1", "shareKey success on server 2")...)
	add(yes("setAttribute 524288 3 relabelled", "setAttribute success on server 2")...)
	add(replayStep{line: "logoutHSM"}, replayStep{line: "loginHSM CO admin password", want: "loginHSM success"})
	// deleteUser also takes bob out of 524288's share list.
	add(replayStep{line: "deleteUser CU BOB", want: "deleteUser success on server 2"})
	add(
		replayStep{line: "quit"},

		// key_mgmt_util: every key command that changes the cluster.
		replayStep{line: "key_mgmt_util"},
		replayStep{line: "loginHSM -u CU -s example_user -p wrong-password", want: "HSM Error"},
		replayStep{line: "loginHSM -u CU -s Example_User -p password", want: "SUCCESS"},
		replayStep{line: "genSymKey -t 31 -s 32 -l aes256", want: "Key Handle", keep: "aes"},
		replayStep{line: "genRSAKeyPair -m 2048 -e 65537 -l rsa2048", want: "private key handle", keep: "rsa"},
		replayStep{line: "genECCKeyPair -i 2 -l ec", want: "private key handle", keep: "ec"},
		replayStep{line: "genDSAKeyPair -m 2048 -l dsa", want: "private key handle", keep: "dsa"},
		replayStep{line: "genSymKey -t 31 -s 24 -l shared -u 4", want: "Key Handle", keep: "shared"},
		replayStep{line: "imSymKey -f aes256.key -t 31 -l imported -w {aes}", want: "Key Handle", keep: "imported"},
		replayStep{line: "importPrivateKey -f rsa2048.key -l private-imported -w {aes}", want: "Key Handle", keep: "privimp"},
		replayStep{line: "importPubKey -f rsa2048.pub -l public-imported", want: "Public Key Handle", keep: "pubimp"},
		replayStep{line: "wrapKey -k {imported} -w {aes} -m 4 -out imported.wrapped", want: "Key Wrapped"},
		replayStep{line: "unWrapKey -f imported.wrapped -w {aes} -m 4 -l unwrapped", want: "Key Handle", keep: "unwrapped"},
		replayStep{line: "deleteKey -k {unwrapped}", want: "SUCCESS"},
		replayStep{line: "genSymKey -t 31 -s 16 -l session -sess", want: "Key Handle", keep: "sess"},
		replayStep{line: "setAttribute -o {sess} -a 1 -v 1", want: "SUCCESS"},
		replayStep{line: "genSymKey -t 31 -s 16 -l dropped -sess", want: "Key Handle", keep: "dropped"},
		replayStep{line: "extractMaskedObject -o {aes} -out aes.masked", want: "SUCCESS"},
		replayStep{line: "deleteKey -k {aes}", want: "SUCCESS"},
		replayStep{line: "insertMaskedObject -f aes.masked", want: "New Key Handle", keep: "masked"},
		// Logging out drops the session key.
		replayStep{line: "logoutHSM", want: "SUCCESS"},
		replayStep{line: "exit"},

		// A node goes down and misses a key and a user, comes back, and is
		// synchronised.
		replayStep{line: "cluster node 2 down", want: "offline"},
		replayStep{line: "key_mgmt_util"},
		replayStep{line: "loginHSM -u CU -s example_user -p password", want: "SUCCESS"},
		replayStep{line: "genSymKey -t 31 -s 32 -l while-down", want: "Key Handle", keep: "down"},
		replayStep{line: "exit"},
		replayStep{line: "cloudhsm_mgmt_util"},
		replayStep{line: "loginHSM CO admin password", want: "loginHSM success on server 1"},
	)
	add(yes("createUser CU carol password1", "Creating User carol(CU)")...)
	add(replayStep{line: "I"})
	add(
		replayStep{line: "quit"},
		replayStep{line: "cluster node 2 up", want: "back online"},
		replayStep{line: "cloudhsm_mgmt_util"},
		replayStep{line: "loginHSM CO admin password", want: "loginHSM success on server 2"},
		replayStep{line: "server 0", want: "Server is in 'E2' mode"},
		replayStep{line: "syncUser 5 2", want: "syncUser success"},
		replayStep{line: "syncKey {down} 2", want: "syncKey success"},
		replayStep{line: "exit"},
	)

	// Quorum: registered keys, an M value, a token approved and spent.
	add(yes("registerQuorumPubKey CO admin admin.token admin.token.sig admin.pub", "registerQuorumPubKey success on server 2")...)
	add(yes("createUser CO officer2 password2", "Creating User officer2(CO) on 3 nodes")...)
	add(replayStep{line: "logoutHSM"}, replayStep{line: "loginHSM CO officer2 password2", want: "loginHSM success"})
	add(yes("registerQuorumPubKey CO officer2 officer2.token officer2.token.sig officer2.pub", "registerQuorumPubKey success on server 2")...)
	add(replayStep{line: "logoutHSM"}, replayStep{line: "loginHSM CO admin password", want: "loginHSM success"})
	add(yes("setMValue 3 2", "Setting M Value(2) for 3 on 3 nodes")...)
	add(replayStep{line: "getToken 3 admin quorum.token", want: "getToken success on server 2"})
	add(replayStep{line: "approveToken approval.txt", want: "approveToken success on server 2", before: func(t *testing.T, s *shell.Session) {
		signToken("admin.key", "quorum.token", "quorum.sig.admin")(t, s)
		signToken("officer2.key", "quorum.token", "quorum.sig.officer2")(t, s)
		require.NoError(t, s.WriteFile("approval.txt", []byte(approvalFile)))
	}})
	// The approved token is spent on createUser.
	add(yes("createUser CU dave password1", "Creating User dave(CU) on 3 nodes")...)
	add(replayStep{line: "quit"})

	// CloudHSM CLI: mutual TLS trust anchors (certificates made in the
	// host shell) and the enforcement level.
	add(
		replayStep{line: "openssl req -new -x509 -days 3652 -key admin.key -out rootCA.crt -subj /CN=rootCA"},
		replayStep{line: "openssl ecparam -name prime256v1 -genkey -out ec.key"},
		replayStep{line: "openssl req -new -x509 -key ec.key -out ecCA.crt -subj /CN=ecCA"},
		replayStep{line: "cloudhsm-cli interactive"},
		replayStep{line: "login --username admin --role admin --password password", want: `"role": "admin"`},
		replayStep{line: "cluster mtls register-trust-anchor --path rootCA.crt", want: `"certificate-reference": "0x01"`},
		replayStep{line: "cluster mtls register-trust-anchor --path ecCA.crt", want: `"certificate-reference": "0x02"`},
		replayStep{line: "cluster mtls deregister-trust-anchor --certificate-reference 0x01", want: "deregistered successfully"},
		replayStep{line: "cluster mtls set-enforcement --level cluster", want: "Mtls enforcement level set to Cluster successfully"},
		// MFA: the admin registers its key, then logs in with it.
		replayStep{line: "user change-mfa token-sign --username admin --role admin --change-password password --token mfa.json", want: ""},
		replayStep{line: "", before: signMFA("admin.key", "mfa.json")},
		replayStep{line: "admin.pub", want: `"username": "admin"`},
		replayStep{line: "logout", want: "Logout successful"},
		replayStep{line: "login --username admin --role admin --password password", want: "MFA is enabled for this user"},
		replayStep{line: "login --username admin --role admin --password password mfa-token-sign --token login.json"},
		replayStep{line: "", before: signMFA("admin.key", "login.json"), want: `"username": "admin"`},
		replayStep{line: "quit"},
	)
	return steps
}

var keepRE = regexp.MustCompile(`\{[a-z.]+\}`)

// TestSavedRecordsFollowEveryChange starts from a full save of the default
// workspace and, after each line, writes only that line's Delta into a copy
// of the records; the copy must then hold exactly the live workspace.
func TestSavedRecordsFollowEveryChange(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(10)})
	require.NoError(t, err)
	store, err := state.Records(s.Cluster, s.Files())
	require.NoError(t, err)
	tr := state.NewTracker(s.Cluster, s.Files())
	kept := map[string]uint64{}
	changed := 0
	for i, st := range changeReplay() {
		if st.before != nil {
			st.before(t, s)
		}
		line := keepRE.ReplaceAllStringFunc(st.line, func(m string) string {
			h, ok := kept[m[1:len(m)-1]]
			require.True(t, ok, "step %d: %s names no key", i, m)
			return fmt.Sprint(h)
		})
		mark := s.Cluster.Mark()
		rep := s.Exec(line)
		require.Contains(t, rep.Output, st.want, "step %d: %q", i, line)
		if st.keep != "" {
			require.NotEmpty(t, rep.Touched, "step %d: %q made no key", i, line)
			kept[st.keep] = rep.Touched[len(rep.Touched)-1]
			kept[st.keep+".pub"] = rep.Touched[0]
		}
		if !s.Cluster.ChangesSince(mark).Empty() {
			changed++
			assert.True(t, rep.Changed, "step %d: %q changed the cluster but asks for no save", i, line)
		}

		puts, dels, err := tr.Delta(s.Cluster, s.Files())
		require.NoError(t, err, line)
		recApply(store, puts, dels)
		tr.Saved()

		full, err := state.Records(s.Cluster, s.Files())
		require.NoError(t, err)
		require.Equal(t, recKeys(full), recKeys(store), "step %d: after %q the stored records are the workspace's", i, line)
		for k := range full {
			require.JSONEq(t, recText(full[k]), recText(store[k]), "step %d: record %s after %q", i, k, line)
		}
		c, files, err := state.FromRecords(store)
		require.NoError(t, err, line)
		got, err := state.Encode(c, files)
		require.NoError(t, err)
		want, err := s.Snapshot()
		require.NoError(t, err)
		require.JSONEq(t, string(want), string(got), "step %d: after %q the records rebuild the live cluster", i, line)
	}
	assert.Greater(t, changed, 30, "the replay changes the cluster often")

	// What the replay did, as the saved records hold it.
	c, _, err := state.FromRecords(store)
	require.NoError(t, err)
	for _, n := range c.Nodes {
		o := n.AllObjects()[524288]
		require.NotNil(t, o, "node %d", n.ID)
		assert.Equal(t, "relabelled", o.Label, "node %d", n.ID)
		assert.NotContains(t, o.Shared, 5, "node %d: the deleted user is in no share list", n.ID)
		assert.Nil(t, n.FindUser("bob"), "node %d", n.ID)
		assert.NotNil(t, n.FindUser("carol"), "node %d: synchronised", n.ID)
		assert.NotNil(t, n.AllObjects()[kept["down"]], "node %d: synchronised", n.ID)
		assert.NotNil(t, n.FindUser("dave"), "node %d: created with the approved token", n.ID)
		assert.Nil(t, n.AllObjects()[kept["dropped"]], "node %d: dropped at logout", n.ID)
		assert.Nil(t, n.AllObjects()[kept["aes"]], "node %d: deleted", n.ID)
		assert.NotContains(t, slices.Collect(maps.Keys(n.AllObjects())), kept["unwrapped"])
		if o := n.AllObjects()[kept["sess"]]; assert.NotNil(t, o, "node %d: made a token key", n.ID) {
			assert.True(t, o.Token)
		}
		assert.Equal(t, []int{4}, n.AllObjects()[kept["shared"]].Shared)
		assert.NotNil(t, n.AllObjects()[kept["masked"]], "node %d", n.ID)
		assert.Equal(t, 0, n.FindUser("admin").FailedLogins, "node %d: the good login reset the count", n.ID)
		assert.NotEmpty(t, n.FindUser("officer2").QuorumPubKey, "node %d", n.ID)
	}
	for _, n := range c.Nodes {
		require.Len(t, n.TrustAnchors, 1, "node %d", n.ID)
		assert.Equal(t, 2, n.TrustAnchors[0].Ref, "node %d", n.ID)
		assert.Contains(t, n.TrustAnchors[0].PEM, "-----BEGIN CERTIFICATE-----", "node %d", n.ID)
	}
	assert.Equal(t, hsm.MTLSCluster, c.MTLSLevel())
	for _, n := range c.Nodes {
		admin := n.FindUser("admin")
		assert.True(t, admin.HasMFA() && admin.TwoFA, "node %d: the admin's MFA key is saved", n.ID)
	}
	assert.Equal(t, 2, c.MValue(hsm.ServiceUserMgmt))
	assert.Empty(t, c.Tokens, "the token was spent")
}
