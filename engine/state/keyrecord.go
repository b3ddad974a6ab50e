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

// The indexes of objectFields, for objectField's switch.
const (
	fHandle = iota
	fClass
	fKeyType
	fLabel
	fId
	fOwner
	fShared
	fMValue
	fManageMValue
	fToken
	fSession
	fPrivate
	fSensitive
	fEncrypt
	fDecrypt
	fWrap
	fUnwrap
	fSign
	fVerify
	fDerive
	fLocal
	fExtractable
	fNeverExtractable
	fAlwaysSensitive
	fDestroyable
	fTrusted
	fWrapWithTrusted
	fNotModifiable
	fValueLen
	fKcv
	fModulus
	fModulusBits
	fPublicExponent
	fCurveId
	fParameterSet
	fValue
)

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
	for {
		id, err := s.nodeKey()
		if err != nil {
			return nil, nil, err
		}
		_, inFull := full[id]
		if _, inRefs := refs[id]; inFull || inRefs {
			return nil, nil, s.errf("has the key %q twice", strconv.Itoa(id))
		}
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

// nodeKey reads a key of a record's object, a node id: an integer in its
// canonical form ("0", "12", "-1"; not "00" or "+1").
func (s *scanner) nodeKey() (int, error) {
	raw, esc, err := s.str()
	if err != nil {
		return 0, err
	}
	if !esc {
		// The common case, without a string per key.
		if v, ok := smallInt(raw); ok && int64(int(v)) == v && canonicalInt(raw) {
			return int(v), nil
		}
	}
	k := string(raw)
	if esc {
		u, ok := unquote(raw)
		if !ok {
			return 0, s.syntax()
		}
		k = string(u)
	}
	id, kerr := strconv.Atoi(k)
	if kerr != nil || strconv.Itoa(id) != k {
		return 0, s.errf("has a key %q that is not an integer", k)
	}
	return id, nil
}

// canonicalInt reports whether digits (after smallInt read them) are an
// integer as strconv.Itoa writes it: no leading zero, no "-0".
func canonicalInt(b []byte) bool {
	d := b
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
		if len(d) == 1 && d[0] == '0' {
			return false
		}
	}
	return len(d) == 1 || d[0] != '0'
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
	next := 0
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
			// The tools write the fields in the type's order: the one after
			// the last is tried before the table (no hashing per field).
			f := next
			if f >= len(objectFields) || objectFields[f].name != string(raw) {
				var ok bool
				if f, ok = objectFieldIndex[string(raw)]; !ok { // no copy of the key
					return nil, s.errf("has an unknown field %q", raw)
				}
			}
			next = f + 1
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
	switch f {
	case fHandle:
		o.Handle, err = s.uintValue()
	case fClass:
		var n int
		n, err = s.intValue()
		o.Class = hsm.Class(n)
	case fKeyType:
		var n int
		n, err = s.intValue()
		o.KeyType = hsm.KeyType(n)
	case fLabel:
		o.Label, err = s.stringValue()
	case fId:
		o.KeyID, err = s.stringValue()
	case fOwner:
		o.Owner, err = s.intValue()
	case fShared:
		o.Shared, err = s.intsValue()
	case fMValue:
		o.MValue, err = s.intValue()
	case fManageMValue:
		o.ManageMValue, err = s.intValue()
	case fToken:
		o.Token, err = s.boolValue()
	case fSession:
		o.Session, err = s.stringValue()
	case fPrivate:
		o.Private, err = s.boolValue()
	case fSensitive:
		o.Sensitive, err = s.boolValue()
	case fEncrypt:
		o.Encrypt, err = s.boolValue()
	case fDecrypt:
		o.Decrypt, err = s.boolValue()
	case fWrap:
		o.Wrap, err = s.boolValue()
	case fUnwrap:
		o.Unwrap, err = s.boolValue()
	case fSign:
		o.Sign, err = s.boolValue()
	case fVerify:
		o.Verify, err = s.boolValue()
	case fDerive:
		o.Derive, err = s.boolValue()
	case fLocal:
		o.Local, err = s.boolValue()
	case fExtractable:
		o.Extractable, err = s.boolValue()
	case fNeverExtractable:
		o.NeverExtractable, err = s.boolValue()
	case fAlwaysSensitive:
		o.AlwaysSensitive, err = s.boolValue()
	case fDestroyable:
		o.Destroyable, err = s.boolValue()
	case fTrusted:
		o.Trusted, err = s.boolValue()
	case fWrapWithTrusted:
		o.WrapWithTrusted, err = s.boolValue()
	case fNotModifiable:
		o.NotModifiable, err = s.boolValue()
	case fValueLen:
		o.ValueLen, err = s.intValue()
	case fKcv:
		o.KCV, err = s.bytesValue()
	case fModulus:
		o.Modulus, err = s.bytesValue()
	case fModulusBits:
		o.ModulusBits, err = s.intValue()
	case fPublicExponent:
		o.PublicExponent, err = s.intValue()
	case fCurveId:
		o.CurveID, err = s.intValue()
	case fParameterSet:
		o.ParameterSet, err = s.intValue()
	case fValue:
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

// smallInt reads the text of a JSON integer of at most 18 digits (any
// other goes to strconv), without the string strconv needs (an allocation
// per field, some 30,000 for 3,300 keys).
func smallInt(n []byte) (int64, bool) {
	neg := len(n) > 0 && n[0] == '-'
	d := n
	if neg {
		d = n[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

func (s *scanner) intValue() (int, error) {
	n, err := s.integer()
	if err != nil {
		return 0, err
	}
	if v, ok := smallInt(n); ok && int64(int(v)) == v {
		return int(v), nil
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
	if v, ok := smallInt(n); ok && n[0] != '-' {
		return uint64(v), nil
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
