package state

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// A key record is read by hand rather than through encoding/json: with
// 3,300 keys, reflection-based decoding (and the strict pass before it)
// was most of the time a browser spends opening a workspace. The rules are
// strictJSON's for hsm.Object, in one pass: every field written without
// omitempty present, no field twice, no unknown field (nor one differing
// only in case), null only for a list or byte string, integers in range,
// byte strings in base64; strings are unescaped as encoding/json does
// (invalid UTF-8 and lone surrogates become U+FFFD). FuzzKeyRecord holds
// it to the reflection-based reading on every input.

// objectFields are hsm.Object's JSON fields in the order it declares
// them; required marks those written without omitempty.
// TestObjectFieldsMatchTheType compares them with the struct's tags.
var objectFields = [...]struct {
	name     string
	required bool
}{
	{"handle", true}, {"class", true}, {"keyType", true}, {"label", true}, {"id", false},
	{"owner", true}, {"shared", false}, {"mValue", false}, {"manageMValue", false},
	{"token", true}, {"session", false},
	{"private", true}, {"sensitive", true}, {"encrypt", true}, {"decrypt", true}, {"wrap", true},
	{"unwrap", true}, {"sign", true}, {"verify", true}, {"derive", true}, {"local", true},
	{"extractable", true}, {"neverExtractable", true}, {"alwaysSensitive", true},
	{"destroyable", true}, {"trusted", true}, {"wrapWithTrusted", true}, {"notModifiable", false},
	{"valueLen", true}, {"kcv", true}, {"modulus", false}, {"modulusBits", false},
	{"publicExponent", false}, {"curveId", false}, {"parameterSet", false}, {"value", true},
}

// objectFieldPaths are the fields' path elements (".label"), made once.
var objectFieldPaths = func() (p [len(objectFields)]string) {
	for i, f := range objectFields {
		p[i] = "." + f.name
	}
	return p
}()

var objectFieldIndex = func() map[string]int {
	m := make(map[string]int, len(objectFields))
	for i, f := range objectFields {
		m[f.name] = i
	}
	return m
}()

// decodeKeyRecord reads a key record's copies: each node's object, or the
// id of the node whose copy it shares (refs). Nothing is checked against
// the cluster here.
func decodeKeyRecord(data []byte) (full map[int]*hsm.Object, refs map[int]string, err error) {
	s := &scanner{b: data}
	if s.peek() != '{' {
		if s.peek() == 'n' && s.literal("null") {
			// encoding/json reads null into a map as no map at all.
			return nil, nil, trailing(s)
		}
		return nil, nil, s.errf("is not an object")
	}
	s.i++
	full, refs = map[int]*hsm.Object{}, map[int]string{}
	if s.peek() == '}' {
		s.i++
		return full, refs, trailing(s)
	}
	seen := map[int]bool{}
	for {
		k, err := s.key()
		if err != nil {
			return nil, nil, err
		}
		id, kerr := strconv.Atoi(k)
		if kerr != nil || strconv.Itoa(id) != k {
			return nil, nil, s.errf("has a key %q that is not an integer", k)
		}
		if seen[id] {
			return nil, nil, s.errf("has the key %q twice", k)
		}
		seen[id] = true
		if s.peek() != ':' {
			return nil, nil, s.syntax()
		}
		s.i++
		if c := s.peek(); c >= '0' && c <= '9' {
			start := s.i
			n, err := s.number()
			if err != nil {
				return nil, nil, err
			}
			if !validNumber(n) {
				s.i = start
				return nil, nil, s.syntax()
			}
			refs[id] = string(n)
		} else {
			o, err := s.object()
			if err != nil {
				return nil, nil, fmt.Errorf("HSM %d: %w", id, err)
			}
			full[id] = o
		}
		more, err := s.sep('}')
		if err != nil {
			return nil, nil, err
		}
		if !more {
			break
		}
	}
	return full, refs, trailing(s)
}

func trailing(s *scanner) error {
	s.ws()
	if s.i != len(s.b) {
		return errors.New("data after the document")
	}
	return nil
}

