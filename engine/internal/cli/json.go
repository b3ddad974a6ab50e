package cli

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/jsonout"
)

// obj is a JSON object whose keys keep the order the pages print them in.
type obj []field

type field struct {
	k string
	v any
}

// reply is the envelope every command prints: {"error_code": N, "data": …},
// indented by two spaces as the pages show, in one pass of jsonout's
// writer. Strings are not HTML-escaped (a label prints its < and > as
// they are); the keys are the pages' fixed names. data holds only the
// kinds writeValue writes: anything else is a fault of the command and
// prints as an internal error.
func reply(code int, data any) string {
	w := jsonout.Writer{Indent: "  "}
	w.Grow(replySize)
	envelope(&w, code)
	if err := writeValue(&w, data); err != nil {
		w.Reset()
		envelope(&w, 1)
		w.Str("internal error: " + err.Error())
	}
	w.EndObject()
	return string(append(w.Bytes(), '\n'))
}

// replySize is room for most replies at once: a key pair's is 2.6 KB,
// a message's under 100 bytes, 20 keys of key list --verbose 7 KB.
const replySize = 4096

// envelope opens the reply's object up to the value of its data.
func envelope(w *jsonout.Writer, code int) {
	w.BeginObject()
	w.Key("error_code")
	w.Int(int64(code))
	w.Key("data")
}

// writeValue writes a reply's value: an obj, a []any (nil is null), a
// string, a bool, an int or nil.
func writeValue(w *jsonout.Writer, v any) error {
	switch x := v.(type) {
	case nil:
		w.Null()
	case string:
		w.Str(x)
	case bool:
		w.Bool(x)
	case int:
		w.Int(int64(x))
	case obj:
		w.BeginObject()
		for _, f := range x {
			w.Key(f.k)
			if err := writeValue(w, f.v); err != nil {
				return err
			}
		}
		w.EndObject()
	case []any:
		if x == nil {
			w.Null()
			return nil
		}
		w.BeginArray()
		for _, e := range x {
			if err := writeValue(w, e); err != nil {
				return err
			}
		}
		w.EndArray()
	default:
		return fmt.Errorf("a reply cannot hold a %T", v)
	}
	return nil
}
