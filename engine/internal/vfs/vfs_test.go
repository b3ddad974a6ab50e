package vfs

import (
	"os"
	"path/filepath"
	"strings"
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
	assert.Equal(t, []FileInfo{{"a.key", 1, false}, {"b.key", 2, false}}, list)
	require.NoError(t, fs.Remove("a.key"))
	_, err = fs.ReadFile("a.key")
	assert.True(t, IsNotExist(err))
	assert.Error(t, fs.Remove("a.key"))
	for _, bad := range []string{"", ".", "..", "../etc/passwd", "/..", "keys/../../x", `a\b`, "nul\x00", strings.Repeat("a", 256)} {
		assert.Error(t, fs.WriteFile(bad, nil), bad)
		_, err := fs.ReadFile(bad)
		assert.Error(t, err, bad)
	}
	assert.Error(t, fs.WriteFile("big", make([]byte, MaxFileSize+1)))

	// Folders: made by mkdir or by writing a file into them.
	require.NoError(t, fs.Mkdir("keys"))
	assert.ErrorIs(t, fs.Mkdir("keys"), ErrExist)
	assert.True(t, IsNotExist(fs.Mkdir("no/such")), "mkdir needs the parent")
	require.NoError(t, fs.WriteFile("keys/aes256-forImport.key", []byte("k")))
	require.NoError(t, fs.WriteFile("/attributes/attr_262180", []byte("attr")), "absolute, parents made")
	require.NoError(t, fs.WriteFile("/tmp/PO.crt", []byte("pem")))
	got, err = fs.ReadFile("/keys/./aes256-forImport.key")
	require.NoError(t, err)
	assert.Equal(t, "k", string(got))
	got, err = fs.ReadFile("keys/../tmp/PO.crt")
	require.NoError(t, err)
	assert.Equal(t, "pem", string(got))
	_, err = fs.ReadFile("keys")
	assert.True(t, IsDir(err))
	assert.ErrorIs(t, fs.WriteFile("keys", []byte("x")), ErrIsDir)
	assert.ErrorIs(t, fs.WriteFile("b.key/x", []byte("x")), ErrNotDir, "a file is not a folder")
	st, err := fs.Stat("keys")
	require.NoError(t, err)
	assert.Equal(t, FileInfo{Name: "keys", Dir: true}, st)
	st, err = fs.Stat("keys/aes256-forImport.key")
	require.NoError(t, err)
	assert.Equal(t, FileInfo{Name: "aes256-forImport.key", Size: 1}, st)
	ents, err := fs.ReadDir("/")
	require.NoError(t, err)
	assert.Equal(t, []FileInfo{{"attributes", 0, true}, {"b.key", 2, false}, {"keys", 0, true}, {"tmp", 0, true}}, ents)
	ents, err = fs.ReadDir("keys")
	require.NoError(t, err)
	assert.Equal(t, []FileInfo{{"aes256-forImport.key", 1, false}}, ents)
	list, err = fs.List()
	require.NoError(t, err)
	assert.Equal(t, []FileInfo{
		{"attributes", 0, true}, {"attributes/attr_262180", 4, false}, {"b.key", 2, false},
		{"keys", 0, true}, {"keys/aes256-forImport.key", 1, false}, {"tmp", 0, true}, {"tmp/PO.crt", 3, false},
	}, list)

	assert.ErrorIs(t, fs.Remove("keys"), ErrNotEmpty)
	require.NoError(t, fs.RemoveAll("keys"))
	_, err = fs.Stat("keys")
	assert.True(t, IsNotExist(err))
	require.NoError(t, fs.Remove("tmp/PO.crt"))
	require.NoError(t, fs.Remove("tmp"), "an empty folder")
	assert.Error(t, fs.RemoveAll("/"), "never the root")
	assert.Error(t, fs.RemoveAll(".."))

	// Seen from a working folder.
	require.NoError(t, fs.Mkdir("work"))
	wd := WorkDir{FS: fs, Cwd: "work"}
	require.NoError(t, wd.WriteFile("here", []byte("h")))
	require.NoError(t, wd.WriteFile("../up", []byte("u")))
	got, err = fs.ReadFile("work/here")
	require.NoError(t, err)
	assert.Equal(t, "h", string(got))
	got, err = wd.ReadFile("/up")
	require.NoError(t, err)
	assert.Equal(t, "u", string(got))
	_, err = wd.ReadFile("../../up")
	assert.ErrorIs(t, err, ErrOutside)
	_, err = wd.ReadFile("missing")
	assert.True(t, strings.HasPrefix(err.Error(), "open missing: "), "the path as typed: %v", err)
	assert.NoError(t, CheckWritable(wd, "new"))
	assert.NoError(t, CheckWritable(wd, "deep/new/file"))
	assert.ErrorIs(t, CheckWritable(wd, "/work"), ErrIsDir)
	assert.ErrorIs(t, CheckWritable(wd, "here/x"), ErrNotDir)
	assert.Error(t, CheckWritable(wd, "../.."))
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ cwd, name, want string }{
		{"", "a", "a"}, {"", "./a", "a"}, {"", "/a//b/", "a/b"}, {"k", "a", "k/a"}, {"k", "/a", "a"},
		{"k/l", "..", "k"}, {"k", "..", ""}, {"k", "../k/./x", "k/x"}, {"", "/", ""},
	} {
		got, err := Resolve(c.cwd, c.name)
		require.NoError(t, err, c)
		assert.Equal(t, c.want, got, c)
	}
	for _, bad := range []string{"", "..", "/..", "a/../..", `a\b`, "a\x00", strings.Repeat("d/", MaxDepth+1) + "f"} {
		_, err := Resolve("", bad)
		assert.Error(t, err, bad)
	}
	_, err := Resolve("k", "../..")
	assert.ErrorIs(t, err, ErrOutside)
}

