package hsm

import (
	"cmp"
	"maps"
	"slices"
)

// A cluster records its own changes. Every method of this package that
// changes a cluster notes what it changed: a key's handle (created,
// changed, destroyed on any node), a user's id (created, deleted, a new
// password, a failed login counted, a quorum key registered), a node (gone
// down or up, its users changed) or the cluster-wide values (the handle
// cursor, the M values, the quorum tokens). Whatever saves a cluster asks
// what changed since its last save (ChangesSince) instead of being told by
// the tools, so a change no tool thought to report (the share lists
// deleteUser edits) is saved all the same. Packages outside this one only
// read a cluster; a test walks the module's source to keep it so.

// Mark is a point in a cluster's history of changes (Cluster.Mark).
type Mark uint64

// Changes names what changed in a cluster after a Mark.
type Changes struct {
	// All is set when the whole cluster was replaced (Replace): anything
	// may differ.
	All bool
	// Keys are the handles of keys created, changed or destroyed on any
	// node, in ascending order. A handle may no longer name a key.
	Keys []uint64
	// Users are the ids of users created, changed or deleted on any node,
	// in ascending order.
	Users []int
	// Nodes are the nodes that went down or up or whose users changed, in
	// ascending order.
	Nodes []int
	// Cluster is set when a cluster-wide value changed: the handle cursor,
	// an M value, the quorum tokens.
	Cluster bool
}

// Empty reports whether nothing changed.
func (ch Changes) Empty() bool {
	return !ch.All && !ch.Cluster && len(ch.Keys) == 0 && len(ch.Users) == 0 && len(ch.Nodes) == 0
}

// changeLog holds, for each thing that changed, the sequence number of its
// latest change. Marks are sequence numbers, so any number of savers (the
// browser's records, a journal, a per-command highlight) each keep their
// own mark and nobody clears anything for the others. The log holds at
// most one entry per handle, user and node ever changed.
//
// A cluster read back from storage has had every one of its keys put, so
// keys holds an entry per key; keyOrder lists the same changes in the
// order they were made, so that ChangesSince looks only at the changes
// after its mark (none, after a command that changed nothing) instead of
// at every key ever changed.
type changeLog struct {
	seq     uint64
	all     uint64
	cluster uint64
	keys    map[uint64]uint64
	// keyOrder holds the key changes in ascending sequence order; an entry
	// whose handle has changed again since (keys[h] is later) is stale and
	// skipped, and compactKeys drops the stale ones when they outnumber
	// the rest.
	keyOrder []keyChange
	users    map[int]uint64
	nodes    map[int]uint64
}

// keyChange is one change of key Handle, at sequence number Seq.
type keyChange struct {
	Seq    uint64
	Handle uint64
}

// Mark is the point now: ChangesSince(Mark()) is empty until the next
// change.
func (c *Cluster) Mark() Mark { return Mark(c.log.seq) }

// ChangesSince lists what changed after m.
func (c *Cluster) ChangesSince(m Mark) Changes {
	after := uint64(m)
	ch := Changes{All: c.log.all > after, Cluster: c.log.cluster > after}
	order := c.log.keyOrder
	i, _ := slices.BinarySearchFunc(order, after, func(k keyChange, m uint64) int { return cmp.Compare(k.Seq, m+1) })
	for _, k := range order[i:] {
		if c.log.keys[k.Handle] == k.Seq {
			ch.Keys = append(ch.Keys, k.Handle)
		}
	}
	for id, s := range c.log.users {
		if s > after {
			ch.Users = append(ch.Users, id)
		}
	}
	for id, s := range c.log.nodes {
		if s > after {
			ch.Nodes = append(ch.Nodes, id)
		}
	}
	slices.Sort(ch.Keys)
	slices.Sort(ch.Users)
	slices.Sort(ch.Nodes)
	return ch
}

func (c *Cluster) tick() uint64 {
	c.log.seq++
	return c.log.seq
}

// changedKey notes that key h changed on some node.
func (c *Cluster) changedKey(h uint64) {
	if c.log.keys == nil {
		c.log.keys = map[uint64]uint64{}
	}
	s := c.tick()
	c.log.keys[h] = s
	c.log.keyOrder = append(c.log.keyOrder, keyChange{Seq: s, Handle: h})
	if len(c.log.keyOrder) > 2*len(c.log.keys)+64 {
		c.log.compactKeys()
	}
}

