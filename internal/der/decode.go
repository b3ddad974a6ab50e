package der

import (
	"errors"
	"fmt"
	"math"
	"math/big"
)

// Parser reads DER elements in order from a byte slice. It is strict: the
// shortest length and tag forms, minimal integers and object identifier
// arcs, no indefinite lengths, BIT STRING padding bits zero, and, where a
// reader calls End, nothing after the last element. Where encoding/asn1
// reads the same structures it accepts what this reads, with the same
// values (the tests fuzz both); it also accepts some forms DER does not
// allow (bytes after a SEQUENCE's last field, a default value written out)
// that this refuses.
//
// The first error stops the parse: every later read returns a zero value
// and Err (shared by a parser and the ones its Sequence calls return)
// reports it. Nothing panics on malformed input.
type Parser struct {
	b   []byte
	err *error
}

// NewParser reads b.
func NewParser(b []byte) *Parser { return &Parser{b: b, err: new(error)} }

// Err is the first error of the parse, nil if none.
func (p *Parser) Err() error { return *p.err }

// Empty reports whether everything has been read (or the parse failed).
func (p *Parser) Empty() bool { return *p.err != nil || len(p.b) == 0 }

func (p *Parser) fail(format string, args ...any) {
	if *p.err == nil {
		*p.err = fmt.Errorf("der: "+format, args...)
	}
	p.b = nil
}

// End fails the parse if anything is left, and returns its error.
func (p *Parser) End() error {
	if *p.err == nil && len(p.b) != 0 {
		*p.err = fmt.Errorf("%w (%d bytes)", ErrTrailingData, len(p.b))
		p.b = nil
	}
	return *p.err
}

// header reads an element's identifier and length octets: the first
// identifier byte, the header's length and the content's.
func header(b []byte) (tag byte, hlen, clen int, err error) {
	if len(b) < 2 {
		return 0, 0, 0, errors.New("truncated element")
	}
	tag, hlen = b[0], 1
	if tag&0x1f == 0x1f {
		// A tag number of 31 or more, in base 128.
		n, used, err := base128(b[1:])
		if err != nil {
			return 0, 0, 0, err
		}
		if n < 0x1f {
			return 0, 0, 0, errors.New("non-minimal tag")
		}
		hlen += used
		if hlen >= len(b) {
			return 0, 0, 0, errors.New("truncated tag or length")
		}
	}
	l := b[hlen]
	hlen++
	if l < 0x80 {
		clen = int(l)
	} else {
		n := int(l & 0x7f)
		if n == 0 {
			return 0, 0, 0, errors.New("indefinite length (not DER)")
		}
		for i := 0; i < n; i++ {
			if hlen >= len(b) {
				return 0, 0, 0, errors.New("truncated tag or length")
			}
			if clen >= 1<<23 {
				return 0, 0, 0, errors.New("length too large")
			}
			clen = clen<<8 | int(b[hlen])
			hlen++
			if clen == 0 {
				return 0, 0, 0, errors.New("superfluous leading zeros in length")
			}
		}
		if clen < 0x80 {
			return 0, 0, 0, errors.New("non-minimal length")
		}
	}
	if clen > len(b)-hlen {
		return 0, 0, 0, errors.New("data truncated")
	}
	return tag, hlen, clen, nil
}

// base128 reads one base-128 number (an object identifier arc or a tag
// number) of at most four bytes, below 2^31, in its shortest form.
func base128(b []byte) (n, used int, err error) {
	var v int64
	for i := 0; i < len(b); i++ {
		if i == 5 {
			return 0, 0, errors.New("base 128 integer too large")
		}
		c := b[i]
		if i == 0 && c == 0x80 {
			return 0, 0, errors.New("base 128 integer not minimally encoded")
		}
		v = v<<7 | int64(c&0x7f)
		if c&0x80 == 0 {
			if v > math.MaxInt32 {
				return 0, 0, errors.New("base 128 integer too large")
			}
			return int(v), i + 1, nil
		}
	}
	return 0, 0, errors.New("truncated base 128 integer")
}

// Peek is the first identifier byte of the next element, false at the end.
func (p *Parser) Peek() (byte, bool) {
	if *p.err != nil || len(p.b) == 0 {
		return 0, false
	}
	return p.b[0], true
}

// Any reads the next element whatever its tag: its first identifier byte,
// the whole element and its content.
func (p *Parser) Any() (tag byte, full, content []byte) {
	if *p.err != nil {
		return 0, nil, nil
	}
	tag, hlen, clen, err := header(p.b)
	if err != nil {
		p.fail("%v", err)
		return 0, nil, nil
	}
	full, p.b = p.b[:hlen+clen], p.b[hlen+clen:]
	return tag, full, full[hlen:]
}

