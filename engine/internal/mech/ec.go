package mech

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"io"
	"math/big"
	"sync"
)

// ECKey is an EC private key on one of the key_mgmt_util curves. It is a
// plain value type instead of *ecdsa.PrivateKey because the standard library
// cannot represent secp256k1 keys, and the simulator needs one type for all
// curves it supports.
//
// The key is kept as the bytes its encodings carry: the private scalar
// (fixed length, big-endian, SEC 1 2.3.7) and the public point (SEC 1
// uncompressed). Only this package's constructors fill them, and each checks
// that the point is the scalar's, so encoding a key needs no curve
// arithmetic.
type ECKey struct {
	CurveID int
	d       []byte
	pt      []byte
}

// ECPublicKey is the public half of an ECKey: the uncompressed point, which
// its constructors check is on the curve.
type ECPublicKey struct {
	CurveID int
	pt      []byte
}

// ecParams are the short-Weierstrass domain parameters of a supported curve.
// They are shared by every caller and read-only: nothing may modify their
// big.Ints.
type ecParams struct {
	P, N, A, B, Gx, Gy *big.Int
	// ByteLen is the length of a field element and of a scalar in the
	// fixed-length encodings (SEC 1 2.3.5-2.3.7); equal for these curves.
	ByteLen int
	// n is N in ByteLen bytes, what a drawn scalar is compared against.
	n []byte
	// oidDER is the DER of the curve's namedCurve OID.
	oidDER []byte
	// std is the standard-library curve of a NIST curve (constant time,
	// preferred whenever available), nil for secp256k1; kx is its
	// crypto/ecdh curve where there is one (not P-224).
	std elliptic.Curve
	kx  ecdh.Curve
}

// ecCurves holds the parameters of the supported curves, built on the
// first use of an EC key rather than at start-up.
var ecCurves = sync.OnceValue(func() map[int]*ecParams {
	m := make(map[int]*ecParams)
	for _, s := range []struct {
		id  int
		std elliptic.Curve
		kx  ecdh.Curve
	}{
		{CurveP224, elliptic.P224(), nil},
		{CurveP256, elliptic.P256(), ecdh.P256()},
		{CurveP384, elliptic.P384(), ecdh.P384()},
		{CurveP521, elliptic.P521(), ecdh.P521()},
	} {
		sp := s.std.Params()
		// Copy: Params() hands out the library's own big.Ints.
		c := &ecParams{
			P:       new(big.Int).Set(sp.P),
			N:       new(big.Int).Set(sp.N),
			B:       new(big.Int).Set(sp.B),
			Gx:      new(big.Int).Set(sp.Gx),
			Gy:      new(big.Int).Set(sp.Gy),
			ByteLen: (sp.BitSize + 7) / 8,
			std:     s.std,
			kx:      s.kx,
		}
		c.A = new(big.Int).Sub(c.P, big.NewInt(3)) // a = -3 for all NIST prime curves
		m[s.id] = c
	}
	m[CurveSecp256k1] = secp256k1Params()
	for id, c := range m {
		c.n = c.N.FillBytes(make([]byte, c.ByteLen))
		info, _ := CurveByID(id)
		c.oidDER = info.OID.Element()
	}
	return m
})

// curveParams returns the shared parameters of a supported curve id.
func curveParams(id int) (*ecParams, error) {
	if _, err := supportedCurve(id); err != nil {
		return nil, err
	}
	c, ok := ecCurves()[id]
	if !ok {
		return nil, fmt.Errorf("%w: id %d", ErrCurveNotSupported, id)
	}
	return c, nil
}

// scalarInRange reports whether d (ByteLen bytes) is in [1, n-1].
func (c *ecParams) scalarInRange(d []byte) bool {
	if len(d) != c.ByteLen || bytes.Compare(d, c.n) >= 0 {
		return false
	}
	for _, b := range d {
		if b != 0 {
			return true
		}
	}
	return false
}

// randScalar draws a private scalar from r by rejection sampling in
// [1, n-1] (FIPS 186-5 A.2.2): each try reads ceil(log2(n)/8) bytes and
// clears the bits above n's length, so a seeded stream is consumed the same
// way on every run.
func (c *ecParams) randScalar(r io.Reader) ([]byte, error) {
	buf := make([]byte, c.ByteLen)
	excess := c.ByteLen*8 - c.N.BitLen()
	for range maxRejections {
		if err := readRandom(r, buf); err != nil {
			return nil, err
		}
		buf[0] &= byte(0xff >> excess)
		if c.scalarInRange(buf) {
			return buf, nil
		}
	}
	return nil, fmt.Errorf("%w: too many rejected samples", ErrRandom)
}

