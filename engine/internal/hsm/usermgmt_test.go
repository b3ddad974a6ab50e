package hsm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// umCluster is a three-node cluster with the default scenario's users (all
// with password "password", the AU too, so that it can log in here) and one
// key alice owns and shares with example_user.
func umCluster(t *testing.T) *Cluster {
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
	for _, n := range c.Nodes {
		n.Objects[FirstHandle] = &Object{Handle: FirstHandle, Class: ClassSecret, KeyType: KeyTypeAES, Owner: 4, Shared: []int{3}, Token: true, Label: "k"}
	}
	return c
}

// umLogin logs a user in on every node.
func umLogin(t *testing.T, c *Cluster, role Role, name string) *Session {
	t.Helper()
	s, st := c.Login(role, name, "password", []int{0, 1, 2})
	require.NotNil(t, s, "login %s: %v", name, st)
	return s
}

func TestLoginNodesCountsFailuresPerNode(t *testing.T) {
	c := umCluster(t)
	s, st := c.Login(RoleCU, "alice", "wrong", []int{1})
	assert.Nil(t, s)
	assert.Equal(t, Status{{1, RCLoginFailure}}, st)
	assert.Equal(t, 0, c.Node(0).User(4).FailedLogins, "node 0 was not asked")
	assert.Equal(t, 1, c.Node(1).User(4).FailedLogins)

	// Names match without regard to case; a CO login names the PCO.
	s, st = c.Login(RoleCO, "ADMIN", "password", []int{0, 1, 2})
	require.NotNil(t, s)
	assert.Equal(t, 3, st.Succeeded())
	assert.Equal(t, RolePCO, s.Role)
	assert.Equal(t, "admin", s.User)

	c.Node(2).Up = false
	_, st = c.Login(RoleCU, "alice", "password", []int{0, 2})
	assert.Equal(t, Status{{0, RCSuccess}, {2, RCServerUnavailable}}, st)
	assert.Equal(t, 0, c.Node(0).User(4).FailedLogins, "a good login clears the count")
}

func TestLoginNodesLocksAfterFiveFailures(t *testing.T) {
	c := umCluster(t)
	for i := 0; i < LockoutAttempts; i++ {
		c.Login(RoleCU, "alice", "wrong", []int{0})
	}
	_, st := c.Login(RoleCU, "alice", "password", []int{0, 1})
	assert.Equal(t, Status{{0, RCAccountLocked}, {1, RCSuccess}}, st)

	// A CO's password reset unlocks the account on that node.
	admin := umLogin(t, c, RoleCO, "admin")
	_, rc := c.ChangePasswordOn(admin, 0, RoleCU, "alice", "password")
	require.Equal(t, RCSuccess, rc)
	assert.Equal(t, 0, c.Node(0).User(4).FailedLogins)
	_, st = c.Login(RoleCU, "alice", "password", []int{0})
	assert.Equal(t, Status{{0, RCSuccess}}, st)
}

