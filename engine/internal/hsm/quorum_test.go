package hsm

import (
	"crypto"
	crand "crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// qrKeys are two RSA-2048 quorum signing keys, made once for the tests
// (nothing the tests assert depends on their value).
var qrKeys = func() []*rsa.PrivateKey {
	var keys []*rsa.PrivateKey
	for range 2 {
		k, err := rsa.GenerateKey(crand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k)
	}
	return keys
}()

func qrPubPEM(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func qrSign(t *testing.T, k *rsa.PrivateKey, data []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	require.NoError(t, err)
	return sig
}

func TestParseQuorumPublicKey(t *testing.T) {
	k := qrKeys[0]
	_, err := ParseQuorumPublicKey(qrPubPEM(t, k))
	assert.NoError(t, err)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)})
	_, err = ParseQuorumPublicKey(pkcs1)
	assert.NoError(t, err)
	_, err = ParseQuorumPublicKey([]byte("not a key"))
	assert.Error(t, err)
	_, err = ParseQuorumPublicKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}}))
	assert.Error(t, err)
}

func TestRegisterQuorumKey(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	alice := umLogin(t, c, RoleCU, "alice")
	token := []byte("token to be signed\n")
	pub := qrPubPEM(t, qrKeys[0])
	sig := qrSign(t, qrKeys[0], token)

	assert.Equal(t, RCOperationNotAllowed, c.RegisterQuorumKeyOn(alice, 0, RoleCO, "alice", token, sig, pub))
	assert.Equal(t, RCInvalidUserType, c.RegisterQuorumKeyOn(admin, 0, RoleCU, "admin", token, sig, pub))
	assert.Equal(t, RCBadPKCSData, c.RegisterQuorumKeyOn(admin, 0, RoleCO, "admin", token, qrSign(t, qrKeys[1], token), pub))
	assert.Equal(t, RCInvalidInput, c.RegisterQuorumKeyOn(admin, 0, RoleCO, "admin", make([]byte, MaxRegistrationToken+1), sig, pub))
	assert.Empty(t, c.Node(0).User(1).QuorumPubKey)

	require.Equal(t, RCSuccess, c.RegisterQuorumKeyOn(admin, 0, RoleCO, "admin", token, sig, pub))
	assert.Equal(t, string(pub), c.Node(0).User(1).QuorumPubKey)
	assert.Empty(t, c.Node(1).User(1).QuorumPubKey, "one node per call")
}

