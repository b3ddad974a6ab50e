package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// obj is a JSON object whose keys keep the order the pages print them in.
type obj []field

type field struct {
	k string
	v any
}

// MarshalJSON writes the fields in order.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// reply is the envelope every command prints: {"error_code": N, "data": …},
// indented by two spaces as the pages show.
func reply(code int, data any) string {
	raw, err := marshal(obj{{"error_code", code}, {"data", data}})
	if err != nil {
		raw, _ = marshal(obj{{"error_code", 1}, {"data", fmt.Sprintf("internal error: %v", err)}})
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw) + "\n"
	}
	return b.String() + "\n"
}
