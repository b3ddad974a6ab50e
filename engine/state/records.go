package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// The record form of a workspace splits the state document into small
// records, so that a store with cheap per-record writes (the browser's
// IndexedDB) can save a command by writing only what it changed: with 3,300
// keys a whole document is megabytes, one key's record is a few kilobytes.
//
// Record keys:
//
//	"meta"       the cluster without its objects (format, version, nodes with
//	             id, address, state and users, cursor, quorum, tokens)
//	"k/<handle>" every node's copy of that token key: {"<node id>": object},
//	             or the id of a lower node whose copy is the same
//	             ({"0": object, "1": 0, "2": 0})
//	"f/<name>"   the bytes of one file
const (
	MetaKey   = "meta"
	KeyPrefix = "k/"
	// FilePrefix starts the key of a file's record.
	FilePrefix = "f/"
)

// meta is the "meta" record.
type meta struct {
	Format  string       `json:"format"`
	Version int          `json:"version"`
	Cluster *hsm.Cluster `json:"cluster"`
}

// KeyRecord names the record of token key h.
func KeyRecord(h uint64) string { return KeyPrefix + strconv.FormatUint(h, 10) }

// FileRecord names the record of a file.
func FileRecord(name string) string { return FilePrefix + name }

// Records splits a workspace into records (session keys are left out, as in
// Encode).
func Records(c *hsm.Cluster, files map[string][]byte) (map[string][]byte, error) {
	if err := c.DecodeAll(); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	m, err := encodeMeta(c)
	if err != nil {
		return nil, err
	}
	out[MetaKey] = m
	for h := range tokenHandles(c) {
		b, err := encodeKey(c, h)
		if err != nil {
			return nil, err
		}
		out[KeyRecord(h)] = b
	}
	for name, data := range files {
		out[FileRecord(name)] = slices.Clone(data)
	}
	return out, nil
}

// encodeMeta writes the "meta" record (appendMeta, metawrite.go).
func encodeMeta(c *hsm.Cluster) ([]byte, error) {
	return appendMeta(c), nil
}

// encodeKey writes every node's token copy of handle h. A copy that is
// byte for byte the same as a lower node's is written as that node's id
// ({"0": {...}, "1": 0, "2": 0}): the HSMs of a cluster in sync hold the
// same copies, and storing and decoding each once makes the records a third
// of the size and loading 3,300 keys much faster.
func encodeKey(c *hsm.Cluster, h uint64) ([]byte, error) {
	copies := map[int]json.RawMessage{}
	var ids []int
	var full [][]byte
	for _, n := range c.Nodes {
		o, ok := n.Object(h)
		if !ok || !o.Token {
			continue
		}
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		ref := -1
		for i, prev := range full {
			if bytes.Equal(prev, b) {
				ref = ids[i]
				break
			}
		}
		if ref >= 0 {
			copies[n.ID] = json.RawMessage(strconv.Itoa(ref))
			continue
		}
		copies[n.ID] = b
		ids, full = append(ids, n.ID), append(full, b)
	}
	return json.Marshal(copies)
}

// tokenHandles maps each token key's handle to the set of nodes holding it
// (bit i for node i; a cluster has at most 28 nodes).
func tokenHandles(c *hsm.Cluster) map[uint64]uint32 {
	out := map[uint64]uint32{}
	for _, n := range c.Nodes {
		if n.ID < 0 || n.ID >= 32 {
			continue
		}
		n.EachTokenHandle(func(h uint64) { out[h] |= 1 << n.ID })
	}
	return out
}

// FromRecords rebuilds a workspace from its records, checking it as Decode
// checks a document: a newer version is refused with ErrTooNew, a record
// that cannot be read is named in the error, and the cluster must pass
// Check. Nothing of a refused workspace is returned. One rule waits: that
// each key's material agrees with its attributes is checked when a command
// first uses the key (hsm.Cluster.DeferMaterialCheck), so that opening
// thousands of keys parses none of them; CheckAllMaterial runs it at once.
func FromRecords(recs map[string][]byte) (*hsm.Cluster, map[string][]byte, error) {
	return fromRecords(recs, false)
}