// object reads one hsm.Object. Paths in its errors start at the object
// ($.label), as strictJSON's did for a copy.
func (s *scanner) object() (*hsm.Object, error) {
	outer := s.path
	s.path = nil
	defer func() { s.path = outer }()
	c := s.peek()
	if c == 'n' {
		if !s.literal("null") {
			return nil, s.syntax()
		}
		return nil, s.errf("is null")
	}
	if c != '{' {
		return nil, s.errf("is not an object")
	}
	s.i++
	o := &hsm.Object{}
	var seen [len(objectFields)]bool
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			raw, esc, err := s.str()
			if err != nil {
				return nil, err
			}
			if esc {
				u, ok := unquote(raw)
				if !ok {
					return nil, s.syntax()
				}
				raw = u
			}
			f, ok := objectFieldIndex[string(raw)] // no copy of the key
			if !ok {
				return nil, s.errf("has an unknown field %q", raw)
			}
			k := objectFields[f].name
			if seen[f] {
				return nil, s.errf("has the field %q twice", k)
			}
			seen[f] = true
			if s.peek() != ':' {
				return nil, s.syntax()
			}
			s.i++
			s.path = append(s.path[:0], objectFieldPaths[f])
			if err := s.objectField(o, f); err != nil {
				return nil, err
			}
			s.path = s.path[:0]
			more, err := s.sep('}')
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
	}
	for i, f := range objectFields {
		if f.required && !seen[i] {
			return nil, s.errf("has no field %q", f.name)
		}
	}
	return o, nil
}

// objectField reads field f (an index into objectFields) into o.
func (s *scanner) objectField(o *hsm.Object, f int) error {
	var err error
	switch objectFields[f].name {
	case "handle":
		o.Handle, err = s.uintValue()
	case "class":
		var n int
		n, err = s.intValue()
		o.Class = hsm.Class(n)
	case "keyType":
		var n int
		n, err = s.intValue()
		o.KeyType = hsm.KeyType(n)
	case "label":
		o.Label, err = s.stringValue()
	case "id":
		o.KeyID, err = s.stringValue()
	case "owner":
		o.Owner, err = s.intValue()
	case "shared":
		o.Shared, err = s.intsValue()
	case "mValue":
		o.MValue, err = s.intValue()
	case "manageMValue":
		o.ManageMValue, err = s.intValue()
	case "token":
		o.Token, err = s.boolValue()
	case "session":
		o.Session, err = s.stringValue()
	case "private":
		o.Private, err = s.boolValue()
	case "sensitive":
		o.Sensitive, err = s.boolValue()
	case "encrypt":
		o.Encrypt, err = s.boolValue()
	case "decrypt":
		o.Decrypt, err = s.boolValue()
	case "wrap":
		o.Wrap, err = s.boolValue()
	case "unwrap":
		o.Unwrap, err = s.boolValue()
	case "sign":
		o.Sign, err = s.boolValue()
	case "verify":
		o.Verify, err = s.boolValue()
	case "derive":
		o.Derive, err = s.boolValue()
	case "local":
		o.Local, err = s.boolValue()
	case "extractable":
		o.Extractable, err = s.boolValue()
	case "neverExtractable":
		o.NeverExtractable, err = s.boolValue()
	case "alwaysSensitive":
		o.AlwaysSensitive, err = s.boolValue()
	case "destroyable":
		o.Destroyable, err = s.boolValue()
	case "trusted":
		o.Trusted, err = s.boolValue()
	case "wrapWithTrusted":
		o.WrapWithTrusted, err = s.boolValue()
	case "notModifiable":
		o.NotModifiable, err = s.boolValue()
	case "valueLen":
		o.ValueLen, err = s.intValue()
	case "kcv":
		o.KCV, err = s.bytesValue()
	case "modulus":
		o.Modulus, err = s.bytesValue()
	case "modulusBits":
		o.ModulusBits, err = s.intValue()
	case "publicExponent":
		o.PublicExponent, err = s.intValue()
	case "curveId":
		o.CurveID, err = s.intValue()
	case "parameterSet":
		o.ParameterSet, err = s.intValue()
	case "value":
		o.Value, err = s.bytesValue()
	}
	return err
}

// notNull refuses a null where a value is needed.
func (s *scanner) notNull() error {
	if s.peek() == 'n' {
		if !s.literal("null") {
			return s.syntax()
		}
		return s.errf("is null")
	}
	return nil
}

func (s *scanner) boolValue() (bool, error) {
	if err := s.notNull(); err != nil {
		return false, err
	}
	switch {
	case s.literal("true"):
		return true, nil
	case s.literal("false"):
		return false, nil
	}
	return false, s.errf("is not true or false")
}

// integer reads an integer's text: strictJSON's token, and then the JSON
// grammar encoding/json holds it to (no '+', no leading zeros).
func (s *scanner) integer() ([]byte, error) {
	if err := s.notNull(); err != nil {
		return nil, err
	}
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return nil, s.errf("is not a number")
	}
	start := s.i
	n, err := s.number()
	if err != nil {
		return nil, err
	}
	if !validNumber(n) {
		s.i = start
		return nil, s.syntax()
	}
	return n, nil
}

