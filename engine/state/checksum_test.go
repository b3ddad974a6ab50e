package state_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/state"
)

func sealedDefault(t *testing.T) (plain, sealed map[string][]byte) {
	t.Helper()
	c, files, err := scenario.Default()
	require.NoError(t, err)
	plain, err = state.Records(c, files)
	require.NoError(t, err)
	return plain, state.SealRecords(plain)
}

// Every byte of every sealed record of the default workspace, one bit of
// it flipped (each bit position in turn), is refused, naming that record and only it; the others read as
// they were written.
func TestSealedRecordsRefuseEveryFlippedBit(t *testing.T) {
	plain, sealed := sealedDefault(t)
	got, bad, err := state.OpenRecords(sealed, state.RecordSchema)
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Equal(t, plain, got)

	flips := 0
	for _, key := range slices.Sorted(maps.Keys(sealed)) {
		rec := sealed[key]
		for at := range rec {
			damaged := maps.Clone(sealed)
			b := slices.Clone(rec)
			b[at] ^= 1 << (at % 8)
			damaged[key] = b
			got, bad, err := state.OpenRecords(damaged, state.RecordSchema)
			require.Error(t, err, "record %s, byte %d", key, at)
			require.Equal(t, `workspace is damaged: record "`+key+`" does not match its checksum`, err.Error())
			require.Equal(t, []string{key}, bad)
			require.NotContains(t, got, key)
			require.Len(t, got, len(sealed)-1)
			flips++
		}
	}
	t.Logf("%d flipped bytes in %d records refused", flips, len(sealed))
}

// A record cut short, emptied, or stored under another record's key is
// refused too.
func TestSealedRecordsRefuseCutAndMovedRecords(t *testing.T) {
	_, sealed := sealedDefault(t)
	for name, tc := range map[string]struct {
		key  string
		data []byte
		want string
	}{
		"cut":     {"k/524288", sealed["k/524288"][:len(sealed["k/524288"])-1], "does not match its checksum"},
		"empty":   {"f/aes256.key", nil, "is too short to hold its checksum"},
		"short":   {"meta", sealed["meta"][:3], "is too short to hold its checksum"},
		"moved":   {"k/524289", sealed["k/524288"], "does not match its checksum"},
		"renamed": {"k/524999", sealed["k/524288"], "does not match its checksum"},
		"grown":   {"meta", append(slices.Clone(sealed["meta"]), ' '), "does not match its checksum"},
	} {
		t.Run(name, func(t *testing.T) {
			damaged := maps.Clone(sealed)
			damaged[tc.key] = tc.data
			_, bad, err := state.OpenRecords(damaged, state.RecordSchema)
			require.Error(t, err)
			assert.Equal(t, `workspace is damaged: record "`+tc.key+`" `+tc.want, err.Error())
			assert.Equal(t, []string{tc.key}, bad)
		})
	}
}

// Records of schema 1 (before checksums) are read as they are; a schema
// newer than this code's is refused as too new, one below 1 as damaged.
func TestOpenRecordsSchemas(t *testing.T) {
	plain, sealed := sealedDefault(t)
	got, bad, err := state.OpenRecords(plain, 1)
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Equal(t, plain, got)

	_, _, err = state.OpenRecords(sealed, state.RecordSchema+1)
	require.ErrorIs(t, err, state.ErrTooNew)
	_, _, err = state.OpenRecords(sealed, 0)
	require.ErrorContains(t, err, "record schema 0 is not valid")

	// Sealed records read as schema 1 keep their checksum bytes: they do
	// not decode, so a wrong schema can never load silently.
	_, _, err = state.FromRecords(sealed)
	require.ErrorContains(t, err, `record "meta" cannot be read`)
}
