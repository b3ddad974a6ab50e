package shell

import (
	"encoding/base64"

	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// WriteJSONFields writes the reply's members into the object w has open,
// byte for byte what json.Marshal writes for them (the fields in the
// type's order, the omitempty ones left out when empty, <, > and &
// escaped when w.EscapeHTML is set), in one pass and without reflection:
// the browser worker answers every line with it, the first one too, and
// adds its own members after. TestReplyJSONIsJSONMarshal and
// FuzzReplyJSON hold it to json.Marshal.
func (r *Reply) WriteJSONFields(w *JSONWriter) {
	w.Key("output")
	w.Str(r.Output)
	w.Key("prompt")
	w.Str(r.Prompt)
	for _, f := range []struct {
		name string
		set  bool
	}{{"asking", r.Asking}, {"secret", r.Secret}, {"changed", r.Changed}, {"exit", r.Exit}, {"interrupted", r.Interrupted}, {"cut", r.Cut}} {
		if f.set {
			w.Key(f.name)
			w.Bool(true)
		}
	}
	w.Key("mode")
	w.Str(r.Mode)
	if len(r.Touched) > 0 {
		w.Key("touched")
		writeUints(w, r.Touched)
	}
	if len(r.Calls) > 0 {
		w.Key("calls")
		w.List(r.Calls == nil, len(r.Calls), func(i int) { writeCall(w, &r.Calls[i]) })
	}
}

func writeUints(w *JSONWriter, xs []uint64) {
	w.List(xs == nil, len(xs), func(i int) { w.Uint(xs[i]) })
}

func writeCall(w *JSONWriter, c *tool.Call) {
	w.BeginObject()
	w.Key("api")
	w.Str(c.API)
	w.Key("rc")
	w.Uint(uint64(c.RC))
	if len(c.Nodes) > 0 {
		w.Key("nodes")
		w.List(c.Nodes == nil, len(c.Nodes), func(i int) {
			n := &c.Nodes[i]
			w.BeginObject()
			w.Key("node")
			w.Int(int64(n.Node))
			w.Key("rc")
			w.Uint(uint64(n.RC))
			if n.Value != nil {
				w.Key("value")
				writeValue(w, n.Value)
			}
			w.EndObject()
		})
	}
	if len(c.Handles) > 0 {
		w.Key("handles")
		writeUints(w, c.Handles)
	}
	if c.Value != nil {
		w.Key("value")
		writeValue(w, c.Value)
	}
	if c.Message != "" {
		w.Key("message")
		w.Str(c.Message)
	}
	w.EndObject()
}

func writeValue(w *JSONWriter, v *tool.Value) {
	w.BeginObject()
	if len(v.Attributes) > 0 {
		w.Key("attributes")
		w.List(v.Attributes == nil, len(v.Attributes), func(i int) {
			a := &v.Attributes[i]
			w.BeginObject()
			w.Key("id")
			w.Int(int64(a.ID))
			w.Key("name")
			w.Str(a.Name)
			w.Key("kind")
			w.Int(int64(a.Kind))
			w.Key("bytes")
			if a.Bytes == nil {
				w.Null()
			} else {
				w.Str(base64.StdEncoding.EncodeToString(a.Bytes))
			}
			w.EndObject()
		})
	}
	if len(v.Users) > 0 {
		w.Key("users")
		w.List(v.Users == nil, len(v.Users), func(i int) {
			u := &v.Users[i]
			w.BeginObject()
			w.Key("id")
			w.Int(int64(u.ID))
			w.Key("type")
			w.Str(string(u.Type))
			w.Key("name")
			w.Str(u.Name)
			w.Key("mofnPubKey")
			w.Bool(u.QuorumPubKey)
			w.Key("loginFailureCnt")
			w.Int(int64(u.FailedLogins))
			w.Key("twoFA")
			w.Bool(u.TwoFA)
			w.EndObject()
		})
	}
	if len(v.Keys) > 0 {
		w.Key("keys")
		w.List(v.Keys == nil, len(v.Keys), func(i int) {
			k := &v.Keys[i]
			w.BeginObject()
			w.Key("handle")
			w.Uint(k.Handle)
			if k.Relation != "" {
				w.Key("relation")
				w.Str(k.Relation)
			}
			w.EndObject()
		})
	}
	if k := v.KeyInfo; k != nil {
		w.Key("keyInfo")
		w.BeginObject()
		w.Key("token")
		w.Bool(k.Token)
		w.Key("owner")
		w.Int(int64(k.Owner))
		if len(k.Shared) > 0 {
			w.Key("shared")
			jsonInts(w, k.Shared)
		}
		if k.MValue != 0 {
			w.Key("mValue")
			w.Int(int64(k.MValue))
		}
		w.EndObject()
	}
	w.EndObject()
}
