package hsm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSyncKeyRules(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	alice := umLogin(t, c, RoleCU, "alice")
	other := umLogin(t, c, RoleCU, "example_user")
	au := umLogin(t, c, RoleAU, "app_user")
	h := FirstHandle

	assert.Equal(t, RCSuccess, c.MaySyncKey(admin, h, 0), "officers sync any key")
	assert.Equal(t, RCSuccess, c.MaySyncKey(alice, h, 0), "owners sync their keys")
	assert.Equal(t, RCKeyAccessDenied, c.MaySyncKey(other, h, 0), "shared is not owned")
	assert.Equal(t, RCOperationNotAllowed, c.MaySyncKey(au, h, 0))
	assert.Equal(t, RCNotLoggedIn, c.MaySyncKey(nil, h, 0))
	assert.Equal(t, RCInvalidHandle, c.MaySyncKey(admin, h+1, 0))

	c.Node(0).Objects[h+7] = &Object{Handle: h + 7, Owner: 4, Session: "s1"}
	assert.Equal(t, RCInvalidHandle, c.MaySyncKey(admin, h+7, 0), "session keys are never copied")
}

func TestSyncKeyCopies(t *testing.T) {
	c := umCluster(t)
	h := FirstHandle
	delete(c.Node(2).Objects, h)
	c.Node(1).Objects[h].Shared = nil
	require.False(t, c.InSync())

	st := c.SyncKey(h, 0, []int{1, 2})
	assert.Equal(t, Status{{1, RCSuccess}, {2, RCSuccess}}, st)
	assert.True(t, c.Node(2).Objects[h].Equal(c.Node(0).Objects[h]))
	assert.NotSame(t, c.Node(2).Objects[h], c.Node(0).Objects[h], "nodes never share objects")
	assert.Equal(t, []int{3}, c.Node(1).Objects[h].Shared)
	assert.True(t, c.InSync())

	assert.Equal(t, Status{{1, RCInvalidHandle}}, c.SyncKey(h+1, 0, []int{1}))
	assert.Equal(t, Status{{0, RCInvalidInput}}, c.SyncKey(h, 0, []int{0}))
	c.Node(2).Up = false
	assert.Equal(t, Status{{2, RCServerUnavailable}}, c.SyncKey(h, 0, []int{2}))
	c.Node(2).Up = true

	// The owner must exist on the destination.
	c.Node(2).removeUser(4)
	delete(c.Node(2).Objects, h)
	assert.Equal(t, Status{{2, RCUserNotFound}}, c.SyncKey(h, 0, []int{2}))
	assert.NotContains(t, c.Node(2).Objects, h)
}

func TestSyncUserCopies(t *testing.T) {
	c := umCluster(t)
	c.Node(0).addUser(&User{ID: 5, Type: RoleCU, Name: "bob", PasswordHash: HashPassword("bob", "password1"), FailedLogins: 3})
	admin := umLogin(t, c, RoleCO, "admin")
	assert.Equal(t, RCSuccess, Check(admin, OpSyncUser, nil))
	assert.Equal(t, RCOperationNotAllowed, Check(umLogin(t, c, RoleCU, "alice"), OpSyncUser, nil))

	st := c.SyncUser(5, 0, []int{1, 2})
	assert.Equal(t, Status{{1, RCSuccess}, {2, RCSuccess}}, st)
	u := c.Node(2).User(5)
	require.NotNil(t, u)
	assert.True(t, u.CheckPassword("password1"))
	assert.Equal(t, 0, u.FailedLogins, "failed logins are each HSM's own")

	// A changed password is copied over the old one.
	c.Node(0).User(5).PasswordHash = HashPassword("bob", "password2")
	assert.Equal(t, Status{{1, RCSuccess}}, c.SyncUser(5, 0, []int{1}))
	assert.True(t, c.Node(1).User(5).CheckPassword("password2"))

	// A different user of the same name or id refuses the copy.
	c.Node(0).addUser(&User{ID: 6, Type: RoleCU, Name: "carol"})
	c.Node(1).addUser(&User{ID: 7, Type: RoleCU, Name: "carol"})
	assert.Equal(t, Status{{1, RCUserExists}}, c.SyncUser(6, 0, []int{1}))
	c.Node(2).addUser(&User{ID: 6, Type: RoleCO, Name: "dave"})
	assert.Equal(t, Status{{2, RCUserExists}}, c.SyncUser(6, 0, []int{2}))
	assert.Equal(t, Status{{1, RCUserNotFound}}, c.SyncUser(99, 0, []int{1}))
}

func TestDiff(t *testing.T) {
	c := umCluster(t)
	assert.True(t, c.InSync())
	assert.Empty(t, c.Diff())

	h := FirstHandle
	delete(c.Node(2).Objects, h)
	c.Node(1).Objects[h].Label = "changed"
	c.Node(0).addUser(&User{ID: 5, Type: RoleCU, Name: "bob"})
	c.Node(1).User(3).PasswordHash = "x"
	c.Node(2).User(4).FailedLogins = 4                                       // not drift
	c.Node(0).Objects[h+9] = &Object{Handle: h + 9, Owner: 4, Session: "s1"} // session keys are not drift

	d := c.Diff()
	require.Len(t, d, 3)
	assert.Equal(t, Drift{Kind: "key", Handle: h, Name: "k", Missing: []int{2}, Differs: []int{1}}, d[0])
	assert.Equal(t, Drift{Kind: "user", UserID: 3, Name: "example_user", Differs: []int{1}}, d[1])
	assert.Equal(t, Drift{Kind: "user", UserID: 5, Name: "bob", Missing: []int{1, 2}}, d[2])
	assert.Equal(t, "key 524288 (k): missing on node 2, differs on node 1", d[0].String())
	assert.Equal(t, "user 5 (bob): missing on nodes 1, 2", d[2].String())
	assert.False(t, c.InSync())

	// The reference copy is the one on the lowest node that is up.
	c.Node(0).Up = false
	d = c.Diff()
	assert.Equal(t, []int{0}, d[0].Differs)
}

func TestKeyHashShowsDrift(t *testing.T) {
	c := umCluster(t)
	assert.Equal(t, c.Node(0).KeyHash(), c.Node(1).KeyHash())
	c.Node(1).Objects[FirstHandle].Shared = nil
	assert.NotEqual(t, c.Node(0).KeyHash(), c.Node(1).KeyHash())
	c.SyncKey(FirstHandle, 0, []int{1})
	assert.Equal(t, c.Node(0).KeyHash(), c.Node(1).KeyHash())
	c.Node(2).addUser(&User{ID: 9, Type: RoleCU, Name: "zed"})
	assert.NotEqual(t, c.Node(0).KeyHash(), c.Node(2).KeyHash())
}