// validNumber reports whether b is a JSON number.
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(b)
}

func (s *scanner) intValue() (int, error) {
	n, err := s.integer()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseInt(string(n), 10, strconv.IntSize)
	if err != nil {
		return 0, s.errf("is not an integer in range")
	}
	return int(v), nil
}

func (s *scanner) uintValue() (uint64, error) {
	n, err := s.integer()
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(string(n), 10, 64)
	if err != nil {
		return 0, s.errf("is not a non-negative integer in range")
	}
	return v, nil
}

func (s *scanner) intsValue() ([]int, error) {
	c := s.peek()
	if c == 'n' {
		if !s.literal("null") {
			return nil, s.syntax()
		}
		return nil, nil
	}
	if c != '[' {
		return nil, s.errf("is not a list")
	}
	s.i++
	out := []int{}
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	base := len(s.path)
	for n := 0; ; n++ {
		s.path = append(s.path[:base], "["+strconv.Itoa(n)+"]")
		v, err := s.intValue()
		if err != nil {
			return nil, err
		}
		s.path = s.path[:base]
		out = append(out, v)
		more, err := s.sep(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
	}
}

func (s *scanner) stringValue() (string, error) {
	if err := s.notNull(); err != nil {
		return "", err
	}
	if s.peek() != '"' {
		return "", s.errf("is not a string")
	}
	raw, esc, err := s.str()
	if err != nil {
		return "", err
	}
	if !esc && utf8.Valid(raw) {
		return string(raw), nil
	}
	out, ok := unquote(raw)
	if !ok {
		return "", s.syntax()
	}
	return string(out), nil
}

// bytesValue reads a base64 byte string (null: none).
func (s *scanner) bytesValue() ([]byte, error) {
	c := s.peek()
	if c == 'n' {
		if !s.literal("null") {
			return nil, s.syntax()
		}
		return nil, nil
	}
	if c != '"' {
		return nil, s.errf("is not a base64 string")
	}
	if out, ok := s.plainBase64(); ok {
		return out, nil
	}
	raw, esc, err := s.str()
	if err != nil {
		return nil, err
	}
	if esc {
		u, ok := unquote(raw)
		if !ok {
			return nil, s.errf("is not valid base64")
		}
		raw = u
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
	n, err := base64.StdEncoding.Decode(out, raw)
	if err != nil {
		return nil, s.errf("is not valid base64")
	}
	return out[:n], nil
}

// plainBase64 is bytesValue's fast path for a string (s at its opening
// quote) that is plain padded base64, as the tools write it: the closing
// quote found with bytes.IndexByte and the text decoded in one step,
// instead of a byte-by-byte scan first. Anything else (an escape, a control
// character, text that is not base64) is left to the full reading: ok is
// false and s has not moved. The decoder skips '\r' and '\n', which JSON
// does not allow raw in a string; one skipped would leave a length that is
// not a multiple of 4 and fail, so skipping any means at least 4 skipped,
// and the output then falls short of the 3-per-4 length by 3 or more bytes,
// more than padding (at most 2) accounts for.
func (s *scanner) plainBase64() ([]byte, bool) {
	rest := s.b[s.i+1:]
	end := bytes.IndexByte(rest, '"')
	if end < 0 || end%4 != 0 {
		return nil, false
	}
	raw := rest[:end]
	out := make([]byte, end/4*3)
	n, err := base64.StdEncoding.Decode(out, raw)
	if err != nil || n < end/4*3-2 {
		return nil, false
	}
	s.i += end + 2
	return out[:n], true
}

// unquote is encoding/json's unescaping of a string's content (between
// the quotes): the escapes JSON defines, a surrogate pair as one rune, a
// lone surrogate or invalid UTF-8 as U+FFFD. ok is false for an escape
// JSON does not define.
func unquote(s []byte) ([]byte, bool) {
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			r++
			if r >= len(s) {
				return nil, false
			}
			switch s[r] {
			case '"', '\\', '/':
				b = append(b, s[r])
				r++
			case 'b':
				b = append(b, '\b')
				r++
			case 'f':
				b = append(b, '\f')
				r++
			case 'n':
				b = append(b, '\n')
				r++
			case 'r':
				b = append(b, '\r')
				r++
			case 't':
				b = append(b, '\t')
				r++
			case 'u':
				r--
				rr := getu4(s[r:])
				if rr < 0 {
					return nil, false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(s[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != utf8.RuneError {
						r += 6
						b = utf8.AppendRune(b, dec)
						break
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
			default:
				return nil, false
			}
		case c == '"' || c < ' ':
			return nil, false
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b, true
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
