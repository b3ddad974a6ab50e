package state

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// strictJSON checks that b is JSON of exactly the shape of type t before
// encoding/json reads it, because encoding/json forgives what a saved
// workspace must never hold: a missing field becomes its zero value (a key
// without "token" became a session key, and the next save deleted it), a
// null becomes zero ("users": null left an HSM with no users), the last of
// two equal keys wins, a key is matched without regard to case, and
// unknown fields are dropped. Here every field a type writes without
// omitempty must be present, a null is allowed only where Go itself writes
// one (an empty slice or map), keys are unique and known, numbers are
// integers in range, and byte strings are valid base64. The first broken
// rule is named with its path ($.cluster.nodes[0].users[1].name).
func strictJSON(b []byte, t reflect.Type) error {
	sc := &scanner{b: b}
	if err := sc.value(t); err != nil {
		return err
	}
	sc.ws()
	if sc.i != len(sc.b) {
		return errors.New("data after the document")
	}
	return nil
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

// scanner walks the bytes of a document once (encoding/json's Token API
// takes several times as long on a 3,300-key workspace). It keeps the path
// as a stack and spells it out only for an error.
type scanner struct {
	b    []byte
	i    int
	path []string
	buf  []byte // scratch for base64
}

func (s *scanner) where() string { return "$" + strings.Join(s.path, "") }

func (s *scanner) errf(format string, args ...any) error {
	return fmt.Errorf("%s "+format, append([]any{s.where()}, args...)...)
}

func (s *scanner) syntax() error {
	return fmt.Errorf("%s: not valid JSON at byte %d", s.where(), s.i)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// str reads a string and returns its raw content (between the quotes) and
// whether it holds escapes.
func (s *scanner) str() ([]byte, bool, error) {
	if s.peek() != '"' {
		return nil, false, s.syntax()
	}
	s.i++
	start, esc := s.i, false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			return raw, esc, nil
		case c == '\\':
			esc = true
			s.i += 2
		case c < 0x20:
			return nil, false, s.syntax()
		default:
			s.i++
		}
	}
	return nil, false, s.syntax()
}

// key reads an object key, unescaped.
func (s *scanner) key() (string, error) {
	raw, esc, err := s.str()
	if err != nil {
		return "", err
	}
	if !esc {
		return string(raw), nil
	}
	k, ok := unquote(raw)
	if !ok {
		return "", s.syntax()
	}
	return string(k), nil
}

// number reads a number's text.
func (s *scanner) number() ([]byte, error) {
	s.ws()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			s.i++
			continue
		}
		break
	}
	if s.i == start {
		return nil, s.syntax()
	}
	return s.b[start:s.i], nil
}

// sep reads the ',' between members or the closing delimiter; more
// reports whether another member follows.
func (s *scanner) sep(close byte) (more bool, err error) {
	switch s.peek() {
	case ',':
		s.i++
		return true, nil
	case close:
		s.i++
		return false, nil
	}
	return false, s.syntax()
}