// Element reads the next element, which must have the given identifier
// byte, and returns its content.
func (p *Parser) Element(tag byte) []byte {
	if *p.err != nil {
		return nil
	}
	if len(p.b) == 0 {
		p.fail("missing element 0x%02x", tag)
		return nil
	}
	if p.b[0] != tag {
		p.fail("element 0x%02x where 0x%02x was expected", p.b[0], tag)
		return nil
	}
	_, _, content := p.Any()
	return content
}

// Optional reports whether the next element has the given identifier byte.
func (p *Parser) Optional(tag byte) bool {
	t, ok := p.Peek()
	return ok && t == tag
}

// Sequence reads a SEQUENCE and returns a parser of its elements.
func (p *Parser) Sequence() *Parser { return p.Inner(TagSequence) }

// Inner reads a constructed element (a SEQUENCE, SET or an explicit tag)
// and returns a parser of its content, sharing this one's error.
func (p *Parser) Inner(tag byte) *Parser {
	return &Parser{b: p.Element(tag), err: p.err}
}

// Explicit reads [n] EXPLICIT and returns a parser of what it holds.
func (p *Parser) Explicit(n int) *Parser { return p.Inner(classContext | constructed | byte(n)) }

// integerBytes checks an INTEGER's content: not empty, minimal.
func (p *Parser) integerBytes() []byte {
	c := p.Element(TagInteger)
	if *p.err != nil {
		return nil
	}
	switch {
	case len(c) == 0:
		p.fail("empty integer")
		return nil
	case len(c) > 1 && (c[0] == 0 && c[1]&0x80 == 0 || c[0] == 0xff && c[1]&0x80 != 0):
		p.fail("integer not minimally encoded")
		return nil
	}
	return c
}

// Integer reads an INTEGER of any size (nil after an error).
func (p *Parser) Integer() *big.Int {
	c := p.integerBytes()
	if c == nil {
		return nil
	}
	n := new(big.Int).SetBytes(c)
	if c[0]&0x80 != 0 {
		// Negative: subtract 2^(8·len).
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(c))))
	}
	return n
}

// Int reads an INTEGER that fits in 64 bits.
func (p *Parser) Int() int64 {
	c := p.integerBytes()
	if c == nil {
		return 0
	}
	if len(c) > 8 {
		p.fail("integer too large")
		return 0
	}
	var v int64
	for _, b := range c {
		v = v<<8 | int64(b)
	}
	// Sign-extend from the content's length.
	shift := uint(64 - 8*len(c))
	return v << shift >> shift
}

// Bool reads a BOOLEAN (0x00 or 0xff).
func (p *Parser) Bool() bool {
	c := p.Element(TagBoolean)
	if *p.err != nil {
		return false
	}
	if len(c) != 1 || c[0] != 0 && c[0] != 0xff {
		p.fail("invalid boolean")
		return false
	}
	return c[0] == 0xff
}

// OctetString reads an OCTET STRING's bytes.
func (p *Parser) OctetString() []byte { return p.Element(TagOctetString) }

// BitString reads a BIT STRING: its bytes and its length in bits (the
// unused bits of the last byte zero).
func (p *Parser) BitString() (b []byte, bits int) { return p.bitString(TagBitString) }

func (p *Parser) bitString(tag byte) ([]byte, int) {
	c := p.Element(tag)
	if *p.err != nil {
		return nil, 0
	}
	if len(c) == 0 {
		p.fail("zero length BIT STRING")
		return nil, 0
	}
	pad := c[0]
	if pad > 7 || len(c) == 1 && pad > 0 || c[len(c)-1]&(1<<pad-1) != 0 {
		p.fail("invalid BIT STRING padding bits")
		return nil, 0
	}
	return c[1:], (len(c)-1)*8 - int(pad)
}

// OID reads an OBJECT IDENTIFIER.
func (p *Parser) OID() OID {
	c := p.Element(TagOID)
	if *p.err != nil {
		return nil
	}
	o, err := ParseOIDContent(c)
	if err != nil {
		p.fail("%v", err)
		return nil
	}
	return o
}

// ParseOIDContent reads the content octets of an OBJECT IDENTIFIER.
func ParseOIDContent(c []byte) (OID, error) {
	if len(c) == 0 {
		return nil, errors.New("zero length OBJECT IDENTIFIER")
	}
	o := make(OID, 0, len(c)+1)
	v, n, err := base128(c)
	if err != nil {
		return nil, err
	}
	if v < 80 {
		o = append(o, v/40, v%40)
	} else {
		o = append(o, 2, v-80)
	}
	for c = c[n:]; len(c) > 0; c = c[n:] {
		if v, n, err = base128(c); err != nil {
			return nil, err
		}
		o = append(o, v)
	}
	return o, nil
}

// ParseOID reads b, which must be one OBJECT IDENTIFIER element and
// nothing more.
func ParseOID(b []byte) (OID, error) {
	p := NewParser(b)
	o := p.OID()
	return o, p.End()
}

// BitStringImplicit reads a BIT STRING under an implicit tag (the
// identifier byte given).
func (p *Parser) BitStringImplicit(tag byte) (b []byte, bits int) { return p.bitString(tag) }
