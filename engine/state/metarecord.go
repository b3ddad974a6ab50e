package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// The "meta" record is read by hand, like a key record (keyrecord.go), so
// that opening a workspace runs no reflection-based JSON: reflection is
// slow to start in js/wasm, and the record is read on every load. The
// rules and the errors are those of the reading it replaces, checked in
// the same order: the record is JSON (encoding/json's syntax error), its
// "format" and "version" are of their types (encoding/json's type error
// for the two, whose names it matched without regard to case), the format
// and version are this code's, and then the whole record is of exactly the
// shape of meta (strictJSON's rules: every field written without omitempty
// present, none twice, none unknown nor differing only in case, null only
// for a list, a map or a byte string, integers in range, byte strings in
// base64, map keys in their canonical form). FuzzMetaRecord holds it to
// the reflection-based reading on every input: the same error, or the same
// cluster.

// jsonField is one JSON field of a struct the record holds: its name,
// whether it is written without omitempty (and so must be present), and
// its element of an error's path (".name").
type jsonField struct {
	name     string
	required bool
	path     string
}

// table makes a struct's fields from their tags ("name" or
// "name,omitempty").
func table(tags ...string) []jsonField {
	out := make([]jsonField, len(tags))
	for i, t := range tags {
		name, omit := strings.CutSuffix(t, ",omitempty")
		out[i] = jsonField{name: name, required: !omit, path: "." + name}
	}
	return out
}

// The fields of meta, hsm.Cluster, hsm.Node, hsm.User, hsm.TrustAnchor and
// hsm.QuorumToken in the order the types declare them.
// TestMetaFieldsMatchTheTypes compares them with the structs' tags.
var (
	metaFields    = table("format", "version", "cluster")
	clusterFields = table("nodes", "cursor", "quorum,omitempty", "tokens,omitempty", "mtlsEnforcement,omitempty")
	nodeFields    = table("id", "addr", "up", "users", "objects", "trustAnchors,omitempty")
	userFields    = table("id", "type", "name", "password", "failedLogins,omitempty", "quorumPubKey,omitempty", "twoFA,omitempty", "mfaPubKey,omitempty")
	anchorFields  = table("ref", "pem")
	tokenFields   = table("service", "user", "data", "approvals,omitempty")
)

// indexPaths are the path elements of a list's first elements ("[0]").
var indexPaths = func() (p [16]string) {
	for i := range p {
		p[i] = "[" + strconv.Itoa(i) + "]"
	}
	return p
}()

// decodeMeta reads the "meta" record into a cluster (whose nodes' objects
// are whatever the record holds, normally none), or says why not, with the
// whole error fromRecords returns.
func decodeMeta(raw []byte) (*hsm.Cluster, error) {
	format, version, c, shapeErr := (&scanner{b: raw}).metaRecord()
	if shapeErr != nil {
		// What was checked before the shape comes first. A record that is
		// not JSON gets encoding/json's words for it, from its scanner
		// (json.Compact: no reflection), as a refused record only.
		var err error
		if err = json.Compact(&bytes.Buffer{}, raw); err == nil {
			if format, version, err = metaHead(raw); err == nil {
				if err := checkMetaHead(format, version); err != nil {
					return nil, err
				}
				err = shapeErr
			}
		}
		return nil, fmt.Errorf(`workspace is damaged: record "meta" cannot be read: %v`, err)
	}
	if err := checkMetaHead(format, version); err != nil {
		return nil, err
	}
	return c, nil
}

// checkMetaHead refuses another format, and a version this code cannot
// read.
func checkMetaHead(format string, version int) error {
	switch {
	case format != Format:
		return fmt.Errorf(`workspace is damaged: record "meta" is not a hsmsim workspace (format %q)`, format)
	case version > Version:
		return fmt.Errorf("workspace version %d: %w (this one reads up to %d)", version, ErrTooNew, Version)
	case version < 1:
		return fmt.Errorf("workspace version %d is not valid", version)
	}
	return nil
}

