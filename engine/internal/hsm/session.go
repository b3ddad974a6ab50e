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

// Login checks name and password of role on every up node, counting failed
// attempts where they fail, and opens a session where they succeed.
func (c *Cluster) Login(role Role, name, password string) (*Session, Status) {
	st := make(Status, 0, len(c.Nodes))
	var found *User
	for _, n := range c.Nodes {
		if !n.Up {
			st = append(st, NodeStatus{n.ID, RCServerUnavailable})
			continue
		}
		u := n.UserByName(name)
		switch {
		case u == nil:
			st = append(st, NodeStatus{n.ID, RCUserNotFound})
		case u.Type != role && !(role == RoleCO && u.Type == RolePCO):
			st = append(st, NodeStatus{n.ID, RCInvalidUserType})
		case u.Locked():
			st = append(st, NodeStatus{n.ID, RCAccountLocked})
		case !u.CheckPassword(password):
			u.FailedLogins++
			st = append(st, NodeStatus{n.ID, RCLoginFailure})
		default:
			u.FailedLogins = 0
			found = u
			st = append(st, NodeStatus{n.ID, RCSuccess})
		}
	}
	if found == nil {
		return nil, st
	}
	c.sessions++
	s := &Session{Name: fmt.Sprintf("s%d", c.sessions), UserID: found.ID, Role: found.Type, User: found.Name}
	for _, n := range c.Nodes {
		if n.Up && n.User(found.ID) != nil {
			s.Node = n.ID
		}
	}
	return s, st
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
		for h, o := range n.Objects {
			if !o.Token && (name == "" || o.Session == name) {
				delete(n.Objects, h)
			}
		}
	}
}
