package shell

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The archive reads back with archive/zip (names, contents, folders, the
// fixed time) and with unzip where it is installed.
func TestZipWriterReadsBack(t *testing.T) {
	var z zipWriter
	files := []struct {
		name string
		data []byte
	}{
		{"keys/", nil}, {"keys/a.key", bytes.Repeat([]byte{0xa5}, 32)}, {"keys/empty/", nil},
		{"keys/sub/note", []byte("hi\n")}, {"keys/schlüssel.pem", []byte("-----BEGIN-----\n")}, {"keys/zero", []byte{}},
	}
	for _, f := range files {
		if err := z.add(f.name, f.data); err != nil {
			t.Fatal(err)
		}
	}
	data := z.bytes()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(files) {
		t.Fatalf("%d entries, want %d", len(zr.File), len(files))
	}
	for i, f := range zr.File {
		if f.Name != files[i].name {
			t.Errorf("entry %d is %q, want %q", i, f.Name, files[i].name)
		}
		if f.FileInfo().IsDir() != (f.Name[len(f.Name)-1] == '/') {
			t.Errorf("%s: directory %v", f.Name, f.FileInfo().IsDir())
		}
		if f.Modified.Year() != 2020 || f.Modified.Month() != time.January || f.Modified.Day() != 1 {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(b, files[i].data) {
			t.Errorf("%s: %q %v, want %q", f.Name, b, err, files[i].data)
		}
	}
	if unzip, err := exec.LookPath("unzip"); err == nil {
		p := filepath.Join(t.TempDir(), "f.zip")
		os.WriteFile(p, data, 0o644)
		if out, err := exec.Command(unzip, "-t", p).CombinedOutput(); err != nil {
			t.Errorf("unzip -t: %v\n%s", err, out)
		}
	}
}