// publicPoint returns d·G as an uncompressed point for a scalar of ByteLen
// bytes in [1, n-1]. NIST curves use the standard library's constant-time
// code, secp256k1 the fixed-size arithmetic of secp256k1base.go.
func (c *ecParams) publicPoint(d []byte) ([]byte, error) {
	if !c.scalarInRange(d) {
		return nil, fmt.Errorf("%w: EC scalar out of range", ErrMalformedKey)
	}
	switch {
	case c.kx != nil:
		priv, err := c.kx.NewPrivateKey(d)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		return priv.PublicKey().Bytes(), nil
	case c.std != nil:
		priv, err := ecdsa.ParseRawPrivateKey(c.std, d)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		pt, err := priv.PublicKey.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		return pt, nil
	}
	pt, ok := secp256k1BaseMult(d)
	if !ok {
		return nil, fmt.Errorf("%w: point at infinity", ErrMalformedKey)
	}
	return pt, nil
}

// baseMult returns k·G for 1 <= k < N as coordinates, for the ECDSA
// arithmetic.
func (c *ecParams) baseMult(k *big.Int) (x, y *big.Int, err error) {
	if k.Sign() <= 0 || k.Cmp(c.N) >= 0 {
		return nil, nil, fmt.Errorf("%w: EC scalar out of range", ErrMalformedKey)
	}
	pt, err := c.publicPoint(k.FillBytes(make([]byte, c.ByteLen)))
	if err != nil {
		return nil, nil, err
	}
	return c.splitUncompressed(pt)
}

func (c *ecParams) splitUncompressed(pt []byte) (x, y *big.Int, err error) {
	if len(pt) != 1+2*c.ByteLen || pt[0] != 4 {
		return nil, nil, fmt.Errorf("%w: bad uncompressed point", ErrMalformedKey)
	}
	x = new(big.Int).SetBytes(pt[1 : 1+c.ByteLen])
	y = new(big.Int).SetBytes(pt[1+c.ByteLen:])
	return x, y, nil
}

// checkPoint checks that pt is an uncompressed point on the curve. All
// supported curves have cofactor 1, so an on-curve point is in the
// prime-order group.
func (c *ecParams) checkPoint(pt []byte) error {
	if len(pt) != 1+2*c.ByteLen || pt[0] != 4 {
		return fmt.Errorf("%w: invalid EC point encoding", ErrMalformedKey)
	}
	var err error
	switch {
	case c.kx != nil:
		_, err = c.kx.NewPublicKey(pt)
	case c.std != nil:
		_, err = ecdsa.ParseUncompressedPublicKey(c.std, pt)
	default:
		if !secp256k1OnCurve(pt) {
			err = fmt.Errorf("not on curve")
		}
	}
	if err != nil {
		return fmt.Errorf("%w: EC point not on curve", ErrMalformedKey)
	}
	return nil
}

// isOnCurve checks 0 <= x, y < p and y² = x³ + ax + b.
func (c *ecParams) isOnCurve(x, y *big.Int) bool {
	if x == nil || y == nil || x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	lhs := new(big.Int).Mul(y, y)
	lhs.Mod(lhs, c.P)
	return lhs.Cmp(c.rhs(x)) == 0
}

// rhs returns x³ + ax + b mod p.
func (c *ecParams) rhs(x *big.Int) *big.Int {
	r := new(big.Int).Mul(x, x)
	r.Add(r, c.A)
	r.Mul(r, x)
	r.Add(r, c.B)
	return r.Mod(r, c.P)
}

// encodePoint returns the SEC 1 uncompressed encoding 04 || X || Y.
func (c *ecParams) encodePoint(x, y *big.Int) []byte {
	out := make([]byte, 1+2*c.ByteLen)
	out[0] = 4
	x.FillBytes(out[1 : 1+c.ByteLen])
	y.FillBytes(out[1+c.ByteLen:])
	return out
}

