package mech

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"io"
	"math/big"
)

// ECKey is an EC private key on one of the key_mgmt_util curves. It is a
// plain value type instead of *ecdsa.PrivateKey because the standard library
// cannot represent secp256k1 keys, and the simulator needs one type for all
// curves it supports.
type ECKey struct {
	CurveID int
	D       *big.Int
	X, Y    *big.Int
}

// ECPublicKey is the public half of an ECKey.
type ECPublicKey struct {
	CurveID int
	X, Y    *big.Int
}

// ecParams are the short-Weierstrass domain parameters of a supported curve.
// std is the standard-library implementation for NIST curves (constant time,
// preferred whenever available) and nil for secp256k1.
type ecParams struct {
	P, N, A, B, Gx, Gy *big.Int
	// ByteLen is the length of a field element and of a scalar in the
	// fixed-length encodings (SEC 1 2.3.5-2.3.7); equal for these curves.
	ByteLen int
	std     elliptic.Curve
}

// curveParams returns fresh parameters for a supported curve id.
func curveParams(id int) (*ecParams, error) {
	if _, err := supportedCurve(id); err != nil {
		return nil, err
	}
	var std elliptic.Curve
	switch id {
	case CurveP224:
		std = elliptic.P224()
	case CurveP256:
		std = elliptic.P256()
	case CurveP384:
		std = elliptic.P384()
	case CurveP521:
		std = elliptic.P521()
	case CurveSecp256k1:
		return secp256k1Params(), nil
	default:
		return nil, fmt.Errorf("%w: id %d", ErrCurveNotSupported, id)
	}
	sp := std.Params()
	// Copy: Params() hands out the library's own big.Ints.
	c := &ecParams{
		P:       new(big.Int).Set(sp.P),
		N:       new(big.Int).Set(sp.N),
		B:       new(big.Int).Set(sp.B),
		Gx:      new(big.Int).Set(sp.Gx),
		Gy:      new(big.Int).Set(sp.Gy),
		ByteLen: (sp.BitSize + 7) / 8,
		std:     std,
	}
	c.A = new(big.Int).Sub(c.P, big.NewInt(3)) // a = -3 for all NIST prime curves
	return c, nil
}

// baseMult returns k·G for 1 <= k < N. NIST curves use the standard
// library's constant-time code via ecdsa.ParseRawPrivateKey.
func (c *ecParams) baseMult(k *big.Int) (x, y *big.Int, err error) {
	if k.Sign() <= 0 || k.Cmp(c.N) >= 0 {
		return nil, nil, fmt.Errorf("%w: EC scalar out of range", ErrMalformedKey)
	}
	if c.std != nil {
		priv, err := ecdsa.ParseRawPrivateKey(c.std, k.FillBytes(make([]byte, c.ByteLen)))
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		pt, err := priv.PublicKey.Bytes()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
		}
		return c.splitUncompressed(pt)
	}
	x, y, ok := c.genericScalarMult(c.Gx, c.Gy, k)
	if !ok {
		return nil, nil, fmt.Errorf("%w: point at infinity", ErrMalformedKey)
	}
	return x, y, nil
}

func (c *ecParams) splitUncompressed(pt []byte) (x, y *big.Int, err error) {
	if len(pt) != 1+2*c.ByteLen || pt[0] != 4 {
		return nil, nil, fmt.Errorf("%w: bad uncompressed point", ErrMalformedKey)
	}
	x = new(big.Int).SetBytes(pt[1 : 1+c.ByteLen])
	y = new(big.Int).SetBytes(pt[1+c.ByteLen:])
	return x, y, nil
}

// isOnCurve checks 0 <= x, y < p and y² = x³ + ax + b. All supported curves
// have cofactor 1, so an on-curve point is in the prime-order group.
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

// decodePoint parses an uncompressed (04) or compressed (02/03) SEC 1 point
// and checks it is on the curve. Compressed points are accepted because
// OpenSSL can be told to write them (-conv_form compressed).
func (c *ecParams) decodePoint(data []byte) (x, y *big.Int, err error) {
	bad := fmt.Errorf("%w: invalid EC point encoding", ErrMalformedKey)
	switch {
	case len(data) == 1+2*c.ByteLen && data[0] == 4:
		x = new(big.Int).SetBytes(data[1 : 1+c.ByteLen])
		y = new(big.Int).SetBytes(data[1+c.ByteLen:])
	case len(data) == 1+c.ByteLen && (data[0] == 2 || data[0] == 3):
		x = new(big.Int).SetBytes(data[1:])
		if x.Cmp(c.P) >= 0 {
			return nil, nil, bad
		}
		y = new(big.Int).ModSqrt(c.rhs(x), c.P)
		if y == nil {
			return nil, nil, bad
		}
		if y.Bit(0) != uint(data[0]&1) {
			y.Sub(c.P, y)
		}
	default:
		return nil, nil, bad
	}
	if !c.isOnCurve(x, y) {
		return nil, nil, fmt.Errorf("%w: EC point not on curve", ErrMalformedKey)
	}
	return x, y, nil
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
	d, err := randRange(r, c.N)
	if err != nil {
		return nil, err
	}
	return newECKey(curveID, c, d)
}

