package main

import "github.com/hsmsim/hsmsim/engine/shell"

// appendJSON writes the reply to opening (or reloading, or rolling back)
// a workspace, byte for byte what json.Marshal writes for it, without
// reflection: it is the engine's answer on the way to the first prompt.
// TestOpenedJSONIsJSONMarshal and FuzzOpenedJSON hold it to json.Marshal.
func (o opened) appendJSON() []byte {
	w := shell.JSONWriter{EscapeHTML: true}
	w.BeginObject()
	w.Key("prompt")
	w.Str(o.Prompt)
	w.Key("mode")
	w.Str(o.Mode)
	if o.Rewrite {
		w.Key("rewrite")
		w.Bool(true)
	}
	w.EndObject()
	return w.Bytes()
}

// openedJSON is the reply to the worker's open, reload and rollback: the
// JSON text of o.
func openedJSON(o opened, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return string(o.appendJSON()), nil
}

// appendJSON writes the answer to a line (the reply, the line as history
// keeps it, the engine's time), byte for byte what json.Marshal writes for
// it, without reflection: the first command's answer too.
// TestExecResultJSONIsJSONMarshal holds it to json.Marshal.
func (r *execResult) appendJSON() []byte {
	w := shell.JSONWriter{EscapeHTML: true}
	w.BeginObject()
	r.Reply.WriteJSONFields(&w)
	w.Key("masked")
	w.Str(r.Masked)
	w.Key("engineMs")
	w.Float(r.EngineMs)
	w.EndObject()
	return w.Bytes()
}