// fromRecords is FromRecords; eager checks every key's material on load.
func fromRecords(recs map[string][]byte, eager bool) (*hsm.Cluster, map[string][]byte, error) {
	raw, ok := recs[MetaKey]
	if !ok {
		return nil, nil, errors.New(`workspace is damaged: record "meta" is missing`)
	}
	c, err := decodeMeta(raw)
	if err != nil {
		return nil, nil, err
	}
	for i, n := range c.Nodes {
		if n == nil {
			return nil, nil, fmt.Errorf(`workspace is damaged: record "meta": HSM %d is missing`, i)
		}
	}
	c.EmptyObjects()
	// The nodes and users first, so that a key record is read against a
	// cluster known to be sound.
	if err := Check(c); err != nil {
		return nil, nil, fmt.Errorf(`workspace is damaged: record "meta": %v`, err)
	}
	files := map[string][]byte{}
	// In the map's order, not sorted (sorting thousands of record keys is
	// a noticeable part of opening a large workspace in wasm); each
	// record's error depends on that record alone, so the one named is the
	// first in key order, the same every time.
	badKey, badErr := "", error(nil)
	var pending map[uint64]hsm.KeyRecord
	if !eager {
		pending = make(map[uint64]hsm.KeyRecord, len(recs))
	}
	for key, data := range recs {
		if key == MetaKey || (badErr != nil && key > badKey) {
			continue
		}
		if err := addRecord(c, files, pending, key, data); err != nil {
			badKey, badErr = key, err
		}
	}
	if badErr != nil {
		return nil, nil, fmt.Errorf("workspace is damaged: record %q %v", badKey, badErr)
	}
	check := checkSavedKeys
	if eager {
		check = checkSaved
	} else {
		c.DeferKeys(pending, decodeDeferred)
	}
	if err := check(c); err != nil {
		return nil, nil, fmt.Errorf("workspace is damaged: %v", err)
	}
	c.DropSession("")
	if !eager {
		c.DeferMaterialCheck(checkMaterial)
	}
	return c, files, nil
}

// CheckAllMaterial runs the material checks FromRecords left for first
// use, naming the first key that fails.
func CheckAllMaterial(c *hsm.Cluster) error {
	if err := c.CheckAllMaterial(); err != nil {
		return fmt.Errorf("workspace is damaged: %v", err)
	}
	return nil
}

// addRecord reads one key or file record into c and files, or changes
// nothing and says why not. With pending, a key record is only skimmed
// and kept there, undecoded, for hsm.Cluster.DeferKeys; its data is kept
// as it is, not copied.
func addRecord(c *hsm.Cluster, files map[string][]byte, pending map[uint64]hsm.KeyRecord, key string, data []byte) error {
	switch {
	case strings.HasPrefix(key, KeyPrefix) && pending != nil:
		h, r, err := deferKeyRecord(c, key, data)
		if err != nil {
			return err
		}
		pending[h] = r
	case strings.HasPrefix(key, KeyPrefix):
		_, copies, err := decodeKey(c, key, data)
		if err != nil {
			return err
		}
		for id, o := range copies {
			c.PutObject(id, o)
		}
	case strings.HasPrefix(key, FilePrefix):
		name := key[len(FilePrefix):]
		if _, dir, err := vfs.CleanStored(name); err != nil {
			return errors.New("does not name a valid file")
		} else if dir && len(data) != 0 {
			return errors.New("is a folder holding content")
		}
		if len(data) > vfs.MaxFileSize {
			return errors.New("holds a file that is too large")
		}
		files[name] = slices.Clone(data)
	default:
		return errors.New("is of no known kind")
	}
	return nil
}

func decodeKey(c *hsm.Cluster, key string, data []byte) (uint64, map[int]*hsm.Object, error) {
	h, err := strconv.ParseUint(key[len(KeyPrefix):], 10, 64)
	if err != nil || KeyRecord(h) != key {
		return 0, nil, errors.New("does not name a key handle")
	}
	full, refs, err := decodeKeyRecord(data)
	if err != nil {
		return 0, nil, fmt.Errorf("cannot be read: %v", err)
	}
	if len(full)+len(refs) == 0 {
		return 0, nil, errors.New("holds no copy of the key")
	}
	copies := make(map[int]*hsm.Object, len(full)+len(refs))
	for id, o := range full {
		copies[id] = o
	}
	for id, r := range refs {
		ref, err := strconv.Atoi(r)
		src := full[ref]
		if err != nil || src == nil {
			return 0, nil, fmt.Errorf("gives HSM %d the copy of HSM %s, which holds none", id, r)
		}
		copies[id] = src.CloneSharingMaterial()
	}
	// In node order, so that the HSM named is the same every time.
	for _, id := range slices.Sorted(maps.Keys(copies)) {
		o := copies[id]
		if c.Node(id) == nil {
			return 0, nil, fmt.Errorf("names HSM %d, which the cluster does not have", id)
		}
		if o == nil || o.Handle != h || !o.Token {
			return 0, nil, fmt.Errorf("holds an invalid copy for HSM %d", id)
		}
	}
	return h, copies, nil
}

