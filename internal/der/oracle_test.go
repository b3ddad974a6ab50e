package der

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// encoding/asn1 is the oracle of this file: the writers' bytes are
// asn1.Marshal's for the same values, and the readers are fuzzed against
// asn1.Unmarshal.

// asn1Reads is asn1.Unmarshal of all of b into v, and whether b is the
// canonical DER of what it read (asn1.Marshal gives b back).
func asn1Reads(b []byte, v any) (ok, canonical bool) {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil || len(rest) != 0 {
		return false, false
	}
	again, err := asn1.Marshal(reflectElem(v))
	return true, err == nil && bytes.Equal(again, b)
}

// checkOracle is the rule every reader's fuzz target keeps: what der reads,
// encoding/asn1 reads too, to the same values (same()); what encoding/asn1
// reads and is canonical DER, der reads. der may refuse what asn1 reads
// only when it is not canonical: bytes after a SEQUENCE's last field or
// after the element, a DEFAULT value written out, and the like.
func checkOracle(t *testing.T, derErr error, asn1OK, canonical bool, same func() bool) {
	t.Helper()
	switch {
	case derErr == nil && !asn1OK:
		t.Fatal("der reads what encoding/asn1 refuses")
	case derErr == nil && !same():
		t.Fatal("der and encoding/asn1 read different values")
	case derErr != nil && canonical:
		t.Fatalf("der refuses canonical DER that encoding/asn1 reads: %v", derErr)
	}
}

