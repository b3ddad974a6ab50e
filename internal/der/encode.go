package der

import (
	"bytes"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The writers below build DER element by element: each returns the whole
// element (tag, definite length, content) so that a structure is written as
// the nesting of calls it is, Sequence(Int(0), OID(...).Element(), ...).
// They write what encoding/asn1's Marshal writes for the same values (the
// package's tests compare them for many values), without its reflection.

// Tags of the universal types the engine's structures use (class,
// constructed bit and number in one byte).
const (
	TagBoolean         = 0x01
	TagInteger         = 0x02
	TagBitString       = 0x03
	TagOctetString     = 0x04
	TagNull            = 0x05
	TagOID             = 0x06
	TagUTF8String      = 0x0c
	TagPrintableString = 0x13
	TagIA5String       = 0x16
	TagUTCTime         = 0x17
	TagGeneralizedTime = 0x18
	TagSequence        = 0x30
	TagSet             = 0x31

	classContext = 0x80
	constructed  = 0x20
)

// OID is an OBJECT IDENTIFIER, its arcs in order (encoding/asn1's
// ObjectIdentifier without the package).
type OID []int

// Equal reports whether o and p are the same identifier.
func (o OID) Equal(p OID) bool { return slices.Equal(o, p) }

// String is the dotted form, "1.2.840.10045.2.1".
func (o OID) String() string {
	var s strings.Builder
	for i, v := range o {
		if i > 0 {
			s.WriteByte('.')
		}
		s.WriteString(strconv.Itoa(v))
	}
	return s.String()
}

// Element is the OBJECT IDENTIFIER element of o, which must be a valid
// identifier (at least two arcs, the first 0, 1 or 2, the second below 40
// under 0 and 1, none negative): the engine's identifiers are constants.
func (o OID) Element() []byte {
	if !o.valid() {
		panic("der: invalid object identifier " + o.String())
	}
	c := appendBase128(nil, o[0]*40+o[1])
	for _, v := range o[2:] {
		c = appendBase128(c, v)
	}
	return Element(TagOID, c)
}

func (o OID) valid() bool {
	if len(o) < 2 || o[0] < 0 || o[0] > 2 || o[1] < 0 || o[0] < 2 && o[1] >= 40 {
		return false
	}
	for _, v := range o {
		if v < 0 {
			return false
		}
	}
	return true
}

func appendBase128(b []byte, v int) []byte {
	n := 1
	for i := v; i > 127; i >>= 7 {
		n++
	}
	for i := n - 1; i >= 0; i-- {
		c := byte(v>>(7*i)) & 0x7f
		if i != 0 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

// appendHeader appends a tag and the definite length of n content bytes
// in its shortest form.
func appendHeader(b []byte, tag byte, n int) []byte {
	b = append(b, tag)
	if n < 0x80 {
		return append(b, byte(n))
	}
	l := 0
	for i := n; i > 0; i >>= 8 {
		l++
	}
	b = append(b, 0x80|byte(l))
	for i := l - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

// Element is the element of one tag whose content is the parts, in order.
func Element(tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := appendHeader(make([]byte, 0, n+6), tag, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Sequence is a SEQUENCE of the elements given.
func Sequence(elems ...[]byte) []byte { return Element(TagSequence, elems...) }

// SetOf is a SET OF the elements given, sorted as DER orders them (by
// their encodings), as encoding/asn1 sorts a SET OF.
func SetOf(elems ...[]byte) []byte {
	s := slices.Clone(elems)
	slices.SortStableFunc(s, bytes.Compare)
	return Element(TagSet, s...)
}

// Explicit is [n] EXPLICIT: a constructed context-specific element holding
// the elements given.
func Explicit(n int, elems ...[]byte) []byte {
	return Element(classContext|constructed|byte(n), elems...)
}

// Implicit is a primitive [n] IMPLICIT element of the content given.
func Implicit(n int, content []byte) []byte { return Element(classContext|byte(n), content) }

// Integer is the INTEGER element of n (two's complement, shortest form).
func Integer(n *big.Int) []byte {
	switch n.Sign() {
	case 0:
		return []byte{TagInteger, 1, 0}
	case 1:
		b := n.Bytes()
		if b[0]&0x80 != 0 {
			return Element(TagInteger, []byte{0}, b)
		}
		return Element(TagInteger, b)
	}
	// -n-1 with its bits inverted is n's two's complement.
	m := new(big.Int).Not(n).Bytes()
	for i := range m {
		m[i] ^= 0xff
	}
	if len(m) == 0 || m[0]&0x80 == 0 {
		return Element(TagInteger, []byte{0xff}, m)
	}
	return Element(TagInteger, m)
}

// Int is the INTEGER element of a machine integer.
func Int(v int64) []byte {
	n := 1
	for i := v; i > 127 || i < -128; i >>= 8 {
		n++
	}
	c := make([]byte, n)
	for i := range c {
		c[i] = byte(v >> (8 * (n - 1 - i)))
	}
	return Element(TagInteger, c)
}

// Bool is the BOOLEAN element of v (DER's 0xff for true).
func Bool(v bool) []byte {
	if v {
		return []byte{TagBoolean, 1, 0xff}
	}
	return []byte{TagBoolean, 1, 0}
}

// Null is the NULL element.
func Null() []byte { return []byte{TagNull, 0} }

// OctetString is the OCTET STRING element of b.
func OctetString(b []byte) []byte { return Element(TagOctetString, b) }

// BitString is the BIT STRING of whole bytes (no unused bits).
func BitString(b []byte) []byte { return Element(TagBitString, []byte{0}, b) }

// BitStringBits is the BIT STRING of the first bits bits of b, which must
// hold (bits+7)/8 bytes whose unused low bits are zero.
func BitStringBits(b []byte, bits int) []byte {
	return Element(TagBitString, []byte{byte(len(b)*8 - bits)}, b)
}

// String is a character string element of the given tag.
func String(tag byte, s string) []byte { return Element(tag, []byte(s)) }

// Time is t as encoding/asn1 writes a time.Time: a UTCTime
// (YYMMDDhhmmssZ) for the years 1950 to 2049, a GeneralizedTime
// (YYYYMMDDhhmmssZ) otherwise, with a "+hhmm" offset in place of Z
// outside UTC.
func Time(t time.Time) []byte {
	tag, layout := byte(TagUTCTime), "060102150405"
	if y := t.Year(); y < 1950 || y >= 2050 {
		tag, layout = TagGeneralizedTime, "20060102150405"
	}
	s := t.Format(layout)
	_, off := t.Zone()
	if off/60 == 0 {
		s += "Z"
	} else {
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		s += string(sign) + twoDigits(off/3600) + twoDigits(off/60%60)
	}
	return String(tag, s)
}

func twoDigits(v int) string { return string([]byte{byte('0' + v/10%10), byte('0' + v%10)}) }
