package hsm

import "fmt"

// Session is a user logged in through one of the tools. Keys made with
// -sess belong to it and live only on its node.
type Session struct {
	Name   string
	UserID int
	Role   Role
	User   string
	// Node is the HSM that holds the session's session keys: the highest
	// numbered node that was up at login (the seed shows session keys on
	// node 2 of three).
	Node int
}

// Login logs name in as role, the one login both tools use. key_mgmt_util
// asks every node (nodes nil); cloudhsm_mgmt_util asks the servers it is
// connected to, each on its own (nodes in the order given). A user name
// matches without regard to case (FindUser). A failed attempt is counted
// only on the nodes where it failed; five lock the account there. The
// session is open when at least one node accepted the password, and its
// session keys live on the highest-numbered of those nodes (the seed shows
// session keys on node 2 of three). Status holds one entry per node asked.
func (c *Cluster) Login(role Role, name, password string, nodes []int) (*Session, Status) {
	st := c.checkPasswords(role, name, password, nodes, false)
	var found *User
	for _, ns := range st {
		if ns.RC == RCSuccess && found == nil {
			found = c.Node(ns.Node).FindUser(name)
		}
	}
	if found == nil {
		return nil, st
	}
	return c.newSession(found, st), st
}

// checkPasswords checks a login's user and password on each node: a wrong
// password counts a failed login, a right one clears the count. A user with
// MFA needs the MFA login (mfa set) and a user without it the password
// login: the other answers RCMFARequired or RCMFANotEnabled once the
// password is right.
func (c *Cluster) checkPasswords(role Role, name, password string, nodes []int, mfa bool) Status {
	if nodes == nil {
		for _, n := range c.Nodes {
			nodes = append(nodes, n.ID)
		}
	}
	st := make(Status, 0, len(nodes))
	for _, id := range nodes {
		n := c.Node(id)
		if n == nil {
			continue
		}
		if !n.Up {
			st = append(st, NodeStatus{id, RCServerUnavailable})
			continue
		}
		u := n.FindUser(name)
		switch {
		case u == nil:
			st = append(st, NodeStatus{id, RCUserNotFound})
		case !RoleMatches(role, u.Type):
			st = append(st, NodeStatus{id, RCInvalidUserType})
		case u.Locked():
			st = append(st, NodeStatus{id, RCAccountLocked})
		case !u.CheckPassword(password):
			u.FailedLogins++
			c.changedUser(n, u.ID)
			st = append(st, NodeStatus{id, RCLoginFailure})
		default:
			if u.FailedLogins != 0 {
				u.FailedLogins = 0
				c.changedUser(n, u.ID)
			}
			switch {
			case u.HasMFA() && !mfa:
				st = append(st, NodeStatus{id, RCMFARequired})
			case !u.HasMFA() && mfa:
				st = append(st, NodeStatus{id, RCMFANotEnabled})
			default:
				st = append(st, NodeStatus{id, RCSuccess})
			}
		}
	}
	return st
}

// newSession opens a login session of u, on the highest node that took it.
func (c *Cluster) newSession(u *User, st Status) *Session {
	c.sessions++
	s := &Session{Name: fmt.Sprintf("s%d", c.sessions), UserID: u.ID, Role: u.Type, User: u.Name}
	for _, ns := range st {
		if ns.RC == RCSuccess {
			s.Node = max(s.Node, ns.Node)
		}
	}
	return s
}

// Logout ends the session: its session keys are destroyed on its node.
func (c *Cluster) Logout(s *Session) Status {
	c.DropSession(s.Name)
	return c.statusAll(RCSuccess)
}

// DropSession destroys every session key of the named session, and of every
// session when name is empty (what happens to a cluster restored from
// storage: no session survives a restart).
func (c *Cluster) DropSession(name string) {
	for _, n := range c.Nodes {
		for h, o := range n.LoadedObjects() {
			if !o.Token && (name == "" || o.Session == name) {
				c.removeObject(n, h)
			}
		}
	}
}
