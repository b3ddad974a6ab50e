package server

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shares", "nested")
	st, err := NewDirStore(dir)
	require.NoError(t, err)
	assert.Equal(t, dir, st.Dir())
	ctx := context.Background()

	_, err = st.Get(ctx, "AAAAAAAAAAAA")
	assert.ErrorIs(t, err, ErrNotFound)

	require.NoError(t, st.Put(ctx, "AAAAAAAAAAAA", []byte(`{"a":1}`)))
	got, err := st.Get(ctx, "AAAAAAAAAAAA")
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(got))

	// Writing goes through a temporary file renamed into place; nothing
	// else is left in the directory.
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
	assert.Equal(t, "AAAAAAAAAAAA.json", ents[0].Name())

	// Ids that are not of the id form never reach the file system.
	_, err = st.Get(ctx, "../../etc/passwd")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Error(t, st.Put(ctx, "../escape", []byte("x")))
	_, err = os.Stat(filepath.Join(dir, "..", "escape.json"))
	assert.True(t, os.IsNotExist(err))
}

func TestDirStoreRefusesAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, nil, 0o600))
	_, err := NewDirStore(f)
	assert.Error(t, err)
	_, err = NewDirStore("")
	assert.Error(t, err)
}

func TestDirStoreLeavesNoTemporaryOnFailure(t *testing.T) {
	dir := t.TempDir()
	st, err := NewDirStore(dir)
	require.NoError(t, err)
	// A directory where the share should go makes the rename fail.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "BBBBBBBBBBBB.json"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "BBBBBBBBBBBB.json", "x"), nil, 0o600))
	assert.Error(t, st.Put(context.Background(), "BBBBBBBBBBBB", []byte("{}")))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "the temporary file was removed")
}

func TestMemStoreCopies(t *testing.T) {
	m := NewMemStore()
	doc := []byte("abc")
	require.NoError(t, m.Put(context.Background(), "CCCCCCCCCCCC", doc))
	doc[0] = 'x'
	got, err := m.Get(context.Background(), "CCCCCCCCCCCC")
	require.NoError(t, err)
	assert.Equal(t, "abc", string(got))
	got[0] = 'y'
	again, _ := m.Get(context.Background(), "CCCCCCCCCCCC")
	assert.Equal(t, "abc", string(again))
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/xdg")
	assert.Equal(t, filepath.Join("/xdg", "hsmsim", "shares"), DefaultDataDir())
	t.Setenv("XDG_DATA_HOME", "")
	assert.Contains(t, DefaultDataDir(), filepath.Join("hsmsim", "shares"))
}