// Salvage reads what can be read of a damaged workspace: the records that
// decode on their own, and the keys of those left out, so that a user can
// export the rest instead of losing all of it. Only a damaged "meta" record
// (or a cluster that still breaks a limit) leaves nothing to salvage.
func Salvage(recs map[string][]byte) (*hsm.Cluster, map[string][]byte, []string, error) {
	if c, files, err := FromRecords(recs); err == nil {
		return c, files, nil, nil
	}
	only := map[string][]byte{}
	if raw, ok := recs[MetaKey]; ok {
		only[MetaKey] = raw
	}
	c, _, err := FromRecords(only)
	if err != nil {
		return nil, nil, nil, err
	}
	files := map[string][]byte{}
	var skipped []string
	for _, key := range slices.Sorted(maps.Keys(recs)) {
		if key == MetaKey {
			continue
		}
		if addRecord(c, files, nil, key, recs[key]) != nil {
			skipped = append(skipped, key)
		}
	}
	if err := Check(c); err != nil {
		return nil, nil, nil, fmt.Errorf("workspace is damaged: %v", err)
	}
	c.DropSession("")
	return c, files, skipped, nil
}

// Tracker remembers what the last save wrote, so that the next save writes
// only the records that changed: the meta record (always; it is small), the
// keys the cluster recorded changing since (hsm.Cluster.ChangesSince: made,
// changed in place, destroyed, on any node, whichever tool or command did
// it), and files whose content changed.
//
// Delta computes a save; Saved records that the caller committed it. A save
// that failed (a full disk) is simply not marked, and the next Delta still
// includes everything the failed one held.
type Tracker struct {
	mark  hsm.Mark            // the cluster's mark at the last committed save
	keys  map[uint64]bool     // token handles that have a record, as saved
	files map[string][32]byte // file name -> SHA-256 of its content, as saved

	pending   bool
	pendMark  hsm.Mark
	pendKeys  map[uint64]bool
	pendFiles map[string][32]byte
}

// NewTracker starts tracking from a workspace that is saved as it is now
// (just loaded, or just written in full).
func NewTracker(c *hsm.Cluster, files map[string][]byte) *Tracker {
	keys := map[uint64]bool{}
	for h := range tokenHandles(c) {
		keys[h] = true
	}
	return &Tracker{mark: c.Mark(), keys: keys, files: hashFiles(files)}
}

func hashFiles(files map[string][]byte) map[string][32]byte {
	out := make(map[string][32]byte, len(files))
	for n, b := range files {
		out[n] = sha256.Sum256(b)
	}
	return out
}

// Delta returns the records to write and the record keys to delete so that
// the store holds the workspace as it is now.
func (t *Tracker) Delta(c *hsm.Cluster, files map[string][]byte) (map[string][]byte, []string, error) {
	// A key record found damaged at its first use: nothing is saved.
	if err := c.Damaged(); err != nil {
		return nil, nil, err
	}
	puts := map[string][]byte{}
	var dels []string
	m, err := encodeMeta(c)
	if err != nil {
		return nil, nil, err
	}
	puts[MetaKey] = m

	ch := c.ChangesSince(t.mark)
	changed := ch.Keys
	if ch.All {
		// The whole cluster was replaced: every key that is or was.
		all := map[uint64]bool{}
		for h := range t.keys {
			all[h] = true
		}
		for h := range tokenHandles(c) {
			all[h] = true
		}
		changed = slices.Collect(maps.Keys(all))
	}
	keys := maps.Clone(t.keys)
	for _, h := range changed {
		if isToken(c, h) {
			b, err := encodeKey(c, h)
			if err != nil {
				return nil, nil, err
			}
			puts[KeyRecord(h)] = b
			keys[h] = true
		} else if keys[h] {
			dels = append(dels, KeyRecord(h))
			delete(keys, h)
		}
	}

	hashes := make(map[string][32]byte, len(files))
	for name, data := range files {
		sum := sha256.Sum256(data)
		hashes[name] = sum
		if old, ok := t.files[name]; !ok || old != sum {
			puts[FileRecord(name)] = slices.Clone(data)
		}
	}
	for name := range t.files {
		if _, ok := hashes[name]; !ok {
			dels = append(dels, FileRecord(name))
		}
	}
	slices.Sort(dels)
	t.pending, t.pendMark, t.pendKeys, t.pendFiles = true, c.Mark(), keys, hashes
	return puts, dels, nil
}

// isToken reports whether some node holds a token copy of key h, which is
// what gives the key a record.
func isToken(c *hsm.Cluster, h uint64) bool {
	for _, n := range c.Nodes {
		if o, ok := n.Object(h); ok && o.Token {
			return true
		}
	}
	return false
}

// Saved marks the last Delta as committed.
func (t *Tracker) Saved() {
	if !t.pending {
		return
	}
	t.mark, t.keys, t.files = t.pendMark, t.pendKeys, t.pendFiles
	t.pending, t.pendKeys, t.pendFiles = false, nil, nil
}