func newECKey(curveID int, c *ecParams, d *big.Int) (*ECKey, error) {
	x, y, err := c.baseMult(d)
	if err != nil {
		return nil, err
	}
	return &ECKey{CurveID: curveID, D: new(big.Int).Set(d), X: x, Y: y}, nil
}

// Public returns the public half. The coordinates are copied so that the
// two keys can be stored and mutated independently.
func (k *ECKey) Public() *ECPublicKey {
	if k == nil {
		return nil
	}
	return &ECPublicKey{CurveID: k.CurveID, X: cloneInt(k.X), Y: cloneInt(k.Y)}
}

// Curve returns the curve description.
func (k *ECKey) Curve() (CurveInfo, error) { return CurveByID(k.CurveID) }

// Validate checks that D is in range and (X, Y) = D·G.
func (k *ECKey) Validate() error {
	if k == nil || k.D == nil {
		return fmt.Errorf("%w: missing EC private scalar", ErrMalformedKey)
	}
	c, err := curveParams(k.CurveID)
	if err != nil {
		return err
	}
	x, y, err := c.baseMult(k.D)
	if err != nil {
		return err
	}
	if k.X == nil || k.Y == nil || x.Cmp(k.X) != 0 || y.Cmp(k.Y) != 0 {
		return fmt.Errorf("%w: EC public point does not match private scalar", ErrMalformedKey)
	}
	return nil
}

// ECDSA converts a NIST-curve key to *ecdsa.PrivateKey for use with the
// standard library (x509, tls...). secp256k1 keys return
// ErrCurveNotSupported because the standard library has no such curve.
func (k *ECKey) ECDSA() (*ecdsa.PrivateKey, error) {
	if k == nil || k.D == nil {
		return nil, fmt.Errorf("%w: missing EC private scalar", ErrMalformedKey)
	}
	c, err := curveParams(k.CurveID)
	if err != nil {
		return nil, err
	}
	if c.std == nil {
		return nil, fmt.Errorf("%w: %v has no crypto/ecdsa implementation", ErrCurveNotSupported, Curve(k.CurveID))
	}
	if k.D.Sign() <= 0 || k.D.Cmp(c.N) >= 0 {
		return nil, fmt.Errorf("%w: EC scalar out of range", ErrMalformedKey)
	}
	priv, err := ecdsa.ParseRawPrivateKey(c.std, k.D.FillBytes(make([]byte, c.ByteLen)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
	}
	return priv, nil
}

// Validate checks that the point is on the curve.
func (p *ECPublicKey) Validate() error {
	if p == nil {
		return fmt.Errorf("%w: missing EC public key", ErrMalformedKey)
	}
	c, err := curveParams(p.CurveID)
	if err != nil {
		return err
	}
	if !c.isOnCurve(p.X, p.Y) {
		return fmt.Errorf("%w: EC point not on curve", ErrMalformedKey)
	}
	return nil
}

// Bytes returns the SEC 1 uncompressed point 04 || X || Y.
func (p *ECPublicKey) Bytes() ([]byte, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	c, _ := curveParams(p.CurveID)
	return c.encodePoint(p.X, p.Y), nil
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
	return p != nil && o != nil && p.CurveID == o.CurveID && p.X != nil && p.Y != nil &&
		o.X != nil && o.Y != nil && p.X.Cmp(o.X) == 0 && p.Y.Cmp(o.Y) == 0
}

// ECDSA converts a NIST-curve public key to *ecdsa.PublicKey.
func (p *ECPublicKey) ECDSA() (*ecdsa.PublicKey, error) {
	b, err := p.Bytes()
	if err != nil {
		return nil, err
	}
	c, _ := curveParams(p.CurveID)
	if c.std == nil {
		return nil, fmt.Errorf("%w: %v has no crypto/ecdsa implementation", ErrCurveNotSupported, Curve(p.CurveID))
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(c.std, b)
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
// ECKey.
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
	return newECKey(id, c, new(big.Int).SetBytes(raw))
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
	c, err := curveParams(id)
	if err != nil {
		return nil, err
	}
	x, y, err := c.decodePoint(b)
	if err != nil {
		return nil, err
	}
	return &ECPublicKey{CurveID: id, X: x, Y: y}, nil
}

func cloneInt(v *big.Int) *big.Int {
	if v == nil {
		return nil
	}
	return new(big.Int).Set(v)
}
