package cli

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/require"
)

// signTokenFile signs every unsigned token of a token file with each key,
// one entry per signature, as approvers hand a signed file back.
func signTokenFile(t *testing.T, tl *Tool, in, out string, keys ...*rsa.PrivateKey) {
	t.Helper()
	b, err := tl.FS.ReadFile(in)
	require.NoError(t, err)
	var f tokenFile
	require.NoError(t, json.Unmarshal(b, &f))
	var signed []tokenEntry
	for _, k := range keys {
		for _, e := range f.Tokens {
			data, err := base64.StdEncoding.DecodeString(e.Unsigned)
			require.NoError(t, err)
			sum := sha256.Sum256(data)
			sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
			require.NoError(t, err)
			signed = append(signed, tokenEntry{Unsigned: e.Unsigned, Signed: base64.StdEncoding.EncodeToString(sig)})
		}
	}
	f.Tokens = signed
	b, _ = json.Marshal(f)
	require.NoError(t, tl.FS.WriteFile(out, b))
}

func pubPEM(t *testing.T, k *rsa.PrivateKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// TestQuorumUserManagement registers two admins' quorum keys, sets the user
// service's quorum value to 2, and creates a user with, and only with, an
// approval both signed.
func TestQuorumUserManagement(t *testing.T) {
	tl := testTool(t)
	do := func(line string) string { t.Helper(); return run(t, tl, line) }
	keys := map[string]*rsa.PrivateKey{}
	for _, admin := range []string{"admin", "admin1"} {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		keys[admin] = k
		require.NoError(t, tl.FS.WriteFile(admin+".pub", pubPEM(t, k)))
		data(t, do("login --username "+admin+" --role admin --password password"))
		require.JSONEq(t, `{"error_code":0,"data":{"filepath":"reg.json"}}`, do("quorum token-sign generate --service registration --token reg.json"))
		signTokenFile(t, tl, "reg.json", "reg-signed.json", k)
		require.JSONEq(t, `{"error_code":0,"data":{"username":"`+admin+`","role":"admin"}}`,
			do("user change-quorum token-sign register --public-key "+admin+".pub --signed-token reg-signed.json"))
		do("logout")
	}
	data(t, do("login --username admin --role admin --password password"))
	require.JSONEq(t, `{"error_code":0,"data":"Set Quorum Value successful"}`, do("quorum token-sign set-quorum-value --service user --value 2"))
	require.JSONEq(t, `{"error_code":0,"data":{"user":2,"quorum":1}}`, do("quorum token-sign list-quorum-values"))

	out := do("user create --username bob --role crypto-user --password password")
	require.JSONEq(t, `{"error_code":1,"data":"This operation needs quorum approval: provide a signed token with --approval"}`, out)

	data(t, do("quorum token-sign generate --service user --token user.json"))
	signTokenFile(t, tl, "user.json", "one.json", keys["admin1"])
	out = do("user create --username bob --role crypto-user --password password --approval one.json")
	require.JSONEq(t, `{"error_code":1,"data":"This operation needs quorum approval: provide a signed token with --approval"}`, out)

	signTokenFile(t, tl, "user.json", "both.json", keys["admin"], keys["admin1"])
	require.JSONEq(t, `{"error_code":0,"data":{"username":"bob","role":"crypto-user"}}`,
		do("user create --username bob --role crypto-user --password password --approval both.json"))
	// The token was good for one operation.
	require.JSONEq(t, `{"error_code":0,"data":{"tokens":[]}}`, do("quorum token-sign list"))
	out = do("user delete --username bob --role crypto-user --approval both.json")
	require.JSONEq(t, `{"error_code":1,"data":"The approval file holds no token of this user for this service: make one with quorum token-sign generate"}`, out)
}
