package hsm

import (
	"fmt"
	"math/bits"
	"slices"
)

// Keys decoded at their first use. Opening a saved workspace of thousands
// of keys used to decode every key's record (its attributes and its
// base64 material) before the first prompt, though a first command reads
// one key or none. The loader (engine/state) now checks each record's
// checksum and shape on open, and hands the records to the cluster
// undecoded (DeferKeys) with the function that decodes one and checks it
// against every rule a key read from storage must keep. A node's keys are
// then reached only through its methods (Object, Has, Handles, KeyCount,
// AllObjects; TestOnlyHSMChangesClusters fails on any other read of
// Node.Objects outside this package): Object and AllObjects decode what
// they return, Has, Handles and KeyCount answer from the records' node
// sets without decoding anything.
//
// A record that passes its checksum and shape check but not its decoding
// (one written by hand with a fresh checksum; nothing the tools write) is
// the damage a full load would have refused the workspace for, found late:
// the key counts as absent, Damaged names it from then on, and the front
// ends refuse the command that met it and mark the workspace damaged, as
// they would have on open.

// KeyRecord is one token key as the store holds it, not decoded yet: its
// record's bytes and the nodes that hold a copy (bit i for node i).
type KeyRecord struct {
	Data  []byte
	Nodes uint32
}

// KeyDecoder decodes the record of key h into its copies by node id,
// checking them against the cluster's users and rules; an error says why
// the record cannot be used, in the words a refused load would have used
// ("workspace is damaged: ..."), and is what Damaged then reports.
type KeyDecoder func(c *Cluster, h uint64, data []byte) (map[int]*Object, error)

// pendingKeys are the records not decoded yet, shared by a cluster and its
// nodes.
type pendingKeys struct {
	c      *Cluster
	recs   map[uint64]KeyRecord
	decode KeyDecoder
	counts []int // per node id: records with a copy on that node
	damage error // the lowest handle whose record could not be decoded
	bad    uint64
	verify func(*Object) error // DeferMaterialCheck's check, for keys decoded later
}

// DeferKeys gives the cluster token keys to decode at their first use. The
// records' handles must be free on every node and their node sets name
// only nodes of the cluster (the loader checks both).
func (c *Cluster) DeferKeys(recs map[uint64]KeyRecord, decode KeyDecoder) {
	p := &pendingKeys{c: c, recs: recs, decode: decode, counts: make([]int, len(c.Nodes))}
	for _, r := range recs {
		for id := range c.Nodes {
			if r.Nodes&(1<<id) != 0 {
				p.counts[id]++
			}
		}
	}
	c.pend = p
	for _, n := range c.Nodes {
		n.pend = p
	}
}

// Damaged says which key record could not be decoded at its first use,
// or is nil.
func (c *Cluster) Damaged() error {
	if c.pend == nil {
		return nil
	}
	return c.pend.damage
}

// Undecoded is the number of key records not decoded yet.
func (c *Cluster) Undecoded() int {
	if c.pend == nil {
		return 0
	}
	return len(c.pend.recs)
}

// DecodeAll decodes every key record not decoded yet (before the cluster
// is written whole somewhere, or handed to code that looks at every key)
// and returns Damaged: a cluster with a damaged record is not written.
func (c *Cluster) DecodeAll() error {
	c.pend.takeAll()
	return c.Damaged()
}

// take decodes the record of key h, if it is still pending, onto every
// node that holds a copy.
func (p *pendingKeys) take(h uint64) {
	if p == nil {
		return
	}
	r, ok := p.recs[h]
	if !ok {
		return
	}
	delete(p.recs, h)
	for id := range p.counts {
		if r.Nodes&(1<<id) != 0 {
			p.counts[id]--
		}
	}
	// The decoder's errors name the record as a refused load would.
	copies, err := p.decode(p.c, h, r.Data)
	if err == nil {
		for id := range copies {
			if id < 0 || id >= len(p.c.Nodes) || r.Nodes&(1<<id) == 0 {
				err = fmt.Errorf("workspace is damaged: key %d: holds a copy for HSM %d, which its shape did not name", h, id)
				break
			}
		}
		if err == nil && len(copies) != bits.OnesCount32(r.Nodes) {
			err = fmt.Errorf("workspace is damaged: key %d: holds %d copies where its shape named %d", h, len(copies), bits.OnesCount32(r.Nodes))
		}
	}
	if err != nil {
		if p.damage == nil || h < p.bad {
			p.damage, p.bad = err, h
		}
		return
	}
	for id, o := range copies {
		n := p.c.Nodes[id]
		if n.Objects == nil {
			n.Objects = map[uint64]*Object{}
		}
		o.verify = p.verify
		n.Objects[h] = o
	}
}

// takeAll decodes every pending record, in ascending handle order so that
// the damage named is the same every time.
func (p *pendingKeys) takeAll() {
	if p == nil || len(p.recs) == 0 {
		return
	}
	hs := make([]uint64, 0, len(p.recs))
	for h := range p.recs {
		hs = append(hs, h)
	}
	slices.Sort(hs)
	for _, h := range hs {
		p.take(h)
	}
}

// has reports whether node id holds pending key h.
func (p *pendingKeys) has(id int, h uint64) bool {
	if p == nil {
		return false
	}
	r, ok := p.recs[h]
	return ok && r.Nodes&(1<<id) != 0
}

// count is the number of pending keys on node id.
func (p *pendingKeys) count(id int) int {
	if p == nil || id < 0 || id >= len(p.counts) {
		return 0
	}
	return p.counts[id]
}

// Object returns the node's key h, decoding its record first if that has
// not happened yet.
func (n *Node) Object(h uint64) (*Object, bool) {
	n.pend.take(h)
	o, ok := n.Objects[h]
	return o, ok
}

// Has reports whether the node holds key h, without decoding it.
func (n *Node) Has(h uint64) bool {
	if _, ok := n.Objects[h]; ok {
		return true
	}
	return n.pend.has(n.ID, h)
}

// KeyCount is the number of keys on the node, decoded or not.
func (n *Node) KeyCount() int { return len(n.Objects) + n.pend.count(n.ID) }

// AllObjects returns every key of the node by handle, decoding those not
// decoded yet: for the operations that look at every key (findKey, the
// panels' summary, a whole save). The map is the node's: read it only.
func (n *Node) AllObjects() map[uint64]*Object {
	n.pend.takeAll()
	return n.Objects
}

// LoadedObjects returns the keys decoded so far by handle, without
// decoding any: every session key, and the token keys used since the
// workspace was read. For what concerns those alone (ending sessions,
// checking what a command changed). Read it only.
func (n *Node) LoadedObjects() map[uint64]*Object { return n.Objects }

// EachTokenHandle calls fn with the handle of every token key of the
// node, decoded or not, decoding none (every key not decoded yet is a
// token key: only those are saved).
func (n *Node) EachTokenHandle(fn func(h uint64)) {
	for h, o := range n.Objects {
		if o.Token {
			fn(h)
		}
	}
	if n.pend != nil {
		for h, r := range n.pend.recs {
			if r.Nodes&(1<<n.ID) != 0 {
				fn(h)
			}
		}
	}
}
