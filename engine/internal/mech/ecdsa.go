package mech

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha512"
	"fmt"
	"io"
	"math/big"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// ECDSA is implemented here rather than with ecdsa.SignASN1 because
// (a) the standard library has no secp256k1 and (b) since Go 1.26
// ecdsa.Sign ignores the caller's reader (or consumes it
// non-deterministically), which breaks seeded replays. The scalar
// arithmetic uses math/big and is not constant time; for NIST curves the
// point multiplication k·G still runs through the standard library.

// hashToInt converts a digest to an integer as SEC 1 4.1.3 step 5 says:
// take the leftmost log2(n) bits.
func hashToInt(digest []byte, n *big.Int) *big.Int {
	orderBits := n.BitLen()
	orderBytes := (orderBits + 7) / 8
	if len(digest) > orderBytes {
		digest = digest[:orderBytes]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - orderBits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// ecdsaNonce derives the per-signature secret k in [1, n-1]. It is
// "hedged": fresh entropy from r is mixed with the private key and the
// digest through HMAC-SHA-512 (in the spirit of RFC 6979 3.6), so a weak or
// repeated reader stream can never repeat k for different messages, while
// a seeded reader still gives reproducible signatures. 64 extra bits are
// generated before reducing mod n-1 so the bias is negligible.
func ecdsaNonce(r io.Reader, c *ecParams, d []byte, digest []byte, attempt int) (*big.Int, error) {
	entropy := make([]byte, 32)
	if err := readRandom(r, entropy); err != nil {
		return nil, err
	}
	mac := hmac.New(sha512.New, d)
	need := c.ByteLen + 8
	var stream []byte
	for ctr := 0; len(stream) < need; ctr++ {
		mac.Reset()
		mac.Write([]byte{byte(ctr), byte(attempt)})
		mac.Write(entropy)
		mac.Write(digest)
		stream = mac.Sum(stream)
	}
	k := new(big.Int).SetBytes(stream[:need])
	nm1 := new(big.Int).Sub(c.N, big.NewInt(1))
	k.Mod(k, nm1)
	return k.Add(k, big.NewInt(1)), nil
}

// ecdsaSign signs a digest (SEC 1 4.1.3) and returns the DER signature.
func ecdsaSign(r io.Reader, key *ECKey, digest []byte) ([]byte, error) {
	c, err := key.params()
	if err != nil {
		return nil, err
	}
	d := new(big.Int).SetBytes(key.d)
	e := hashToInt(digest, c.N)
	for attempt := range maxRejections {
		k, err := ecdsaNonce(r, c, key.d, digest, attempt)
		if err != nil {
			return nil, err
		}
		rx, _, err := c.baseMult(k)
		if err != nil {
			return nil, err
		}
		rr := rx.Mod(rx, c.N)
		if rr.Sign() == 0 {
			continue
		}
		kinv := new(big.Int).ModInverse(k, c.N)
		if kinv == nil {
			continue
		}
		s := new(big.Int).Mul(rr, d)
		s.Add(s, e)
		s.Mul(s, kinv)
		s.Mod(s, c.N)
		if s.Sign() == 0 {
			continue
		}
		return keyder.MarshalSignature(rr, s), nil
	}
	return nil, fmt.Errorf("%w: could not produce an ECDSA signature", ErrRandom)
}

// ecdsaVerify checks a DER signature (SEC 1 4.1.4). NIST curves use
// crypto/ecdsa; secp256k1 uses the math/big arithmetic in secp256k1.go.
func ecdsaVerify(pub *ECPublicKey, digest, sig []byte) error {
	c, err := pub.params()
	if err != nil {
		return err
	}
	if c.std != nil {
		k, err := pub.ECDSA()
		if err != nil {
			return err
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return ErrBadSignature
		}
		return nil
	}
	// Only DER is accepted (der's reader takes one encoding of a pair and
	// nothing after it), as crypto/ecdsa does for the NIST curves, so a
	// signature has exactly one valid encoding.
	r, s, err := keyder.ParseSignature(sig)
	if err != nil {
		return ErrBadSignature
	}
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.N) >= 0 || s.Cmp(c.N) >= 0 {
		return ErrBadSignature
	}
	e := hashToInt(digest, c.N)
	w := new(big.Int).ModInverse(s, c.N)
	if w == nil {
		return ErrBadSignature
	}
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, c.N)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, c.N)
	px, py, err := c.splitUncompressed(pub.pt)
	if err != nil {
		return ErrBadSignature
	}
	x, _, ok := c.genericCombinedMult(px, py, u1, u2)
	if !ok {
		return ErrBadSignature
	}
	if x.Mod(x, c.N).Cmp(r) != 0 {
		return ErrBadSignature
	}
	return nil
}

// SignDigestECDSA signs a digest the caller already computed, as
// `openssl pkeyutl -sign` does; Sign hashes first.
func SignDigestECDSA(r io.Reader, key *ECKey, digest []byte) ([]byte, error) {
	return ecdsaSign(r, key, digest)
}

// VerifyDigestECDSA checks a DER signature over a digest the caller
// computed (ErrBadSignature on mismatch).
func VerifyDigestECDSA(pub *ECPublicKey, digest, sig []byte) error {
	return ecdsaVerify(pub, digest, sig)
}
