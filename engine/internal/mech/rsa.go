package mech

import (
	"bytes"
	"crypto/rsa"
	"fmt"
	"io"
	"math/big"
)

// RSA generation limits. CloudHSM generates 2048 to 4096-bit moduli in steps
// of 256 bits (PKCS #11 key-type pages) with any odd public exponent of at
// least 65537 (genRSAKeyPair -e). Imported keys may be as small as 1024 bits.
const (
	RSAMinBits       = 2048
	RSAMaxBits       = 4096
	RSABitsStep      = 256
	RSAMinImportBits = 1024
	RSAMaxImportBits = 16384
	RSAMinExponent   = 65537
	// RSAMaxExponent matches crypto/rsa, which refuses exponents that do not
	// fit in 31 bits so that behaviour is the same on 32-bit platforms.
	RSAMaxExponent = 1<<31 - 1
)

// primeMRRounds is the number of random-base Miller–Rabin rounds per
// candidate. FIPS 186-5 Table B.1 asks for 5 (p, q of 1024 bits) or 4
// (1536+ bits) rounds for a 2^-100 error bound; big.Int.ProbablyPrime adds a
// Baillie–PSW test on top, so 5 is a safe choice for every size we generate.
const primeMRRounds = 5

// CheckRSAParams validates a genRSAKeyPair modulus size and exponent without
// generating anything.
func CheckRSAParams(bits, exponent int) error {
	if bits < RSAMinBits || bits > RSAMaxBits || bits%RSABitsStep != 0 {
		return fmt.Errorf("%w: RSA modulus of %d bits (want %d..%d in steps of %d)",
			ErrBadKeySize, bits, RSAMinBits, RSAMaxBits, RSABitsStep)
	}
	if exponent < RSAMinExponent || exponent > RSAMaxExponent || exponent%2 == 0 {
		return fmt.Errorf("%w: %d (must be odd, >= %d and < 2^31)", ErrBadExponent, exponent, RSAMinExponent)
	}
	return nil
}

// GenerateRSA generates a two-prime RSA key with the given modulus size and
// public exponent, reading all randomness from r.
//
// The primes are drawn here instead of by rsa.GenerateKey for two reasons:
// rsa.GenerateKey only supports e = 65537 and, since Go 1.26, ignores r (or,
// with GODEBUG=cryptocustomrand=1, consumes it non-deterministically), which
// would break seeded replays. Each candidate consumes exactly bits/16 bytes
// of r, has its two top bits set (so N has exactly the requested length) and
// passes small-prime sieving, gcd(e, p-1) = 1 and big.Int.ProbablyPrime
// (Miller–Rabin with deterministic pseudo-random bases plus Baillie–PSW).
// As in FIPS 186-5 A.1.3 the primes must differ in their top 100 bits and
// d = e^-1 mod lcm(p-1, q-1) must exceed 2^(bits/2). The result has been
// through Precompute and Validate, so it can be used with crypto/rsa.
func GenerateRSA(r io.Reader, bits int, exponent int) (*rsa.PrivateKey, error) {
	if err := CheckRSAParams(bits, exponent); err != nil {
		return nil, err
	}
	if src, ok := r.(RSASource); ok {
		if k, err := src.GenerateRSA(bits, exponent); err == nil && k.N.BitLen() == bits && k.E == exponent && k.Validate() == nil {
			k.Precompute()
			return k, nil
		}
	}
	return generateRSA(r, bits, exponent)
}

// RSASource is a source of randomness that can also make RSA keys itself:
// in the browser, WebCrypto generates them natively, where Go compiled to
// WebAssembly is several times slower. GenerateRSA asks it first and falls
// back to its own generation when it declines (an exponent WebCrypto does
// not take) or fails. Seeded readers do not implement it, so seeded runs
// stay reproducible.
type RSASource interface {
	io.Reader
	GenerateRSA(bits, exponent int) (*rsa.PrivateKey, error)
}

// GenerateRSAUnrestricted is GenerateRSA without CloudHSM's size policy:
// any even size from RSAMinImportBits to RSAMaxImportBits and any odd
// exponent of 3 or more — the keys OpenSSL makes outside the HSM, which the
// host shell's openssl generates and key_mgmt_util may import.
func GenerateRSAUnrestricted(r io.Reader, bits int, exponent int) (*rsa.PrivateKey, error) {
	if bits > RSAMaxImportBits {
		return nil, fmt.Errorf("%w: RSA modulus of %d bits", ErrBadKeySize, bits)
	}
	if exponent < 3 || exponent%2 == 0 || exponent > RSAMaxExponent {
		return nil, fmt.Errorf("%w: %d", ErrBadExponent, exponent)
	}
	return generateRSA(r, bits, exponent)
}

