package hsm

import (
	"fmt"
	"sort"
)

// Node is one HSM of the cluster with its own copy of users and keys.
type Node struct {
	ID      int                `json:"id"`
	Addr    string             `json:"addr"`
	Up      bool               `json:"up"`
	Users   []*User            `json:"users"`
	Objects map[uint64]*Object `json:"objects"`
	// TrustAnchors are the certificates registered for mutual TLS on this
	// HSM (mtls.go), by reference.
	TrustAnchors []*TrustAnchor `json:"trustAnchors,omitempty"`

	pend *pendingKeys // the cluster's keys not decoded yet (lazy.go)
}

// Cluster is the set of HSMs the tools talk to.
type Cluster struct {
	Nodes []*Node `json:"nodes"`
	// Cursor is where handle allocation resumes (see allocHandle).
	Cursor uint64 `json:"cursor"`
	// Quorum holds the M value per quorum service (3 USER_MGMT, 4 MISC_CO).
	Quorum map[int]int `json:"quorum,omitempty"`
	// Tokens holds outstanding quorum tokens and their approvals.
	Tokens []*QuorumToken `json:"tokens,omitempty"`
	// MTLSEnforcement is the mutual TLS enforcement level: "" (none) or
	// "cluster" (mtls.go).
	MTLSEnforcement string `json:"mtlsEnforcement,omitempty"`

	sessions int       // counter for session names; not persisted
	log      changeLog // what changed, and when (changes.go); not persisted
	// freeFloor is a handle below which every handle from FirstHandle on
	// is held by some node (allocPublicHandle); 0 knows nothing. It only
	// goes down when a key is destroyed (removeObject, EmptyObjects), the
	// only ways a handle becomes free. Not persisted: a cluster read back
	// starts at 0 and its first key pair finds it.
	freeFloor uint64
	// pend holds the keys read from storage and not decoded yet
	// (lazy.go); nil when there are none.
	pend *pendingKeys
}

// QuorumToken is a token a crypto officer got for a quorum-controlled
// service, with the approvals (signatures) collected so far.
type QuorumToken struct {
	Service   int            `json:"service"`
	User      int            `json:"user"`
	Data      []byte         `json:"data"`
	Approvals map[int][]byte `json:"approvals,omitempty"`
}

// defaultAddrs are the node addresses of the seed walkthrough.
var defaultAddrs = []string{"10.0.2.9", "10.0.3.11", "10.0.1.12"}

// NewCluster returns a cluster of n nodes with no users and no keys.
func NewCluster(n int) *Cluster {
	c := &Cluster{Cursor: FirstHandle}
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("10.0.%d.%d", i+1, 10+i)
		if i < len(defaultAddrs) {
			addr = defaultAddrs[i]
		}
		c.Nodes = append(c.Nodes, &Node{ID: i, Addr: addr, Up: true, Objects: map[uint64]*Object{}})
	}
	return c
}

// Node returns node id, or nil.
func (c *Cluster) Node(id int) *Node {
	if id < 0 || id >= len(c.Nodes) {
		return nil
	}
	return c.Nodes[id]
}

// UpNodes lists the nodes that answer.
func (c *Cluster) UpNodes() []*Node {
	var out []*Node
	for _, n := range c.Nodes {
		if n.Up {
			out = append(out, n)
		}
	}
	return out
}

