package hsm

import (
	"slices"
	"sort"
)

// KeyOptions are the creation options every generate and import command
// shares (-id, -u, -sess, -m_value, -min_srv).
type KeyOptions struct {
	Session  bool  // -sess: a session key
	ShareTo  []int // -u
	MValue   int   // -m_value
	MinSrv   int   // -min_srv: nodes that must hold the key, 0 = all up nodes
	NoExport bool  // -nex
}

// CheckCreate validates what every key creation must satisfy.
func (c *Cluster) CheckCreate(s *Session, keyID string, n int, opt KeyOptions) RC {
	if rc := Check(s, OpCreateKey, nil); rc != RCSuccess {
		return rc
	}
	if c.CountObjects()+n > MaxKeys {
		return RCObjectLimit
	}
	if opt.MValue < 0 || opt.MValue > 8 || opt.MValue > len(opt.ShareTo)+1 && opt.MValue > 0 {
		return RCInvalidInput
	}
	for _, id := range opt.ShareTo {
		u := c.UserByID(id)
		if u == nil || u.Type != RoleCU || id == s.UserID {
			return RCInvalidInput
		}
	}
	if keyID != "" {
		for _, nd := range c.UpNodes() {
			for _, o := range nd.Objects {
				if o.KeyID == keyID && (o.Token || o.Session == s.Name) {
					return RCIDNotUnique
				}
			}
		}
	}
	return RCSuccess
}

// place stores copies of objs on every up node (token keys) or on the
// session's node (session keys) and reports per node. A down node answers
// "Server in cluster is unavailable" and misses the key, which leaves the
// cluster out of sync until syncKey.
func (c *Cluster) place(s *Session, opt KeyOptions, objs ...*Object) (Status, RC) {
	targets := c.UpNodes()
	if opt.Session {
		targets = nil
		if n := c.Node(s.Node); n != nil && n.Up {
			targets = []*Node{n}
		}
	}
	// -min_srv: the key must reach that many HSMs or it is not made.
	need := opt.MinSrv
	if need <= 0 || opt.Session {
		need = 1
	}
	if len(targets) < need {
		return c.statusAll(RCServerUnavailable), RCServerUnavailable
	}
	st := Status{}
	for _, n := range c.Nodes {
		in := slices.Contains(targets, n)
		switch {
		case in:
			for _, o := range objs {
				n.Objects[o.Handle] = o.Clone()
			}
			st = append(st, NodeStatus{n.ID, RCSuccess})
		case !n.Up:
			st = append(st, NodeStatus{n.ID, RCServerUnavailable})
		}
	}
	return st, RCSuccess
}

func (c *Cluster) stamp(s *Session, o *Object, opt KeyOptions) {
	o.Owner = s.UserID
	o.Shared = slices.Clone(opt.ShareTo)
	sort.Ints(o.Shared)
	o.MValue = opt.MValue
	o.Token = !opt.Session
	if opt.Session {
		o.Session = s.Name
	}
	if opt.NoExport && o.Class != ClassPublic {
		o.Extractable = false
		o.NeverExtractable = true
	}
}

// CreateKey stores a new secret key (or a lone imported private or public
// key) made by the session's user, and assigns its handle.
func (c *Cluster) CreateKey(s *Session, o *Object, opt KeyOptions) (uint64, Status, RC) {
	if rc := c.CheckCreate(s, o.KeyID, 1, opt); rc != RCSuccess {
		return 0, nil, rc
	}
	c.stamp(s, o, opt)
	if o.Class == ClassPublic {
		o.Handle = c.allocPublicHandle()
	} else {
		o.Handle = c.allocHandle()
	}
	st, rc := c.place(s, opt, o)
	if rc != RCSuccess {
		return 0, st, rc
	}
	return o.Handle, st, RCSuccess
}