// headType is how encoding/json names the struct the format and version
// were read into, in its error for a record that is not an object.
const headType = `struct { Format string "json:\"format\""; Version int "json:\"version\"" }`

// metaHead reads the format and version of a record known to be JSON as
// encoding/json read them into struct{Format string; Version int}: each
// field matched by its name without regard to case (bytes.EqualFold, as
// encoding/json matches), the last of two matches winning, null leaving
// the field as it is, any other field skipped, and the first value of the
// wrong type the error.
func metaHead(raw []byte) (format string, version int, err error) {
	s := &scanner{b: raw}
	typeErr := func(v byte) string {
		switch v {
		case '"':
			return "string"
		case 't', 'f':
			return "bool"
		case '{':
			return "object"
		case '[':
			return "array"
		}
		return "number"
	}
	c := s.peek()
	if c == 'n' {
		return "", 0, nil
	}
	if c != '{' {
		return "", 0, fmt.Errorf("json: cannot unmarshal %s into Go value of type %s", typeErr(c), headType)
	}
	s.i++
	if s.peek() == '}' {
		return "", 0, nil
	}
	for {
		k, err := s.key()
		if err != nil {
			return "", 0, err
		}
		s.peek()
		s.i++ // the colon
		v := s.peek()
		isFormat := bytes.EqualFold([]byte(k), []byte("format"))
		switch {
		case v == 'n' || !isFormat && !bytes.EqualFold([]byte(k), []byte("version")):
			err = s.skipJSON()
		case isFormat && v != '"':
			// The first wrong type is the error: the rest of the record
			// cannot change it.
			return "", 0, fmt.Errorf("json: cannot unmarshal %s into Go struct field .format of type string", typeErr(v))
		case isFormat:
			format, err = s.stringValue()
		case v != '-' && (v < '0' || v > '9'):
			return "", 0, fmt.Errorf("json: cannot unmarshal %s into Go struct field .version of type int", typeErr(v))
		default:
			var n []byte
			if n, err = s.number(); err == nil {
				if version, err = strconv.Atoi(string(n)); err != nil {
					return "", 0, fmt.Errorf("json: cannot unmarshal number %s into Go struct field .version of type int", n)
				}
			}
		}
		if err != nil {
			return "", 0, err
		}
		more, err := s.sep('}')
		if err != nil {
			return "", 0, err
		}
		if !more {
			return format, version, nil
		}
	}
}

// skipJSON reads past one value of a record known to be JSON.
func (s *scanner) skipJSON() error {
	switch s.peek() {
	case '"':
		_, _, err := s.str()
		return err
	case '[', '{':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, err := s.str(); err != nil {
					return err
				}
				continue
			case '[', '{':
				depth++
			case ']', '}':
				depth--
			}
			s.i++
			if depth == 0 {
				return nil
			}
		}
		return s.syntax()
	case 't':
		s.i += len("true")
	case 'f':
		s.i += len("false")
	case 'n':
		s.i += len("null")
	default:
		_, err := s.number()
		return err
	}
	return nil
}

// metaRecord reads the whole record in one pass, refusing it at the first
// rule it breaks (strictJSON's), the record's JSON syntax included.
func (s *scanner) metaRecord() (format string, version int, c *hsm.Cluster, err error) {
	err = s.fields(metaFields, func(f int) error {
		var err error
		switch f {
		case 0:
			format, err = s.stringValue()
		case 1:
			version, err = s.intValue()
		case 2:
			c, err = s.cluster()
		}
		return err
	})
	if err == nil {
		err = trailing(s)
	}
	return format, version, c, err
}