func bigs() []*big.Int {
	var out []*big.Int
	for _, v := range []int64{0, 1, -1, 127, 128, -128, -129, 255, 256, -256, -257, 32767, 32768, -32768, -32769, 1 << 40, -(1 << 40)} {
		out = append(out, big.NewInt(v))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		b := make([]byte, 1+r.IntN(300))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		n := new(big.Int).SetBytes(b)
		if i%2 == 1 {
			n.Neg(n)
		}
		out = append(out, n)
	}
	return out
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWritersAreASN1s(t *testing.T) {
	for _, n := range bigs() {
		if got, want := Integer(n), mustMarshal(t, n); !bytes.Equal(got, want) {
			t.Errorf("Integer(%v) = %x, encoding/asn1 %x", n, got, want)
		}
		if n.IsInt64() {
			if got, want := Int(n.Int64()), mustMarshal(t, n.Int64()); !bytes.Equal(got, want) {
				t.Errorf("Int(%v) = %x, encoding/asn1 %x", n, got, want)
			}
		}
	}
	for _, v := range []int64{1<<63 - 1, -1 << 63, 1<<31 - 1, -1 << 31} {
		if got, want := Int(v), mustMarshal(t, v); !bytes.Equal(got, want) {
			t.Errorf("Int(%v) = %x, encoding/asn1 %x", v, got, want)
		}
	}
	oids := []OID{{1, 2}, {0, 39}, {2, 999}, {2, 5, 4, 3}, {1, 2, 840, 113549, 1, 1, 1}, {1, 3, 132, 0, 35},
		{2, 16, 840, 1, 101, 3, 4, 3, 17}, {1, 2, 840, 10045, 3, 1, 7}, {1, 2, 1<<31 - 1}, {2, 1<<31 - 81, 127, 128, 16383, 16384}}
	for _, o := range oids {
		if got, want := o.Element(), mustMarshal(t, asn1.ObjectIdentifier(o)); !bytes.Equal(got, want) {
			t.Errorf("OID %v = %x, encoding/asn1 %x", o, got, want)
		}
		if o.String() != asn1.ObjectIdentifier(o).String() {
			t.Errorf("OID %v prints %q, encoding/asn1 %q", o, o.String(), asn1.ObjectIdentifier(o).String())
		}
	}
	for _, bs := range []asn1.BitString{{Bytes: []byte{0x80}, BitLength: 1}, {Bytes: []byte{0x86}, BitLength: 7}, {Bytes: []byte{0xa0, 0x80}, BitLength: 9},
		{Bytes: []byte{1, 2, 3}, BitLength: 24}, {Bytes: nil, BitLength: 0}} {
		if got, want := BitStringBits(bs.Bytes, bs.BitLength), mustMarshal(t, bs); !bytes.Equal(got, want) {
			t.Errorf("BitStringBits(%x, %d) = %x, encoding/asn1 %x", bs.Bytes, bs.BitLength, got, want)
		}
	}
	if got, want := BitString([]byte{4, 5}), mustMarshal(t, asn1.BitString{Bytes: []byte{4, 5}, BitLength: 16}); !bytes.Equal(got, want) {
		t.Errorf("BitString = %x, encoding/asn1 %x", got, want)
	}
	for _, n := range []int{0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20} {
		b := bytes.Repeat([]byte{0xab}, n)
		if got, want := OctetString(b), mustMarshal(t, b); !bytes.Equal(got, want) {
			t.Errorf("OctetString of %d bytes differs from encoding/asn1's", n)
		}
	}
	if got, want := Bool(true), mustMarshal(t, true); !bytes.Equal(got, want) {
		t.Errorf("Bool(true) = %x, %x", got, want)
	}
	if got, want := Bool(false), mustMarshal(t, false); !bytes.Equal(got, want) {
		t.Errorf("Bool(false) = %x, %x", got, want)
	}
	if got := Null(); !bytes.Equal(got, asn1.NullBytes) {
		t.Errorf("Null = %x", got)
	}
	east, west := time.FixedZone("e", 5*3600+30*60), time.FixedZone("w", -8*3600)
	for _, tm := range []time.Time{
		time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2051, 6, 1, 12, 30, 45, 999, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 29, 1, 2, 3, 0, east), time.Date(2060, 7, 4, 0, 0, 0, 0, west),
		time.Date(100, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, want := Time(tm), mustMarshal(t, tm); !bytes.Equal(got, want) {
			t.Errorf("Time(%v) = %q, encoding/asn1 %q", tm, got, want)
		}
	}
	// A SET OF is sorted by encoding, as encoding/asn1 sorts it.
	elems := []string{"zeta", "Alpha", "alpha", "beta longer", "b", "", "Kunde & Co"}
	var enc [][]byte
	for _, e := range elems {
		enc = append(enc, mustMarshal(t, e))
	}
	if got, want := SetOf(enc...), mustMarshalSet(t, elems); !bytes.Equal(got, want) {
		t.Errorf("SetOf = %x, encoding/asn1 %x", got, want)
	}
	// Strings as encoding/asn1 writes a Go string: PrintableString or
	// UTF8String.
	for _, s := range []string{"hsmsim", "Kunde & Co", "a*b", "für", "O'Brien (x) +,-./:=?", "tab\there", "", "@"} {
		got := attribute(oidCommonName, s)
		want := mustMarshal(t, struct {
			T asn1.ObjectIdentifier
			V any
		}{asn1.ObjectIdentifier(oidCommonName), s})
		if !bytes.Equal(got, want) {
			t.Errorf("attribute %q = %x, encoding/asn1 %x", s, got, want)
		}
	}
}

func mustMarshalSet(t *testing.T, v []string) []byte {
	t.Helper()
	b, err := asn1.MarshalWithParams(v, "set")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLongLengths pins the length octets of long elements.
func TestLongLengths(t *testing.T) {
	for _, n := range []int{0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0xffffff, 0x1000000} {
		b := make([]byte, n)
		got := OctetString(b)
		want := mustMarshal(t, b)
		if !bytes.Equal(got[:8], want[:8]) || len(got) != len(want) {
			t.Errorf("%d bytes: header %x, encoding/asn1 %x", n, got[:6], want[:6])
		}
		p := NewParser(got)
		if c := p.OctetString(); len(c) != n || p.End() != nil {
			t.Errorf("%d bytes do not read back: %v", n, p.Err())
		}
	}
}

// TestParserRefuses lists forms that are not DER, which the reader refuses
// with an error.
func TestParserRefuses(t *testing.T) {
	cases := map[string][]byte{
		"empty":                    {},
		"truncated header":         {0x02},
		"truncated content":        {0x04, 0x03, 1, 2},
		"indefinite length":        {0x30, 0x80, 0, 0},
		"non-minimal length":       {0x04, 0x81, 0x05, 1, 2, 3, 4, 5},
		"leading zero in length":   append([]byte{0x04, 0x82, 0x00, 0x80}, make([]byte, 0x80)...),
		"non-minimal integer":      {0x02, 0x02, 0x00, 0x01},
		"non-minimal negative":     {0x02, 0x02, 0xff, 0x80},
		"empty integer":            {0x02, 0x00},
		"trailing data":            {0x02, 0x01, 0x01, 0x00},
		"wrong tag":                {0x05, 0x01, 0x01},
		"constructed integer":      {0x22, 0x03, 0x02, 0x01, 0x01},
		"high tag, non-minimal":    {0x1f, 0x02, 0x00},
		"base 128 non-minimal":     {0x06, 0x03, 0x2a, 0x80, 0x01},
		"base 128 too large":       {0x06, 0x06, 0x2a, 0x88, 0x80, 0x80, 0x80, 0x00},
		"truncated OID arc":        {0x06, 0x02, 0x2a, 0x81},
		"empty OID":                {0x06, 0x00},
		"bit string padding":       {0x03, 0x02, 0x01, 0x01},
		"bit string padding > 7":   {0x03, 0x02, 0x08, 0x00},
		"empty bit string":         {0x03, 0x00},
		"padding of no bits":       {0x03, 0x01, 0x01},
		"boolean 0x01":             {0x01, 0x01, 0x01},
		"boolean of two bytes":     {0x01, 0x02, 0xff, 0xff},
		"integer of 9 bytes (Int)": {0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0},
	}
	for name, b := range cases {
		p := NewParser(b)
		switch b0 := append(b, 0)[0]; {
		case b0 == 0x06:
			p.OID()
		case b0 == 0x03:
			p.BitString()
		case b0 == 0x01:
			p.Bool()
		case b0 == 0x04 || b0 == 0x30 || b0 == 0x1f:
			p.OctetString()
		case name == "integer of 9 bytes (Int)":
			p.Int()
		default:
			p.Integer()
		}
		if p.End() == nil {
			t.Errorf("%s (%x) accepted", name, b)
		}
	}
}

func FuzzInteger(f *testing.F) {
	for _, n := range bigs()[:20] {
		f.Add(Integer(n))
	}
	f.Add([]byte{0x02, 0x02, 0x00, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := NewParser(b)
		got := p.Integer()
		err := p.End()
		var want *big.Int
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool { return got.Cmp(want) == 0 })
		p = NewParser(b)
		got64 := p.Int()
		err = p.End()
		var want64 int64
		ok, canon = asn1Reads(b, &want64)
		checkOracle(t, err, ok, canon, func() bool { return got64 == want64 })
	})
}

func FuzzOID(f *testing.F) {
	f.Add(OIDRSA.Element())
	f.Add(OID{2, 999, 1}.Element())
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseOID(b)
		var want asn1.ObjectIdentifier
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool { return want.Equal(asn1.ObjectIdentifier(got)) })
	})
}

