package hsm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Keeping the HSMs of a cluster alike. Token keys are created on every HSM
// that is up, users only on the HSMs cloudhsm_mgmt_util reaches, so an HSM
// that was down, or skipped with "Ignore", ends up missing keys and users
// or holding old copies. syncKey and syncUser (cloudhsm_mgmt_util, in
// server mode) copy one key or one user from one HSM to others; Diff shows
// what still disagrees.

// MaySyncKey decides whether the session may copy key h from node from:
// the node must answer, then the access table decides (OpSyncKey: a crypto
// officer any token key, a crypto user only keys it owns, syncKey.md;
// session keys stay on their HSM and are never copied).
func (c *Cluster) MaySyncKey(s *Session, h uint64, from int) RC {
	if rc := Check(s, OpSyncKey, nil); rc != RCSuccess {
		return rc
	}
	n := c.Node(from)
	if n == nil {
		return RCInvalidInput
	}
	if !n.Up {
		return RCServerUnavailable
	}
	o, _ := n.Object(h)
	return Check(s, OpSyncKey, OnKey(o))
}

// SyncKey copies token key h from node from to each node of to, replacing
// any copy there. A destination must be up and must know the key's owner,
// or the copy would belong to nobody: users are synchronised first
// (manage-key-sync.md; the clusters "must have consistent CO and CU
// credentials"). The status has one entry per destination.
func (c *Cluster) SyncKey(h uint64, from int, to []int) Status {
	var o *Object
	return c.syncTo(from, to, func(src *Node) RC {
		var ok bool
		if o, ok = src.Object(h); !ok || !o.Token {
			return RCInvalidHandle
		}
		return RCSuccess
	}, func(dst *Node) RC {
		if dst.User(o.Owner) == nil {
			return RCUserNotFound
		}
		c.putObject(dst, o.Clone())
		return RCSuccess
	})
}

// syncTo is what SyncKey and SyncUser share: the source must exist, be up
// and hold the thing (find), and each destination must be another node
// that is up before put copies it there. One status per destination.
func (c *Cluster) syncTo(from int, to []int, find func(src *Node) RC, put func(dst *Node) RC) Status {
	st := make(Status, 0, len(to))
	src := c.Node(from)
	srcRC := RCSuccess
	switch {
	case src == nil:
		srcRC = RCInvalidInput
	case !src.Up:
		srcRC = RCServerUnavailable
	default:
		srcRC = find(src)
	}
	for _, id := range to {
		dst := c.Node(id)
		rc := srcRC
		switch {
		case rc != RCSuccess:
		case dst == nil || id == from:
			rc = RCInvalidInput
		case !dst.Up:
			rc = RCServerUnavailable
		default:
			rc = put(dst)
		}
		st = append(st, NodeStatus{id, rc})
	}
	return st
}

// SyncUser copies user id, with its password and quorum key, from node from
// to each node of to, replacing an older copy with the same id. A
// destination that holds a different user of the same name refuses it. The
// failed-login count is each HSM's own and is not copied.
func (c *Cluster) SyncUser(id int, from int, to []int) Status {
	var u *User
	return c.syncTo(from, to, func(src *Node) RC {
		if u = src.User(id); u == nil {
			return RCUserNotFound
		}
		return RCSuccess
	}, func(dst *Node) RC {
		if other := dst.FindUser(u.Name); other != nil && other.ID != u.ID {
			return RCUserExists
		}
		cp := u.Clone()
		if old := dst.User(u.ID); old != nil {
			if old.Type != u.Type && !(old.Type == RolePRECO && u.Type == RolePCO) {
				// A different user under the same id.
				return RCUserExists
			}
			cp.FailedLogins = old.FailedLogins
			*old = *cp
			c.changedUser(dst, u.ID)
			return RCSuccess
		}
		if len(dst.Users) >= MaxUsers {
			return RCUserLimit
		}
		cp.FailedLogins = 0
		dst.addUser(cp)
		c.changedUser(dst, u.ID)
		return RCSuccess
	})
}

// Drift is one key or user the HSMs of the cluster disagree about.
type Drift struct {
	// Kind is "key" or "user".
	Kind   string
	Handle uint64 // the key's handle
	UserID int    // the user's id
	// Name is the key's label or the user's name, from the reference copy.
	Name string
	// Missing lists the nodes that do not hold it.
	Missing []int
	// Differs lists the nodes whose copy differs from the reference copy,
	// the one on the lowest-numbered node that holds it (preferring nodes
	// that are up).
	Differs []int
}

