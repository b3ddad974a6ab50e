package mech

import (
	"bytes"
	"math/big"
	"math/bits"
	"sync"
)

// secp256k1 base-point multiplication on fixed-size field elements, for
// key generation and the R of a signature: math/big spent milliseconds
// allocating and dividing where 4×64-bit limbs and the special form of p
// take microseconds. Like the math/big code it is NOT constant time (it
// skips zero digits and branches on values); see secp256k1.go.

// fe is a field element mod p = 2^256 - 2^32 - 977, little-endian limbs,
// always fully reduced (< p).
type fe [4]uint64

// feP are the limbs of p; feC is 2^256 mod p.
var feP = fe{0xFFFFFFFEFFFFFC2F, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF}

const feC = 0x1000003D1

// feFromBytes reads a 32-byte big-endian value below p.
func feFromBytes(b []byte) fe {
	var r fe
	for i := range 4 {
		o := 32 - 8*(i+1)
		r[i] = uint64(b[o])<<56 | uint64(b[o+1])<<48 | uint64(b[o+2])<<40 | uint64(b[o+3])<<32 |
			uint64(b[o+4])<<24 | uint64(b[o+5])<<16 | uint64(b[o+6])<<8 | uint64(b[o+7])
	}
	return r
}

// putBytes writes a as 32 bytes big-endian.
func (a *fe) putBytes(b []byte) {
	for i := range 4 {
		v := a[i]
		o := 32 - 8*(i+1)
		for j := 7; j >= 0; j-- {
			b[o+j] = byte(v)
			v >>= 8
		}
	}
}

func (a *fe) isZero() bool { return a[0]|a[1]|a[2]|a[3] == 0 }

// reduceOnce subtracts p if a (with carry bit hi) is at least p.
func (a *fe) reduceOnce(hi uint64) {
	var t fe
	var b uint64
	t[0], b = bits.Sub64(a[0], feP[0], 0)
	t[1], b = bits.Sub64(a[1], feP[1], b)
	t[2], b = bits.Sub64(a[2], feP[2], b)
	t[3], b = bits.Sub64(a[3], feP[3], b)
	_, b = bits.Sub64(hi, 0, b)
	if b == 0 {
		*a = t
	}
}

func feAdd(a, b *fe) fe {
	var r fe
	var c uint64
	r[0], c = bits.Add64(a[0], b[0], 0)
	r[1], c = bits.Add64(a[1], b[1], c)
	r[2], c = bits.Add64(a[2], b[2], c)
	r[3], c = bits.Add64(a[3], b[3], c)
	r.reduceOnce(c)
	return r
}

func feSub(a, b *fe) fe {
	var r fe
	var br uint64
	r[0], br = bits.Sub64(a[0], b[0], 0)
	r[1], br = bits.Sub64(a[1], b[1], br)
	r[2], br = bits.Sub64(a[2], b[2], br)
	r[3], br = bits.Sub64(a[3], b[3], br)
	if br != 0 { // add p back
		var c uint64
		r[0], c = bits.Add64(r[0], feP[0], 0)
		r[1], c = bits.Add64(r[1], feP[1], c)
		r[2], c = bits.Add64(r[2], feP[2], c)
		r[3], _ = bits.Add64(r[3], feP[3], c)
	}
	return r
}

// mac returns a·b + t + carry as hi, lo (it cannot overflow 128 bits).
func mac(t, a, b, carry uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(a, b)
	var c uint64
	lo, c = bits.Add64(lo, t, 0)
	hi += c
	lo, c = bits.Add64(lo, carry, 0)
	hi += c
	return hi, lo
}

// feMul returns a·b mod p.
func feMul(a, b *fe) fe {
	a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
	b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
	c, t0 := bits.Mul64(a0, b0)
	c, t1 := mac(0, a0, b1, c)
	c, t2 := mac(0, a0, b2, c)
	c, t3 := mac(0, a0, b3, c)
	t4 := c
	c, t1 = mac(t1, a1, b0, 0)
	c, t2 = mac(t2, a1, b1, c)
	c, t3 = mac(t3, a1, b2, c)
	c, t4 = mac(t4, a1, b3, c)
	t5 := c
	c, t2 = mac(t2, a2, b0, 0)
	c, t3 = mac(t3, a2, b1, c)
	c, t4 = mac(t4, a2, b2, c)
	c, t5 = mac(t5, a2, b3, c)
	t6 := c
	c, t3 = mac(t3, a3, b0, 0)
	c, t4 = mac(t4, a3, b1, c)
	c, t5 = mac(t5, a3, b2, c)
	c, t6 = mac(t6, a3, b3, c)
	return feReduce(t0, t1, t2, t3, t4, t5, t6, c)
}