func TestCleanStored(t *testing.T) {
	p, dir, err := CleanStored("keys/a.key")
	require.NoError(t, err)
	assert.Equal(t, "keys/a.key", p)
	assert.False(t, dir)
	p, dir, err = CleanStored("keys/")
	require.NoError(t, err)
	assert.Equal(t, "keys", p)
	assert.True(t, dir)
	for _, bad := range []string{"", "/", "/a", "./a", "a//b", "a/../b", "../a", "a/.", `a\b`} {
		_, _, err := CleanStored(bad)
		assert.Error(t, err, bad)
	}
}

func TestMem(t *testing.T) {
	m := NewMem()
	exercise(t, m)
	snap := m.Snapshot()
	assert.Equal(t, map[string][]byte{
		"attributes/": {}, "attributes/attr_262180": []byte("attr"), "b.key": []byte("bb"),
		"work/": {}, "work/here": []byte("h"), "up": []byte("u"),
	}, snap)
	m2 := NewMem()
	require.NoError(t, m2.Restore(snap))
	l1, _ := m.List()
	l2, _ := m2.List()
	assert.Equal(t, l1, l2)

	// A flat workspace of before folders restores as it was; a file's
	// folders are made.
	require.NoError(t, m2.Restore(map[string][]byte{"aes256.key": []byte("x"), "keys/a": []byte("y")}))
	l, _ := m2.List()
	assert.Equal(t, []FileInfo{{"aes256.key", 1, false}, {"keys", 0, true}, {"keys/a", 1, false}}, l)

	for _, bad := range []map[string][]byte{
		{"../x": nil}, {"/x": nil}, {"a": []byte("1"), "a/b": []byte("2")}, {"a": []byte("1"), "a/": {}},
		{"d/": []byte("content")}, {"a/./b": nil},
	} {
		assert.Error(t, m2.Restore(bad), "%v", bad)
		l, _ = m2.List()
		assert.Len(t, l, 3, "a refused restore changes nothing")
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	exercise(t, Dir{Root: dir})
	ents, _ := os.ReadDir(dir)
	names := []string{}
	for _, e := range ents {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"attributes", "b.key", "up", "work"}, names, "no temporary files left")
	_, err := os.Stat(filepath.Join(dir, "attributes", "attr_262180"))
	assert.NoError(t, err, "folders are real subdirectories")
}

