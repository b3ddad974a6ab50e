package tool

import "github.com/hsmsim/hsmsim/engine/internal/hsm"

// Call is one request a tool made of the HSMs and what came back, as data:
// the printed text is made from it, and whatever reads a command's outcome
// (the tour's explanations, tests, a JSON front end) reads it here rather
// than from the text.
type Call struct {
	// API is the Cfm call key_mgmt_util reports ("Cfm3GenerateSymmetricKey"),
	// the cloudhsm_mgmt_util command that ran on each server ("shareKey"),
	// or the CloudHSM CLI command path ("key generate-symmetric aes").
	API string `json:"api"`
	// RC is the call's return code: the "returned: 0x.." code of
	// key_mgmt_util; for cloudhsm_mgmt_util the first server's failure, or
	// success when every server that answered succeeded. CloudHSM CLI
	// prints only error_code 0 or 1: its RC is success for 0, the HSMs'
	// code when they refused, and for a refusal the CLI makes before asking
	// them, the access table's code or RCInvalidInput
	// (docs/simulator-choices.md).
	RC hsm.RC `json:"rc"`
	// Nodes are the HSMs' own answers in the order the tool printed them
	// (key_mgmt_util's "Cluster Status" and "Cluster Error Status" blocks,
	// cloudhsm_mgmt_util's line per server). Empty when the tool printed
	// none. CloudHSM CLI prints none, only a key-coverage or
	// cluster-coverage that sums them up; its calls carry the answers of
	// the HSMs it asked one by one.
	Nodes []Node `json:"nodes,omitempty"`
	// Handles are the keys the call made or found.
	Handles []uint64 `json:"handles,omitempty"`
	// Value is what the call read back, when it read one for the whole
	// cluster (key_mgmt_util; CloudHSM CLI's key list and user list).
	Value *Value `json:"value,omitempty"`
	// Message is the error message CloudHSM CLI printed (its "data" when
	// error_code is 1).
	Message string `json:"message,omitempty"`
}

// Node is one HSM's answer to a call.
type Node struct {
	Node int    `json:"node"`
	RC   hsm.RC `json:"rc"`
	// Value is what this HSM read back (cloudhsm_mgmt_util asks each
	// server in turn).
	Value *Value `json:"value,omitempty"`
}

// Value is a value a call read back; one of its fields is set.
type Value struct {
	Attributes []hsm.AttrValue `json:"attributes,omitempty"`
	Users      []UserInfo      `json:"users,omitempty"`
	Keys       []KeyRef        `json:"keys,omitempty"`
	KeyInfo    *KeyInfo        `json:"keyInfo,omitempty"`
}

// UserInfo is one row of a users table.
type UserInfo struct {
	ID           int      `json:"id"`
	Type         hsm.Role `json:"type"`
	Name         string   `json:"name"`
	QuorumPubKey bool     `json:"mofnPubKey"`
	FailedLogins int      `json:"loginFailureCnt"`
	TwoFA        bool     `json:"twoFA"`
}

// UsersOf is the table of users as the tools list them.
func UsersOf(users []*hsm.User) []UserInfo {
	out := make([]UserInfo, len(users))
	for i, u := range users {
		out[i] = UserInfo{ID: u.ID, Type: u.Type, Name: u.Name, QuorumPubKey: u.QuorumPubKey != "", FailedLogins: u.FailedLogins, TwoFA: u.TwoFA}
	}
	return out
}

// KeyRef is a key in a list of keys, with the listed user's relation to it
// when the list says it (findAllKeys: "o" owned, "s" shared).
type KeyRef struct {
	Handle   uint64 `json:"handle"`
	Relation string `json:"relation,omitempty"`
}

// KeyInfo is who owns a key and whom it is shared with (getKeyInfo).
type KeyInfo struct {
	Token  bool  `json:"token"`
	Owner  int   `json:"owner"`
	Shared []int `json:"shared,omitempty"`
	MValue int   `json:"mValue,omitempty"`
}

// KeyInfoOf is the key information of an object.
func KeyInfoOf(o *hsm.Object) *KeyInfo {
	return &KeyInfo{Token: o.Token, Owner: o.Owner, Shared: append([]int(nil), o.Shared...), MValue: o.MValue}
}

// NodesOf turns a cluster status into per-node answers.
func NodesOf(st hsm.Status) []Node {
	if st == nil {
		return nil
	}
	out := make([]Node, len(st))
	for i, ns := range st {
		out[i] = Node{Node: ns.Node, RC: ns.RC}
	}
	return out
}

// Codes lists every return code in calls, each once, in the order met:
// each call's own code, then its nodes'.
func Codes(calls []Call) []hsm.RC {
	var out []hsm.RC
	seen := map[hsm.RC]bool{}
	add := func(rc hsm.RC) {
		if !seen[rc] {
			seen[rc] = true
			out = append(out, rc)
		}
	}
	for _, c := range calls {
		add(c.RC)
		for _, n := range c.Nodes {
			add(n.RC)
		}
	}
	return out
}