// fields reads an object of the struct whose fields are fs, reading each
// member's value with read (given the field's index in fs); its errors
// are strictJSON's for a struct.
func (s *scanner) fields(fs []jsonField, read func(f int) error) error {
	switch c := s.peek(); c {
	case 'n':
		if !s.literal("null") {
			return s.syntax()
		}
		return s.errf("is null")
	case '{':
		s.i++
	default:
		return s.errf("is not an object")
	}
	var seen uint64 // bit f for field f; no struct here has 64 fields
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			k, esc, err := s.str()
			if err != nil {
				return err
			}
			if esc {
				u, ok := unquote(k)
				if !ok {
					return s.syntax()
				}
				k = u
			}
			f := -1
			for i := range fs {
				if fs[i].name == string(k) {
					f = i
					break
				}
			}
			if f < 0 {
				return s.errf("has an unknown field %q", k)
			}
			if seen&(1<<f) != 0 {
				return s.errf("has the field %q twice", k)
			}
			seen |= 1 << f
			if s.peek() != ':' {
				return s.syntax()
			}
			s.i++
			s.path = append(s.path, fs[f].path)
			if err := read(f); err != nil {
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
	for i, f := range fs {
		if f.required && seen&(1<<i) == 0 {
			return s.errf("has no field %q", f.name)
		}
	}
	return nil
}

// list reads a JSON array, each element with elem; null reports true (no
// list, as encoding/json reads it into a slice).
func (s *scanner) list(elem func() error) (null bool, err error) {
	switch s.peek() {
	case 'n':
		if !s.literal("null") {
			return false, s.syntax()
		}
		return true, nil
	case '[':
		s.i++
	default:
		return false, s.errf("is not a list")
	}
	if s.peek() == ']' {
		s.i++
		return false, nil
	}
	for n := 0; ; n++ {
		if n < len(indexPaths) {
			s.path = append(s.path, indexPaths[n])
		} else {
			s.path = append(s.path, "["+strconv.Itoa(n)+"]")
		}
		if err := elem(); err != nil {
			return false, err
		}
		s.path = s.path[:len(s.path)-1]
		more, err := s.sep(']')
		if err != nil {
			return false, err
		}
		if !more {
			return false, nil
		}
	}
}

// mapObject reads a JSON object that is a Go map, each member with elem (given
// its key, unescaped, once checkKey accepted it); null reports true (no
// map).
func (s *scanner) mapObject(checkKey func(k string) error, elem func(k string) error) (null bool, err error) {
	switch s.peek() {
	case 'n':
		if !s.literal("null") {
			return false, s.syntax()
		}
		return true, nil
	case '{':
		s.i++
	default:
		return false, s.errf("is not an object")
	}
	if s.peek() == '}' {
		s.i++
		return false, nil
	}
	seen := map[string]bool{}
	for {
		k, err := s.key()
		if err != nil {
			return false, err
		}
		if seen[k] {
			return false, s.errf("has the key %q twice", k)
		}
		seen[k] = true
		if err := checkKey(k); err != nil {
			return false, s.errf("has a key %q that %v", k, err)
		}
		if s.peek() != ':' {
			return false, s.syntax()
		}
		s.i++
		s.path = append(s.path, "."+k)
		if err := elem(k); err != nil {
			return false, err
		}
		s.path = s.path[:len(s.path)-1]
		more, err := s.sep('}')
		if err != nil {
			return false, err
		}
		if !more {
			return false, nil
		}
	}
}

// intKey and uintKey are strictJSON's rules for a map's integer key: the
// integer as strconv writes it.
func intKey(k string) (int, error) {
	n, err := strconv.ParseInt(k, 10, strconv.IntSize)
	if err != nil || strconv.FormatInt(n, 10) != k {
		return 0, errors.New("is not an integer")
	}
	return int(n), nil
}

func uintKey(k string) (uint64, error) {
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != k {
		return 0, errors.New("is not a non-negative integer")
	}
	return n, nil
}

// cluster and node build their struct as a value (the cluster's own
// fields are written only through its methods once it is live: this one
// is not yet).
func (s *scanner) cluster() (*hsm.Cluster, error) {
	var c hsm.Cluster
	return &c, s.fields(clusterFields, func(f int) error {
		var err error
		switch f {
		case 0:
			c.Nodes, err = listOf(s, s.node)
		case 1:
			c.Cursor, err = s.uintValue()
		case 2:
			var null bool
			m := map[int]int{}
			null, err = s.mapObject(func(k string) error { _, err := intKey(k); return err }, func(k string) error {
				id, _ := intKey(k)
				v, err := s.intValue()
				m[id] = v
				return err
			})
			if !null {
				c.Quorum = m
			}
		case 3:
			c.Tokens, err = listOf(s, s.quorumToken)
		case 4:
			c.MTLSEnforcement, err = s.stringValue()
		}
		return err
	})
}

// listOf reads a list of elements that elem reads: nil for null, empty for
// [], as encoding/json reads them.
func listOf[T any](s *scanner, elem func() (T, error)) ([]T, error) {
	out := []T{}
	null, err := s.list(func() error {
		v, err := elem()
		out = append(out, v)
		return err
	})
	if null {
		out = nil
	}
	return out, err
}

func (s *scanner) node() (*hsm.Node, error) {
	var n hsm.Node
	return &n, s.fields(nodeFields, func(f int) error {
		var err error
		switch f {
		case 0:
			n.ID, err = s.intValue()
		case 1:
			n.Addr, err = s.stringValue()
		case 2:
			n.Up, err = s.boolValue()
		case 3:
			n.Users, err = listOf(s, s.user)
		case 4:
			n.Objects, err = s.objects()
		case 5:
			n.TrustAnchors, err = listOf(s, s.trustAnchor)
		}
		return err
	})
}

// objects reads a node's objects (none in a record written by
// encodeMeta; a record that holds some is read as a document's are).
func (s *scanner) objects() (map[uint64]*hsm.Object, error) {
	m := map[uint64]*hsm.Object{}
	null, err := s.mapObject(func(k string) error { _, err := uintKey(k); return err }, func(k string) error {
		h, _ := uintKey(k)
		o, err := s.object()
		if err != nil {
			// object's paths start at the object: put this one's in front.
			if msg := err.Error(); strings.HasPrefix(msg, "$") {
				err = errors.New(s.where() + msg[1:])
			}
			return err
		}
		m[h] = o
		return nil
	})
	if null {
		m = nil
	}
	return m, err
}

func (s *scanner) user() (*hsm.User, error) {
	u := &hsm.User{}
	return u, s.fields(userFields, func(f int) error {
		var err error
		switch f {
		case 0:
			u.ID, err = s.intValue()
		case 1:
			var t string
			t, err = s.stringValue()
			u.Type = hsm.Role(t)
		case 2:
			u.Name, err = s.stringValue()
		case 3:
			u.PasswordHash, err = s.stringValue()
		case 4:
			u.FailedLogins, err = s.intValue()
		case 5:
			u.QuorumPubKey, err = s.stringValue()
		case 6:
			u.TwoFA, err = s.boolValue()
		case 7:
			u.MFAPubKey, err = s.stringValue()
		}
		return err
	})
}

func (s *scanner) trustAnchor() (*hsm.TrustAnchor, error) {
	a := &hsm.TrustAnchor{}
	return a, s.fields(anchorFields, func(f int) error {
		var err error
		switch f {
		case 0:
			a.Ref, err = s.intValue()
		case 1:
			a.PEM, err = s.stringValue()
		}
		return err
	})
}

func (s *scanner) quorumToken() (*hsm.QuorumToken, error) {
	t := &hsm.QuorumToken{}
	return t, s.fields(tokenFields, func(f int) error {
		var err error
		switch f {
		case 0:
			t.Service, err = s.intValue()
		case 1:
			t.User, err = s.intValue()
		case 2:
			t.Data, err = s.bytesValue()
		case 3:
			var null bool
			m := map[int][]byte{}
			null, err = s.mapObject(func(k string) error { _, err := intKey(k); return err }, func(k string) error {
				id, _ := intKey(k)
				v, err := s.bytesValue()
				m[id] = v
				return err
			})
			if !null {
				t.Approvals = m
			}
		}
		return err
	})
}
