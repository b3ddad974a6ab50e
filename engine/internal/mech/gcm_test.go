package mech

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"testing"
)

func TestSealOpenGCM(t *testing.T) {
	r := seeded(31)
	for _, n := range []int{16, 24, 32} {
		key, _ := GenerateSecret(r, KeyTypeAES, n)
		for _, size := range []int{0, 1, 16, 100} {
			pt := bytes.Repeat([]byte{0xCD}, size)
			sealed, err := SealGCM(r, key, pt, []byte("aad"))
			if err != nil {
				t.Fatal(err)
			}
			if len(sealed) != GCMIVSize+size+GCMTagSize {
				t.Fatalf("len %d", len(sealed))
			}
			got, err := OpenGCM(key, sealed, []byte("aad"))
			if err != nil || !bytes.Equal(got, pt) {
				t.Fatalf("open: %v", err)
			}
			if _, err := OpenGCM(key, sealed, nil); !errors.Is(err, ErrUnwrapIntegrity) {
				t.Errorf("wrong aad: %v", err)
			}
			for i := range sealed {
				bad := append([]byte{}, sealed...)
				bad[i] ^= 4
				if _, err := OpenGCM(key, bad, []byte("aad")); !errors.Is(err, ErrUnwrapIntegrity) {
					t.Fatalf("flip at %d: %v", i, err)
				}
			}
		}
	}
	if _, err := OpenGCM(make([]byte, 16), make([]byte, 27), nil); !errors.Is(err, ErrUnwrapIntegrity) {
		t.Errorf("short: %v", err)
	}
	if _, err := SealGCM(seeded(1), make([]byte, 10), nil, nil); !errors.Is(err, ErrBadKeySize) {
		t.Errorf("bad key: %v", err)
	}
	if _, err := OpenGCM(make([]byte, 10), make([]byte, 40), nil); !errors.Is(err, ErrBadKeySize) {
		t.Errorf("bad key: %v", err)
	}
}

// Truncated tags must equal what a standard GCM with that tag size gives,
// and the manual verification path (tags < 12 bytes) must reject forgeries.
func TestGCMTagTruncation(t *testing.T) {
	key := bytes.Repeat([]byte{5}, 32)
	iv := bytes.Repeat([]byte{6}, GCMIVSize)
	pt := []byte("the quick brown fox jumps over the lazy dog")
	aad := []byte("header")
	b, _ := aes.NewCipher(key)
	for tag := GCMMinTagSize; tag <= GCMTagSize; tag++ {
		got, err := gcmSeal(key, iv, pt, aad, tag)
		if err != nil {
			t.Fatal(err)
		}
		if tag >= 12 {
			g, _ := cipher.NewGCMWithTagSize(b, tag)
			if want := g.Seal(nil, iv, pt, aad); !bytes.Equal(got, want) {
				t.Fatalf("tag %d differs from crypto/cipher", tag)
			}
		}
		back, err := gcmOpen(key, iv, got, aad, tag)
		if err != nil || !bytes.Equal(back, pt) {
			t.Fatalf("tag %d: %v", tag, err)
		}
		for i := range got {
			bad := append([]byte{}, got...)
			bad[i] ^= 1
			if _, err := gcmOpen(key, iv, bad, aad, tag); !errors.Is(err, ErrUnwrapIntegrity) {
				t.Fatalf("tag %d flip %d: %v", tag, i, err)
			}
		}
		if _, err := gcmOpen(key, iv, got[:tag-1], aad, tag); !errors.Is(err, ErrUnwrapIntegrity) {
			t.Fatalf("tag %d short: %v", tag, err)
		}
	}
}
