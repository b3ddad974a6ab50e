package shell

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
)

// SeededRand returns the deterministic randomness of --seed N: every key,
// IV and token of a run comes from it, so a seeded run is reproducible byte
// for byte, natively and in the browser. (Key generation honours it only
// with GODEBUG=cryptocustomrand=1, which hsmsim's main packages set.)
func SeededRand(seed uint64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	copy(s[8:], "hsmsim-seeded-randomness")
	return rand.NewChaCha8(s)
}