// generateRSA builds the key; bits must be even and >= 1024.
func generateRSA(r io.Reader, bits int, exponent int) (*rsa.PrivateKey, error) {
	if bits < RSAMinImportBits || bits%2 != 0 {
		return nil, fmt.Errorf("%w: RSA modulus of %d bits", ErrBadKeySize, bits)
	}
	e := big.NewInt(int64(exponent))
	sieve := newPrimeSieve()
	one := big.NewInt(1)
	for range maxRejections {
		p, err := generatePrime(r, bits/2, e, sieve)
		if err != nil {
			return nil, err
		}
		q, err := generatePrime(r, bits/2, e, sieve)
		if err != nil {
			return nil, err
		}
		// |p - q| > 2^(bits/2 - 100)
		if new(big.Int).Sub(p, q).Abs(new(big.Int).Sub(p, q)).BitLen() <= bits/2-100 {
			continue
		}
		if p.Cmp(q) < 0 {
			p, q = q, p
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		pm1 := new(big.Int).Sub(p, one)
		qm1 := new(big.Int).Sub(q, one)
		g := new(big.Int).GCD(nil, nil, pm1, qm1)
		lambda := new(big.Int).Mul(pm1, qm1)
		lambda.Quo(lambda, g)
		d := new(big.Int).ModInverse(e, lambda)
		if d == nil || d.BitLen() <= bits/2 {
			continue
		}
		key := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: n, E: exponent},
			D:         d,
			Primes:    []*big.Int{p, q},
		}
		key.Precompute()
		if err := key.Validate(); err != nil {
			return nil, fmt.Errorf("mech: generated RSA key failed validation: %w", err)
		}
		return key, nil
	}
	return nil, fmt.Errorf("%w: could not assemble an RSA key", ErrRandom)
}

// primeSieve holds small odd primes grouped so that one big.Int division by
// their product (which fits a uint64) replaces one division per prime. It
// is rebuilt per call (cheap) rather than kept as package state.
type primeSieve struct {
	groups []sieveGroup
}

type sieveGroup struct {
	product *big.Int
	primes  []uint64
}

const sieveLimit = 2048

func newPrimeSieve() *primeSieve {
	composite := make([]bool, sieveLimit)
	s := &primeSieve{}
	var cur sieveGroup
	prod := uint64(1)
	for i := 3; i < sieveLimit; i += 2 {
		if composite[i] {
			continue
		}
		for j := i * i; j < sieveLimit; j += 2 * i {
			composite[j] = true
		}
		pi := uint64(i)
		if prod > (1<<64-1)/pi {
			cur.product = new(big.Int).SetUint64(prod)
			s.groups = append(s.groups, cur)
			cur, prod = sieveGroup{}, 1
		}
		prod *= pi
		cur.primes = append(cur.primes, pi)
	}
	if len(cur.primes) > 0 {
		cur.product = new(big.Int).SetUint64(prod)
		s.groups = append(s.groups, cur)
	}
	return s
}

// hasSmallFactor reports whether c is divisible by one of the sieve primes
// (c itself is assumed larger than all of them).
func (s *primeSieve) hasSmallFactor(c *big.Int, scratch *big.Int) bool {
	for _, g := range s.groups {
		m := scratch.Mod(c, g.product).Uint64()
		for _, p := range g.primes {
			if m%p == 0 {
				return true
			}
		}
	}
	return false
}

// generatePrime draws bits-bit primes p from r with the top two bits set and
// gcd(e, p-1) = 1.
func generatePrime(r io.Reader, bits int, e *big.Int, sieve *primeSieve) (*big.Int, error) {
	if bits < 16 {
		return nil, fmt.Errorf("%w: prime of %d bits", ErrBadKeySize, bits)
	}
	buf := make([]byte, (bits+7)/8)
	excess := uint(len(buf)*8 - bits)
	scratch := new(big.Int)
	pm1 := new(big.Int)
	gcd := new(big.Int)
	one := big.NewInt(1)
	// The expected number of candidates is about bits*ln(2)/2; the chance of
	// needing more than 20*bits is below e^-50. The bound and the
	// repeated-candidate check only stop a broken reader from looping for
	// minutes.
	limit := 20 * bits
	prev := make([]byte, len(buf))
	for range limit {
		if err := readRandom(r, buf); err != nil {
			return nil, err
		}
		if bytes.Equal(buf, prev) {
			return nil, fmt.Errorf("%w: reader repeats itself", ErrRandom)
		}
		copy(prev, buf)
		buf[0] &= byte(0xff >> excess)
		// Set the two top bits so that the product of two such primes has
		// exactly 2*bits bits.
		if excess <= 6 {
			buf[0] |= byte(0xc0 >> excess)
		} else { // excess == 7: top bit is bit 0 of buf[0]
			buf[0] |= 1
			buf[1] |= 0x80
		}
		buf[len(buf)-1] |= 1
		p := new(big.Int).SetBytes(buf)
		if sieve.hasSmallFactor(p, scratch) {
			continue
		}
		pm1.Sub(p, one)
		if gcd.GCD(nil, nil, e, pm1).Cmp(one) != 0 {
			continue
		}
		if p.ProbablyPrime(primeMRRounds) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w: no prime found", ErrRandom)
}

// CheckRSAPublicKey applies the simulator's acceptance rules for RSA keys
// that come from outside (imports, unwraps): an odd modulus of 1024 to 16384
// bits and an odd exponent of at least 3 that fits in 31 bits. Generation
// rules are stricter (see CheckRSAParams).
func CheckRSAPublicKey(pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil {
		return fmt.Errorf("%w: missing RSA modulus", ErrMalformedKey)
	}
	if pub.N.Sign() <= 0 || pub.N.Bit(0) == 0 {
		return fmt.Errorf("%w: RSA modulus must be odd and positive", ErrMalformedKey)
	}
	if b := pub.N.BitLen(); b < RSAMinImportBits || b > RSAMaxImportBits {
		return fmt.Errorf("%w: RSA modulus of %d bits", ErrBadKeySize, b)
	}
	if pub.E < 3 || pub.E%2 == 0 || pub.E > RSAMaxExponent {
		return fmt.Errorf("%w: %d", ErrBadExponent, pub.E)
	}
	return nil
}
