package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteReplacesAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	if err := Write(p, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "two" || st.Mode().Perm() != 0o640 {
		t.Fatalf("got %q mode %v, want \"two\" mode 0640", b, st.Mode().Perm())
	}
	if got := names(t, dir); len(got) != 1 || got[0] != "ws.json" {
		t.Fatalf("directory holds %v, want only ws.json", got)
	}
}

func TestWriteFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "link.json")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.json", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", st.Mode(), err)
	}
	b, _ := os.ReadFile(real)
	rst, _ := os.Stat(real)
	if string(b) != "new" || rst.Mode().Perm() != 0o644 {
		t.Fatalf("target holds %q mode %v, want \"new\" mode 0644", b, rst.Mode().Perm())
	}
}

func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	// The target is a non-empty directory: the rename fails after the
	// temporary file was written and synced.
	p := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(p, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("data"), 0o600); err == nil {
		t.Fatal("writing over a directory succeeded")
	}
	if got := names(t, dir); len(got) != 1 || got[0] != "busy" {
		t.Fatalf("directory holds %v after a failed write, want only busy", got)
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	for _, n := range []string{".ws.json.tmp-123", ".ws.json.tmp-abc", "other.json", ".other.json.tmp-1"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := RemoveTemps(p); err != nil {
		t.Fatal(err)
	}
	got := names(t, dir)
	if len(got) != 2 || got[0] != ".other.json.tmp-1" || got[1] != "other.json" {
		t.Fatalf("left %v, want only the other file's", got)
	}
	if !IsTemp(".ws.json.tmp-123") || IsTemp("ws.json") || IsTemp("a.tmp-1") {
		t.Fatal("IsTemp misjudges names")
	}
}
