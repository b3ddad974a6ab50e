// Package jsonout writes JSON text whose objects keep the order their
// members are written in, laid out byte for byte as encoding/json's
// MarshalIndent lays out the same values: CloudHSM CLI prints every reply
// that way, and its keys come in the order the reference pages show, which
// encoding/json can only be given through reflection and a second pass
// that indents. The Writer appends to one buffer in a single pass, with
// no reflection.
//
// What it writes matches encoding/json's rules exactly: strings escaped
// as encoding/json escapes them (", \ and the control characters, \b \f
// \n \r \t by name and the rest as \u00XX; U+2028 and U+2029 as \u2028
// and \u2029; each byte of invalid UTF-8 as \ufffd; <, > and & as \u003c,
// \u003e and \u0026 when EscapeHTML is set, as json.Marshal does), integers
// in decimal, an empty object or array as {} or [], and the indented
// layout of MarshalIndent: each member or element on its own line, indented
// by one Indent per level, a space after each colon.
package jsonout

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Writer writes one JSON value, calling its methods in the order of the
// text: BeginObject, then Key and a value for each member, then EndObject;
// BeginArray, the elements, EndArray. The caller keeps the calls well
// nested; the Writer does not check them.
type Writer struct {
	// Indent is the text of one level of indentation ("  " for
	// MarshalIndent(v, "", "  ")); empty writes compact JSON, as
	// json.Marshal does.
	Indent string
	// EscapeHTML escapes <, > and & in strings, as json.Marshal and
	// MarshalIndent do and an Encoder does unless SetEscapeHTML(false).
	EscapeHTML bool

	buf   []byte
	depth int
	// empty is set between the opening of an object or array and its
	// first member or element.
	empty bool
	// afterKey is set between a key and its value.
	afterKey bool
	// lines is a line break and indentation, sliced by newline.
	lines string
}

// Bytes is the text written so far. It is the Writer's buffer: it stays
// valid until the next write.
func (w *Writer) Bytes() []byte { return w.buf }

// String is the text written so far.
func (w *Writer) String() string { return string(w.buf) }

// Reset empties the buffer, keeping its storage, to write a new value.
func (w *Writer) Reset() {
	w.buf, w.depth, w.empty, w.afterKey = w.buf[:0], 0, false, false
}

// Grow makes room for n more bytes, for a caller that knows about how
// long its text will be.
func (w *Writer) Grow(n int) {
	if cap(w.buf)-len(w.buf) < n {
		w.buf = append(make([]byte, 0, len(w.buf)+n), w.buf...)
	}
}

// The layout steps below are kept out of line (go:noinline): inlined into
// every method and from there into the callers' walks, they made the
// js/wasm engine some 14 KB larger for no measurable gain natively.

// newline starts a line at the current depth: one append of a slice of
// lines, a line break and as much indentation as the deepest line so far.
//
//go:noinline
func (w *Writer) newline() {
	if w.Indent == "" {
		return
	}
	n := 1 + w.depth*len(w.Indent)
	if len(w.lines) < n || w.lines[1:1+len(w.Indent)] != w.Indent {
		w.lines = "\n" + strings.Repeat(w.Indent, 2*w.depth+8)
	}
	w.buf = append(w.buf, w.lines[:n]...)
}

// before writes what comes ahead of a value or key: nothing after a key
// (its colon is written), the line break of the first member or element, or
// the comma and line break of the next.
//
//go:noinline
func (w *Writer) before() {
	switch {
	case w.afterKey:
		w.afterKey = false
		return
	case w.depth == 0:
		return
	case !w.empty:
		w.buf = append(w.buf, ',')
	}
	w.empty = false
	w.newline()
}

// BeginObject opens an object.
func (w *Writer) BeginObject() { w.open('{') }

// EndObject closes the object opened last.
func (w *Writer) EndObject() { w.close('}') }

// BeginArray opens an array.
func (w *Writer) BeginArray() { w.open('[') }

// EndArray closes the array opened last.
func (w *Writer) EndArray() { w.close(']') }

//go:noinline
func (w *Writer) open(c byte) {
	w.before()
	w.buf = append(w.buf, c)
	w.depth++
	w.empty = true
}

//go:noinline
func (w *Writer) close(c byte) {
	w.depth--
	if !w.empty {
		w.newline()
	}
	w.empty = false
	w.buf = append(w.buf, c)
}

// Key writes the name of an object's next member; its value comes next.
func (w *Writer) Key(k string) {
	w.before()
	w.buf = appendString(w.buf, k, w.EscapeHTML)
	w.buf = append(w.buf, ':')
	if w.Indent != "" {
		w.buf = append(w.buf, ' ')
	}
	w.afterKey = true
}

// Str writes a string value.
func (w *Writer) Str(s string) {
	w.before()
	w.buf = appendString(w.buf, s, w.EscapeHTML)
}

// Int writes an integer value.
func (w *Writer) Int(n int64) {
	w.before()
	w.buf = strconv.AppendInt(w.buf, n, 10)
}

// Uint writes an unsigned integer value.
func (w *Writer) Uint(n uint64) {
	w.before()
	w.buf = strconv.AppendUint(w.buf, n, 10)
}

// Float writes a float64 as encoding/json does: the shortest decimal
// that reads back as f, in exponent form (1e-07, 1e+21) below 1e-6 and
// from 1e21 on. NaN and the infinities, which encoding/json refuses, are
// written as null.
func (w *Writer) Float(f float64) {
	w.before()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.buf = append(w.buf, "null"...)
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.buf = strconv.AppendFloat(w.buf, f, format, -1, 64)
	if format == 'e' {
		// e-09 is written e-9, as encoding/json does.
		n := len(w.buf)
		if n >= 4 && w.buf[n-4] == 'e' && w.buf[n-3] == '-' && w.buf[n-2] == '0' {
			w.buf[n-2] = w.buf[n-1]
			w.buf = w.buf[:n-1]
		}
	}
}

// Bool writes true or false.
func (w *Writer) Bool(b bool) {
	w.before()
	w.buf = strconv.AppendBool(w.buf, b)
}

// Null writes null.
func (w *Writer) Null() {
	w.before()
	w.buf = append(w.buf, "null"...)
}

// List writes a list of n elements, each written by elem, as encoding/json
// writes a slice: null when it is nil (null). Not generic: one copy of the
// code serves every list, which the browser downloads.
func (w *Writer) List(null bool, n int, elem func(i int)) {
	if null {
		w.Null()
		return
	}
	w.BeginArray()
	for i := range n {
		elem(i)
	}
	w.EndArray()
}

const hexDigits = "0123456789abcdef"

// safe marks the ASCII bytes a string holds as they are; htmlSafe marks
// those of them that stay as they are when HTML is escaped too. They are
// encoding/json's safeSet and htmlSafeSet.
var safe, htmlSafe = func() (s, h [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		if b == '"' || b == '\\' {
			continue
		}
		s[b] = true
		h[b] = b != '<' && b != '>' && b != '&'
	}
	return s, h
}()

// appendString appends s quoted and escaped as encoding/json's
// appendString does.
func appendString(dst []byte, s string, escapeHTML bool) []byte {
	set := &safe
	if escapeHTML {
		set = &htmlSafe
	}
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if set[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