// decodePoint parses an uncompressed (04) or compressed (02/03) SEC 1 point,
// checks it is on the curve and returns it uncompressed. Compressed points
// are accepted because OpenSSL can be told to write them (-conv_form
// compressed).
func (c *ecParams) decodePoint(data []byte) ([]byte, error) {
	switch {
	case len(data) == 1+2*c.ByteLen && data[0] == 4:
		if err := c.checkPoint(data); err != nil {
			return nil, err
		}
		return bytes.Clone(data), nil
	case len(data) == 1+c.ByteLen && (data[0] == 2 || data[0] == 3):
		bad := fmt.Errorf("%w: invalid EC point encoding", ErrMalformedKey)
		x := new(big.Int).SetBytes(data[1:])
		if x.Cmp(c.P) >= 0 {
			return nil, bad
		}
		y := new(big.Int).ModSqrt(c.rhs(x), c.P)
		if y == nil {
			return nil, bad
		}
		if y.Bit(0) != uint(data[0]&1) {
			y.Sub(c.P, y)
		}
		if !c.isOnCurve(x, y) {
			return nil, fmt.Errorf("%w: EC point not on curve", ErrMalformedKey)
		}
		return c.encodePoint(x, y), nil
	}
	return nil, fmt.Errorf("%w: invalid EC point encoding", ErrMalformedKey)
}

// GenerateEC generates a key on a supported curve (13 P-224, 2 P-256,
// 14 P-384, 15 P-521, 16 secp256k1). The private scalar is drawn from r by
// rejection sampling in [1, n-1] (FIPS 186-5 A.2.2), consuming
// ceil(log2(n)/8) bytes per try; ecdsa.GenerateKey is avoided because it no
// longer honours the caller's reader. Known ids that the HSM cannot use
// (prime192v1 and the binary curves) return ErrCurveNotSupported.
func GenerateEC(r io.Reader, curveID int) (*ECKey, error) {
	c, err := curveParams(curveID)
	if err != nil {
		return nil, err
	}
	d, err := c.randScalar(r)
	if err != nil {
		return nil, err
	}
	return newECKey(curveID, c, d)
}

// newECKey makes the key of a scalar of ByteLen bytes, which it keeps.
func newECKey(curveID int, c *ecParams, d []byte) (*ECKey, error) {
	pt, err := c.publicPoint(d)
	if err != nil {
		return nil, err
	}
	return &ECKey{CurveID: curveID, d: d, pt: pt}, nil
}

// ecKeyFromScalar makes a key from a big-endian scalar of any length
// (leading zeros allowed), as SEC 1 and the standard library give it.
func ecKeyFromScalar(curveID int, c *ecParams, scalar []byte) (*ECKey, error) {
	for len(scalar) > c.ByteLen && scalar[0] == 0 {
		scalar = scalar[1:]
	}
	if len(scalar) > c.ByteLen {
		return nil, fmt.Errorf("%w: EC scalar out of range", ErrMalformedKey)
	}
	d := make([]byte, c.ByteLen)
	copy(d[c.ByteLen-len(scalar):], scalar)
	return newECKey(curveID, c, d)
}

// Scalar returns a copy of the private scalar in the curve's fixed length
// (the privateKey octet string of SEC 1 C.4).
func (k *ECKey) Scalar() []byte {
	if k == nil {
		return nil
	}
	return bytes.Clone(k.d)
}

// Public returns the public half. The point is copied so that the two keys
// can be stored independently.
func (k *ECKey) Public() *ECPublicKey {
	if k == nil {
		return nil
	}
	return &ECPublicKey{CurveID: k.CurveID, pt: bytes.Clone(k.pt)}
}

// Curve returns the curve description.
func (k *ECKey) Curve() (CurveInfo, error) { return CurveByID(k.CurveID) }

// params checks the key has the shape its constructors give it and returns
// its curve.
func (k *ECKey) params() (*ecParams, error) {
	if k == nil || len(k.d) == 0 {
		return nil, fmt.Errorf("%w: missing EC private scalar", ErrMalformedKey)
	}
	c, err := curveParams(k.CurveID)
	if err != nil {
		return nil, err
	}
	if !c.scalarInRange(k.d) {
		return nil, fmt.Errorf("%w: EC scalar out of range", ErrMalformedKey)
	}
	if len(k.pt) != 1+2*c.ByteLen || k.pt[0] != 4 {
		return nil, fmt.Errorf("%w: EC public point does not match private scalar", ErrMalformedKey)
	}
	return c, nil
}

// Validate checks that the scalar is in range and the point is its
// multiple of the base point.
func (k *ECKey) Validate() error {
	c, err := k.params()
	if err != nil {
		return err
	}
	pt, err := c.publicPoint(k.d)
	if err != nil {
		return err
	}
	if !bytes.Equal(pt, k.pt) {
		return fmt.Errorf("%w: EC public point does not match private scalar", ErrMalformedKey)
	}
	return nil
}

