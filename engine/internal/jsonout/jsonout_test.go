package jsonout

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// oracle is what encoding/json writes for v in w's layout: MarshalIndent
// or Marshal when HTML is escaped, an Encoder with SetEscapeHTML(false)
// when it is not.
func oracle(t testing.TB, v any, indent string, escapeHTML bool) string {
	t.Helper()
	if escapeHTML {
		var b []byte
		var err error
		if indent == "" {
			b, err = json.Marshal(v)
		} else {
			b, err = json.MarshalIndent(v, "", indent)
		}
		require.NoError(t, err)
		return string(b)
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", indent)
	require.NoError(t, e.Encode(v))
	return strings.TrimSuffix(b.String(), "\n")
}

// write writes v, a value of the kinds encoding/json gives the types the
// tests build (map[string]any, []any, string, int64, uint64, bool, nil),
// the members of a map in encoding/json's order: sorted by their keys'
// bytes.
func write(w *Writer, v any) {
	switch x := v.(type) {
	case nil:
		w.Null()
	case string:
		w.Str(x)
	case int64:
		w.Int(x)
	case uint64:
		w.Uint(x)
	case bool:
		w.Bool(x)
	case []any:
		w.BeginArray()
		for _, e := range x {
			write(w, e)
		}
		w.EndArray()
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.BeginObject()
		for _, k := range keys {
			w.Key(k)
			write(w, x[k])
		}
		w.EndObject()
	default:
		panic("unexpected test value")
	}
}

// check compares the Writer's text for v with encoding/json's in each
// layout and escaping.
func check(t testing.TB, v any) {
	t.Helper()
	for _, indent := range []string{"  ", "", "\t"} {
		for _, html := range []bool{true, false} {
			w := &Writer{Indent: indent, EscapeHTML: html}
			write(w, v)
			require.Equal(t, oracle(t, v, indent, html), w.String(), "indent %q, HTML escaped %v", indent, html)
		}
	}
}

func TestStringsAsEncodingJSON(t *testing.T) {
	var cases []string
	for b := range 256 {
		cases = append(cases, string([]byte{byte(b)}), "a"+string([]byte{byte(b)})+"z")
	}
	cases = append(cases, "", "<script>&amp;</script>", "\u2028\u2029", "x\u2028y\u2029z", "\u2027\u202a",
		"\xe2\x80", "\xe2\x80\xa8\xe2", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xff\xfe",
		"日本語", "😀", "\U0010ffff", "\ufffd", "\x7f", "\\\"/", "Hello, \"user\"\n\tdone\r\b\f")
	for _, s := range cases {
		check(t, s)
		check(t, map[string]any{s: s})
		check(t, []any{s, s})
	}
}

func TestValuesAsEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, true, false, int64(0), int64(-1), int64(-1 << 63), int64(1<<63 - 1), uint64(1<<64 - 1),
		[]any{}, map[string]any{}, []any{nil}, []any{[]any{}}, map[string]any{"a": []any{}},
		map[string]any{"a": map[string]any{}}, []any{map[string]any{}, []any{}, nil},
		map[string]any{
			"error_code": int64(0),
			"data": map[string]any{
				"key":  map[string]any{"key-reference": "0x0000000000000001", "attributes": map[string]any{"label": "k", "encrypt": true}},
				"list": []any{map[string]any{"username": "admin"}, map[string]any{"username": "cu1", "mfa": []any{}}},
				"n":    int64(3),
				"none": nil,
			},
		},
	} {
		check(t, v)
	}
}

// TestDeepAsEncodingJSON nests deeper than the Writer's first run of
// indentation reaches.
func TestDeepAsEncodingJSON(t *testing.T) {
	var v any = "leaf"
	for i := range 40 {
		if i%2 == 0 {
			v = []any{v, int64(i)}
		} else {
			v = map[string]any{"k": v, "n": nil}
		}
		check(t, v)
	}
}

// TestResetAndGrow writes a second value in the same Writer; growing the
// buffer midway keeps what was written.
func TestResetAndGrow(t *testing.T) {
	w := &Writer{Indent: "  "}
	w.BeginObject()
	w.Key("a")
	w.Grow(1000)
	require.GreaterOrEqual(t, cap(w.Bytes())-len(w.Bytes()), 1000)
	require.Equal(t, "{\n  \"a\": ", w.String())
	w.BeginArray()
	w.EndArray()
	w.EndObject()
	w.Reset()
	w.BeginArray()
	w.Int(1)
	w.EndArray()
	require.Equal(t, "[\n  1\n]", w.String())
}