// CreateKeyPair stores a new key pair; the pair takes two handles.
func (c *Cluster) CreateKeyPair(s *Session, pub, priv *Object, opt KeyOptions) (uint64, uint64, Status, RC) {
	if rc := c.CheckCreate(s, priv.KeyID, 2, opt); rc != RCSuccess {
		return 0, 0, nil, rc
	}
	c.stamp(s, pub, opt)
	c.stamp(s, priv, opt)
	// The public half is readable by every CU anyway; it is not shared.
	pub.Shared = nil
	pub.MValue = 0
	pub.Handle = c.allocPublicHandle()
	priv.Handle = c.allocHandle()
	st, rc := c.place(s, opt, pub, priv)
	if rc != RCSuccess {
		return 0, 0, st, rc
	}
	return pub.Handle, priv.Handle, st, RCSuccess
}

// Lookup finds a key for op by the session: the object (from the first up
// node that holds it) and the access decision (Check).
func (c *Cluster) Lookup(s *Session, h uint64, op Op) (*Object, RC) {
	o := c.Object(h)
	if rc := Check(s, op, OnKey(o)); rc != RCSuccess {
		return nil, rc
	}
	return o, RCSuccess
}

// DeleteKey destroys a key on every node that holds it. The first code is
// the access decision (Cfm3FindKey fails with 0xa8 for an unknown handle,
// Cfm3DeleteKey with 0xc6 for a key the user does not own).
func (c *Cluster) DeleteKey(s *Session, h uint64) (Status, RC) {
	o, rc := c.Lookup(s, h, OpDelete)
	if rc != RCSuccess {
		if rc == RCInvalidHandle {
			return c.statusAll(RCInvalidHandle), rc
		}
		return nil, rc
	}
	st := Status{}
	for _, n := range c.Nodes {
		if !n.Up {
			st = append(st, NodeStatus{n.ID, RCServerUnavailable})
			continue
		}
		if _, ok := n.Objects[h]; ok {
			delete(n.Objects, h)
			st = append(st, NodeStatus{n.ID, RCSuccess})
		} else if o.Token {
			st = append(st, NodeStatus{n.ID, RCInvalidHandle})
		}
	}
	return st, RCSuccess
}

// Update applies fn to every copy of handle h on the given nodes (all up
// nodes when nodes is nil) and reports per node.
func (c *Cluster) Update(h uint64, nodes []int, fn func(*Object)) Status {
	st := Status{}
	for _, n := range c.Nodes {
		if nodes != nil && !slices.Contains(nodes, n.ID) {
			continue
		}
		if !n.Up {
			st = append(st, NodeStatus{n.ID, RCServerUnavailable})
			continue
		}
		o, ok := n.Objects[h]
		if !ok {
			st = append(st, NodeStatus{n.ID, RCInvalidHandle})
			continue
		}
		fn(o)
		st = append(st, NodeStatus{n.ID, RCSuccess})
	}
	return st
}

// Filter selects keys for findKey.
type Filter struct {
	Class   *Class
	KeyType *KeyType
	Label   *string
	KeyID   *string
	Users   []int // keys each of these crypto users may use too (usableBy)
	KCV     []byte
}

// Find lists the handles of keys visible to the session that match f, in
// ascending order.
func (c *Cluster) Find(s *Session, f Filter) []uint64 {
	var out []uint64
	seen := map[uint64]bool{}
	for _, n := range c.UpNodes() {
		for h, o := range n.Objects {
			if seen[h] || Check(s, OpRead, OnKey(o)) != RCSuccess || !f.match(o) {
				continue
			}
			seen[h] = true
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

func (f Filter) match(o *Object) bool {
	if f.Class != nil && o.Class != *f.Class {
		return false
	}
	if f.KeyType != nil && o.KeyType != *f.KeyType {
		return false
	}
	if f.Label != nil && o.Label != *f.Label {
		return false
	}
	if f.KeyID != nil && o.KeyID != *f.KeyID {
		return false
	}
	for _, id := range f.Users {
		if !usableBy(id, o) {
			return false
		}
	}
	if f.KCV != nil && !slices.Equal(f.KCV, o.KCV) {
		return false
	}
	return true
}