// ECDSA converts a NIST-curve key to *ecdsa.PrivateKey for use with the
// standard library. secp256k1 keys return ErrCurveNotSupported because the
// standard library has no such curve.
func (k *ECKey) ECDSA() (*ecdsa.PrivateKey, error) {
	c, err := k.params()
	if err != nil {
		return nil, err
	}
	if c.std == nil {
		return nil, fmt.Errorf("%w: %v has no crypto/ecdsa implementation", ErrCurveNotSupported, Curve(k.CurveID))
	}
	priv, err := ecdsa.ParseRawPrivateKey(c.std, k.d)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return priv, nil
}

// params checks the key's point is on its curve and returns the curve.
func (p *ECPublicKey) params() (*ecParams, error) {
	if p == nil || len(p.pt) == 0 {
		return nil, fmt.Errorf("%w: missing EC public key", ErrMalformedKey)
	}
	c, err := curveParams(p.CurveID)
	if err != nil {
		return nil, err
	}
	if err := c.checkPoint(p.pt); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks that the point is on the curve.
func (p *ECPublicKey) Validate() error {
	_, err := p.params()
	return err
}

// Bytes returns the SEC 1 uncompressed point 04 || X || Y.
func (p *ECPublicKey) Bytes() ([]byte, error) {
	if _, err := p.params(); err != nil {
		return nil, err
	}
	return bytes.Clone(p.pt), nil
}

// Equal reports whether x is the same public key (an *ECPublicKey or, for
// NIST curves, an *ecdsa.PublicKey).
func (p *ECPublicKey) Equal(x crypto.PublicKey) bool {
	var o *ECPublicKey
	switch v := x.(type) {
	case *ECPublicKey:
		o = v
	case *ecdsa.PublicKey:
		var err error
		if o, err = ECPublicKeyFromECDSA(v); err != nil {
			return false
		}
	default:
		return false
	}
	return p != nil && o != nil && p.CurveID == o.CurveID && len(p.pt) > 0 && bytes.Equal(p.pt, o.pt)
}

// ECDSA converts a NIST-curve public key to *ecdsa.PublicKey.
func (p *ECPublicKey) ECDSA() (*ecdsa.PublicKey, error) {
	c, err := p.params()
	if err != nil {
		return nil, err
	}
	if c.std == nil {
		return nil, fmt.Errorf("%w: %v has no crypto/ecdsa implementation", ErrCurveNotSupported, Curve(p.CurveID))
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(c.std, p.pt)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return pub, nil
}

// stdCurveID maps a standard-library curve to its key_mgmt_util id.
func stdCurveID(c elliptic.Curve) (int, error) {
	if c == nil {
		return 0, fmt.Errorf("%w: nil curve", ErrMalformedKey)
	}
	switch c.Params().Name {
	case "P-224":
		return CurveP224, nil
	case "P-256":
		return CurveP256, nil
	case "P-384":
		return CurveP384, nil
	case "P-521":
		return CurveP521, nil
	}
	return 0, fmt.Errorf("%w: curve %s", ErrCurveNotSupported, c.Params().Name)
}

// ECKeyFromECDSA converts a standard-library key (e.g. from x509) into an
// ECKey; the public point is computed again from the scalar.
func ECKeyFromECDSA(k *ecdsa.PrivateKey) (*ECKey, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: nil key", ErrMalformedKey)
	}
	id, err := stdCurveID(k.Curve)
	if err != nil {
		return nil, err
	}
	raw, err := k.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	c, err := curveParams(id)
	if err != nil {
		return nil, err
	}
	return ecKeyFromScalar(id, c, raw)
}

// ECPublicKeyFromECDSA converts a standard-library public key.
func ECPublicKeyFromECDSA(k *ecdsa.PublicKey) (*ECPublicKey, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: nil key", ErrMalformedKey)
	}
	id, err := stdCurveID(k.Curve)
	if err != nil {
		return nil, err
	}
	b, err := k.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return newECPublicKey(id, b)
}

// newECPublicKey makes a public key from a SEC 1 point, compressed or not,
// which it checks is on the curve.
func newECPublicKey(curveID int, point []byte) (*ECPublicKey, error) {
	c, err := curveParams(curveID)
	if err != nil {
		return nil, err
	}
	pt, err := c.decodePoint(point)
	if err != nil {
		return nil, err
	}
	return &ECPublicKey{CurveID: curveID, pt: pt}, nil
}
