package hsm

import (
	"fmt"
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
		if Check(s, OpShareWith, OnUser(c.UserByID(id))) != RCSuccess {
			return RCInvalidInput
		}
	}
	if keyID != "" {
		for _, nd := range c.UpNodes() {
			for _, o := range nd.AllObjects() {
				if o.KeyID == keyID && (o.Token || o.Session == s.Name) {
					return RCIDNotUnique
				}
			}
		}
	}
	return RCSuccess
}

// targets are the nodes a new key goes to: every up node (token keys) or
// the session's node (session keys). -min_srv: the key must reach that
// many HSMs or it is not made (RCServerUnavailable). It is asked before a
// handle is given, so a key that is not made uses none.
func (c *Cluster) targets(s *Session, opt KeyOptions) ([]*Node, RC) {
	targets := c.UpNodes()
	if opt.Session {
		targets = nil
		if n := c.Node(s.Node); n != nil && n.Up {
			targets = []*Node{n}
		}
	}
	need := opt.MinSrv
	if need <= 0 || opt.Session {
		need = 1
	}
	if len(targets) < need {
		return nil, RCServerUnavailable
	}
	return targets, RCSuccess
}

// place stores copies of objs on the targets and reports per node. A down
// node answers "Server in cluster is unavailable" and misses the key,
// which leaves the cluster out of sync until syncKey.
func (c *Cluster) place(s *Session, opt KeyOptions, objs ...*Object) (Status, RC) {
	targets, rc := c.targets(s, opt)
	if rc != RCSuccess {
		return c.statusAll(rc), rc
	}
	st := Status{}
	for _, n := range c.Nodes {
		in := slices.Contains(targets, n)
		switch {
		case in:
			for _, o := range objs {
				c.putObject(n, o.Clone())
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

// MaxLabelLen is the longest label (and key ID) a key takes: 127, from the
// genRSAKeyPair and genECCKeyPair pages. Every tool checks labels with
// ValidateLabel, and the cluster refuses a longer one whatever the tool.
const MaxLabelLen = 127

// ValidateLabel checks a key's label against MaxLabelLen.
func ValidateLabel(label string) error {
	if len(label) > MaxLabelLen {
		return fmt.Errorf("label is longer than %d characters", MaxLabelLen)
	}
	return nil
}

// CreateKey stores a new secret key (or a lone imported private or public
// key) made by the session's user, and assigns its handle.
func (c *Cluster) CreateKey(s *Session, o *Object, opt KeyOptions) (uint64, Status, RC) {
	if rc := c.CheckCreate(s, o.KeyID, 1, opt); rc != RCSuccess {
		return 0, nil, rc
	}
	if ValidateLabel(o.Label) != nil || len(o.KeyID) > MaxLabelLen {
		return 0, nil, RCInvalidInput
	}
	if _, rc := c.targets(s, opt); rc != RCSuccess {
		return 0, c.statusAll(rc), rc
	}
	c.stamp(s, o, opt)
	cursor := c.Cursor
	if o.Class == ClassPublic {
		o.Handle = c.allocPublicHandle()
	} else {
		o.Handle = c.allocHandle()
	}
	st, rc := c.place(s, opt, o)
	if rc != RCSuccess {
		// A key that was not made uses up no handle.
		c.Cursor = cursor
		return 0, st, rc
	}
	return o.Handle, st, RCSuccess
}

// CreateKeyPair stores a new key pair; the pair takes two handles.
func (c *Cluster) CreateKeyPair(s *Session, pub, priv *Object, opt KeyOptions) (uint64, uint64, Status, RC) {
	if rc := c.CheckCreate(s, priv.KeyID, 2, opt); rc != RCSuccess {
		return 0, 0, nil, rc
	}
	if ValidateLabel(pub.Label) != nil || ValidateLabel(priv.Label) != nil ||
		len(pub.KeyID) > MaxLabelLen || len(priv.KeyID) > MaxLabelLen {
		return 0, 0, nil, RCInvalidInput
	}
	if _, rc := c.targets(s, opt); rc != RCSuccess {
		return 0, 0, c.statusAll(rc), rc
	}
	c.stamp(s, pub, opt)
	c.stamp(s, priv, opt)
	// The public half is readable by every CU anyway; it is not shared.
	pub.Shared = nil
	pub.MValue = 0
	cursor := c.Cursor
	pub.Handle = c.allocPublicHandle()
	priv.Handle = c.allocHandle()
	st, rc := c.place(s, opt, pub, priv)
	if rc != RCSuccess {
		c.Cursor = cursor
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
		if c.removeObject(n, h) {
			st = append(st, NodeStatus{n.ID, RCSuccess})
		} else if o.Token {
			st = append(st, NodeStatus{n.ID, RCInvalidHandle})
		}
	}
	return st, RCSuccess
}

// Update applies fn to every copy of handle h on the given nodes (all up
// nodes when nodes is nil) and reports per node. A nil fn changes nothing
// and only reports.
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
		o, ok := n.Object(h)
		if !ok {
			st = append(st, NodeStatus{n.ID, RCInvalidHandle})
			continue
		}
		if fn != nil {
			fn(o)
			c.changedKey(h)
		}
		st = append(st, NodeStatus{n.ID, RCSuccess})
	}
	return st
}

// MakeToken sets OBJ_ATTR_TOKEN of key h to 1 for the session. A session
// key made persistent leaves its session and is copied to every HSM that is
// up, the way a token key is created; a node that is down misses it, which
// leaves the cluster out of sync as any key creation would. A key that is
// already persistent stays as it is and every HSM that holds it answers.
func (c *Cluster) MakeToken(s *Session, h uint64) (Status, RC) {
	o, rc := c.Lookup(s, h, OpModify)
	if rc != RCSuccess {
		return nil, rc
	}
	if o.Token {
		return c.Update(h, nil, nil), RCSuccess
	}
	var missing []*Node
	for _, n := range c.UpNodes() {
		if !n.Has(h) {
			if n.KeyCount()+1 > MaxKeys {
				return nil, RCObjectLimit
			}
			missing = append(missing, n)
		}
	}
	for _, n := range missing {
		c.putObject(n, o.Clone())
	}
	return c.Update(h, nil, func(p *Object) {
		p.Token = true
		p.Session = ""
	}), RCSuccess
}

// ShareOn shares key h on node id with the users ids, or stops sharing it
// with them, keeping the share list in ascending order. The caller has
// decided that the session may (cloudhsm_mgmt_util's shareKey).
func (c *Cluster) ShareOn(id int, h uint64, ids []int, share bool) {
	n := c.Node(id)
	if n == nil {
		return
	}
	o, ok := n.Object(h)
	if !ok {
		return
	}
	for _, u := range ids {
		if share && !o.SharedWith(u) {
			o.Shared = append(o.Shared, u)
		}
		if !share {
			o.Shared = slices.DeleteFunc(o.Shared, func(x int) bool { return x == u })
		}
	}
	slices.Sort(o.Shared)
	c.changedKey(h)
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
		for h, o := range n.AllObjects() {
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