func TestCreateUserOnRules(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	alice := umLogin(t, c, RoleCU, "alice")
	au := umLogin(t, c, RoleAU, "app_user")

	assert.Equal(t, RCNotLoggedIn, c.CreateUserOn(nil, 0, 5, RoleCU, "bob", "password1"))
	assert.Equal(t, RCOperationNotAllowed, c.CreateUserOn(alice, 0, 5, RoleCU, "bob", "password1"))
	assert.Equal(t, RCOperationNotAllowed, c.CreateUserOn(au, 0, 5, RoleCU, "bob", "password1"))
	assert.Equal(t, RCInvalidUserType, c.CreateUserOn(admin, 0, 5, RoleAU, "bob", "password1"))
	assert.Equal(t, RCInvalidUserType, c.CreateUserOn(admin, 0, 5, RolePRECO, "bob", "password1"))
	assert.Equal(t, RCInvalidInput, c.CreateUserOn(admin, 0, 5, RoleCU, strings.Repeat("b", MaxUserNameLen+1), "password1"))
	assert.Equal(t, RCInvalidInput, c.CreateUserOn(admin, 0, 5, RoleCU, "bob", "short"))
	assert.Equal(t, RCInvalidInput, c.CreateUserOn(admin, 0, 5, RoleCU, "bob", strings.Repeat("p", MaxPasswordLen+1)))
	assert.Equal(t, RCUserExists, c.CreateUserOn(admin, 0, 5, RoleCU, "ALICE", "password1"))
	assert.Equal(t, RCUserExists, c.CreateUserOn(admin, 0, 4, RoleCU, "bob", "password1"))
	assert.Len(t, c.Node(0).Users, 4, "nothing was created")

	require.Equal(t, RCSuccess, c.CreateUserOn(admin, 0, 5, RoleCU, strings.Repeat("b", MaxUserNameLen), strings.Repeat("p", MaxPasswordLen)))
	require.Equal(t, RCSuccess, c.CreateUserOn(admin, 1, 6, RoleCO, "officer_1", "password1"))
	assert.Nil(t, c.Node(1).User(5), "each call changes one node")
	assert.Equal(t, RoleCO, c.Node(1).User(6).Type)

	c.Node(2).Up = false
	assert.Equal(t, RCServerUnavailable, c.CreateUserOn(admin, 2, 7, RoleCU, "carol", "password1"))
}

func TestValidateUserName(t *testing.T) {
	assert.NoError(t, ValidateUserName("crypto_user1"))
	assert.Error(t, ValidateUserName(""))
	assert.Error(t, ValidateUserName("bad-name"))
	assert.Error(t, ValidateUserName("bad.name"))
	assert.Error(t, ValidateUserName("bad name"))
	assert.Error(t, ValidateUserName(strings.Repeat("a", 32)))
}

func TestUserLimit(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	n := c.Node(0)
	for id := 5; len(n.Users) < MaxUsers; id++ {
		n.Users = append(n.Users, &User{ID: id, Type: RoleCU, Name: fmt.Sprintf("user%d", id)})
	}
	assert.Equal(t, RCUserLimit, c.CreateUserOn(admin, 0, 5000, RoleCU, "one_more", "password1"))
	assert.Len(t, n.Users, MaxUsers)
}

func TestDeleteUserOnRules(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	alice := umLogin(t, c, RoleCU, "alice")

	_, rc := c.DeleteUserOn(alice, 0, RoleCU, "example_user")
	assert.Equal(t, RCOperationNotAllowed, rc)
	_, rc = c.DeleteUserOn(admin, 0, RoleCU, "nobody")
	assert.Equal(t, RCUserNotFound, rc)
	_, rc = c.DeleteUserOn(admin, 0, RoleCO, "alice")
	assert.Equal(t, RCInvalidUserType, rc)
	_, rc = c.DeleteUserOn(admin, 0, RoleAU, "app_user")
	assert.Equal(t, RCInvalidUserType, rc)
	_, rc = c.DeleteUserOn(admin, 0, RoleCU, "alice")
	assert.Equal(t, RCUserOwnsKeys, rc, "a CU that owns keys stays")
	_, rc = c.DeleteUserOn(admin, 0, RoleCO, "admin")
	assert.Equal(t, RCUserLoggedIn, rc)

	undo, rc := c.DeleteUserOn(admin, 0, RoleCU, "Example_User")
	require.Equal(t, RCSuccess, rc)
	assert.Nil(t, c.Node(0).User(3))
	assert.Empty(t, c.Node(0).Objects[FirstHandle].Shared, "the key is no longer shared with the deleted user")
	assert.NotNil(t, c.Node(1).User(3), "other nodes keep the user")

	undo()
	assert.NotNil(t, c.Node(0).User(3))
	assert.Equal(t, []int{3}, c.Node(0).Objects[FirstHandle].Shared)
}

