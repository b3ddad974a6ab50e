package main

import (
	"encoding/binary"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/state"
)

func TestUnpackRecordsReadsWhatIsPacked(t *testing.T) {
	b, err := packRecords([]string{"meta", "k/524288", "f/é.txt", "f/empty", "k/1"},
		[][]byte{[]byte(`{"x":1}`), {1, 2, 3}, []byte("hé"), {}, nil})
	require.NoError(t, err)
	recs, bad, err := unpackRecords(b)
	require.NoError(t, err)
	assert.Equal(t, map[string][]byte{"meta": []byte(`{"x":1}`), "k/524288": {1, 2, 3}, "f/é.txt": []byte("hé"), "f/empty": {}}, recs)
	assert.Equal(t, []string{"k/1"}, bad, "a value that is not bytes is named, not read")
	// Each value is its own slice: appending to one never writes into the
	// next record's bytes.
	_ = append(recs["k/524288"], 9, 9, 9, 9)
	again, _, err := unpackRecords(b)
	require.NoError(t, err)
	assert.Equal(t, []byte("hé"), again["f/é.txt"])

	recs, bad, err = unpackRecords(nil)
	require.NoError(t, err)
	assert.Empty(t, recs)
	assert.Empty(t, bad)
}

func TestUnpackRecordsRefusesWhatThePackingNeverMakes(t *testing.T) {
	good, err := packRecords([]string{"meta", "k/1"}, [][]byte{[]byte("{}"), []byte("abc")})
	require.NoError(t, err)
	twice, err := packRecords([]string{"k/1", "k/1"}, [][]byte{[]byte("a"), nil})
	require.NoError(t, err)
	for name, b := range map[string][]byte{
		"cut in a length":   good[:len(good)-6],
		"cut in a value":    good[:len(good)-1],
		"a length too long": binary.BigEndian.AppendUint32(nil, 5),
		"a key not UTF-8":   append(binary.BigEndian.AppendUint32(nil, 1), 0xff, 0, 0, 0, 0),
		"a key twice":       twice,
		"a key not bytes":   binary.BigEndian.AppendUint32(nil, notBytes),
	} {
		_, _, err := unpackRecords(b)
		assert.Error(t, err, name)
	}
}

// The workspace read from packed records is the one read from the same
// records given one by one.
func TestOpenPackedRecords(t *testing.T) {
	recs, err := defaultRecords()
	require.NoError(t, err)
	keys := slices.Sorted(maps.Keys(recs))
	var values [][]byte
	for _, k := range keys {
		values = append(values, recs[k])
	}
	b, err := packRecords(keys, values)
	require.NoError(t, err)
	got, bad, err := unpackRecords(b)
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Equal(t, recs, got)
	e := &engine{}
	_, err = e.open(got, state.RecordSchema, "1")
	require.NoError(t, err)
	assert.Contains(t, e.sess.Exec("ls").Output, "aes256.key")
}

// FuzzUnpackRecords: any buffer is read or refused, never a panic; what is
// read packs back to the same bytes.
func FuzzUnpackRecords(f *testing.F) {
	good, err := packRecords([]string{"meta", "k/1", "f/x"}, [][]byte{[]byte("{}"), nil, []byte("abc")})
	require.NoError(f, err)
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 1, 'k', 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, bad, err := unpackRecords(b)
		if err != nil {
			return
		}
		// Repack in the buffer's order: read the keys back from it.
		var keys []string
		var values [][]byte
		for rest := b; len(rest) > 0; {
			n := binary.BigEndian.Uint32(rest)
			k := string(rest[4 : 4+n])
			rest = rest[4+n:]
			m := binary.BigEndian.Uint32(rest)
			rest = rest[4:]
			keys = append(keys, k)
			if m == notBytes {
				require.Contains(t, bad, k)
				values = append(values, nil)
				continue
			}
			rest = rest[m:]
			values = append(values, recs[k])
		}
		require.Equal(t, len(recs)+len(bad), len(keys))
		again, err := packRecords(keys, values)
		require.NoError(t, err)
		require.Equal(t, len(b), len(again))
		if len(b) > 0 {
			require.Equal(t, b, again)
		}
	})
}