// value decodes a value from fuzz input: a kind byte, then what that kind
// needs. Objects and arrays hold up to 7 members or elements and nest at
// most 6 deep; input that runs out ends the value as null.
func value(in []byte, depth int) (any, []byte) {
	if len(in) == 0 {
		return nil, in
	}
	kind, in := in[0], in[1:]
	switch kind % 8 {
	case 0:
		return str(in)
	case 1, 2:
		if len(in) < 8 {
			return nil, nil
		}
		n := binary.LittleEndian.Uint64(in)
		if kind%8 == 1 {
			return int64(n), in[8:]
		}
		return n, in[8:]
	case 3:
		return kind&8 != 0, in
	case 5:
		if depth == 6 {
			return nil, in
		}
		m := map[string]any{}
		for range kind >> 5 {
			var k string
			var v any
			k, in = str(in)
			v, in = value(in, depth+1)
			m[k] = v
		}
		return m, in
	case 6:
		if depth == 6 {
			return nil, in
		}
		a := []any{}
		for range kind >> 5 {
			var v any
			v, in = value(in, depth+1)
			a = append(a, v)
		}
		return a, in
	}
	return nil, in
}

// str is a string of up to 255 bytes: its length, then its bytes.
func str(in []byte) (string, []byte) {
	if len(in) == 0 {
		return "", in
	}
	n := min(int(in[0]), len(in)-1)
	return string(in[1 : 1+n]), in[1+n:]
}

// FuzzAsEncodingJSON compares the Writer's text with encoding/json's for
// arbitrary strings, in every layout and escaping, and for arbitrary
// values built from the input.
func FuzzAsEncodingJSON(f *testing.F) {
	f.Add([]byte("hello"), []byte{0})
	f.Add([]byte("<a href=\"x\">&\u2028\xff</a>\n"), []byte{5 | 3<<5, 1, 'a', 0, 2, 'h', 'i', 1, 'b', 6 | 2<<5, 3 | 8, 4, 1, 'c', 1, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0xed, 0xa0, 0x80, 0xe2, 0x80}, []byte{6 | 7<<5, 6, 5, 6 | 1<<5, 4, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, s []byte, tree []byte) {
		check(t, string(s))
		check(t, map[string]any{string(s): []any{string(s)}})
		if !utf8.Valid(s) {
			check(t, strings.ToValidUTF8(string(s), "\u2028"))
		}
		v, _ := value(tree, 0)
		check(t, v)
	})
}

func checkFloat(t testing.TB, f float64) {
	want, err := json.Marshal(f)
	require.NoError(t, err)
	var w Writer
	w.Float(f)
	require.Equal(t, string(want), w.String(), "%v", f)
}

// Floats are written as encoding/json writes them, in both forms and at
// the edges between them; NaN and the infinities as null.
func TestFloatsAsEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 0.001, 12.345, 1e-6, 9.99999e-7, 1e-7, 1.5e-9, 1e20, 1e21, 9.999999999999999e20, -1e21,
		123456789012345678, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3, 1e-300, 5e-324} {
		checkFloat(t, f)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		var w Writer
		w.Float(f)
		require.Equal(t, "null", w.String())
	}
}

// FuzzFloat: any float64 but NaN and the infinities is written as
// encoding/json writes it.
func FuzzFloat(f *testing.F) {
	f.Add(uint64(0))
	f.Add(math.Float64bits(1e-7))
	f.Add(math.Float64bits(1e21))
	f.Add(math.Float64bits(0.123))
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		checkFloat(t, v)
	})
}

// List writes a slice as encoding/json does: nil as null, empty as [].
func TestListIsASlice(t *testing.T) {
	for _, xs := range [][]int{nil, {}, {1}, {4, -2, 7}} {
		var w Writer
		w.List(xs == nil, len(xs), func(i int) { w.Int(int64(xs[i])) })
		want, err := json.Marshal(xs)
		require.NoError(t, err)
		require.Equal(t, string(want), w.String(), "%#v", xs)
	}
}
