package state

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// RecordSchema is the layout of stored records this code writes and reads.
// Schema 1 records are the bare payloads Records returns; schema 2 records
// (SealRecord) carry a checksum. A store keeps the schema beside its
// records (the browser's workspace row) and passes it to OpenRecords, so
// that a schema 1 workspace is read and then rewritten sealed.
const RecordSchema = 2

// sumSize is the length of a sealed record's checksum.
const sumSize = 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// recordSum is the CRC-32C (Castagnoli) of the record's key, a zero byte
// and its payload: a flipped or lost byte in the payload changes it, and so
// does a record stored under another record's key.
func recordSum(key string, payload []byte) uint32 {
	h := crc32.Update(0, castagnoli, []byte(key))
	h = crc32.Update(h, castagnoli, []byte{0})
	return crc32.Update(h, castagnoli, payload)
}

// SealRecord returns the stored form of a record: its payload followed by
// the 4-byte big-endian checksum of key and payload.
func SealRecord(key string, payload []byte) []byte {
	out := make([]byte, len(payload), len(payload)+sumSize)
	copy(out, payload)
	return binary.BigEndian.AppendUint32(out, recordSum(key, payload))
}

// OpenRecord checks a sealed record against its checksum and returns its
// payload (a slice of data).
func OpenRecord(key string, data []byte) ([]byte, error) {
	if len(data) < sumSize {
		return nil, fmt.Errorf("workspace is damaged: record %q is too short to hold its checksum", key)
	}
	payload := data[:len(data)-sumSize]
	if binary.BigEndian.Uint32(data[len(data)-sumSize:]) != recordSum(key, payload) {
		return nil, fmt.Errorf("workspace is damaged: record %q does not match its checksum", key)
	}
	return payload, nil
}

// SealRecords seals every record of a set (Records, a Delta's puts).
func SealRecords(recs map[string][]byte) map[string][]byte {
	if recs == nil {
		return nil
	}
	out := make(map[string][]byte, len(recs))
	for k, v := range recs {
		out[k] = SealRecord(k, v)
	}
	return out
}

// OpenRecords reads stored records of the given schema into payloads for
// FromRecords. Records of schema 2 are checked against their checksums:
// the keys of those that do not match are returned in bad (sorted), their
// records left out, and err describes the first. Schema 1 records are
// taken as they are. A newer schema is refused with ErrTooNew.
func OpenRecords(recs map[string][]byte, schema int) (payloads map[string][]byte, bad []string, err error) {
	switch {
	case schema > RecordSchema:
		return nil, nil, fmt.Errorf("record schema %d: %w (this one reads up to %d)", schema, ErrTooNew, RecordSchema)
	case schema < 1:
		return nil, nil, fmt.Errorf("workspace is damaged: record schema %d is not valid", schema)
	case schema == 1:
		return maps.Clone(recs), nil, nil
	}
	payloads = make(map[string][]byte, len(recs))
	// In the map's order (sorting thousands of keys is a noticeable part
	// of opening a large workspace in wasm); only the damaged are sorted.
	for k, data := range recs {
		p, perr := OpenRecord(k, data)
		if perr != nil {
			bad = append(bad, k)
			continue
		}
		payloads[k] = p
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		_, err = OpenRecord(bad[0], recs[bad[0]])
	}
	return payloads, bad, err
}

// FromStoredRecords is the workspace stored records of a schema hold:
// OpenRecords, then FromRecords. A record that does not match its checksum
// refuses the whole workspace, as any other damage does.
func FromStoredRecords(recs map[string][]byte, schema int) (*hsm.Cluster, map[string][]byte, error) {
	payloads, _, err := OpenRecords(recs, schema)
	if err != nil {
		return nil, nil, err
	}
	return FromRecords(payloads)
}
