package cli

import (
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Commands is every registered path, sorted, made once: each call gives the
// same list, and what a caller appends does not reach the next.
func TestCommandsAreListedOnceInOrder(t *testing.T) {
	a := Commands()
	require.Len(t, a, len(commands))
	assert.True(t, sort.StringsAreSorted(a))
	for _, p := range a {
		assert.Contains(t, commands, p)
	}
	assert.Contains(t, a, "key generate-symmetric aes")
	assert.True(t, commandsListed.Load())

	b := Commands()
	assert.Same(t, &a[0], &b[0], "listed once, not at every call")
	b = append(b, "zzz not a command")
	assert.Equal(t, a, Commands(), "an append makes the caller's own copy")
	assert.False(t, slices.Contains(Commands(), "zzz not a command"))

	assert.PanicsWithValue(t, "cli: command late registered after the commands were listed", func() {
		register(&command{path: "late"})
	}, "a command registered after the list was made would be missing from it")
	assert.NotContains(t, commands, "late")
}

func BenchmarkCommands(b *testing.B) {
	for b.Loop() {
		if len(Commands()) == 0 {
			b.Fatal("no commands")
		}
	}
}
