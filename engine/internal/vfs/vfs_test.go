package vfs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func exercise(t *testing.T, fs FS) {
	t.Helper()
	require.NoError(t, fs.WriteFile("b.key", []byte("bb")))
	require.NoError(t, fs.WriteFile("./a.key", []byte("a")))
	got, err := fs.ReadFile("a.key")
	require.NoError(t, err)
	assert.Equal(t, "a", string(got))
	list, err := fs.List()
	require.NoError(t, err)
	assert.Equal(t, []FileInfo{{"a.key", 1}, {"b.key", 2}}, list)
	require.NoError(t, fs.Remove("a.key"))
	_, err = fs.ReadFile("a.key")
	assert.True(t, IsNotExist(err))
	assert.Error(t, fs.Remove("a.key"))
	for _, bad := range []string{"", ".", "..", "../etc/passwd", "dir/file", `a\b`, "nul\x00"} {
		assert.Error(t, fs.WriteFile(bad, nil), bad)
		_, err := fs.ReadFile(bad)
		assert.Error(t, err, bad)
	}
	assert.Error(t, fs.WriteFile("big", make([]byte, MaxFileSize+1)))
}

func TestMem(t *testing.T) {
	m := NewMem()
	exercise(t, m)
	snap := m.Snapshot()
	m2 := NewMem()
	require.NoError(t, m2.Restore(snap))
	l, _ := m2.List()
	assert.Equal(t, []FileInfo{{"b.key", 2}}, l)
	assert.Error(t, m2.Restore(map[string][]byte{"../x": nil}))
	l, _ = m2.List()
	assert.Len(t, l, 1, "a refused restore changes nothing")
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	exercise(t, Dir{Root: dir})
	ents, _ := os.ReadDir(dir)
	assert.Len(t, ents, 1, "no temporary files left")
	_, err := os.Stat(filepath.Join(dir, "b.key"))
	assert.NoError(t, err)
}
