package cmdline

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	cases := map[string][]string{
		"genSymKey -t 31 -s 32 -l aes256": {"genSymKey", "-t", "31", "-s", "32", "-l", "aes256"},
		`  a   "b c"  'd "e"' f\ g `:      {"a", "b c", `d "e"`, "f g"},
		`""`:                              {""},
		"":                                nil,
	}
	for in, want := range cases {
		got, err := Split(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := Split(`"open`)
	assert.ErrorIs(t, err, ErrUnterminated)
	_, err = Split(`trailing\`)
	assert.ErrorIs(t, err, ErrUnterminated)
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"genSymKey -t 31 -s 32 -l aes256", `"a b" 'c'`, `x\ y`, `"`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := Split(s)
		if err != nil {
			return
		}
		// Quoting every word and splitting again gives the same words.
		var q []string
		for _, w := range words {
			q = append(q, Quote(w))
		}
		again, err := Split(join(q))
		if err != nil {
			t.Fatalf("re-split of %q: %v", join(q), err)
		}
		if len(again) != len(words) {
			t.Fatalf("%q -> %q -> %q", s, words, again)
		}
		for i := range words {
			if again[i] != words[i] {
				t.Fatalf("%q -> %q -> %q", s, words, again)
			}
		}
	})
}

func join(ws []string) string {
	out := ""
	for i, w := range ws {
		if i > 0 {
			out += " "
		}
		out += w
	}
	return out
}
