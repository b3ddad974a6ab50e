package cli

import (
	"slices"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// callNote is what a line learns of the HSMs while it runs, for its typed
// call (tool.Call): the HSMs' answers, the keys it worked on, the value it
// read back. Tool.run starts a new one for each line.
type callNote struct {
	nodes   hsm.Status
	handles []uint64
	value   *tool.Value
}

// status keeps the HSMs' answers to the line's change (the last one made).
func (n *callNote) status(st hsm.Status) {
	if st != nil {
		n.nodes = st
	}
}

// key notes a key the line found.
func (n *callNote) key(h uint64) {
	if !slices.Contains(n.handles, h) {
		n.handles = append(n.handles, h)
	}
}

// refusal is the access table's code for a command checkLogin refused:
// not logged in, or the first of its operations the user may not do.
func (t *Tool) refusal(c *command) hsm.RC {
	if rc := hsm.Check(t.Session, hsm.OpLoggedIn, nil); rc != hsm.RCSuccess {
		return rc
	}
	for _, op := range commandOps[c.path] {
		if rc := hsm.Check(t.Session, op, nil); rc != hsm.RCSuccess {
			return rc
		}
	}
	return hsm.RCOperationNotAllowed
}

// call is the typed form of a command's reply: the command path, success
// or the code of the refusal, the HSMs' answers, every key the reply names
// by reference and every key the command found, and its message when it
// failed.
func (n *callNote) call(path string, r result) tool.Call {
	c := tool.Call{API: path, RC: hsm.RCSuccess, Nodes: tool.NodesOf(n.nodes), Value: n.value}
	if r.err != nil {
		c.RC, c.Message = r.rc, r.err.msg
		if c.RC == hsm.RCSuccess {
			// The code of a check the HSMs made (hsmError).
			c.RC = r.err.rc
		}
		if c.RC == hsm.RCSuccess {
			// A refusal the CLI makes itself, before asking the HSMs.
			c.RC = hsm.RCInvalidInput
		}
	}
	c.Handles = append(c.Handles, n.handles...)
	keyReferences(r.data, func(h uint64) {
		if !slices.Contains(c.Handles, h) {
			c.Handles = append(c.Handles, h)
		}
	})
	return c
}

// keyReferences calls found with every key reference in a reply's data:
// the value of each field named key-reference, or ending in
// key_reference (key wrap's payload and wrapping keys).
func keyReferences(v any, found func(uint64)) {
	switch x := v.(type) {
	case obj:
		for _, f := range x {
			if s, ok := f.v.(string); ok && (f.k == "key-reference" || strings.HasSuffix(f.k, "key_reference")) {
				if h, ok := parseKeyReference(s); ok {
					found(h)
				}
				continue
			}
			keyReferences(f.v, found)
		}
	case []any:
		for _, e := range x {
			keyReferences(e, found)
		}
	}
}
