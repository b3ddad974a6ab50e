package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Records read from IndexedDB reach Go packed into one Uint8Array (the
// worker's packRecords, web/store.js): one copy across the JavaScript/Go
// boundary however many records there are. Each calls and copies per
// record of the {keys, values} form (a key's string, a value's length, its
// bytes: some 23,000 crossings for 3,300 keys) cost more in wasm than
// decoding the records themselves.
//
// The layout, record after record:
//
//	u32 key length, the key in UTF-8,
//	u32 value length, the value's bytes; or u32 0xFFFFFFFF and no bytes
//	for a stored value that is not a Uint8Array (a damaged store)
//
// every length big-endian.

// notBytes is the value length of a record whose value is not bytes.
const notBytes = 0xFFFFFFFF

// unpackRecords reads packed records: the records (each value a slice of
// b, capacity clipped), and the keys of those whose value was not bytes
// (bad, in the order given). A truncated or overlong buffer, a key that is
// not UTF-8 or a key given twice is an error of the call: the worker's
// own packing never makes one.
func unpackRecords(b []byte) (recs map[string][]byte, bad []string, err error) {
	recs = map[string][]byte{}
	var badSet map[string]bool
	next := func(what string, j int) ([]byte, bool, error) {
		if len(b) < 4 {
			return nil, false, fmt.Errorf("packed records: record %d: its %s is cut short", j, what)
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		if n == notBytes && what == "value" {
			return nil, false, nil
		}
		if uint64(n) > uint64(len(b)) {
			return nil, false, fmt.Errorf("packed records: record %d: its %s is cut short", j, what)
		}
		v := b[:n:n]
		b = b[n:]
		return v, true, nil
	}
	for j := 0; len(b) > 0; j++ {
		k, _, err := next("key", j)
		if err != nil {
			return nil, nil, err
		}
		if !utf8.Valid(k) {
			return nil, nil, fmt.Errorf("packed records: record %d: its key is not UTF-8", j)
		}
		key := string(k)
		v, ok, err := next("value", j)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := recs[key]; dup || badSet[key] {
			return nil, nil, fmt.Errorf("packed records: the key %q is given twice", key)
		}
		if !ok {
			if badSet == nil {
				badSet = map[string]bool{}
			}
			badSet[key] = true
			bad = append(bad, key)
			continue
		}
		recs[key] = v
	}
	return recs, bad, nil
}

// packRecords is the worker's packing, for tests and benchmarks: keys in
// the order given, a nil value in values packed as not bytes.
func packRecords(keys []string, values [][]byte) ([]byte, error) {
	if len(keys) != len(values) {
		return nil, errors.New("as many values as keys")
	}
	var out []byte
	for i, k := range keys {
		out = binary.BigEndian.AppendUint32(out, uint32(len(k)))
		out = append(out, k...)
		if values[i] == nil {
			out = binary.BigEndian.AppendUint32(out, notBytes)
			continue
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(values[i])))
		out = append(out, values[i]...)
	}
	return out, nil
}