func TestChangePasswordRules(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	alice := umLogin(t, c, RoleCU, "alice")
	au := umLogin(t, c, RoleAU, "app_user")

	// Everybody changes their own password.
	for _, s := range []*Session{alice, au, admin} {
		_, rc := c.ChangePasswordOn(s, 0, s.Role, s.User, "password2")
		if s.Role == RolePCO {
			_, rc = c.ChangePasswordOn(s, 0, RoleCO, s.User, "password2")
		}
		assert.Equal(t, RCSuccess, rc, s.User)
		assert.True(t, c.Node(0).FindUser(s.User).CheckPassword("password2"), s.User)
	}
	// Only officers change others', and only those of COs and CUs.
	_, rc := c.ChangePasswordOn(alice, 0, RoleCU, "example_user", "password3")
	assert.Equal(t, RCOperationNotAllowed, rc)
	_, rc = c.ChangePasswordOn(admin, 0, RoleCU, "example_user", "password3")
	assert.Equal(t, RCSuccess, rc)
	_, rc = c.ChangePasswordOn(admin, 1, RoleAU, "app_user", "password3")
	assert.Equal(t, RCOperationNotAllowed, rc)
	_, rc = c.ChangePasswordOn(admin, 1, RoleCO, "example_user", "password3")
	assert.Equal(t, RCInvalidUserType, rc)
	_, rc = c.ChangePasswordOn(admin, 1, RoleCU, "example_user", "short")
	assert.Equal(t, RCInvalidInput, rc)
	assert.True(t, c.Node(1).User(3).CheckPassword("password"), "failed calls change nothing")
}

func TestPrecoActivation(t *testing.T) {
	c := NewCluster(2)
	for _, n := range c.Nodes {
		n.addUser(&User{ID: 1, Type: RolePRECO, Name: "admin", PasswordHash: HashPassword("admin", "password")})
	}
	s := umLogin(t, c, RolePRECO, "admin")
	assert.Equal(t, RCOperationNotAllowed, c.CreateUserOn(s, 0, 2, RoleCU, "bob", "password1"), "no user management before activation")
	activated, rc := c.ChangePasswordOn(s, 0, RolePRECO, "admin", "newPassword")
	require.Equal(t, RCSuccess, rc)
	assert.True(t, activated)
	assert.Equal(t, RolePCO, c.Node(0).User(1).Type)
	assert.Equal(t, RolePRECO, c.Node(1).User(1).Type, "node 1 was not asked")

	_, st := c.Login(RolePRECO, "admin", "newPassword", []int{0})
	assert.Equal(t, Status{{0, RCInvalidUserType}}, st)
	_, st = c.Login(RoleCO, "admin", "newPassword", []int{0})
	assert.Equal(t, Status{{0, RCSuccess}}, st)
}

func TestUserManagementNeedsQuorum(t *testing.T) {
	c := umCluster(t)
	admin := umLogin(t, c, RoleCO, "admin")
	c.Quorum = map[int]int{ServiceUserMgmt: 2}

	assert.Equal(t, RCMxNAuthFailed, c.CreateUserOn(admin, 0, 5, RoleCU, "bob", "password1"))
	_, rc := c.DeleteUserOn(admin, 0, RoleCU, "example_user")
	assert.Equal(t, RCMxNAuthFailed, rc)
	_, rc = c.ChangePasswordOn(admin, 0, RoleCU, "alice", "password1")
	assert.Equal(t, RCMxNAuthFailed, rc)
	_, rc = c.ChangePasswordOn(admin, 0, RoleCO, "admin", "password1")
	assert.Equal(t, RCSuccess, rc, "one's own password needs no quorum")

	c.Tokens = []*QuorumToken{{Service: ServiceUserMgmt, User: 1, Data: []byte("t"), Approvals: map[int][]byte{1: nil, 5: nil}}}
	assert.Equal(t, RCSuccess, c.CreateUserOn(admin, 0, 5, RoleCU, "bob", "password1"))
	assert.Equal(t, RCSuccess, c.CreateUserOn(admin, 1, 5, RoleCU, "bob", "password1"), "the token holds for every node of the command")
	c.UseToken(admin, ServiceUserMgmt)
	assert.Equal(t, RCMxNAuthFailed, c.CreateUserOn(admin, 2, 5, RoleCU, "bob", "password1"), "a spent token is gone")
}
