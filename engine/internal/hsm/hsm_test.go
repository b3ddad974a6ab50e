package hsm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newTestCluster is a three-node cluster with a CO, two CUs and an AU.
func newTestCluster(t testing.TB) *Cluster {
	t.Helper()
	c := NewCluster(3)
	for _, u := range []*User{
		{ID: 1, Type: RolePCO, Name: "admin"},
		{ID: 2, Type: RoleAU, Name: "app_user"},
		{ID: 3, Type: RoleCU, Name: "example_user"},
		{ID: 4, Type: RoleCU, Name: "alice"},
	} {
		u.PasswordHash = HashPassword(u.Name, "password")
		for _, n := range c.Nodes {
			n.addUser(u)
		}
	}
	return c
}

func login(t *testing.T, c *Cluster, role Role, name string) *Session {
	t.Helper()
	s, st := c.Login(role, name, "password", nil)
	require.NotNil(t, s, "login %s: %v", name, st)
	return s
}

func secret(label string) *Object {
	o := &Object{KeyType: KeyTypeAES, Label: label, Value: make([]byte, 32), ValueLen: 32, KCV: []byte{1, 2, 3}}
	o.SecretDefaults()
	return o
}

func TestHandlesFollowTheSeed(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	// Occupy what the default cluster occupies: 524288..524293 and 524303,
	// with the cursor at 524295.
	for _, h := range []uint64{524288, 524289, 524290, 524291, 524292, 524293, 524303} {
		for _, n := range c.Nodes {
			o := secret("fixture")
			o.Handle, o.Token = h, true
			n.Objects[h] = o
		}
	}
	c.Cursor = 524295

	h, _, rc := c.CreateKey(s, secret("aes256"), KeyOptions{})
	require.Equal(t, RCSuccess, rc)
	assert.Equal(t, uint64(524295), h)

	pair := func() (uint64, uint64) {
		pub, priv := secret("p"), secret("q")
		pub.Class, priv.Class = ClassPublic, ClassPrivate
		hp, hv, _, rc := c.CreateKeyPair(s, pub, priv, KeyOptions{})
		require.Equal(t, RCSuccess, rc)
		return hp, hv
	}
	hp, hv := pair()
	assert.Equal(t, []uint64{524294, 524296}, []uint64{hp, hv})
	hp, hv = pair()
	assert.Equal(t, []uint64{524297, 524298}, []uint64{hp, hv})
	for _, want := range []uint64{524299, 524300, 524301} {
		h, _, _ = c.CreateKey(s, secret("k"), KeyOptions{})
		assert.Equal(t, want, h)
	}
	pub := secret("pub")
	pub.Class = ClassPublic
	h, _, _ = c.CreateKey(s, pub, KeyOptions{})
	assert.Equal(t, uint64(524302), h)
	h, _, _ = c.CreateKey(s, secret("sess"), KeyOptions{Session: true})
	assert.Equal(t, uint64(524304), h, "524303 is taken")
}

func TestSessionKeysLiveOnOneNodeAndDieWithTheSession(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	assert.Equal(t, 2, s.Node)
	h, st, rc := c.CreateKey(s, secret("tmp"), KeyOptions{Session: true})
	require.Equal(t, RCSuccess, rc)
	assert.Equal(t, Status{{Node: 2, RC: RCSuccess}}, st)
	assert.Nil(t, c.Nodes[0].Objects[h])
	assert.NotNil(t, c.Nodes[2].Objects[h])

	other := login(t, c, RoleCU, "example_user")
	_, rc = c.Lookup(other, h, OpUse)
	assert.Equal(t, RCInvalidHandle, rc, "another session cannot see a session key")

	c.Logout(s)
	assert.Nil(t, c.Object(h))
}

func TestAccessRules(t *testing.T) {
	c := newTestCluster(t)
	owner := login(t, c, RoleCU, "example_user")
	h, _, rc := c.CreateKey(owner, secret("shared"), KeyOptions{ShareTo: []int{4}})
	require.Equal(t, RCSuccess, rc)
	priv := secret("mine")
	h2, _, _ := c.CreateKey(owner, priv, KeyOptions{})
	shared := login(t, c, RoleCU, "alice")
	co := login(t, c, RoleCO, "admin")

	cases := []struct {
		who  *Session
		h    uint64
		op   Op
		want RC
	}{
		{owner, h, OpUse, RCSuccess}, {owner, h, OpExport, RCSuccess}, {owner, h, OpDelete, RCSuccess},
		{owner, h, OpShare, RCSuccess}, {owner, h, OpModify, RCSuccess},
		{shared, h, OpUse, RCSuccess}, {shared, h, OpRead, RCSuccess}, {shared, h, OpExport, RCKeyAccessDenied},
		{shared, h, OpDelete, RCKeyAccessDenied}, {shared, h, OpShare, RCKeyAccessDenied},
		{shared, h2, OpUse, RCInvalidHandle}, {shared, h2, OpDelete, RCInvalidHandle},
		// Officers see every token key but manage users, not keys: every
		// other key operation is refused for the user type (the
		// permissions table's "Key management functions": CO No).
		{co, h, OpRead, RCSuccess}, {co, h, OpReadAttributes, RCOperationNotAllowed},
		{co, h, OpUse, RCOperationNotAllowed}, {co, h, OpDelete, RCOperationNotAllowed},
		{nil, h, OpRead, RCNotLoggedIn},
	}
	for i, tc := range cases {
		_, rc := c.Lookup(tc.who, tc.h, tc.op)
		assert.Equal(t, tc.want, rc, "case %d", i)
	}
	_, _, rc = c.CreateKey(co, secret("x"), KeyOptions{})
	assert.Equal(t, RCOperationNotAllowed, rc, "a CO manages users, not keys")
}

