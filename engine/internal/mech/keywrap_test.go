package mech

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
)

type kwVector struct {
	name           string
	kek, key, wrap []byte
}

func decodeHexLoose(s string) ([]byte, error) {
	return hex.DecodeString(strings.Join(strings.Fields(s), ""))
}

// loadKWVectors reads the RFC vectors kept under testdata/.
func loadKWVectors(t *testing.T, file string) []kwVector {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []kwVector
	cur := kwVector{}
	flush := func() {
		if cur.name != "" {
			out = append(out, cur)
		}
		cur = kwVector{}
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: bad line %q", file, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "name":
			cur.name = v
		case "kek":
			cur.kek = mustHex(t, v)
		case "key":
			cur.key = mustHex(t, v)
		case "wrap":
			cur.wrap = mustHex(t, v)
		default:
			t.Fatalf("%s: unknown field %q", file, k)
		}
	}
	flush()
	if len(out) == 0 {
		t.Fatalf("%s: no vectors", file)
	}
	return out
}

func TestRFC3394KnownAnswers(t *testing.T) {
	vecs := loadKWVectors(t, "testdata/rfc3394.txt")
	if len(vecs) != 6 {
		t.Fatalf("want 6 RFC 3394 vectors, got %d", len(vecs))
	}
	for _, v := range vecs {
		got, err := AESKeyWrap(v.kek, v.key)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if !bytes.Equal(got, v.wrap) {
			t.Errorf("%s: wrap = %x, want %x", v.name, got, v.wrap)
		}
		back, err := AESKeyUnwrap(v.kek, v.wrap)
		if err != nil || !bytes.Equal(back, v.key) {
			t.Errorf("%s: unwrap = %x, %v", v.name, back, err)
		}
	}
}

func TestRFC5649KnownAnswers(t *testing.T) {
	vecs := loadKWVectors(t, "testdata/rfc5649.txt")
	if len(vecs) != 2 {
		t.Fatalf("want 2 RFC 5649 vectors, got %d", len(vecs))
	}
	for _, v := range vecs {
		got, err := AESKeyWrapPad(v.kek, v.key)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if !bytes.Equal(got, v.wrap) {
			t.Errorf("%s: wrap = %x, want %x", v.name, got, v.wrap)
		}
		back, err := AESKeyUnwrapPad(v.kek, v.wrap)
		if err != nil || !bytes.Equal(back, v.key) {
			t.Errorf("%s: unwrap = %x, %v", v.name, back, err)
		}
	}
}