// String describes the drift in one line for a cluster status summary.
func (d Drift) String() string {
	var what string
	if d.Kind == "key" {
		what = fmt.Sprintf("key %d", d.Handle)
	} else {
		what = fmt.Sprintf("user %d", d.UserID)
	}
	if d.Name != "" {
		what += fmt.Sprintf(" (%s)", d.Name)
	}
	var parts []string
	if len(d.Missing) > 0 {
		parts = append(parts, "missing on "+nodeList(d.Missing))
	}
	if len(d.Differs) > 0 {
		parts = append(parts, "differs on "+nodeList(d.Differs))
	}
	return what + ": " + strings.Join(parts, ", ")
}

func nodeList(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	word := "node "
	if len(ids) > 1 {
		word = "nodes "
	}
	return word + strings.Join(s, ", ")
}

// Diff lists the token keys and users that are not the same on every node,
// keys first, each in ascending order. Down nodes are compared too (the
// simulator knows what they hold), so a node that missed changes while it
// was down shows up here at once. Session keys and failed-login counts are
// each HSM's own and are left out.
func (c *Cluster) Diff() []Drift {
	var out []Drift
	handles := map[uint64]bool{}
	users := map[int]bool{}
	for _, n := range c.Nodes {
		for h, o := range n.AllObjects() {
			if o.Token {
				handles[h] = true
			}
		}
		for _, u := range n.Users {
			users[u.ID] = true
		}
	}
	for _, h := range sortedKeys(handles) {
		ref := c.reference(func(n *Node) bool { o, ok := n.Object(h); return ok && o.Token })
		ro, _ := ref.Object(h)
		d := Drift{Kind: "key", Handle: h, Name: ro.Label}
		for _, n := range c.Nodes {
			o, ok := n.Object(h)
			switch {
			case !ok || !o.Token:
				d.Missing = append(d.Missing, n.ID)
			case !o.Equal(ro):
				d.Differs = append(d.Differs, n.ID)
			}
		}
		if len(d.Missing)+len(d.Differs) > 0 {
			out = append(out, d)
		}
	}
	for _, id := range sortedKeys(users) {
		ref := c.reference(func(n *Node) bool { return n.User(id) != nil })
		ru := ref.User(id)
		d := Drift{Kind: "user", UserID: id, Name: ru.Name}
		for _, n := range c.Nodes {
			u := n.User(id)
			switch {
			case u == nil:
				d.Missing = append(d.Missing, n.ID)
			case !sameUser(u, ru):
				d.Differs = append(d.Differs, n.ID)
			}
		}
		if len(d.Missing)+len(d.Differs) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// InSync reports whether every node holds the same token keys and users.
func (c *Cluster) InSync() bool { return len(c.Diff()) == 0 }

// reference picks the node whose copy the others are compared with.
func (c *Cluster) reference(has func(*Node) bool) *Node {
	var first *Node
	for _, n := range c.Nodes {
		if !has(n) {
			continue
		}
		if n.Up {
			return n
		}
		if first == nil {
			first = n
		}
	}
	return first
}

func sameUser(a, b *User) bool {
	return a.ID == b.ID && a.Type == b.Type && a.Name == b.Name && a.PasswordHash == b.PasswordHash &&
		a.QuorumPubKey == b.QuorumPubKey && a.TwoFA == b.TwoFA && a.MFAPubKey == b.MFAPubKey
}

func sortedKeys[K uint64 | int](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// KeyHash is the digest findAllKeys prints with its "key hash" option: a
// SHA-256 over the node's users and over the owner and sharing data of its
// token keys. Two HSMs that agree on users, keys, owners and sharing print
// the same hash (findAllKeys.md), so it shows drift at a glance.
func (n *Node) KeyHash() string {
	h := sha256.New()
	for _, u := range n.Users {
		fmt.Fprintf(h, "user %d %s %s\n", u.ID, u.Type, u.Name)
	}
	for _, hd := range n.Handles() {
		o, _ := n.Object(hd)
		if !o.Token {
			continue
		}
		sh := slices.Clone(o.Shared)
		slices.Sort(sh)
		fmt.Fprintf(h, "key %d %d %v\n", hd, o.Owner, sh)
	}
	return hex.EncodeToString(h.Sum(nil))
}
