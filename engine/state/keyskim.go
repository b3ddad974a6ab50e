package state

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// A workspace read from the browser's records decodes each key's record
// at the key's first use (hsm.Cluster.DeferKeys). What opening it still
// reads of every key record is its top level, skimmed: which HSMs hold a
// copy of the key, and that each copy is an object or names another HSM's
// object. That is what the cluster needs to count, list and allocate
// handles without decoding a key; the copies themselves are decoded, and
// checked against every rule, by decodeDeferred when a command first
// reaches the key.

// errNoCopy is a key record that names no HSM at all.
var errNoCopy = errors.New("holds no copy of the key")

// maxNodeBit is the highest node id a record's node set can name (the
// set is a uint32; a cluster has at most 28 HSMs, Check).
const maxNodeBit = 31

// skimKeyRecord reads the top level of a key record ({"0": {...}, "1": 0})
// and returns the set of nodes it holds a copy for, without decoding the
// copies: an object's extent is found by its brackets and strings alone.
// Its errors are decodeKeyRecord's for the same faults.
func skimKeyRecord(data []byte) (uint32, error) {
	s := &scanner{b: data}
	if s.peek() != '{' {
		if s.peek() == 'n' && s.literal("null") {
			if err := trailing(s); err != nil {
				return 0, err
			}
			return 0, errNoCopy
		}
		return 0, s.errf("is not an object")
	}
	s.i++
	var full, all uint32
	var refBuf [4][2]int // a cluster's usual few HSMs, without an allocation
	refs := refBuf[:0]
	if s.peek() == '}' {
		s.i++
		if err := trailing(s); err != nil {
			return 0, err
		}
		return 0, errNoCopy
	}
	for {
		id, err := s.nodeKey()
		if err != nil {
			return 0, err
		}
		if id < 0 || id > maxNodeBit {
			return 0, fmt.Errorf("names HSM %d, which the cluster does not have", id)
		}
		if all&(1<<id) != 0 {
			return 0, s.errf("has the key %q twice", strconv.Itoa(id))
		}
		all |= 1 << id
		if s.peek() != ':' {
			return 0, s.syntax()
		}
		s.i++
		if c := s.peek(); c >= '0' && c <= '9' {
			start := s.i
			n, err := s.number()
			if err != nil {
				return 0, err
			}
			if !validNumber(n) {
				s.i = start
				return 0, s.syntax()
			}
			ref, err := strconv.Atoi(string(n))
			if err != nil {
				ref = -1
			}
			refs = append(refs, [2]int{id, ref})
		} else {
			if err := s.skimObject(); err != nil {
				return 0, fmt.Errorf("HSM %d: %w", id, err)
			}
			full |= 1 << id
		}
		more, err := s.sep('}')
		if err != nil {
			return 0, err
		}
		if !more {
			break
		}
	}
	if err := trailing(s); err != nil {
		return 0, err
	}
	for _, r := range refs {
		if r[1] < 0 || r[1] > maxNodeBit || full&(1<<r[1]) == 0 {
			return 0, fmt.Errorf("gives HSM %d the copy of HSM %d, which holds none", r[0], r[1])
		}
	}
	return all, nil
}

// skimObject reads past one JSON object, finding its end by its brackets
// and strings; what is inside is read when the copy is decoded.
func (s *scanner) skimObject() error {
	switch s.peek() {
	case '{':
	case 'n':
		if !s.literal("null") {
			return s.syntax()
		}
		return s.errf("is null")
	default:
		return s.errf("is not an object")
	}
	depth := 0
	for s.i < len(s.b) {
		switch c := s.b[s.i]; c {
		case '"':
			if err := s.skimString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				if c != '}' {
					return s.syntax()
				}
				s.i++
				return nil
			}
		}
		s.i++
	}
	return s.syntax()
}

// skimString reads past the string at s.i to its closing quote, found
// with bytes.IndexByte (assembly in js/wasm too) rather than byte by byte:
// a key's base64 material is most of a record's bytes. What the string
// holds is checked when the copy is decoded.
func (s *scanner) skimString() error {
	open := s.i
	i := open + 1
	for {
		j := bytes.IndexByte(s.b[i:], '"')
		if j < 0 {
			s.i = len(s.b)
			return s.syntax()
		}
		i += j
		// The quote ends the string unless an odd number of backslashes
		// stands before it.
		k := i - 1
		for k > open && s.b[k] == '\\' {
			k--
		}
		if (i-1-k)%2 == 0 {
			s.i = i + 1
			return nil
		}
		i++
	}
}

// deferKeyRecord is one key record as opening leaves it: its handle
// checked against its name and its node set against the cluster.
func deferKeyRecord(c *hsm.Cluster, key string, data []byte) (uint64, hsm.KeyRecord, error) {
	h, err := strconv.ParseUint(key[len(KeyPrefix):], 10, 64)
	if err != nil || KeyRecord(h) != key {
		return 0, hsm.KeyRecord{}, errors.New("does not name a key handle")
	}
	nodes, err := skimKeyRecord(data)
	if errors.Is(err, errNoCopy) {
		return 0, hsm.KeyRecord{}, err
	}
	if err != nil {
		return 0, hsm.KeyRecord{}, fmt.Errorf("cannot be read: %v", err)
	}
	for id := 0; id <= maxNodeBit; id++ {
		if nodes&(1<<id) != 0 && c.Node(id) == nil {
			return 0, hsm.KeyRecord{}, fmt.Errorf("names HSM %d, which the cluster does not have", id)
		}
	}
	return h, hsm.KeyRecord{Data: data, Nodes: nodes}, nil
}

// decodeDeferred is the hsm.KeyDecoder of a workspace read from records:
// key h's record decoded as opening once decoded it, and each copy held to
// the rules Check and checkSavedKeys hold a loaded key to. Its error is
// the one opening would have refused the workspace with.
func decodeDeferred(c *hsm.Cluster, h uint64, data []byte) (map[int]*hsm.Object, error) {
	key := KeyRecord(h)
	_, copies, err := decodeKey(c, key, data)
	if err != nil {
		return nil, fmt.Errorf("workspace is damaged: record %q %v", key, err)
	}
	for _, id := range slices.Sorted(maps.Keys(copies)) {
		o := copies[id]
		if err := checkKey(c.Node(id), h, o); err != nil {
			return nil, fmt.Errorf("workspace is damaged: %v", err)
		}
		if o.Session != "" {
			return nil, fmt.Errorf("workspace is damaged: HSM %d: key %d is a session key, which is never saved", id, h)
		}
	}
	return copies, nil
}
