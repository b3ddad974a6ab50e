package state

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// skimAgrees holds skimKeyRecord to decodeKeyRecord on one input: whatever
// the full reading accepts with sound references, the skim accepts with
// the same node set; whatever the skim refuses, the full reading refuses
// too (or reads as no copy at all). The skim may accept a copy the full
// reading refuses: that is found at the key's first use.
func skimAgrees(t *testing.T, data []byte) {
	nodes, err := skimKeyRecord(data)
	full, refs, ferr := decodeKeyRecord(data)
	if ferr == nil {
		var want uint32
		sound := true
		for id := range full {
			if id < 0 || id > maxNodeBit {
				sound = false
			} else {
				want |= 1 << id
			}
		}
		for id, r := range refs {
			ref, aerr := strconv.Atoi(r)
			if id < 0 || id > maxNodeBit || aerr != nil || full[ref] == nil {
				sound = false
			} else {
				want |= 1 << id
			}
		}
		if !sound || want == 0 {
			require.Error(t, err, "%q: the full reading has copies that name no HSM, or none", data)
			return
		}
		require.NoError(t, err, "%q: refused what the full reading accepts", data)
		require.Equal(t, want, nodes, "%q", data)
		return
	}
	if err != nil {
		return
	}
	// Accepted by the skim, refused by the full reading: the fault must
	// be inside a copy, which the skim does not read.
	require.NotZero(t, nodes)
}

func FuzzSkimKeyRecord(f *testing.F) {
	for _, s := range keyRecordSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"0":{"a":[{"b":"}"}]},"1":0,"2":0}`))
	f.Add([]byte(`{"0":{"a":"\""},"1":"0"}`))
	f.Fuzz(skimAgrees)
}

func TestSkimSeedsAgree(t *testing.T) {
	for i, s := range keyRecordSeeds(t) {
		t.Run(strconv.Itoa(i), func(t *testing.T) { skimAgrees(t, s) })
	}
}