func TestKeyWrapRoundTripAllLengths(t *testing.T) {
	r := seeded(42)
	for _, kekLen := range []int{16, 24, 32} {
		kek, _ := GenerateSecret(r, KeyTypeAES, kekLen)
		for n := 1; n <= 72; n++ {
			pt, _ := GenerateSecret(r, KeyTypeGenericSecret, n)

			w, err := AESKeyWrapPad(kek, pt)
			if err != nil {
				t.Fatalf("KWP %d: %v", n, err)
			}
			if want := 8 + (n+7)/8*8; len(w) != want {
				t.Errorf("KWP %d: len %d, want %d", n, len(w), want)
			}
			if back, err := AESKeyUnwrapPad(kek, w); err != nil || !bytes.Equal(back, pt) {
				t.Errorf("KWP %d: round trip failed: %v", n, err)
			}

			w, err = AESKeyWrapPKCS5(kek, pt)
			if err != nil {
				t.Fatalf("PKCS5 %d: %v", n, err)
			}
			if want := 8 + (n/8+1)*8; len(w) != want {
				t.Errorf("PKCS5 %d: len %d, want %d", n, len(w), want)
			}
			if back, err := AESKeyUnwrapPKCS5(kek, w); err != nil || !bytes.Equal(back, pt) {
				t.Errorf("PKCS5 %d: round trip failed: %v", n, err)
			}

			w, err = AESKeyWrap(kek, pt)
			if n%8 != 0 || n < 16 {
				if !errors.Is(err, ErrWrapSize) {
					t.Errorf("KW %d: err = %v, want ErrWrapSize", n, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("KW %d: %v", n, err)
			}
			if back, err := AESKeyUnwrap(kek, w); err != nil || !bytes.Equal(back, pt) {
				t.Errorf("KW %d: round trip failed: %v", n, err)
			}
		}
	}
}

// The PKCS #5 variant must be exactly RFC 3394 over the padded input when
// that input has two or more blocks.
func TestPKCS5IsKWOverPaddedInput(t *testing.T) {
	kek := bytes.Repeat([]byte{7}, 32)
	des3 := bytes.Repeat([]byte{0x5b}, 24) // a 3DES-sized key: 8 bytes of 0x08 are added
	got, err := AESKeyWrapPKCS5(kek, des3)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := AESKeyWrap(kek, append(append([]byte{}, des3...), bytes.Repeat([]byte{8}, 8)...))
	if !bytes.Equal(got, want) {
		t.Fatalf("PKCS5 wrap differs from KW(padded)")
	}
	if len(got) != 40 {
		t.Fatalf("24-byte key wraps to %d bytes, want 40", len(got))
	}
}

func TestKeyWrapIntegrity(t *testing.T) {
	kek := bytes.Repeat([]byte{1}, 16)
	other := bytes.Repeat([]byte{2}, 16)
	pt := bytes.Repeat([]byte{0xAB}, 32)
	type fns struct {
		name   string
		wrap   func(k, p []byte) ([]byte, error)
		unwrap func(k, c []byte) ([]byte, error)
		pt     []byte
	}
	for _, f := range []fns{
		{"KW", AESKeyWrap, AESKeyUnwrap, pt},
		{"KWP", AESKeyWrapPad, AESKeyUnwrapPad, pt[:5]},
		{"KWP-long", AESKeyWrapPad, AESKeyUnwrapPad, pt[:21]},
		{"PKCS5", AESKeyWrapPKCS5, AESKeyUnwrapPKCS5, pt[:3]},
		{"PKCS5-long", AESKeyWrapPKCS5, AESKeyUnwrapPKCS5, pt},
	} {
		w, err := f.wrap(kek, f.pt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.unwrap(other, w); !errors.Is(err, ErrUnwrapIntegrity) {
			t.Errorf("%s: wrong key err = %v", f.name, err)
		}
		for i := range w {
			bad := append([]byte{}, w...)
			bad[i] ^= 0x01
			if _, err := f.unwrap(kek, bad); !errors.Is(err, ErrUnwrapIntegrity) {
				t.Errorf("%s: flipped byte %d err = %v", f.name, i, err)
			}
		}
		for _, n := range []int{0, 7, 8, len(w) - 1, len(w) + 3} {
			if n > len(w) {
				continue
			}
			if _, err := f.unwrap(kek, w[:n]); err == nil {
				t.Errorf("%s: truncated to %d accepted", f.name, n)
			}
		}
	}
	// Cross-mechanism confusion must be detected.
	w, _ := AESKeyWrap(kek, pt)
	if _, err := AESKeyUnwrapPad(kek, w); !errors.Is(err, ErrUnwrapIntegrity) {
		t.Errorf("KWP accepted a KW blob: %v", err)
	}
	w, _ = AESKeyWrapPad(kek, pt)
	if _, err := AESKeyUnwrap(kek, w); !errors.Is(err, ErrUnwrapIntegrity) {
		t.Errorf("KW accepted a KWP blob: %v", err)
	}
}

func TestKeyWrapBadKEK(t *testing.T) {
	for _, n := range []int{0, 8, 15, 17, 33} {
		kek := make([]byte, n)
		if _, err := AESKeyWrap(kek, make([]byte, 16)); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("KEK %d: %v", n, err)
		}
		if _, err := AESKeyUnwrapPad(kek, make([]byte, 16)); !errors.Is(err, ErrBadKeySize) {
			t.Errorf("KEK %d: %v", n, err)
		}
	}
	if _, err := AESKeyWrapPad(make([]byte, 16), nil); !errors.Is(err, ErrWrapSize) {
		t.Errorf("empty KWP plaintext: %v", err)
	}
}

func TestDefaultKeyWrapIV(t *testing.T) {
	iv := DefaultKeyWrapIV()
	if hex.EncodeToString(iv) != "a6a6a6a6a6a6a6a6" {
		t.Fatalf("IV = %x", iv)
	}
	iv[0] = 0 // must be a copy
	if DefaultKeyWrapIV()[0] != 0xA6 {
		t.Fatal("DefaultKeyWrapIV returned shared storage")
	}
}
