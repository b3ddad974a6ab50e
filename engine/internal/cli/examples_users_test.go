package cli

import (
	cryptorand "crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/require"
)

// The user pages and the first session of the getting-started page, on a
// newly activated cluster (its admin and appliance user only) with bob, a
// crypto user, made first. The getting-started page's second user list is
// left out: it prints the new crypto user's role as "crypto_user", where
// every other page, and its own user create, say crypto-user.
func TestUserPageExamples(t *testing.T) {
	tl := toolWithUsers(t)
	use := "cloudhsm_cli-getting-started-use.md"
	// The login's answer is in a block of its own after the command.
	require.Contains(t, run(t, tl, pageExamples(t, use)[0].command), `"username": "admin"`)
	reproduced(t, use, 0)
	checkExample(t, tl, use, 1)
	checkExample(t, tl, use, 2)
	checkExample(t, tl, use, 4)
	run(t, tl, "login --username admin --role admin --password password")
	run(t, tl, "user create --username bob --role crypto-user --password password")
	checkExample(t, tl, "cloudhsm_cli-user-create.md", 0)
	checkExample(t, tl, "cloudhsm_cli-user-change-password.md", 0)
	checkExample(t, tl, "cloudhsm_cli-user-delete.md", 0)
	run(t, tl, "logout")
	require.Equal(t, "", run(t, tl, pageExamples(t, use)[5].command), "quit prints nothing, as the page shows")
	reproduced(t, use, 5)
}

// registerQuorumKeys registers a quorum key for each admin, as the
// user change-quorum token-sign register page does.
func registerQuorumKeys(t *testing.T, tl *Tool, admins ...string) {
	t.Helper()
	for _, admin := range admins {
		k, err := rsa.GenerateKey(cryptorand.Reader, 2048)
		require.NoError(t, err)
		require.NoError(t, tl.FS.WriteFile(admin+".pub", pubPEM(t, k)))
		require.Contains(t, run(t, tl, "login --username "+admin+" --role admin --password password"), `"error_code": 0`)
		require.Contains(t, run(t, tl, "quorum token-sign generate --service registration --token reg.json"), `"error_code": 0`)
		signTokenFile(t, tl, "reg.json", "reg-signed.json", k)
		require.Contains(t, run(t, tl, "user change-quorum token-sign register --public-key "+admin+".pub --signed-token reg-signed.json"), `"error_code": 0`)
		run(t, tl, "logout")
	}
}

// The quorum pages' examples, by an admin of a cluster whose two admins
// registered quorum keys: the quorum values, setting one, a token file and
// deleting tokens. The list-quorum-values examples that print a "cluster"
// value are of a newer CLI than the rest of the pages.
func TestQuorumPageExamples(t *testing.T) {
	tl := testTool(t)
	registerQuorumKeys(t, tl, "admin", "admin1")
	run(t, tl, "login --username admin --role admin --password password")
	checkExample(t, tl, "cloudhsm_cli-qm-token-list-qm.md", 0)
	checkExample(t, tl, "cloudhsm_cli-qm-token-set-qm.md", 0)
	checkExample(t, tl, "cloudhsm_cli-qm-token-set-qm.md", 1)

	// A token of the user service needs its quorum value above 1.
	tl = testTool(t)
	registerQuorumKeys(t, tl, "admin", "admin1")
	require.NoError(t, tl.FS.Mkdir("/home"))
	run(t, tl, "login --username admin --role admin --password password")
	require.Contains(t, run(t, tl, "quorum token-sign set-quorum-value --service user --value 2"), "Set Quorum Value successful")
	checkExample(t, tl, "cloudhsm_cli-qm-token-gen.md", 0)
	_, err := tl.FS.ReadFile("/home/tfile")
	require.NoError(t, err, "the token file is written")
	checkExample(t, tl, "cloudhsm_cli-qm-token-del.md", 0)
	require.JSONEq(t, `{"error_code":0,"data":{"tokens":[]}}`, run(t, tl, "quorum token-sign list"))
}