func TestQuorumFlow(t *testing.T) {
	c := umCluster(t)
	for _, n := range c.Nodes {
		n.addUser(&User{ID: 5, Type: RoleCO, Name: "officer2", PasswordHash: HashPassword("officer2", "password")})
		n.User(1).QuorumPubKey = string(qrPubPEM(t, qrKeys[0]))
		n.User(5).QuorumPubKey = string(qrPubPEM(t, qrKeys[1]))
	}
	admin := umLogin(t, c, RoleCO, "admin")

	assert.Equal(t, 1, c.MValue(ServiceUserMgmt))
	_, rc := c.NewToken(admin, ServiceUserMgmt, []byte("data"))
	assert.Equal(t, RCMxNNotEnabled, rc, "no tokens while quorum is off")

	assert.Equal(t, RCInvalidInput, c.SetMValueOn(admin, 0, ServiceUserMgmt, 3), "only two officers")
	assert.Equal(t, RCInvalidInput, c.SetMValueOn(admin, 0, ServiceUserMgmt, 1))
	assert.Equal(t, RCInvalidInput, c.SetMValueOn(admin, 0, 7, 2))
	require.Equal(t, RCSuccess, c.SetMValueOn(admin, 0, ServiceUserMgmt, 2))
	require.Equal(t, RCSuccess, c.SetMValueOn(admin, 1, ServiceUserMgmt, 2))
	assert.Equal(t, 2, c.MValue(ServiceUserMgmt))
	assert.Equal(t, RCMxNAuthFailed, c.Authorized(admin, ServiceUserMgmt))

	data := []byte("quorum token data")
	tok, rc := c.NewToken(admin, ServiceUserMgmt, data)
	require.Equal(t, RCSuccess, rc)
	assert.Equal(t, 1, c.TokenID(tok))
	assert.Same(t, tok, c.TokenByData(data))

	// A bad signature approves nothing.
	_, rc = c.CheckApprovals(admin, 0, tok, []Approval{{Type: 2, Name: "admin", Sig: qrSign(t, qrKeys[1], data)}})
	assert.Equal(t, RCMxNAuthFailed, rc)
	_, rc = c.CheckApprovals(admin, 0, tok, []Approval{{Type: 1, Name: "alice", Sig: nil}})
	assert.Equal(t, RCInvalidUserType, rc)
	_, rc = c.CheckApprovals(admin, 0, nil, nil)
	assert.Equal(t, RCTokenNotFound, rc)

	sigs, rc := c.CheckApprovals(admin, 0, tok, []Approval{{Type: 2, Name: "admin", Sig: qrSign(t, qrKeys[0], data)}})
	require.Equal(t, RCSuccess, rc)
	c.Approve(tok, sigs)
	assert.Equal(t, RCMxNAuthFailed, c.Authorized(admin, ServiceUserMgmt), "one approval of two")
	sigs, rc = c.CheckApprovals(admin, 0, tok, []Approval{{Type: 2, Name: "officer2", Sig: qrSign(t, qrKeys[1], data)}})
	require.Equal(t, RCSuccess, rc)
	c.Approve(tok, sigs)
	assert.Equal(t, []int{1, 5}, tok.Approvers())
	assert.Equal(t, RCSuccess, c.Authorized(admin, ServiceUserMgmt))

	c.UseToken(admin, ServiceUserMgmt)
	assert.Empty(t, c.Tokens)
	assert.Equal(t, RCMxNAuthFailed, c.Authorized(admin, ServiceUserMgmt))

	// Tokens end with the login and can be deleted.
	_, rc = c.NewToken(admin, ServiceUserMgmt, data)
	require.Equal(t, RCSuccess, rc)
	c.DropTokens(admin.UserID)
	assert.Empty(t, c.Tokens)
	_, rc = c.NewToken(admin, ServiceUserMgmt, data)
	require.Equal(t, RCSuccess, rc)
	assert.Equal(t, RCSuccess, c.DeleteToken(admin, ServiceUserMgmt))
	assert.Equal(t, RCTokenNotFound, c.DeleteToken(admin, ServiceUserMgmt))
}

func TestSetMValueNeedsMiscCOQuorum(t *testing.T) {
	c := umCluster(t)
	for _, n := range c.Nodes {
		n.addUser(&User{ID: 5, Type: RoleCO, Name: "officer2"})
		n.addUser(&User{ID: 6, Type: RoleCO, Name: "officer3"})
	}
	admin := umLogin(t, c, RoleCO, "admin")
	alice := umLogin(t, c, RoleCU, "alice")
	assert.Equal(t, RCOperationNotAllowed, c.SetMValueOn(alice, 0, ServiceMiscCO, 2))

	// Raising service 4 from 1 needs no token; the next nodes of the same
	// command see the value already set.
	for _, n := range c.Nodes {
		require.Equal(t, RCSuccess, c.SetMValueOn(admin, n.ID, ServiceMiscCO, 2))
	}
	assert.Equal(t, RCMxNAuthFailed, c.SetMValueOn(admin, 0, ServiceUserMgmt, 3))
	assert.Equal(t, 1, c.MValue(ServiceUserMgmt))

	c.Tokens = []*QuorumToken{{Service: ServiceMiscCO, User: 1, Data: []byte("t"), Approvals: map[int][]byte{1: nil, 5: nil}}}
	require.Equal(t, RCSuccess, c.SetMValueOn(admin, 0, ServiceUserMgmt, 3))
	assert.Equal(t, 3, c.MValue(ServiceUserMgmt))
}