func TestNonExtractableKeysRefuseExport(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	h, _, _ := c.CreateKey(s, secret("nex"), KeyOptions{NoExport: true})
	_, rc := c.Lookup(s, h, OpExport)
	assert.Equal(t, RCKeyAccessDenied, rc)
	_, rc = c.Lookup(s, h, OpUse)
	assert.Equal(t, RCSuccess, rc)
}

func TestCreateChecks(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	_, _, rc := c.CreateKey(s, secret("a"), KeyOptions{ShareTo: []int{3}})
	assert.Equal(t, RCInvalidInput, rc, "sharing with oneself")
	_, _, rc = c.CreateKey(s, secret("a"), KeyOptions{ShareTo: []int{1}})
	assert.Equal(t, RCInvalidInput, rc, "sharing with a CO")
	o := secret("a")
	o.KeyID = "dup"
	_, _, rc = c.CreateKey(s, o, KeyOptions{})
	require.Equal(t, RCSuccess, rc)
	o = secret("b")
	o.KeyID = "dup"
	_, _, rc = c.CreateKey(s, o, KeyOptions{})
	assert.Equal(t, RCIDNotUnique, rc)
}

func TestKeyLimit(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	for i := 0; i < MaxKeys; i++ {
		_, _, rc := c.CreateKey(s, secret("k"), KeyOptions{})
		require.Equal(t, RCSuccess, rc)
	}
	_, _, rc := c.CreateKey(s, secret("one too many"), KeyOptions{})
	assert.Equal(t, RCObjectLimit, rc)
	assert.Equal(t, MaxKeys, c.CountObjects())
}

func TestDownNodeMissesKeys(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	c.Nodes[1].Up = false
	h, st, rc := c.CreateKey(s, secret("k"), KeyOptions{})
	require.Equal(t, RCSuccess, rc)
	assert.Equal(t, Status{{0, RCSuccess}, {1, RCServerUnavailable}, {2, RCSuccess}}, st)
	c.Nodes[1].Up = true
	assert.Nil(t, c.Nodes[1].Objects[h])
	_, _, rc = c.CreateKey(s, secret("k"), KeyOptions{MinSrv: 3})
	assert.Equal(t, RCSuccess, rc)
	c.Nodes[0].Up, c.Nodes[1].Up = false, false
	cursor := c.Cursor
	_, _, rc = c.CreateKey(s, secret("k"), KeyOptions{MinSrv: 2})
	assert.Equal(t, RCServerUnavailable, rc)
	_, _, _, rc = c.CreateKeyPair(s, &Object{Class: ClassPublic, Label: "p"}, &Object{Class: ClassPrivate, Label: "q"}, KeyOptions{MinSrv: 2})
	assert.Equal(t, RCServerUnavailable, rc)
	assert.Equal(t, cursor, c.Cursor, "a key that was not made uses up no handle")
}

func TestLoginFailuresAreCountedAndLock(t *testing.T) {
	c := newTestCluster(t)
	for i := 0; i < LockoutAttempts; i++ {
		s, st := c.Login(RoleCU, "alice", "wrong-password", nil)
		assert.Nil(t, s)
		assert.Equal(t, RCLoginFailure, st.First())
	}
	assert.Equal(t, LockoutAttempts, c.Nodes[0].FindUser("alice").FailedLogins)
	s, st := c.Login(RoleCU, "alice", "password", nil)
	assert.Nil(t, s)
	assert.Equal(t, RCAccountLocked, st.First())
	s, st = c.Login(RoleCU, "nobody", "password", nil)
	assert.Nil(t, s)
	assert.Equal(t, RCUserNotFound, st.First())
}

func TestDeleteKeyCodes(t *testing.T) {
	c := newTestCluster(t)
	s := login(t, c, RoleCU, "example_user")
	a := login(t, c, RoleCU, "alice")
	h, _, _ := c.CreateKey(s, secret("k"), KeyOptions{ShareTo: []int{4}})
	st, rc := c.DeleteKey(a, h)
	assert.Equal(t, RCKeyAccessDenied, rc)
	assert.Nil(t, st)
	st, rc = c.DeleteKey(s, 999999)
	assert.Equal(t, RCInvalidHandle, rc)
	assert.Len(t, st, 3)
	st, rc = c.DeleteKey(s, h)
	assert.Equal(t, RCSuccess, rc)
	assert.Equal(t, 3, st.Succeeded())
	assert.Nil(t, c.Object(h))
}
