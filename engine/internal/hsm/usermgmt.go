package hsm

import (
	"slices"
	"strings"
)

// User management as cloudhsm_mgmt_util does it. That tool talks to each HSM
// separately: every function here works on one node, and the tool calls it
// once per server it is connected to. AWS CloudHSM does not copy users from
// one HSM to another (troubleshooting-keep-hsm-users-in-sync.md), so a node
// that misses a call keeps its old users until syncUser or a repeated call
// fixes it.
//
// Who may add and remove users and change passwords is the access table's
// (access.go: only crypto officers manage users; everyone may change their
// own password, the precrypto officer included; a CO may also change the
// password of another CO or CU, which resets a locked account). The rules of
// the createUser, deleteUser and changePswd pages live here:
//   - deleting a CU that owns keys is refused, and so is deleting a user who
//     is logged in;
//   - with quorum on for USER_MGMT (setMValue 3), creating and deleting
//     users and changing another user's password need an approved token.

// FindUser returns the user called name on the node. This is the one rule
// for user names in every tool: they match without regard to case
// (createUser.md: "the user name is not" case-sensitive), and a user keeps
// the name as it was created.
func (n *Node) FindUser(name string) *User {
	for _, u := range n.Users {
		if strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// RoleMatches reports whether a user type typed on a command line names the
// type a user has: "CO" names the primary crypto officer too, because a PCO
// is functionally a CO (createUser.md).
func RoleMatches(typed, actual Role) bool {
	return typed == actual || typed == RoleCO && actual == RolePCO
}

// CreatableRole reports whether createUser may make a user of this type:
// crypto officers and crypto users. The appliance user belongs to AWS and
// the precrypto officer exists only before activation.
func CreatableRole(r Role) bool { return r == RoleCO || r == RolePCO || r == RoleCU }

// checkNode answers for a node that cannot take the call at all, and then
// for a session that may not do op at all (Check).
func (c *Cluster) checkNode(s *Session, node int, op Op) (*Node, RC) {
	n := c.Node(node)
	if n == nil {
		return nil, RCInvalidInput
	}
	if !n.Up {
		return nil, RCServerUnavailable
	}
	if rc := Check(s, op, nil); rc != RCSuccess {
		return nil, rc
	}
	return n, RCSuccess
}

// CreateUserOn creates a user with the given id on one node. The caller
// picks the id once (NextUserID) so that every node gets the same one, and
// validates name and password first (ValidateUserName, ValidatePassword).
func (c *Cluster) CreateUserOn(s *Session, node int, id int, role Role, name, password string) RC {
	n, rc := c.checkNode(s, node, OpManageUsers)
	if rc != RCSuccess {
		return rc
	}
	if !CreatableRole(role) {
		return RCInvalidUserType
	}
	if ValidateUserName(name) != nil || ValidatePassword(password) != nil || id <= 0 {
		return RCInvalidInput
	}
	if rc := c.Authorized(s, ServiceUserMgmt); rc != RCSuccess {
		return rc
	}
	if n.FindUser(name) != nil || n.User(id) != nil {
		return RCUserExists
	}
	if len(n.Users) >= MaxUsers {
		return RCUserLimit
	}
	n.addUser(&User{ID: id, Type: role, Name: name, PasswordHash: HashPassword(name, password)})
	c.changedUser(n, id)
	return RCSuccess
}

// DeleteUserOn deletes the user called name, of type role, from one node,
// and forgets the keys shared with it there (so a later user with the same
// id inherits nothing). Undo puts the user and those shares back, for
// deleteUser's "rollBack" answer.
func (c *Cluster) DeleteUserOn(s *Session, node int, role Role, name string) (undo func(), rc RC) {
	n, rc := c.checkNode(s, node, OpManageUsers)
	if rc != RCSuccess {
		return nil, rc
	}
	if role != RoleCO && role != RoleCU {
		return nil, RCInvalidUserType
	}
	u := n.FindUser(name)
	if u == nil {
		return nil, RCUserNotFound
	}
	if !RoleMatches(role, u.Type) {
		return nil, RCInvalidUserType
	}
	if rc := c.Authorized(s, ServiceUserMgmt); rc != RCSuccess {
		return nil, rc
	}
	if u.ID == s.UserID {
		return nil, RCUserLoggedIn
	}
	for _, o := range n.AllObjects() {
		if o.Owner == u.ID {
			return nil, RCUserOwnsKeys
		}
	}
	gone := u.Clone()
	var unshared []uint64
	for h, o := range n.AllObjects() {
		if o.SharedWith(gone.ID) {
			o.Shared = slices.DeleteFunc(o.Shared, func(id int) bool { return id == gone.ID })
			c.changedKey(h)
			unshared = append(unshared, h)
		}
	}
	n.removeUser(gone.ID)
	c.changedUser(n, gone.ID)
	return func() {
		if n.User(gone.ID) == nil {
			n.addUser(gone)
			c.changedUser(n, gone.ID)
		}
		for _, h := range unshared {
			if o, ok := n.Object(h); ok && !o.SharedWith(gone.ID) {
				o.Shared = append(o.Shared, gone.ID)
				slices.Sort(o.Shared)
				c.changedKey(h)
			}
		}
	}, RCSuccess
}

// ChangePasswordOn sets the password of the user called name, of type role,
// on one node. It clears the failed-login count, which is how a CO unlocks
// a locked account (loginLogout.md). A precrypto officer that changes its
// own password becomes the primary crypto officer: that is activation.
// Activated reports that this call activated the node.
func (c *Cluster) ChangePasswordOn(s *Session, node int, role Role, name, password string) (activated bool, rc RC) {
	n, rc := c.checkNode(s, node, OpChangeOwnPassword)
	if rc != RCSuccess {
		return false, rc
	}
	if ValidatePassword(password) != nil {
		return false, RCInvalidInput
	}
	// Its own password anyone may change (that is how the precrypto
	// officer activates the cluster); another user's, Check decides.
	u, rc := n.userFor(s, OpChangePassword, role, name)
	if rc != RCSuccess {
		return false, rc
	}
	if u.ID != s.UserID {
		if rc := c.Authorized(s, ServiceUserMgmt); rc != RCSuccess {
			return false, rc
		}
	}
	u.PasswordHash = HashPassword(u.Name, password)
	u.FailedLogins = 0
	c.changedUser(n, u.ID)
	if u.Type == RolePRECO {
		u.Type = RolePCO
		return true, RCSuccess
	}
	return false, RCSuccess
}

// userFor finds the user called name on n for op on it: the user must
// exist (RCUserNotFound), be of type role (RCInvalidUserType) and be one
// the session may do op to (the access table's answer).
func (n *Node) userFor(s *Session, op Op, role Role, name string) (*User, RC) {
	u := n.FindUser(name)
	if u == nil {
		return nil, RCUserNotFound
	}
	if !RoleMatches(role, u.Type) {
		return nil, RCInvalidUserType
	}
	if rc := Check(s, op, OnUser(u)); rc != RCSuccess {
		return nil, rc
	}
	return u, RCSuccess
}