// feSqr returns a² mod p: the cross products once, doubled, and the
// squares.
func feSqr(a *fe) fe {
	a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
	c, s1 := bits.Mul64(a0, a1)
	c, s2 := mac(0, a0, a2, c)
	c, s3 := mac(0, a0, a3, c)
	s4 := c
	c, s3 = mac(s3, a1, a2, 0)
	c, s4 = mac(s4, a1, a3, c)
	s5 := c
	c, s5 = mac(s5, a2, a3, 0)
	s6 := c
	s7 := s6 >> 63
	s6 = s6<<1 | s5>>63
	s5 = s5<<1 | s4>>63
	s4 = s4<<1 | s3>>63
	s3 = s3<<1 | s2>>63
	s2 = s2<<1 | s1>>63
	s1 <<= 1
	h0, t0 := bits.Mul64(a0, a0)
	h1, l1 := bits.Mul64(a1, a1)
	h2, l2 := bits.Mul64(a2, a2)
	h3, l3 := bits.Mul64(a3, a3)
	var k uint64
	t1, k := bits.Add64(s1, h0, 0)
	t2, k := bits.Add64(s2, l1, k)
	t3, k := bits.Add64(s3, h1, k)
	t4, k := bits.Add64(s4, l2, k)
	t5, k := bits.Add64(s5, h2, k)
	t6, k := bits.Add64(s6, l3, k)
	t7, _ := bits.Add64(s7, h3, k)
	return feReduce(t0, t1, t2, t3, t4, t5, t6, t7)
}

// feReduce reduces a 512-bit value mod p, folding the high half into the
// low one with 2^256 ≡ feC.
func feReduce(t0, t1, t2, t3, t4, t5, t6, t7 uint64) fe {
	c, r0 := mac(t0, t4, feC, 0)
	c, r1 := mac(t1, t5, feC, c)
	c, r2 := mac(t2, t6, feC, c)
	c, r3 := mac(t3, t7, feC, c)
	// c·2^256 with c below 2^34: fold once more.
	hi, lo := bits.Mul64(c, feC)
	var k uint64
	r0, k = bits.Add64(r0, lo, 0)
	r1, k = bits.Add64(r1, hi, k)
	r2, k = bits.Add64(r2, 0, k)
	r3, k = bits.Add64(r3, 0, k)
	if k != 0 {
		// Wrapped past 2^256: add feC again (the value is then tiny).
		r0, k = bits.Add64(r0, feC, 0)
		r1, k = bits.Add64(r1, 0, k)
		r2, k = bits.Add64(r2, 0, k)
		r3, _ = bits.Add64(r3, 0, k)
	}
	r := fe{r0, r1, r2, r3}
	r.reduceOnce(0)
	return r
}

// feSqrN squares a n times.
func feSqrN(a fe, n int) fe {
	for range n {
		a = feSqr(&a)
	}
	return a
}

// feInv returns a^(p-2) = 1/a (0 for 0), by libsecp256k1's addition chain
// for p-2 = 2^256 - 2^32 - 979: 255 squarings and 15 multiplications.
func feInv(a *fe) fe {
	x := *a
	x2 := feSqr(&x)
	x2 = feMul(&x2, &x)
	x3 := feSqr(&x2)
	x3 = feMul(&x3, &x)
	x6 := feSqrN(x3, 3)
	x6 = feMul(&x6, &x3)
	x9 := feSqrN(x6, 3)
	x9 = feMul(&x9, &x3)
	x11 := feSqrN(x9, 2)
	x11 = feMul(&x11, &x2)
	x22 := feSqrN(x11, 11)
	x22 = feMul(&x22, &x11)
	x44 := feSqrN(x22, 22)
	x44 = feMul(&x44, &x22)
	x88 := feSqrN(x44, 44)
	x88 = feMul(&x88, &x44)
	x176 := feSqrN(x88, 88)
	x176 = feMul(&x176, &x88)
	x220 := feSqrN(x176, 44)
	x220 = feMul(&x220, &x44)
	x223 := feSqrN(x220, 3)
	x223 = feMul(&x223, &x3)
	t := feSqrN(x223, 23)
	t = feMul(&t, &x22)
	t = feSqrN(t, 5)
	t = feMul(&t, &x)
	t = feSqrN(t, 3)
	t = feMul(&t, &x2)
	t = feSqrN(t, 2)
	return feMul(&t, &x)
}