// User returns the user with id on this node.
func (n *Node) User(id int) *User {
	for _, u := range n.Users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// addUser stores a copy of u on the node, keeping users ordered by id. The
// caller records the change.
func (n *Node) addUser(u *User) {
	n.Users = append(n.Users, u.Clone())
	sort.Slice(n.Users, func(i, j int) bool { return n.Users[i].ID < n.Users[j].ID })
}

// removeUser deletes user id from the node. The caller records the change.
func (n *Node) removeUser(id int) {
	for i, u := range n.Users {
		if u.ID == id {
			n.Users = append(n.Users[:i], n.Users[i+1:]...)
			return
		}
	}
}

// Handles returns the node's object handles in ascending order, those of
// keys not decoded yet included (none is decoded).
func (n *Node) Handles() []uint64 {
	hs := make([]uint64, 0, n.KeyCount())
	for h := range n.Objects {
		hs = append(hs, h)
	}
	if n.pend != nil {
		for h, r := range n.pend.recs {
			if r.Nodes&(1<<n.ID) != 0 {
				hs = append(hs, h)
			}
		}
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	return hs
}

// occupied reports whether any node holds handle h.
func (c *Cluster) occupied(h uint64) bool {
	for _, n := range c.Nodes {
		if n.Has(h) {
			return true
		}
	}
	return false
}

// allocHandle hands out the next free handle at or after the cursor. Handles
// of deleted keys are not handed out again by it, so a handle a learner has
// just seen deleted never silently names a new key.
func (c *Cluster) allocHandle() uint64 {
	if c.Cursor < FirstHandle {
		c.Cursor = FirstHandle
	}
	h := c.Cursor
	for c.occupied(h) {
		h++
	}
	c.Cursor = h + 1
	c.changedCluster()
	return h
}

// allocPublicHandle is where the public half of a new key pair goes: the
// lowest free handle below the cursor if there is one, otherwise the next
// one. This is the allocation the seed walkthrough shows (its RSA public key
// 524294 sits below the AES key 524295 made just before it).
//
// The lowest free handle is looked for from the cluster's free floor, below
// which every handle is known to be taken (freeFloor), not from
// FirstHandle: with 2,000 keys a scan from the first handle looked up
// every one of them on every node for each new pair.
func (c *Cluster) allocPublicHandle() uint64 {
	h := max(c.freeFloor, FirstHandle)
	for ; h < c.Cursor; h++ {
		if !c.occupied(h) {
			c.freeFloor = h
			return h
		}
	}
	// Every handle below the cursor is taken.
	c.freeFloor = max(c.freeFloor, h)
	return c.allocHandle()
}

// freed notes that handle h may have become free (a key destroyed on a
// node): the free floor comes down to it when no node holds it any more.
func (c *Cluster) freed(h uint64) {
	if h < c.freeFloor && !c.occupied(h) {
		c.freeFloor = h
	}
}

// CountObjects is the number of keys on the fullest node, which is what the
// cluster limit of 3,300 keys is checked against.
func (c *Cluster) CountObjects() int {
	m := 0
	for _, n := range c.Nodes {
		if k := n.KeyCount(); k > m {
			m = k
		}
	}
	return m
}

// NodeStatus is one node's answer to an operation.
type NodeStatus struct {
	Node int
	RC   RC
}

// Status is the per-node result of a cluster-wide operation, in node order.
type Status []NodeStatus

// OK reports whether at least one node succeeded.
func (s Status) OK() bool { return s.Succeeded() > 0 }

// Succeeded counts the nodes that succeeded.
func (s Status) Succeeded() int {
	k := 0
	for _, ns := range s {
		if ns.RC == RCSuccess {
			k++
		}
	}
	return k
}

// First returns the first failure, or success.
func (s Status) First() RC {
	for _, ns := range s {
		if ns.RC != RCSuccess {
			return ns.RC
		}
	}
	return RCSuccess
}

// statusAll answers rc for every node, down nodes as unavailable.
func (c *Cluster) statusAll(rc RC) Status {
	st := make(Status, 0, len(c.Nodes))
	for _, n := range c.Nodes {
		r := rc
		if !n.Up {
			r = RCServerUnavailable
		}
		st = append(st, NodeStatus{n.ID, r})
	}
	return st
}

// Object finds handle on the first up node that holds it.
func (c *Cluster) Object(h uint64) *Object {
	for _, n := range c.Nodes {
		if !n.Up {
			continue
		}
		if o, ok := n.Object(h); ok {
			return o
		}
	}
	return nil
}

// Users returns the users of the first up node, which is what
// key_mgmt_util's listUsers shows for the whole cluster.
func (c *Cluster) Users() []*User {
	for _, n := range c.Nodes {
		if n.Up {
			return n.Users
		}
	}
	return nil
}

// FindUser returns the user called name (Node.FindUser: in any case) from
// the first up node, the users key_mgmt_util and the CloudHSM CLI see.
func (c *Cluster) FindUser(name string) *User {
	for _, n := range c.Nodes {
		if n.Up {
			return n.FindUser(name)
		}
	}
	return nil
}

// UserByID returns user id from the first up node that has it.
func (c *Cluster) UserByID(id int) *User {
	for _, n := range c.UpNodes() {
		if u := n.User(id); u != nil {
			return u
		}
	}
	return nil
}

// NextUserID is one more than the highest user id on any node.
func (c *Cluster) NextUserID() int {
	m := 0
	for _, n := range c.Nodes {
		for _, u := range n.Users {
			if u.ID > m {
				m = u.ID
			}
		}
	}
	return m + 1
}

// Replace makes c hold other's state (another browser tab's newer save),
// keeping c's count of login sessions, so that sessions opened before and
// after never share a name, and c's session keys, which were never saved.
// Everything counts as changed.
func (c *Cluster) Replace(other *Cluster) {
	for _, old := range c.Nodes {
		n := other.Node(old.ID)
		if n == nil {
			continue
		}
		for h, o := range old.LoadedObjects() {
			if !o.Token && !n.Has(h) {
				other.putObject(n, o)
			}
		}
	}
	sessions, log := c.sessions, c.log
	*c = *other
	if c.pend != nil {
		c.pend.c = c
	}
	c.sessions = max(c.sessions, sessions)
	c.log = log
	c.log.all = c.tick()
}

// KeyLimit is the most keys one HSM holds (MaxKeys), for front ends that
// cannot name this package's constants.
func (c *Cluster) KeyLimit() int { return MaxKeys }

// FillWithCopies adds token copies of the template keys (cycling through
// them, each labelled by label(i)) at fresh handles until every node holds
// upTo keys. It is how benchmarks build a large workspace whose records have
// the sizes real keys have.
func (c *Cluster) FillWithCopies(templates []uint64, upTo int, label func(i int) string) error {
	var tmpl []*Object
	for _, h := range templates {
		if o, _ := c.Nodes[0].Object(h); o != nil && o.Token {
			tmpl = append(tmpl, o)
		}
	}
	if len(tmpl) == 0 {
		return fmt.Errorf("no template keys")
	}
	upTo = min(upTo, MaxKeys)
	next := c.Cursor
	for _, n := range c.Nodes {
		for _, h := range n.Handles() {
			next = max(next, h+1)
		}
	}
	for i := 0; c.CountObjects() < upTo; i++ {
		o := tmpl[i%len(tmpl)].Clone()
		o.Handle = next
		o.Label = label(i)
		for _, n := range c.Nodes {
			c.putObject(n, o.Clone())
		}
		next++
	}
	c.SetCursor(next)
	return nil
}
