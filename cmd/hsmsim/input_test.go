package main

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// dropInvalid is what validUTF8 must pass on: the input's valid sequences,
// in order, with every other byte left out.
func dropInvalid(b []byte) []byte {
	var out []byte
	for len(b) > 0 {
		r, l := utf8.DecodeRune(b)
		if r != utf8.RuneError || l > 1 {
			out = append(out, b[:l]...)
		}
		b = b[l:]
	}
	return out
}

func FuzzValidUTF8(f *testing.F) {
	f.Add([]byte("\xff\xfe\r"), uint8(1))
	f.Add([]byte("caf\xc3\xa9 \xe2\x82 ok\r"), uint8(3))
	f.Add([]byte("\xf0\x9f\x94\x91 key\x1b[A"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		var r io.Reader = bytes.NewReader(data)
		if chunk%4 != 0 {
			// Reads of one byte cut every sequence in pieces.
			r = iotest.OneByteReader(r)
		}
		v := &validUTF8{r: r}
		var got []byte
		buf := make([]byte, 8+int(chunk))
		for {
			n, err := v.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if want := dropInvalid(data); !bytes.Equal(got, want) {
			t.Fatalf("validUTF8(%q) = %q, want %q", data, got, want)
		}
	})
}