// feInvVartime is feInv by math/big's extended Euclidean algorithm, a
// few times faster than the exponentiation and, like everything here,
// variable time.
func feInvVartime(a *fe) fe {
	var b [32]byte
	a.putBytes(b[:])
	v := new(big.Int).SetBytes(b[:])
	if v.ModInverse(v, ecCurves()[CurveSecp256k1].P) == nil {
		return fe{}
	}
	return feFromBytes(v.FillBytes(b[:]))
}

// secp256k1OnCurve reports whether an uncompressed point (65 bytes) has
// coordinates below p with y² = x³ + 7.
func secp256k1OnCurve(pt []byte) bool {
	var pb [32]byte
	feP.putBytes(pb[:])
	if bytes.Compare(pt[1:33], pb[:]) >= 0 || bytes.Compare(pt[33:65], pb[:]) >= 0 {
		return false
	}
	x, y := feFromBytes(pt[1:33]), feFromBytes(pt[33:65])
	lhs := feSqr(&y)
	rhs := feSqr(&x)
	rhs = feMul(&rhs, &x)
	rhs = feAdd(&rhs, &fe{7})
	return lhs == rhs
}

// k1Affine is an affine point; k1Jac a Jacobian one (X/Z², Y/Z³), the point
// at infinity when Z = 0.
type k1Affine struct{ x, y fe }
type k1Jac struct{ x, y, z fe }

// double returns 2p (dbl-2009-l, a = 0).
func (p *k1Jac) double() k1Jac {
	if p.z.isZero() || p.y.isZero() {
		return k1Jac{}
	}
	a := feSqr(&p.x)
	b := feSqr(&p.y)
	c := feSqr(&b)
	t := feAdd(&p.x, &b)
	t = feSqr(&t)
	t = feSub(&t, &a)
	t = feSub(&t, &c)
	d := feAdd(&t, &t)
	e := feAdd(&a, &a)
	e = feAdd(&e, &a)
	f := feSqr(&e)
	x3 := feAdd(&d, &d)
	x3 = feSub(&f, &x3)
	y3 := feSub(&d, &x3)
	y3 = feMul(&e, &y3)
	c8 := feAdd(&c, &c)
	c8 = feAdd(&c8, &c8)
	c8 = feAdd(&c8, &c8)
	y3 = feSub(&y3, &c8)
	z3 := feMul(&p.y, &p.z)
	z3 = feAdd(&z3, &z3)
	return k1Jac{x3, y3, z3}
}

// addAffine returns p + q for an affine q (madd-2007-bl), doubling or
// giving infinity when q is p or -p.
func (p *k1Jac) addAffine(q *k1Affine) k1Jac {
	if p.z.isZero() {
		return k1Jac{q.x, q.y, fe{1}}
	}
	z1z1 := feSqr(&p.z)
	u2 := feMul(&q.x, &z1z1)
	s2 := feMul(&q.y, &p.z)
	s2 = feMul(&s2, &z1z1)
	h := feSub(&u2, &p.x)
	r := feSub(&s2, &p.y)
	if h.isZero() {
		if r.isZero() {
			return p.double()
		}
		return k1Jac{}
	}
	hh := feSqr(&h)
	i := feAdd(&hh, &hh)
	i = feAdd(&i, &i)
	j := feMul(&h, &i)
	r = feAdd(&r, &r)
	v := feMul(&p.x, &i)
	x3 := feSqr(&r)
	x3 = feSub(&x3, &j)
	x3 = feSub(&x3, &v)
	x3 = feSub(&x3, &v)
	y3 := feSub(&v, &x3)
	y3 = feMul(&r, &y3)
	t := feMul(&p.y, &j)
	t = feAdd(&t, &t)
	y3 = feSub(&y3, &t)
	z3 := feAdd(&p.z, &h)
	z3 = feSqr(&z3)
	z3 = feSub(&z3, &z1z1)
	z3 = feSub(&z3, &hh)
	return k1Jac{x3, y3, z3}
}

