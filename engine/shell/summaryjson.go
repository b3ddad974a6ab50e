package shell

import (
	"github.com/hsmsim/hsmsim/engine/internal/jsonout"
)

// appendSummary writes sum as JSON, byte for byte what json.Marshal
// writes for it (fields in the types' order, "id" and "dir" left out when
// empty, a nil list as null, <, > and & escaped), in one pass and without
// reflection: the page asks for the summary right after its first prompt
// and after every command. TestSummaryJSONIsJSONMarshal and
// FuzzSummaryJSON hold it to json.Marshal.
func appendSummary(sum Summary) []byte {
	w := &jsonout.Writer{EscapeHTML: true}
	w.Grow(256 + 256*len(sum.Keys) + 96*(len(sum.Users)+len(sum.Nodes)+len(sum.Files)))
	w.BeginObject()
	w.Key("mode")
	w.Str(sum.Mode)
	w.Key("keys")
	w.List(sum.Keys == nil, len(sum.Keys), func(i int) {
		k := &sum.Keys[i]
		w.BeginObject()
		w.Key("handle")
		w.Uint(k.Handle)
		w.Key("reference")
		w.Str(k.Reference)
		w.Key("label")
		w.Str(k.Label)
		if k.ID != "" {
			w.Key("id")
			w.Str(k.ID)
		}
		w.Key("class")
		w.Str(k.Class)
		w.Key("keyType")
		w.Str(k.KeyType)
		w.Key("bits")
		w.Int(int64(k.Bits))
		w.Key("owner")
		w.Int(int64(k.Owner))
		w.Key("shared")
		jsonInts(w, k.Shared)
		w.Key("token")
		w.Bool(k.Token)
		w.Key("extractable")
		w.Bool(k.Extractable)
		w.Key("nodes")
		jsonInts(w, k.Nodes)
		w.EndObject()
	})
	w.Key("users")
	w.List(sum.Users == nil, len(sum.Users), func(i int) {
		u := &sum.Users[i]
		w.BeginObject()
		w.Key("id")
		w.Int(int64(u.ID))
		w.Key("type")
		w.Str(u.Type)
		w.Key("name")
		w.Str(u.Name)
		w.Key("loggedIn")
		w.Bool(u.LoggedIn)
		w.Key("failedLogins")
		w.Int(int64(u.FailedLogins))
		w.EndObject()
	})
	w.Key("nodes")
	w.List(sum.Nodes == nil, len(sum.Nodes), func(i int) {
		n := &sum.Nodes[i]
		w.BeginObject()
		w.Key("id")
		w.Int(int64(n.ID))
		w.Key("addr")
		w.Str(n.Addr)
		w.Key("up")
		w.Bool(n.Up)
		w.Key("inSync")
		w.Bool(n.InSync)
		w.Key("keys")
		w.Int(int64(n.Keys))
		w.Key("users")
		w.Int(int64(n.Users))
		w.EndObject()
	})
	w.Key("files")
	w.List(sum.Files == nil, len(sum.Files), func(i int) {
		f := &sum.Files[i]
		w.BeginObject()
		w.Key("name")
		w.Str(f.Name)
		w.Key("size")
		w.Int(int64(f.Size))
		if f.Dir {
			w.Key("dir")
			w.Bool(true)
		}
		w.EndObject()
	})
	w.EndObject()
	return w.Bytes()
}

func jsonInts(w *jsonout.Writer, xs []int) {
	w.List(xs == nil, len(xs), func(i int) { w.Int(int64(xs[i])) })
}

// JSONWriter writes JSON text in one pass, without reflection, byte for
// byte as encoding/json writes the same values (engine/internal/jsonout):
// for the front ends that hand the session's answers on as JSON (the
// browser worker's replies) and cannot import the engine's internal
// packages.
type JSONWriter = jsonout.Writer
