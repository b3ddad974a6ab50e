package der

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"testing"
)

// encoding/asn1's definitions of the structures of keys.go and pbes2.go,
// the oracles of their writers and readers.

type asn1ECPrivateKey struct {
	Version    int
	PrivateKey []byte
	Params     asn1.RawValue  `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

// asn1ECPrivateKeyOut is how the engine wrote one: the curve's OID.
type asn1ECPrivateKeyOut struct {
	Version    int
	PrivateKey []byte
	Params     asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString        `asn1:"optional,explicit,tag:1"`
}

type asn1Signature struct{ R, S *big.Int }

type asn1DSAParameters struct{ P, Q, G *big.Int }

type asn1DSAPrivateKey struct {
	Version       int
	P, Q, G, Y, X *big.Int
}

type asn1EncryptedPrivateKeyInfo struct {
	Algo asn1AlgorithmIdentifier
	Data []byte
}

type asn1PBES2Params struct {
	KDF asn1AlgorithmIdentifier
	Enc asn1AlgorithmIdentifier
}

type asn1PBKDF2Params struct {
	Salt   []byte
	Iter   int
	KeyLen int                     `asn1:"optional"`
	PRF    asn1AlgorithmIdentifier `asn1:"optional"`
}

func asn1Alg(a AlgorithmIdentifier) asn1AlgorithmIdentifier {
	return asn1AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier(a.Algorithm), Parameters: asn1.RawValue{FullBytes: a.Parameters}}
}

func TestKeyStructuresAreASN1s(t *testing.T) {
	curves := []OID{{1, 2, 840, 10045, 3, 1, 7}, {1, 3, 132, 0, 34}, {1, 3, 132, 0, 35}, {1, 3, 132, 0, 10}}
	for i, n := range bigs() {
		d := n.Bytes()
		pt := append([]byte{4}, bytes.Repeat([]byte{byte(i)}, i%140)...)
		for _, c := range curves {
			for _, withPub := range []bool{true, false} {
				k := ECPrivateKey{Version: 1, PrivateKey: d, Params: c.Element(), HasPublicKey: withPub}
				want := asn1ECPrivateKeyOut{Version: 1, PrivateKey: d, Params: asn1.ObjectIdentifier(c)}
				if withPub {
					k.PublicKey, k.PublicKeyBits = pt, 8*len(pt)
					want.PublicKey = asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}
				}
				if got := k.Marshal(); !bytes.Equal(got, mustMarshal(t, want)) {
					t.Fatalf("ECPrivateKey %x differs from encoding/asn1's", got)
				}
				back, err := ParseECPrivateKey(k.Marshal())
				if err != nil || !bytes.Equal(back.PrivateKey, d) || !bytes.Equal(back.Params, c.Element()) || back.HasPublicKey != withPub || !bytes.Equal(back.PublicKey, k.PublicKey) {
					t.Fatalf("ECPrivateKey does not read back: %v", err)
				}
			}
		}
		m := bigs()[(i+7)%len(bigs())]
		if got, want := MarshalSignature(n, m), mustMarshal(t, asn1Signature{n, m}); !bytes.Equal(got, want) {
			t.Fatalf("signature (%v, %v) differs from encoding/asn1's", n, m)
		}
		if r, s, err := ParseSignature(MarshalSignature(n, m)); err != nil || r.Cmp(n) != 0 || s.Cmp(m) != 0 {
			t.Fatalf("signature does not read back: %v", err)
		}
		p := DSAParameters{n, m, big.NewInt(int64(i))}
		if got, want := p.Marshal(), mustMarshal(t, asn1DSAParameters{p.P, p.Q, p.G}); !bytes.Equal(got, want) {
			t.Fatal("DSA parameters differ from encoding/asn1's")
		}
		k := DSAPrivateKey{Version: int64(i % 3), P: n, Q: m, G: p.G, Y: n, X: m}
		if got, want := k.Marshal(), mustMarshal(t, asn1DSAPrivateKey{i % 3, n, m, p.G, n, m}); !bytes.Equal(got, want) {
			t.Fatal("DSA private key differs from encoding/asn1's")
		}
	}
	// PBES2 as OpenSSL writes it, with and without a key length and PRF.
	for _, iter := range []int64{1, 2048, 1 << 20} {
		for _, keyLen := range []int64{0, 16, 32} {
			for _, prf := range []AlgorithmIdentifier{{}, {Algorithm: OID{1, 2, 840, 113549, 2, 9}, Parameters: Null()}, {Algorithm: OID{1, 2, 840, 113549, 2, 7}}} {
				salt := bytes.Repeat([]byte{byte(iter)}, 8+int(keyLen))
				k := PBKDF2Params{Salt: salt, Iter: iter, KeyLength: keyLen, PRF: prf}
				want := asn1PBKDF2Params{Salt: salt, Iter: int(iter), KeyLen: int(keyLen)}
				if prf.Algorithm != nil {
					want.PRF = asn1Alg(prf)
				}
				if got := k.Marshal(); !bytes.Equal(got, mustMarshal(t, want)) {
					t.Fatalf("PBKDF2 parameters %x differ from encoding/asn1's", got)
				}
				kdf := AlgorithmIdentifier{Algorithm: OID{1, 2, 840, 113549, 1, 5, 12}, Parameters: k.Marshal()}
				enc := AlgorithmIdentifier{Algorithm: OID{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: OctetString(salt)}
				p := PBES2Params{KDF: kdf, Enc: enc}
				if got := p.Marshal(); !bytes.Equal(got, mustMarshal(t, asn1PBES2Params{asn1Alg(kdf), asn1Alg(enc)})) {
					t.Fatal("PBES2 parameters differ from encoding/asn1's")
				}
				alg := AlgorithmIdentifier{Algorithm: OID{1, 2, 840, 113549, 1, 5, 13}, Parameters: p.Marshal()}
				e := EncryptedPrivateKeyInfo{Algorithm: alg, Data: bytes.Repeat([]byte{7}, int(iter%300))}
				if got := e.Marshal(); !bytes.Equal(got, mustMarshal(t, asn1EncryptedPrivateKeyInfo{asn1Alg(alg), e.Data})) {
					t.Fatal("EncryptedPrivateKeyInfo differs from encoding/asn1's")
				}
				back, err := ParsePBKDF2Params(k.Marshal())
				if err != nil || !bytes.Equal(back.Salt, salt) || back.Iter != iter || back.KeyLength != keyLen || !back.PRF.Algorithm.Equal(prf.Algorithm) {
					t.Fatalf("PBKDF2 parameters do not read back: %v", err)
				}
			}
		}
	}
}

func FuzzParseECPrivateKey(f *testing.F) {
	f.Add(ECPrivateKey{Version: 1, PrivateKey: []byte{1, 2}, Params: OIDP256.Element(), PublicKey: []byte{4, 5}, PublicKeyBits: 16, HasPublicKey: true}.Marshal())
	f.Add(ECPrivateKey{Version: 1, PrivateKey: []byte{1, 2}}.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseECPrivateKey(b)
		var want asn1ECPrivateKey
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool {
			return got.Version == int64(want.Version) && bytes.Equal(got.PrivateKey, want.PrivateKey) &&
				bytes.Equal(got.Params, want.Params.Bytes) && (got.Params != nil) == (len(want.Params.FullBytes) > 0) &&
				bytes.Equal(got.PublicKey, want.PublicKey.Bytes) && got.PublicKeyBits == want.PublicKey.BitLength
		})
	})
}

func FuzzParseSignature(f *testing.F) {
	f.Add(MarshalSignature(big.NewInt(1), big.NewInt(-300)))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, s, err := ParseSignature(b)
		var want asn1Signature
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool { return r.Cmp(want.R) == 0 && s.Cmp(want.S) == 0 })
	})
}

func FuzzParseDSA(f *testing.F) {
	f.Add(DSAParameters{big.NewInt(23), big.NewInt(11), big.NewInt(4)}.Marshal())
	f.Add(DSAPrivateKey{0, big.NewInt(23), big.NewInt(11), big.NewInt(4), big.NewInt(3), big.NewInt(2)}.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseDSAParameters(b)
		var want asn1DSAParameters
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool { return p.P.Cmp(want.P) == 0 && p.Q.Cmp(want.Q) == 0 && p.G.Cmp(want.G) == 0 })
		k, err := ParseDSAPrivateKey(b)
		var wantK asn1DSAPrivateKey
		ok, canon = asn1Reads(b, &wantK)
		checkOracle(t, err, ok, canon, func() bool {
			return k.Version == int64(wantK.Version) && k.P.Cmp(wantK.P) == 0 && k.Q.Cmp(wantK.Q) == 0 &&
				k.G.Cmp(wantK.G) == 0 && k.Y.Cmp(wantK.Y) == 0 && k.X.Cmp(wantK.X) == 0
		})
		n, err := ParseInteger(b)
		var wantN *big.Int
		ok, canon = asn1Reads(b, &wantN)
		checkOracle(t, err, ok, canon, func() bool { return n.Cmp(wantN) == 0 })
		o, err := ParseOctetString(b)
		var wantO []byte
		ok, canon = asn1Reads(b, &wantO)
		checkOracle(t, err, ok, canon, func() bool { return bytes.Equal(o, wantO) })
	})
}

func FuzzParsePBES2(f *testing.F) {
	k := PBKDF2Params{Salt: []byte{1, 2, 3}, Iter: 2048, PRF: AlgorithmIdentifier{Algorithm: OID{1, 2, 840, 113549, 2, 9}, Parameters: Null()}}.Marshal()
	p := PBES2Params{KDF: AlgorithmIdentifier{Algorithm: OID{1, 2, 840, 113549, 1, 5, 12}, Parameters: k}, Enc: AlgorithmIdentifier{Algorithm: OID{2, 16, 840, 1, 101, 3, 4, 1, 2}, Parameters: OctetString(make([]byte, 16))}}.Marshal()
	f.Add(k)
	f.Add(p)
	f.Add(EncryptedPrivateKeyInfo{Algorithm: AlgorithmIdentifier{Algorithm: OID{1, 2, 840, 113549, 1, 5, 13}, Parameters: p}, Data: []byte{9}}.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEncryptedPrivateKeyInfo(b)
		var wantE asn1EncryptedPrivateKeyInfo
		ok, canon := asn1Reads(b, &wantE)
		checkOracle(t, err, ok, canon, func() bool { return sameAlg(e.Algorithm, wantE.Algo) && bytes.Equal(e.Data, wantE.Data) })
		p, err := ParsePBES2Params(b)
		var wantP asn1PBES2Params
		ok, canon = asn1Reads(b, &wantP)
		checkOracle(t, err, ok, canon, func() bool { return sameAlg(p.KDF, wantP.KDF) && sameAlg(p.Enc, wantP.Enc) })
		k, err := ParsePBKDF2Params(b)
		var wantK asn1PBKDF2Params
		ok, canon = asn1Reads(b, &wantK)
		checkOracle(t, err, ok, canon, func() bool {
			return bytes.Equal(k.Salt, wantK.Salt) && k.Iter == int64(wantK.Iter) && k.KeyLength == int64(wantK.KeyLen) &&
				(k.PRF.Algorithm == nil && wantK.PRF.Algorithm == nil || sameAlg(k.PRF, wantK.PRF))
		})
	})
}