func (s *scanner) value(t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	c := s.peek()
	if c == 'n' {
		if !s.literal("null") {
			return s.syntax()
		}
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			return nil
		}
		return s.errf("is null")
	}
	if t == rawMessage {
		return s.skip()
	}
	switch t.Kind() {
	case reflect.Bool:
		if !s.literal("true") && !s.literal("false") {
			return s.errf("is not true or false")
		}
	case reflect.String:
		if c != '"' {
			return s.errf("is not a string")
		}
		if _, _, err := s.str(); err != nil {
			return err
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if c != '-' && (c < '0' || c > '9') {
			return s.errf("is not a number")
		}
		n, err := s.number()
		if err != nil {
			return err
		}
		if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			return s.errf("is not an integer in range")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if c != '-' && (c < '0' || c > '9') {
			return s.errf("is not a number")
		}
		n, err := s.number()
		if err != nil {
			return err
		}
		if _, err := strconv.ParseUint(string(n), 10, t.Bits()); err != nil {
			return s.errf("is not a non-negative integer in range")
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			if c != '"' {
				return s.errf("is not a base64 string")
			}
			raw, esc, err := s.str()
			if err != nil {
				return err
			}
			if esc {
				// encoding/json writes base64 without escapes; decode the
				// string to check what it holds.
				var v []byte
				if json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &v) != nil {
					return s.errf("is not valid base64")
				}
				return nil
			}
			if need := base64.StdEncoding.DecodedLen(len(raw)); cap(s.buf) < need {
				s.buf = make([]byte, need)
			}
			if _, err := base64.StdEncoding.Decode(s.buf[:cap(s.buf)], raw); err != nil {
				return s.errf("is not valid base64")
			}
			return nil
		}
		if c != '[' {
			return s.errf("is not a list")
		}
		s.i++
		if s.peek() == ']' {
			s.i++
			return nil
		}
		for n := 0; ; n++ {
			s.path = append(s.path, "["+strconv.Itoa(n)+"]")
			if err := s.value(t.Elem()); err != nil {
				return err
			}
			s.path = s.path[:len(s.path)-1]
			more, err := s.sep(']')
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
	case reflect.Map:
		if c != '{' {
			return s.errf("is not an object")
		}
		s.i++
		seen := map[string]bool{}
		if s.peek() == '}' {
			s.i++
			return nil
		}
		for {
			k, err := s.key()
			if err != nil {
				return err
			}
			if seen[k] {
				return s.errf("has the key %q twice", k)
			}
			seen[k] = true
			if err := mapKey(k, t.Key()); err != nil {
				return s.errf("has a key %q that %v", k, err)
			}
			if s.peek() != ':' {
				return s.syntax()
			}
			s.i++
			s.path = append(s.path, "."+k)
			if err := s.value(t.Elem()); err != nil {
				return err
			}
			s.path = s.path[:len(s.path)-1]
			more, err := s.sep('}')
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
		}
	case reflect.Struct:
		if c != '{' {
			return s.errf("is not an object")
		}
		s.i++
		fields := jsonFields(t)
		seen := make([]bool, len(fields.names))
		if s.peek() == '}' {
			s.i++
		} else {
			for {
				k, err := s.key()
				if err != nil {
					return err
				}
				f, ok := fields.byName[k]
				if !ok {
					return s.errf("has an unknown field %q", k)
				}
				if seen[f.index] {
					return s.errf("has the field %q twice", k)
				}
				seen[f.index] = true
				if s.peek() != ':' {
					return s.syntax()
				}
				s.i++
				s.path = append(s.path, "."+k)
				if err := s.value(f.typ); err != nil {
					return err
				}
				s.path = s.path[:len(s.path)-1]
				more, err := s.sep('}')
				if err != nil {
					return err
				}
				if !more {
					break
				}
			}
		}
		for _, name := range fields.required {
			if !seen[fields.byName[name].index] {
				return s.errf("has no field %q", name)
			}
		}
	default:
		return s.errf("has no rule for a %v", t)
	}
	return nil
}

// mapKey checks a JSON object key against the Go map's key type.
func mapKey(k string, t reflect.Type) error {
	switch t.Kind() {
	case reflect.String:
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(k, 10, t.Bits())
		if err != nil || strconv.FormatInt(n, 10) != k {
			return errors.New("is not an integer")
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(k, 10, t.Bits())
		if err != nil || strconv.FormatUint(n, 10) != k {
			return errors.New("is not a non-negative integer")
		}
	default:
		return fmt.Errorf("has no rule for %v", t)
	}
	return nil
}

// skip reads past any value, still refusing a key given twice in any
// object inside it.
func (s *scanner) skip() error {
	switch c := s.peek(); {
	case c == '"':
		_, _, err := s.str()
		return err
	case c == '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return nil
		}
		for {
			if err := s.skip(); err != nil {
				return err
			}
			more, err := s.sep(']')
			if err != nil || !more {
				return err
			}
		}
	case c == '{':
		s.i++
		if s.peek() == '}' {
			s.i++
			return nil
		}
		seen := map[string]bool{}
		for {
			k, err := s.key()
			if err != nil {
				return err
			}
			if seen[k] {
				return s.errf("has the key %q twice", k)
			}
			seen[k] = true
			if s.peek() != ':' {
				return s.syntax()
			}
			s.i++
			if err := s.skip(); err != nil {
				return err
			}
			more, err := s.sep('}')
			if err != nil || !more {
				return err
			}
		}
	case c == 't':
		if !s.literal("true") {
			return s.syntax()
		}
	case c == 'f':
		if !s.literal("false") {
			return s.syntax()
		}
	case c == 'n':
		if !s.literal("null") {
			return s.syntax()
		}
	default:
		_, err := s.number()
		return err
	}
	return nil
}

type field struct {
	typ   reflect.Type
	index int
}

type fieldSet struct {
	byName   map[string]field
	names    []string
	required []string
}

var fieldCache sync.Map // reflect.Type -> *fieldSet

// jsonFields lists a struct's JSON fields as encoding/json writes them;
// those without omitempty are required.
func jsonFields(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{byName: map[string]field{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		fs.byName[name] = field{typ: f.Type, index: len(fs.names)}
		fs.names = append(fs.names, name)
		if !strings.Contains(","+opts+",", ",omitempty,") {
			fs.required = append(fs.required, name)
		}
	}
	fieldCache.Store(t, fs)
	return fs
}
