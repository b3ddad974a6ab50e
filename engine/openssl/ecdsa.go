package openssl

import (
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"

	"github.com/hsmsim/hsmsim/engine/mech"
)

// `openssl pkeyutl -sign` signs a digest the caller computed, while
// engine/mech only offers hash-then-sign. This file holds ECDSA over a
// given digest (SEC 1 4.1.3/4.1.4) for the simulator's curves, with plain
// math/big point arithmetic: it is not constant time, which is acceptable
// for a simulator whose keys protect nothing.

// ecCurve is a short-Weierstrass curve y² = x³ + ax + b over GF(p).
type ecCurve struct {
	p, a, b, n, gx, gy *big.Int
}

func hexInt(s string) *big.Int {
	v, _ := new(big.Int).SetString(s, 16)
	return v
}

// curveFor returns the domain parameters of a simulator curve id.
func curveFor(id int) (*ecCurve, error) {
	var std elliptic.Curve
	switch id {
	case mech.CurveP224:
		std = elliptic.P224()
	case mech.CurveP256:
		std = elliptic.P256()
	case mech.CurveP384:
		std = elliptic.P384()
	case mech.CurveP521:
		std = elliptic.P521()
	case mech.CurveSecp256k1:
		return &ecCurve{
			p:  hexInt("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
			a:  big.NewInt(0),
			b:  big.NewInt(7),
			n:  hexInt("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
			gx: hexInt("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
			gy: hexInt("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
		}, nil
	default:
		return nil, errors.New("unsupported curve")
	}
	sp := std.Params()
	return &ecCurve{
		p:  new(big.Int).Set(sp.P),
		a:  new(big.Int).Sub(sp.P, big.NewInt(3)),
		b:  new(big.Int).Set(sp.B),
		n:  new(big.Int).Set(sp.N),
		gx: new(big.Int).Set(sp.Gx),
		gy: new(big.Int).Set(sp.Gy),
	}, nil
}

// ecPoint is an affine point; inf marks the point at infinity.
type ecPoint struct {
	x, y *big.Int
	inf  bool
}

func (c *ecCurve) onCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || y.Sign() < 0 || x.Cmp(c.p) >= 0 || y.Cmp(c.p) >= 0 {
		return false
	}
	l := new(big.Int).Mul(y, y)
	l.Mod(l, c.p)
	r := new(big.Int).Mul(x, x)
	r.Add(r, c.a)
	r.Mul(r, x)
	r.Add(r, c.b)
	r.Mod(r, c.p)
	return l.Cmp(r) == 0
}

func (c *ecCurve) add(P, Q ecPoint) ecPoint {
	if P.inf {
		return Q
	}
	if Q.inf {
		return P
	}
	var lambda *big.Int
	if P.x.Cmp(Q.x) == 0 {
		sum := new(big.Int).Add(P.y, Q.y)
		if sum.Mod(sum, c.p).Sign() == 0 {
			return ecPoint{inf: true}
		}
		// Doubling: λ = (3x² + a) / 2y.
		num := new(big.Int).Mul(P.x, P.x)
		num.Mul(num, big.NewInt(3))
		num.Add(num, c.a)
		den := new(big.Int).Lsh(P.y, 1)
		den.ModInverse(den.Mod(den, c.p), c.p)
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(Q.y, P.y)
		den := new(big.Int).Sub(Q.x, P.x)
		den.ModInverse(den.Mod(den, c.p), c.p)
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, c.p)
	x := new(big.Int).Mul(lambda, lambda)
	x.Sub(x, P.x)
	x.Sub(x, Q.x)
	x.Mod(x, c.p)
	y := new(big.Int).Sub(P.x, x)
	y.Mul(y, lambda)
	y.Sub(y, P.y)
	y.Mod(y, c.p)
	return ecPoint{x: x, y: y}
}

func (c *ecCurve) mul(P ecPoint, k *big.Int) ecPoint {
	R := ecPoint{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		R = c.add(R, R)
		if k.Bit(i) == 1 {
			R = c.add(R, P)
		}
	}
	return R
}

// hashToInt takes the leftmost bits of the digest (SEC 1 4.1.3 step 5).
func hashToInt(digest []byte, n *big.Int) *big.Int {
	bits := n.BitLen()
	size := (bits + 7) / 8
	if len(digest) > size {
		digest = digest[:size]
	}
	e := new(big.Int).SetBytes(digest)
	if excess := len(digest)*8 - bits; excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

type ecdsaSig struct{ R, S *big.Int }

// ecdsaSignDigest signs digest with key. The nonce is hedged: 32 bytes
// from r mixed with the private key and digest through HMAC-SHA-512, so a
// seeded reader gives reproducible signatures and a repeated stream never
// reuses a nonce for a different digest.
func ecdsaSignDigest(r io.Reader, key *mech.ECKey, digest []byte) ([]byte, error) {
	c, err := curveFor(key.CurveID)
	if err != nil {
		return nil, err
	}
	if key.D == nil || key.D.Sign() <= 0 || key.D.Cmp(c.n) >= 0 {
		return nil, errors.New("EC private key out of range")
	}
	if r == nil {
		return nil, errors.New("no random source")
	}
	e := hashToInt(digest, c.n)
	g := ecPoint{x: c.gx, y: c.gy}
	size := (c.n.BitLen() + 7) / 8
	nm1 := new(big.Int).Sub(c.n, big.NewInt(1))
	for attempt := range 100 {
		entropy := make([]byte, 32)
		if _, err := io.ReadFull(r, entropy); err != nil {
			return nil, err
		}
		mac := hmac.New(sha512.New, key.D.FillBytes(make([]byte, size)))
		var stream []byte
		for ctr := 0; len(stream) < size+8; ctr++ {
			mac.Reset()
			mac.Write([]byte{byte(ctr), byte(attempt)})
			mac.Write(entropy)
			mac.Write(digest)
			stream = mac.Sum(stream)
		}
		k := new(big.Int).SetBytes(stream[:size+8])
		k.Mod(k, nm1).Add(k, big.NewInt(1))
		R := c.mul(g, k)
		if R.inf {
			continue
		}
		rr := new(big.Int).Mod(R.x, c.n)
		if rr.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(rr, key.D)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(k, c.n))
		s.Mod(s, c.n)
		if s.Sign() == 0 {
			continue
		}
		return asn1.Marshal(ecdsaSig{rr, s})
	}
	return nil, errors.New("could not produce an ECDSA signature")
}

// ecdsaVerifyDigest checks a DER signature over digest.
func ecdsaVerifyDigest(pub *mech.ECPublicKey, digest, sig []byte) bool {
	c, err := curveFor(pub.CurveID)
	if err != nil || pub.X == nil || pub.Y == nil || !c.onCurve(pub.X, pub.Y) {
		return false
	}
	var rs ecdsaSig
	rest, err := asn1.Unmarshal(sig, &rs)
	if err != nil || len(rest) != 0 || rs.R == nil || rs.S == nil {
		return false
	}
	if again, err := asn1.Marshal(rs); err != nil || string(again) != string(sig) {
		return false
	}
	if rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.Cmp(c.n) >= 0 || rs.S.Cmp(c.n) >= 0 {
		return false
	}
	e := hashToInt(digest, c.n)
	w := new(big.Int).ModInverse(rs.S, c.n)
	u1 := new(big.Int).Mul(e, w)
	u1.Mod(u1, c.n)
	u2 := new(big.Int).Mul(rs.R, w)
	u2.Mod(u2, c.n)
	X := c.add(c.mul(ecPoint{x: c.gx, y: c.gy}, u1), c.mul(ecPoint{x: pub.X, y: pub.Y}, u2))
	if X.inf {
		return false
	}
	return new(big.Int).Mod(X.x, c.n).Cmp(rs.R) == 0
}
