package mech

import (
	"crypto/dsa"
	"embed"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// dsaParamFiles holds fixed, pre-generated DSA domain parameters (FIPS 186-4
// A.1.1.2 probable primes, made once with
// `openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:L
// -pkeyopt dsa_paramgen_q_bits:N`). Generating p and q at key-generation
// time takes seconds to minutes for L = 2048/3072, far too slow for an
// interactive simulator that also runs in WebAssembly. Sharing domain
// parameters is allowed by FIPS 186 (they are public), so only the private
// key x is drawn per key. The embedded files are read-only data, not state.
//
//go:embed dsaparams/*.pem
var dsaParamFiles embed.FS

// dsaQBits returns N for the DSA sizes genDSAKeyPair -m accepts in the
// simulator, with the FIPS 186 (L, N) pairs used: 1024/160, 2048/224,
// 3072/256. (The AWS page lists only 2048 as valid; the others are kept for
// imports and experiments.)
func dsaQBits(bits int) (int, bool) {
	switch bits {
	case 1024:
		return 160, true
	case 2048:
		return 224, true
	case 3072:
		return 256, true
	}
	return 0, false
}

// DSAParameters returns a fresh copy of the embedded domain parameters for
// an L of 1024, 2048 or 3072 bits.
func DSAParameters(bits int) (*dsa.Parameters, error) {
	if _, ok := dsaQBits(bits); !ok {
		return nil, fmt.Errorf("%w: DSA modulus of %d bits (want 1024, 2048 or 3072)", ErrBadKeySize, bits)
	}
	data, err := dsaParamFiles.ReadFile(fmt.Sprintf("dsaparams/dsa%d.pem", bits))
	if err != nil {
		return nil, fmt.Errorf("mech: embedded DSA parameters missing: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "DSA PARAMETERS" {
		return nil, fmt.Errorf("mech: embedded DSA parameters for %d bits are not a DSA PARAMETERS block", bits)
	}
	raw, err := keyder.ParseDSAParameters(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("mech: embedded DSA parameters for %d bits do not parse", bits)
	}
	p := &dsa.Parameters{P: raw.P, Q: raw.Q, G: raw.G}
	if err := checkDSAParameters(p); err != nil {
		return nil, err
	}
	if p.P.BitLen() != bits {
		return nil, fmt.Errorf("mech: embedded DSA parameters have %d bits, want %d", p.P.BitLen(), bits)
	}
	return p, nil
}

// GenerateDSA generates a DSA key with the fixed embedded domain parameters
// for bits (1024, 2048 or 3072; see dsaParamFiles for why parameters are
// not generated). The private key x is drawn uniformly from [1, q-1] by
// rejection sampling over r, and y = g^x mod p. dsa.GenerateKey is not used
// because since Go 1.26 it does not reliably honour the caller's reader.
func GenerateDSA(r io.Reader, bits int) (*dsa.PrivateKey, error) {
	params, err := DSAParameters(bits)
	if err != nil {
		return nil, err
	}
	x, err := randRange(r, params.Q)
	if err != nil {
		return nil, err
	}
	y := new(big.Int).Exp(params.G, x, params.P)
	return &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: *params, Y: y}, X: x}, nil
}

// checkDSAParameters does the cheap structural checks on domain parameters
// from outside: an allowed (L, N), q | p-1 and g of order q. Primality is
// not re-tested (too slow for 3072-bit p on every import).
func checkDSAParameters(p *dsa.Parameters) error {
	if p == nil || p.P == nil || p.Q == nil || p.G == nil {
		return fmt.Errorf("%w: missing DSA parameter", ErrMalformedKey)
	}
	L, N := p.P.BitLen(), p.Q.BitLen()
	ok := false
	for _, s := range [...]struct{ L, N int }{{1024, 160}, {2048, 224}, {2048, 256}, {3072, 256}} {
		if s.L == L && s.N == N {
			ok = true
		}
	}
	if !ok {
		return fmt.Errorf("%w: DSA (L, N) = (%d, %d)", ErrBadKeySize, L, N)
	}
	one := big.NewInt(1)
	if p.P.Bit(0) == 0 || p.Q.Bit(0) == 0 {
		return fmt.Errorf("%w: DSA p or q is even", ErrMalformedKey)
	}
	pm1 := new(big.Int).Sub(p.P, one)
	if new(big.Int).Mod(pm1, p.Q).Sign() != 0 {
		return fmt.Errorf("%w: DSA q does not divide p-1", ErrMalformedKey)
	}
	if p.G.Cmp(one) <= 0 || p.G.Cmp(pm1) >= 0 {
		return fmt.Errorf("%w: DSA g out of range", ErrMalformedKey)
	}
	if new(big.Int).Exp(p.G, p.Q, p.P).Cmp(one) != 0 {
		return fmt.Errorf("%w: DSA g does not have order q", ErrMalformedKey)
	}
	return nil
}

// checkDSAPublicKey validates parameters and 1 < y < p-1 with y^q = 1.
func checkDSAPublicKey(pub *dsa.PublicKey) error {
	if pub == nil {
		return fmt.Errorf("%w: nil DSA key", ErrMalformedKey)
	}
	if err := checkDSAParameters(&pub.Parameters); err != nil {
		return err
	}
	one := big.NewInt(1)
	pm1 := new(big.Int).Sub(pub.P, one)
	if pub.Y == nil || pub.Y.Cmp(one) <= 0 || pub.Y.Cmp(pm1) >= 0 {
		return fmt.Errorf("%w: DSA y out of range", ErrMalformedKey)
	}
	if new(big.Int).Exp(pub.Y, pub.Q, pub.P).Cmp(one) != 0 {
		return fmt.Errorf("%w: DSA y not in the order-q subgroup", ErrMalformedKey)
	}
	return nil
}

// checkDSAPrivateKey validates the public part, 0 < x < q and y = g^x.
func checkDSAPrivateKey(priv *dsa.PrivateKey) error {
	if priv == nil {
		return fmt.Errorf("%w: nil DSA key", ErrMalformedKey)
	}
	if err := checkDSAParameters(&priv.Parameters); err != nil {
		return err
	}
	if priv.X == nil || priv.X.Sign() <= 0 || priv.X.Cmp(priv.Q) >= 0 {
		return fmt.Errorf("%w: DSA x out of range", ErrMalformedKey)
	}
	if priv.Y == nil || new(big.Int).Exp(priv.G, priv.X, priv.P).Cmp(priv.Y) != 0 {
		return fmt.Errorf("%w: DSA y does not match x", ErrMalformedKey)
	}
	return nil
}
