package mech

import (
	"fmt"
	"io"
	"math/big"
)

// maxRejections bounds every rejection-sampling loop. A healthy source
// essentially never needs more than a handful of draws; a source that keeps
// returning out-of-range values (e.g. all zero bytes) would otherwise hang
// the simulator, so we report ErrRandom instead.
const maxRejections = 1000

// readRandom fills b from r. It exists so that a nil reader or a short read
// becomes an ErrRandom error instead of a panic or a partially random key.
func readRandom(r io.Reader, b []byte) error {
	if r == nil {
		return fmt.Errorf("%w: nil reader", ErrRandom)
	}
	if _, err := io.ReadFull(r, b); err != nil {
		return fmt.Errorf("%w: %v", ErrRandom, err)
	}
	return nil
}

// randBits returns a non-negative integer of at most bits bits read from r.
// Exactly ceil(bits/8) bytes are consumed, which keeps the consumption of a
// seeded stream predictable.
func randBits(r io.Reader, bits int) (*big.Int, error) {
	if bits <= 0 {
		return new(big.Int), nil
	}
	buf := make([]byte, (bits+7)/8)
	if err := readRandom(r, buf); err != nil {
		return nil, err
	}
	if excess := len(buf)*8 - bits; excess > 0 {
		buf[0] &= byte(0xff >> excess)
	}
	return new(big.Int).SetBytes(buf), nil
}

// randRange returns a uniformly distributed integer in [1, max-1] by
// rejection sampling over max.BitLen() bits, the method FIPS 186-5 B.2.2
// ("testing candidates") prescribes for private scalars.
func randRange(r io.Reader, max *big.Int) (*big.Int, error) {
	if max == nil || max.Cmp(big.NewInt(2)) < 0 {
		return nil, fmt.Errorf("%w: empty range", ErrRandom)
	}
	for range maxRejections {
		k, err := randBits(r, max.BitLen())
		if err != nil {
			return nil, err
		}
		if k.Sign() > 0 && k.Cmp(max) < 0 {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w: too many rejected samples", ErrRandom)
}