// addJac returns p + q (add-2007-bl), for building the table.
func (p *k1Jac) addJac(q *k1Jac) k1Jac {
	if p.z.isZero() {
		return *q
	}
	if q.z.isZero() {
		return *p
	}
	z1z1 := feSqr(&p.z)
	z2z2 := feSqr(&q.z)
	u1 := feMul(&p.x, &z2z2)
	u2 := feMul(&q.x, &z1z1)
	s1 := feMul(&p.y, &q.z)
	s1 = feMul(&s1, &z2z2)
	s2 := feMul(&q.y, &p.z)
	s2 = feMul(&s2, &z1z1)
	h := feSub(&u2, &u1)
	r := feSub(&s2, &s1)
	if h.isZero() {
		if r.isZero() {
			return p.double()
		}
		return k1Jac{}
	}
	i := feAdd(&h, &h)
	i = feSqr(&i)
	j := feMul(&h, &i)
	r = feAdd(&r, &r)
	v := feMul(&u1, &i)
	x3 := feSqr(&r)
	x3 = feSub(&x3, &j)
	x3 = feSub(&x3, &v)
	x3 = feSub(&x3, &v)
	y3 := feSub(&v, &x3)
	y3 = feMul(&r, &y3)
	t := feMul(&s1, &j)
	t = feAdd(&t, &t)
	y3 = feSub(&y3, &t)
	z3 := feAdd(&p.z, &q.z)
	z3 = feSqr(&z3)
	z3 = feSub(&z3, &z1z1)
	z3 = feSub(&z3, &z2z2)
	z3 = feMul(&z3, &h)
	return k1Jac{x3, y3, z3}
}

// k1Comb holds j·256^i·G for i < 32 and 1 <= j <= 255 (comb[i][j-1]),
// affine: a scalar's 32 bytes then need one addition each and no doubling.
// It is built on first use (8,160 points, 510 KiB, one inversion): a few
// milliseconds natively, about what one key cost with math/big, after which
// a key costs tens of microseconds.
var k1Comb = sync.OnceValue(func() *[32][255]k1Affine {
	c := ecCurves()[CurveSecp256k1]
	var g k1Jac
	g.x = feFromBytes(c.Gx.FillBytes(make([]byte, 32)))
	g.y = feFromBytes(c.Gy.FillBytes(make([]byte, 32)))
	g.z = fe{1}
	jac := make([]k1Jac, 32*255)
	base := g
	for i := range 32 {
		acc := base
		for j := range 255 {
			jac[i*255+j] = acc
			acc = acc.addJac(&base)
		}
		base = acc // 256·base
	}
	// Batch inversion of the Z coordinates (Montgomery's trick).
	prefix := make([]fe, len(jac))
	run := fe{1}
	for i := range jac {
		prefix[i] = run
		run = feMul(&run, &jac[i].z)
	}
	inv := feInv(&run)
	t := new([32][255]k1Affine)
	for i := len(jac) - 1; i >= 0; i-- {
		zi := feMul(&inv, &prefix[i])
		inv = feMul(&inv, &jac[i].z)
		zi2 := feSqr(&zi)
		zi3 := feMul(&zi2, &zi)
		t[i/255][i%255] = k1Affine{feMul(&jac[i].x, &zi2), feMul(&jac[i].y, &zi3)}
	}
	return t
})

// secp256k1BaseMult returns d·G, uncompressed, for a 32-byte scalar in
// [1, n-1] (the caller checks the range); ok is false for the point at
// infinity, which such a scalar never gives.
func secp256k1BaseMult(d []byte) (pt []byte, ok bool) {
	t := k1Comb()
	var acc k1Jac
	for i := range 32 {
		if w := d[31-i]; w != 0 {
			acc = acc.addAffine(&t[i][w-1])
		}
	}
	if acc.z.isZero() {
		return nil, false
	}
	zi := feInvVartime(&acc.z)
	zi2 := feSqr(&zi)
	zi3 := feMul(&zi2, &zi)
	x := feMul(&acc.x, &zi2)
	y := feMul(&acc.y, &zi3)
	pt = make([]byte, 65)
	pt[0] = 4
	x.putBytes(pt[1:33])
	y.putBytes(pt[33:])
	return pt, true
}
