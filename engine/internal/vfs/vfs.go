// Package vfs holds the files that key_mgmt_util's -f, -out and -w flags and
// the host shell read and write. In the browser and by default natively they
// live in memory and are saved with the cluster; with hsmsim --dir they are a
// real directory, so OpenSSL can read what the simulator exports.
package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/internal/atomicfile"
)

// MaxFileSize bounds one file, so a runaway command cannot fill the
// browser's storage.
const MaxFileSize = 4 << 20

// ErrNotExist is returned for a missing file.
var ErrNotExist = fs.ErrNotExist

// FileInfo describes one file.
type FileInfo struct {
	Name string `json:"name"`
	Size int    `json:"size"`
}

// FS is a flat directory of files. Names are plain file names: no
// directories, no "..", nothing outside the workspace.
type FS interface {
	ReadFile(name string) ([]byte, error)
	WriteFile(name string, data []byte) error
	Remove(name string) error
	List() ([]FileInfo, error)
}

// CleanName checks a file name as typed by a user and returns it cleaned:
// a leading "./" is dropped; anything with a directory part is refused.
func CleanName(name string) (string, error) {
	n := strings.TrimPrefix(name, "./")
	switch {
	case n == "" || n == "." || n == "..":
		return "", fmt.Errorf("invalid file name %q", name)
	case strings.ContainsAny(n, "/\\\x00"):
		return "", fmt.Errorf("invalid file name %q: files live in one directory", name)
	case len(n) > 255:
		return "", fmt.Errorf("invalid file name: longer than 255 characters")
	}
	return n, nil
}

// Mem is an in-memory FS whose content is part of the saved state.
type Mem struct {
	files map[string][]byte
}

// NewMem returns an empty in-memory FS.
func NewMem() *Mem { return &Mem{files: map[string][]byte{}} }

// ReadFile returns a copy of the file's bytes.
func (m *Mem) ReadFile(name string) ([]byte, error) {
	n, err := CleanName(name)
	if err != nil {
		return nil, err
	}
	b, ok := m.files[n]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: n, Err: fs.ErrNotExist}
	}
	return append([]byte(nil), b...), nil
}

// WriteFile creates or replaces a file.
func (m *Mem) WriteFile(name string, data []byte) error {
	n, err := CleanName(name)
	if err != nil {
		return err
	}
	if len(data) > MaxFileSize {
		return fmt.Errorf("%s: file too large (%d bytes, at most %d)", n, len(data), MaxFileSize)
	}
	m.files[n] = append([]byte(nil), data...)
	return nil
}

// Remove deletes a file.
func (m *Mem) Remove(name string) error {
	n, err := CleanName(name)
	if err != nil {
		return err
	}
	if _, ok := m.files[n]; !ok {
		return &fs.PathError{Op: "remove", Path: n, Err: fs.ErrNotExist}
	}
	delete(m.files, n)
	return nil
}

// List returns the files sorted by name.
func (m *Mem) List() ([]FileInfo, error) {
	out := make([]FileInfo, 0, len(m.files))
	for n, b := range m.files {
		out = append(out, FileInfo{Name: n, Size: len(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Snapshot returns a copy of every file, for saving.
func (m *Mem) Snapshot() map[string][]byte {
	out := make(map[string][]byte, len(m.files))
	for n, b := range m.files {
		out[n] = append([]byte(nil), b...)
	}
	return out
}

// Restore replaces the content with files (names are checked).
func (m *Mem) Restore(files map[string][]byte) error {
	next := map[string][]byte{}
	for n, b := range files {
		c, err := CleanName(n)
		if err != nil {
			return err
		}
		if len(b) > MaxFileSize {
			return fmt.Errorf("%s: file too large", c)
		}
		next[c] = append([]byte(nil), b...)
	}
	m.files = next
	return nil
}

// Dir is an FS backed by a real directory.
type Dir struct {
	Root string
}

func (d Dir) path(name string) (string, error) {
	n, err := CleanName(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(d.Root, n), nil
}

// ReadFile reads a file of the directory.
func (d Dir) ReadFile(name string) ([]byte, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: file too large", name)
	}
	return os.ReadFile(p)
}

// WriteFile writes atomically: a temporary file renamed into place.
func (d Dir) WriteFile(name string, data []byte) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if len(data) > MaxFileSize {
		return fmt.Errorf("%s: file too large", name)
	}
	return atomicfile.Write(p, data, 0o600)
}

// Remove deletes a file of the directory.
func (d Dir) Remove(name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	return os.Remove(p)
}

// List lists the regular files of the directory.
func (d Dir) List() ([]FileInfo, error) {
	ents, err := os.ReadDir(d.Root)
	if err != nil {
		return nil, err
	}
	var out []FileInfo
	for _, e := range ents {
		if !e.Type().IsRegular() || atomicfile.IsTemp(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, FileInfo{Name: e.Name(), Size: int(info.Size())})
	}
	return out, nil
}

// IsNotExist reports whether err says a file is missing.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