// Symbolic links inside a --dir directory are followed only while they
// stay inside it.
func TestDirSymlinks(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "ws")
	outside := filepath.Join(base, "outside")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "keys"), 0o700))
	require.NoError(t, os.MkdirAll(outside, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "keys", "in.key"), []byte("in"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "leak")))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "out")))
	require.NoError(t, os.Symlink("../outside/new", filepath.Join(root, "dangling")))
	require.NoError(t, os.Symlink("keys/in.key", filepath.Join(root, "alias")))
	require.NoError(t, os.Symlink(".", filepath.Join(root, "loop")))
	d := Dir{Root: root}

	for _, name := range []string{"leak", "out/secret", "/out/secret", "loop/leak"} {
		_, err := d.ReadFile(name)
		assert.ErrorIs(t, err, ErrOutside, name)
		assert.ErrorIs(t, d.WriteFile(name, []byte("x")), ErrOutside, name)
	}
	assert.ErrorIs(t, d.WriteFile("dangling", []byte("x")), ErrOutside)
	assert.ErrorIs(t, d.WriteFile("out/newfile", []byte("x")), ErrOutside)
	assert.ErrorIs(t, d.Mkdir("out/newdir"), ErrOutside)
	assert.ErrorIs(t, d.RemoveAll("out/secret"), ErrOutside)
	_, err := d.ReadDir("out")
	assert.ErrorIs(t, err, ErrOutside)
	_, err = d.Stat("out")
	assert.ErrorIs(t, err, ErrOutside)
	b, err := os.ReadFile(filepath.Join(outside, "secret"))
	require.NoError(t, err)
	assert.Equal(t, "secret", string(b), "untouched")
	_, err = os.Stat(filepath.Join(outside, "new"))
	assert.True(t, os.IsNotExist(err), "nothing written outside")

	// A link that stays inside works, and writing through it keeps it.
	got, err := d.ReadFile("alias")
	require.NoError(t, err)
	assert.Equal(t, "in", string(got))
	got, err = d.ReadFile("loop/keys/in.key")
	require.NoError(t, err)
	assert.Equal(t, "in", string(got))
	require.NoError(t, d.WriteFile("alias", []byte("new")))
	got, _ = os.ReadFile(filepath.Join(root, "keys", "in.key"))
	assert.Equal(t, "new", string(got))

	// The listing leaves out links that leave, and does not walk links.
	list, err := d.List()
	require.NoError(t, err)
	assert.Equal(t, []FileInfo{{"alias", 3, false}, {"keys", 0, true}, {"keys/in.key", 3, false}, {"loop", 0, true}}, list)

	// Removing a link removes the link only.
	require.NoError(t, d.Remove("leak"))
	_, err = os.Stat(filepath.Join(outside, "secret"))
	assert.NoError(t, err)
	require.NoError(t, d.RemoveAll("loop"))
	_, err = os.Stat(filepath.Join(root, "keys", "in.key"))
	assert.NoError(t, err, "rm -r of a link to . removes the link, not the tree")
}

// FuzzResolve: no path panics, and what resolves is canonical and stays
// inside the workspace.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"a", "../a", "/a/b/../c", "k/./l", "//", `a\b`} {
		f.Add("k", s)
	}
	f.Fuzz(func(t *testing.T, cwd, name string) {
		c, err := Resolve("", cwd)
		if err != nil {
			return
		}
		p, err := Resolve(c, name)
		if err != nil {
			return
		}
		if again, _, err := CleanStored(p); p != "" && (err != nil || again != p) {
			t.Fatalf("Resolve(%q, %q) = %q, not canonical", c, name, p)
		}
		if strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") {
			t.Fatalf("Resolve(%q, %q) = %q leaves the root", c, name, p)
		}
	})
}
