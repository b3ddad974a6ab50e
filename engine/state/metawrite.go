package state

import (
	"encoding/base64"
	"slices"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/jsonout"
)

// appendMeta writes the "meta" record of c: the cluster without its
// nodes' objects ("objects": null), byte for byte what json.Marshal writes
// for meta{Format, Version, the cluster with every node's Objects nil}
// (fields in the types' order, omitempty fields left out when empty, map
// members sorted by their keys' text, byte strings in padded base64, <, >
// and & escaped), in one pass and without reflection: every save writes
// it. TestEncodeMetaIsJSONMarshal and FuzzEncodeMeta hold it to
// json.Marshal.
func appendMeta(c *hsm.Cluster) []byte {
	w := &jsonout.Writer{EscapeHTML: true}
	w.Grow(1024 * len(c.Nodes))
	w.BeginObject()
	w.Key("format")
	w.Str(Format)
	w.Key("version")
	w.Int(Version)
	w.Key("cluster")
	w.BeginObject()
	// A list even when there are no nodes (the record was written from a
	// copy of the list).
	w.Key("nodes")
	w.BeginArray()
	for _, n := range c.Nodes {
		writeNode(w, n)
	}
	w.EndArray()
	w.Key("cursor")
	w.Uint(c.Cursor)
	if len(c.Quorum) > 0 {
		keys := make([]int, 0, len(c.Quorum))
		for k := range c.Quorum {
			keys = append(keys, k)
		}
		w.Key("quorum")
		writeIntMap(w, keys, func(k int) { w.Int(int64(c.Quorum[k])) })
	}
	if len(c.Tokens) > 0 {
		w.Key("tokens")
		w.List(c.Tokens == nil, len(c.Tokens), func(i int) { writeToken(w, c.Tokens[i]) })
	}
	if c.MTLSEnforcement != "" {
		w.Key("mtlsEnforcement")
		w.Str(c.MTLSEnforcement)
	}
	w.EndObject()
	w.EndObject()
	return w.Bytes()
}

// writeIntMap writes a map with integer keys, given its keys in any order,
// as encoding/json does: the members sorted by their keys as text ("10"
// before "3"), each value written by value.
func writeIntMap(w *jsonout.Writer, keys []int, value func(k int)) {
	text := make([]string, len(keys))
	for i, k := range keys {
		text[i] = strconv.Itoa(k)
	}
	slices.Sort(text)
	w.BeginObject()
	for _, t := range text {
		k, _ := strconv.Atoi(t)
		w.Key(t)
		value(k)
	}
	w.EndObject()
}

// writeBytes writes a byte string as encoding/json does: null for nil,
// else padded base64.
func writeBytes(w *jsonout.Writer, b []byte) {
	if b == nil {
		w.Null()
		return
	}
	w.Str(base64.StdEncoding.EncodeToString(b))
}

func writeNode(w *jsonout.Writer, n *hsm.Node) {
	if n == nil {
		w.Null()
		return
	}
	w.BeginObject()
	w.Key("id")
	w.Int(int64(n.ID))
	w.Key("addr")
	w.Str(n.Addr)
	w.Key("up")
	w.Bool(n.Up)
	w.Key("users")
	w.List(n.Users == nil, len(n.Users), func(i int) { writeUser(w, n.Users[i]) })
	// The objects are the key records'.
	w.Key("objects")
	w.Null()
	if len(n.TrustAnchors) > 0 {
		w.Key("trustAnchors")
		w.List(n.TrustAnchors == nil, len(n.TrustAnchors), func(i int) {
			a := n.TrustAnchors[i]
			if a == nil {
				w.Null()
				return
			}
			w.BeginObject()
			w.Key("ref")
			w.Int(int64(a.Ref))
			w.Key("pem")
			w.Str(a.PEM)
			w.EndObject()
		})
	}
	w.EndObject()
}

func writeUser(w *jsonout.Writer, u *hsm.User) {
	if u == nil {
		w.Null()
		return
	}
	w.BeginObject()
	w.Key("id")
	w.Int(int64(u.ID))
	w.Key("type")
	w.Str(string(u.Type))
	w.Key("name")
	w.Str(u.Name)
	w.Key("password")
	w.Str(u.PasswordHash)
	if u.FailedLogins != 0 {
		w.Key("failedLogins")
		w.Int(int64(u.FailedLogins))
	}
	if u.QuorumPubKey != "" {
		w.Key("quorumPubKey")
		w.Str(u.QuorumPubKey)
	}
	if u.TwoFA {
		w.Key("twoFA")
		w.Bool(true)
	}
	if u.MFAPubKey != "" {
		w.Key("mfaPubKey")
		w.Str(u.MFAPubKey)
	}
	w.EndObject()
}

func writeToken(w *jsonout.Writer, t *hsm.QuorumToken) {
	if t == nil {
		w.Null()
		return
	}
	w.BeginObject()
	w.Key("service")
	w.Int(int64(t.Service))
	w.Key("user")
	w.Int(int64(t.User))
	w.Key("data")
	writeBytes(w, t.Data)
	if len(t.Approvals) > 0 {
		keys := make([]int, 0, len(t.Approvals))
		for k := range t.Approvals {
			keys = append(keys, k)
		}
		w.Key("approvals")
		writeIntMap(w, keys, func(k int) { writeBytes(w, t.Approvals[k]) })
	}
	w.EndObject()
}