// compactKeys drops the stale entries of keyOrder (a handle changed again
// later), keeping the order: one entry per handle is left.
func (l *changeLog) compactKeys() {
	out := make([]keyChange, 0, len(l.keys))
	for _, k := range l.keyOrder {
		if l.keys[k.Handle] == k.Seq {
			out = append(out, k)
		}
	}
	l.keyOrder = out
}

// changedUser notes that user id changed on node n.
func (c *Cluster) changedUser(n *Node, id int) {
	if c.log.users == nil {
		c.log.users = map[int]uint64{}
	}
	c.log.users[id] = c.tick()
	c.changedNode(n)
}

// changedNode notes that node n changed (its state or its users).
func (c *Cluster) changedNode(n *Node) {
	if c.log.nodes == nil {
		c.log.nodes = map[int]uint64{}
	}
	c.log.nodes[n.ID] = c.tick()
}

// changedCluster notes that a cluster-wide value changed.
func (c *Cluster) changedCluster() { c.log.cluster = c.tick() }

// cloneLog copies the log, so a copy of the cluster value does not share it.
func (l changeLog) clone() changeLog {
	l.keys, l.users, l.nodes = maps.Clone(l.keys), maps.Clone(l.users), maps.Clone(l.nodes)
	l.keyOrder = slices.Clone(l.keyOrder)
	return l
}

// putObject stores o on node n at its handle.
func (c *Cluster) putObject(n *Node, o *Object) {
	if n.Objects == nil {
		n.Objects = map[uint64]*Object{}
	}
	n.Objects[o.Handle] = o
	c.changedKey(o.Handle)
}

// removeObject destroys key h on node n, reporting whether it was there.
func (c *Cluster) removeObject(n *Node, h uint64) bool {
	if _, ok := n.Object(h); !ok {
		return false
	}
	delete(n.Objects, h)
	c.freed(h)
	c.changedKey(h)
	return true
}

// PutObject stores o on node id at o's handle, replacing what is there: how
// a cluster is built from a scenario or read back from storage. The node
// keeps o itself (no copy: reading back 3,300 keys stays cheap), so the
// caller gives each node its own object and does not change it after.
func (c *Cluster) PutObject(id int, o *Object) {
	if n := c.Node(id); n != nil {
		c.putObject(n, o)
	}
}

// RemoveObject destroys key h on node id (a scenario's key that one HSM
// misses), reporting whether it was there.
func (c *Cluster) RemoveObject(id int, h uint64) bool {
	n := c.Node(id)
	return n != nil && c.removeObject(n, h)
}

// AddUserTo stores a copy of u on node id, replacing a user of the same id
// (a scenario's users; cloudhsm_mgmt_util goes through CreateUserOn).
func (c *Cluster) AddUserTo(id int, u *User) {
	n := c.Node(id)
	if n == nil {
		return
	}
	n.removeUser(u.ID)
	n.addUser(u)
	c.changedUser(n, u.ID)
}

// SetUp takes node id offline or back online, reporting whether that
// changed anything. The node keeps what it holds; what changes while it is
// down does not reach it.
func (c *Cluster) SetUp(id int, up bool) bool {
	n := c.Node(id)
	if n == nil || n.Up == up {
		return false
	}
	n.Up = up
	c.changedNode(n)
	return true
}

// SetCursor sets where handle allocation resumes (a scenario's cursor).
func (c *Cluster) SetCursor(h uint64) {
	if c.Cursor != h {
		c.Cursor = h
		c.changedCluster()
	}
}

// Prepare readies a cluster decoded from storage: every node gets an
// object map, so that later changes have somewhere to go.
func (c *Cluster) Prepare() {
	for _, n := range c.Nodes {
		if n != nil && n.Objects == nil {
			n.Objects = map[uint64]*Object{}
		}
	}
}

// EmptyObjects forgets every node's keys: a cluster whose keys come from
// elsewhere (the key records of a saved workspace) starts so.
func (c *Cluster) EmptyObjects() {
	c.freeFloor = 0
	c.pend = nil
	for _, n := range c.Nodes {
		if n != nil {
			n.Objects = map[uint64]*Object{}
			n.pend = nil
		}
	}
}

// RemoveUserFrom deletes user uid from node id as it is, without the
// checks deleteUser makes, reporting whether the user was there.
func (c *Cluster) RemoveUserFrom(id, uid int) bool {
	n := c.Node(id)
	if n == nil || n.User(uid) == nil {
		return false
	}
	n.removeUser(uid)
	c.changedUser(n, uid)
	return true
}