func FuzzBitStringAndBool(f *testing.F) {
	f.Add(BitStringBits([]byte{0x80}, 1))
	f.Add(Bool(true))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := NewParser(b)
		got, bits := p.BitString()
		err := p.End()
		var want asn1.BitString
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool { return bytes.Equal(got, want.Bytes) && bits == want.BitLength })
		p = NewParser(b)
		v := p.Bool()
		err = p.End()
		var wantV bool
		ok, canon = asn1Reads(b, &wantV)
		checkOracle(t, err, ok, canon, func() bool { return v == wantV })
	})
}

// The structures' oracles: encoding/asn1's definitions of them.
type asn1AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type asn1PublicKeyInfo struct {
	Algorithm asn1AlgorithmIdentifier
	PublicKey asn1.BitString
}

type asn1PrivateKeyInfo struct {
	Version    int
	Algo       asn1AlgorithmIdentifier
	PrivateKey []byte
}

func sameAlg(a AlgorithmIdentifier, b asn1AlgorithmIdentifier) bool {
	return b.Algorithm.Equal(asn1.ObjectIdentifier(a.Algorithm)) && bytes.Equal(a.Parameters, b.Parameters.FullBytes)
}

func FuzzPublicKeyInfo(f *testing.F) {
	f.Add(MarshalPKIXEd25519PublicKey(make([]byte, 32)))
	f.Add(PublicKeyInfo{Algorithm: AlgorithmIdentifier{Algorithm: OIDEC, Parameters: OIDP256.Element()}, PublicKey: []byte{4, 1, 2}}.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePublicKeyInfo(b)
		var want asn1PublicKeyInfo
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool {
			return sameAlg(got.Algorithm, want.Algorithm) && bytes.Equal(got.PublicKey, want.PublicKey.Bytes) && got.Bits == want.PublicKey.BitLength
		})
	})
}

func FuzzPrivateKeyInfo(f *testing.F) {
	f.Add(MarshalPKCS8Ed25519PrivateKey(make([]byte, 64)))
	f.Add(PrivateKeyInfo{Version: 1, Algorithm: AlgorithmIdentifier{Algorithm: OIDRSA, Parameters: Null()}, PrivateKey: []byte{1}}.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParsePrivateKeyInfo(b)
		var want asn1PrivateKeyInfo
		ok, canon := asn1Reads(b, &want)
		checkOracle(t, err, ok, canon, func() bool {
			return sameAlg(got.Algorithm, want.Algo) && bytes.Equal(got.PrivateKey, want.PrivateKey) && got.Version == int64(want.Version)
		})
	})
}

func reflectElem(v any) any { return reflect.ValueOf(v).Elem().Interface() }
