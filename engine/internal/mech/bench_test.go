package mech

import (
	"bytes"
	"testing"
)

func BenchmarkGenerateRSA2048(b *testing.B) {
	r := seeded(1)
	for b.Loop() {
		if _, err := GenerateRSA(r, 2048, 65537); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateRSA4096(b *testing.B) {
	r := seeded(1)
	for b.Loop() {
		if _, err := GenerateRSA(r, 4096, 65537); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateECP256(b *testing.B) {
	r := seeded(1)
	for b.Loop() {
		if _, err := GenerateEC(r, CurveP256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateSecp256k1(b *testing.B) {
	r := seeded(1)
	for b.Loop() {
		if _, err := GenerateEC(r, CurveSecp256k1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrapRFC5649(b *testing.B) {
	kek := bytes.Repeat([]byte{1}, 32)
	key := bytes.Repeat([]byte{2}, 1218) // about an RSA-2048 PKCS #8 key
	b.SetBytes(int64(len(key)))
	for b.Loop() {
		if _, err := AESKeyWrapPad(kek, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignRSA2048PKCS1(b *testing.B) {
	k := testRSA(b)
	msg := []byte("benchmark")
	for b.Loop() {
		if _, err := Sign(nil, SignSHA256RSAPKCS, k, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignECDSAP256(b *testing.B) {
	k, _ := GenerateEC(seeded(1), CurveP256)
	r := seeded(2)
	msg := []byte("benchmark")
	for b.Loop() {
		if _, err := Sign(r, SignECDSASHA256, k, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignECDSASecp256k1(b *testing.B) {
	k, _ := GenerateEC(seeded(1), CurveSecp256k1)
	r := seeded(2)
	msg := []byte("benchmark")
	for b.Loop() {
		if _, err := Sign(r, SignECDSASHA256, k, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSecp256k1BaseMult(b *testing.B) {
	c, _ := curveParams(CurveSecp256k1)
	d, _ := c.randScalar(seeded(1))
	k1Comb()
	for b.Loop() {
		secp256k1BaseMult(d)
	}
}

func BenchmarkFeMul(b *testing.B) {
	x := fe{1, 2, 3, 4}
	y := fe{5, 6, 7, 8}
	for b.Loop() {
		x = feMul(&x, &y)
	}
}

func BenchmarkFeInv(b *testing.B) {
	x := fe{1, 2, 3, 4}
	for b.Loop() {
		x = feInv(&x)
	}
}
