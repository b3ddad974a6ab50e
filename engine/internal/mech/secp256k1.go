package mech

import "math/big"

// secp256k1 is not in the Go standard library, yet CloudHSM generates and
// signs with it (genECCKeyPair -i 16). This file implements it with plain
// math/big short-Weierstrass arithmetic (y² = x³ + ax + b over GF(p), in
// Jacobian coordinates).
//
// This code is NOT constant time: big.Int operations and the double-and-add
// ladder leak the scalar through timing. That is acceptable for a simulator
// whose keys protect nothing, and it is the price of staying within the
// standard library; never reuse it for real secrets.

// secp256k1Params returns fresh SEC 2 v2 (section 2.4.1) parameters for
// secp256k1. Fresh values on every call keep the package free of shared
// mutable big.Ints.
func secp256k1Params() *ecParams {
	h := func(s string) *big.Int {
		v, _ := new(big.Int).SetString(s, 16)
		return v
	}
	return &ecParams{
		P:       h("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F"),
		N:       h("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"),
		A:       new(big.Int),
		B:       big.NewInt(7),
		Gx:      h("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"),
		Gy:      h("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8"),
		ByteLen: 32,
	}
}

// jacPoint is a point in Jacobian coordinates (X/Z², Y/Z³); Z == 0 is the
// point at infinity.
type jacPoint struct{ x, y, z *big.Int }

func (c *ecParams) infinity() jacPoint {
	return jacPoint{new(big.Int), new(big.Int), new(big.Int)}
}

func (c *ecParams) fromAffine(x, y *big.Int) jacPoint {
	return jacPoint{new(big.Int).Set(x), new(big.Int).Set(y), big.NewInt(1)}
}

// toAffine converts back; ok is false for the point at infinity.
func (c *ecParams) toAffine(p jacPoint) (x, y *big.Int, ok bool) {
	if p.z.Sign() == 0 {
		return nil, nil, false
	}
	zinv := new(big.Int).ModInverse(p.z, c.P)
	if zinv == nil {
		return nil, nil, false
	}
	zinv2 := new(big.Int).Mul(zinv, zinv)
	zinv2.Mod(zinv2, c.P)
	x = new(big.Int).Mul(p.x, zinv2)
	x.Mod(x, c.P)
	zinv3 := zinv2.Mul(zinv2, zinv)
	zinv3.Mod(zinv3, c.P)
	y = new(big.Int).Mul(p.y, zinv3)
	y.Mod(y, c.P)
	return x, y, true
}

// double returns 2p using the general-a formula
// S = 4XY², M = 3X² + aZ⁴, X' = M² − 2S, Y' = M(S − X') − 8Y⁴, Z' = 2YZ.
func (c *ecParams) double(p jacPoint) jacPoint {
	if p.z.Sign() == 0 || p.y.Sign() == 0 {
		return c.infinity()
	}
	P := c.P
	mod := func(v *big.Int) *big.Int { return v.Mod(v, P) }
	yy := mod(new(big.Int).Mul(p.y, p.y))
	s := mod(new(big.Int).Mul(p.x, yy))
	s = mod(s.Lsh(s, 2))
	m := mod(new(big.Int).Mul(p.x, p.x))
	m.Mul(m, big.NewInt(3))
	if c.A.Sign() != 0 {
		z2 := mod(new(big.Int).Mul(p.z, p.z))
		z4 := mod(z2.Mul(z2, z2))
		m.Add(m, z4.Mul(z4, c.A))
	}
	mod(m)
	x3 := mod(new(big.Int).Mul(m, m))
	x3.Sub(x3, new(big.Int).Lsh(s, 1))
	mod(x3)
	y4 := mod(new(big.Int).Mul(yy, yy))
	y3 := new(big.Int).Sub(s, x3)
	y3.Mul(y3, m)
	y3.Sub(y3, y4.Lsh(y4, 3))
	mod(y3)
	z3 := new(big.Int).Mul(p.y, p.z)
	z3 = mod(z3.Lsh(z3, 1))
	return jacPoint{x3, y3, z3}
}

// add returns p + q (add-1998-cmo-2), falling back to doubling when the
// points are equal.
func (c *ecParams) add(p, q jacPoint) jacPoint {
	if p.z.Sign() == 0 {
		return q
	}
	if q.z.Sign() == 0 {
		return p
	}
	P := c.P
	mod := func(v *big.Int) *big.Int { return v.Mod(v, P) }
	z1z1 := mod(new(big.Int).Mul(p.z, p.z))
	z2z2 := mod(new(big.Int).Mul(q.z, q.z))
	u1 := mod(new(big.Int).Mul(p.x, z2z2))
	u2 := mod(new(big.Int).Mul(q.x, z1z1))
	s1 := mod(new(big.Int).Mul(p.y, q.z))
	s1 = mod(s1.Mul(s1, z2z2))
	s2 := mod(new(big.Int).Mul(q.y, p.z))
	s2 = mod(s2.Mul(s2, z1z1))
	if u1.Cmp(u2) == 0 {
		if s1.Cmp(s2) != 0 {
			return c.infinity()
		}
		return c.double(p)
	}
	h := mod(new(big.Int).Sub(u2, u1))
	r := mod(new(big.Int).Sub(s2, s1))
	hh := mod(new(big.Int).Mul(h, h))
	hhh := mod(new(big.Int).Mul(h, hh))
	v := mod(new(big.Int).Mul(u1, hh))
	x3 := new(big.Int).Mul(r, r)
	x3.Sub(x3, hhh)
	x3.Sub(x3, new(big.Int).Lsh(v, 1))
	mod(x3)
	y3 := new(big.Int).Sub(v, x3)
	y3.Mul(y3, r)
	y3.Sub(y3, new(big.Int).Mul(s1, hhh))
	mod(y3)
	z3 := mod(new(big.Int).Mul(p.z, q.z))
	z3 = mod(z3.Mul(z3, h))
	return jacPoint{x3, y3, z3}
}

// mulJac returns k·p with a left-to-right double-and-add ladder (variable
// time, see the file comment).
func (c *ecParams) mulJac(p jacPoint, k *big.Int) jacPoint {
	acc := c.infinity()
	for i := k.BitLen() - 1; i >= 0; i-- {
		acc = c.double(acc)
		if k.Bit(i) == 1 {
			acc = c.add(acc, p)
		}
	}
	return acc
}

// genericScalarMult returns k·(x, y) in affine coordinates; ok is false if
// the result is the point at infinity.
func (c *ecParams) genericScalarMult(x, y, k *big.Int) (rx, ry *big.Int, ok bool) {
	kk := new(big.Int).Mod(k, c.N)
	return c.toAffine(c.mulJac(c.fromAffine(x, y), kk))
}

// genericCombinedMult returns u1·G + u2·(x, y), the verification equation.
func (c *ecParams) genericCombinedMult(x, y, u1, u2 *big.Int) (rx, ry *big.Int, ok bool) {
	a := c.mulJac(c.fromAffine(c.Gx, c.Gy), new(big.Int).Mod(u1, c.N))
	b := c.mulJac(c.fromAffine(x, y), new(big.Int).Mod(u2, c.N))
	return c.toAffine(c.add(a, b))
}
