// Package vfs holds the files that key_mgmt_util's -f, -out and -w flags,
// cloudhsm_mgmt_util, openssl and the host shell read and write. In the
// browser and by default natively they live in memory and are saved with
// the cluster; with hsmsim --dir they are a real directory, so OpenSSL can
// read what the simulator exports. Files live in folders (path.go); a path
// never reaches outside the workspace.
package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
)

// MaxFileSize bounds one file, so a runaway command cannot fill the
// browser's storage.
const MaxFileSize = 4 << 20

// MaxEntries bounds the files and folders of a workspace.
const MaxEntries = 10000

// ErrNotExist is returned for a missing file.
var ErrNotExist = fs.ErrNotExist

// FileInfo describes one file or folder.
type FileInfo struct {
	// Name is the canonical path in List, the last component in ReadDir
	// and Stat.
	Name string `json:"name"`
	Size int    `json:"size"`
	Dir  bool   `json:"dir,omitempty"`
}

// FS is a tree of files and folders. Paths are as a user types them,
// absolute or relative to the root (WorkDir makes them relative to a
// working folder). Writing a file creates the folders its path names.
type FS interface {
	ReadFile(name string) ([]byte, error)
	WriteFile(name string, data []byte) error
	// Remove deletes a file or an empty folder.
	Remove(name string) error
	// RemoveAll deletes a file, or a folder and all it holds.
	RemoveAll(name string) error
	// Mkdir makes one folder; its parent must exist.
	Mkdir(name string) error
	Stat(name string) (FileInfo, error)
	// ReadDir lists a folder, sorted by name.
	ReadDir(name string) ([]FileInfo, error)
	// List lists every file and folder of the workspace by canonical
	// path, sorted.
	List() ([]FileInfo, error)
}

// CheckWritable reports, before any work is done, whether name can be
// written: a valid path, not a folder, and not below a file.
func CheckWritable(f FS, name string) error {
	if _, err := CleanName(name); err != nil {
		return err
	}
	st, err := f.Stat(name)
	switch {
	case err == nil && st.Dir:
		return pathErr("open", name, ErrIsDir)
	case err == nil:
		return nil
	case !IsNotExist(err):
		return err
	}
	for dir := name; ; {
		i := strings.LastIndexByte(strings.TrimRight(dir, "/"), '/')
		if i <= 0 {
			return nil
		}
		dir = dir[:i]
		st, err := f.Stat(dir)
		if err == nil {
			if !st.Dir {
				return pathErr("open", name, ErrNotDir)
			}
			return nil
		}
		if !IsNotExist(err) {
			return pathErr("open", name, ErrNotDir)
		}
	}
}

// Mem is an in-memory FS whose content is part of the saved state.
type Mem struct {
	files map[string][]byte
	dirs  map[string]bool // every folder but the root
}

// NewMem returns an empty in-memory FS.
func NewMem() *Mem { return &Mem{files: map[string][]byte{}, dirs: map[string]bool{}} }

func (m *Mem) isDir(p string) bool { return p == "" || m.dirs[p] }

// ReadFile returns a copy of the file's bytes.
func (m *Mem) ReadFile(name string) ([]byte, error) {
	p, err := Resolve("", name)
	if err != nil {
		return nil, err
	}
	if m.isDir(p) {
		return nil, pathErr("read", name, ErrIsDir)
	}
	b, ok := m.files[p]
	if !ok {
		return nil, pathErr("open", name, fs.ErrNotExist)
	}
	return append([]byte(nil), b...), nil
}

// mkdirs makes the folders above canonical p, refusing a file in the way.
func (m *Mem) mkdirs(name, p string, add map[string]bool) error {
	for d := parent(p); d != ""; d = parent(d) {
		if _, isFile := m.files[d]; isFile {
			return pathErr("open", name, ErrNotDir)
		}
		if !m.dirs[d] {
			add[d] = true
		}
	}
	return nil
}

// WriteFile creates or replaces a file, making the folders of its path.
func (m *Mem) WriteFile(name string, data []byte) error {
	p, err := Resolve("", name)
	if err != nil {
		return err
	}
	if m.isDir(p) {
		return pathErr("open", name, ErrIsDir)
	}
	if len(data) > MaxFileSize {
		return fmt.Errorf("file too large (%d bytes, at most %d)", len(data), MaxFileSize)
	}
	add := map[string]bool{}
	if err := m.mkdirs(name, p, add); err != nil {
		return err
	}
	if _, exists := m.files[p]; !exists && len(m.files)+len(m.dirs)+len(add) >= MaxEntries {
		return fmt.Errorf("the workspace holds %d files and folders, the most it can", MaxEntries)
	}
	for d := range add {
		m.dirs[d] = true
	}
	m.files[p] = append([]byte{}, data...)
	return nil
}

// Mkdir makes a folder whose parent exists.
func (m *Mem) Mkdir(name string) error {
	p, err := Resolve("", name)
	if err != nil {
		return err
	}
	if _, isFile := m.files[p]; isFile || m.isDir(p) {
		return pathErr("mkdir", name, ErrExist)
	}
	if !m.isDir(parent(p)) {
		if _, isFile := m.files[parent(p)]; isFile {
			return pathErr("mkdir", name, ErrNotDir)
		}
		return pathErr("mkdir", name, fs.ErrNotExist)
	}
	if len(m.files)+len(m.dirs) >= MaxEntries {
		return fmt.Errorf("the workspace holds %d files and folders, the most it can", MaxEntries)
	}
	m.dirs[p] = true
	return nil
}

// under reports whether canonical p lies inside folder d.
func under(p, d string) bool { return d == "" || strings.HasPrefix(p, d+"/") }

// Remove deletes a file or an empty folder.
func (m *Mem) Remove(name string) error {
	p, err := Resolve("", name)
	if err != nil {
		return err
	}
	if _, ok := m.files[p]; ok {
		delete(m.files, p)
		return nil
	}
	if !m.isDir(p) {
		return pathErr("remove", name, fs.ErrNotExist)
	}
	if p == "" {
		return pathErr("remove", name, ErrOutside)
	}
	for q := range m.files {
		if under(q, p) {
			return pathErr("remove", name, ErrNotEmpty)
		}
	}
	for q := range m.dirs {
		if under(q, p) {
			return pathErr("remove", name, ErrNotEmpty)
		}
	}
	delete(m.dirs, p)
	return nil
}

// RemoveAll deletes a file, or a folder with everything in it.
func (m *Mem) RemoveAll(name string) error {
	p, err := Resolve("", name)
	if err != nil {
		return err
	}
	if _, ok := m.files[p]; ok {
		delete(m.files, p)
		return nil
	}
	if !m.isDir(p) {
		return pathErr("remove", name, fs.ErrNotExist)
	}
	if p == "" {
		return pathErr("remove", name, ErrOutside)
	}
	for q := range m.files {
		if under(q, p) {
			delete(m.files, q)
		}
	}
	for q := range m.dirs {
		if q == p || under(q, p) {
			delete(m.dirs, q)
		}
	}
	return nil
}

// Stat describes a file or folder.
func (m *Mem) Stat(name string) (FileInfo, error) {
	p, err := Resolve("", name)
	if err != nil {
		return FileInfo{}, err
	}
	if m.isDir(p) {
		return FileInfo{Name: Base(p), Dir: true}, nil
	}
	b, ok := m.files[p]
	if !ok {
		return FileInfo{}, pathErr("stat", name, fs.ErrNotExist)
	}
	return FileInfo{Name: Base(p), Size: len(b)}, nil
}

// ReadDir lists a folder.
func (m *Mem) ReadDir(name string) ([]FileInfo, error) {
	p, err := Resolve("", name)
	if err != nil {
		return nil, err
	}
	if !m.isDir(p) {
		if _, ok := m.files[p]; ok {
			return nil, pathErr("readdir", name, ErrNotDir)
		}
		return nil, pathErr("open", name, fs.ErrNotExist)
	}
	out := []FileInfo{}
	for q, b := range m.files {
		if under(q, p) && parent(q) == p {
			out = append(out, FileInfo{Name: Base(q), Size: len(b)})
		}
	}
	for q := range m.dirs {
		if under(q, p) && parent(q) == p {
			out = append(out, FileInfo{Name: Base(q), Dir: true})
		}
	}
	sortInfos(out)
	return out, nil
}

func sortInfos(out []FileInfo) {
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
}

// List returns every file and folder by canonical path, sorted.
func (m *Mem) List() ([]FileInfo, error) {
	out := make([]FileInfo, 0, len(m.files)+len(m.dirs))
	for n, b := range m.files {
		out = append(out, FileInfo{Name: n, Size: len(b)})
	}
	for d := range m.dirs {
		out = append(out, FileInfo{Name: d, Dir: true})
	}
	sortInfos(out)
	return out, nil
}

// Snapshot returns a copy of every file, for saving, and every folder as
// its path followed by DirMarker with no content.
func (m *Mem) Snapshot() map[string][]byte {
	out := make(map[string][]byte, len(m.files)+len(m.dirs))
	for n, b := range m.files {
		out[n] = append([]byte{}, b...)
	}
	for d := range m.dirs {
		out[d+DirMarker] = []byte{}
	}
	return out
}

// Restore replaces the content with a snapshot. Names are checked, the
// folders of a file's path are made, and a name that is both a file and a
// folder is refused; a refused snapshot changes nothing. A workspace saved
// before folders existed (plain file names) restores as it was.
func (m *Mem) Restore(files map[string][]byte) error {
	next := NewMem()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	if len(names) > MaxEntries {
		return fmt.Errorf("%d files and folders, more than %d", len(names), MaxEntries)
	}
	for _, n := range names {
		p, dir, err := CleanStored(n)
		if err != nil {
			return err
		}
		b := files[n]
		if dir {
			if len(b) != 0 {
				return fmt.Errorf("folder %s holds content", n)
			}
			next.dirs[p] = true
			continue
		}
		if len(b) > MaxFileSize {
			return fmt.Errorf("%s: file too large", p)
		}
		next.files[p] = append([]byte{}, b...)
	}
	for p := range next.files {
		if next.dirs[p] {
			return fmt.Errorf("%s is both a file and a folder", p)
		}
		for d := parent(p); d != ""; d = parent(d) {
			if _, isFile := next.files[d]; isFile {
				return fmt.Errorf("%s is both a file and a folder", d)
			}
			next.dirs[d] = true
		}
	}
	for d := range next.dirs {
		for q := parent(d); q != ""; q = parent(q) {
			if _, isFile := next.files[q]; isFile {
				return fmt.Errorf("%s is both a file and a folder", q)
			}
			next.dirs[q] = true
		}
	}
	if len(next.files)+len(next.dirs) > MaxEntries {
		return fmt.Errorf("more than %d files and folders", MaxEntries)
	}
	m.files, m.dirs = next.files, next.dirs
	return nil
}

// IsNotExist reports whether err says a file is missing.
func IsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// IsDir reports whether err says a path is a folder.
func IsDir(err error) bool { return errors.Is(err, ErrIsDir) }

// WorkDir is an FS seen from a working folder: relative paths start there.
type WorkDir struct {
	FS FS
	// Cwd is the canonical working folder ("" is the root).
	Cwd string
}

func (w WorkDir) abs(name string) (string, error) {
	p, err := Resolve(w.Cwd, name)
	if err != nil {
		return "", err
	}
	return "/" + p, nil
}

// ReadFile implements FS.
func (w WorkDir) ReadFile(name string) ([]byte, error) {
	p, err := w.abs(name)
	if err != nil {
		return nil, err
	}
	b, err := w.FS.ReadFile(p)
	return b, renamed(err, p, name)
}

// WriteFile implements FS.
func (w WorkDir) WriteFile(name string, data []byte) error {
	p, err := w.abs(name)
	if err != nil {
		return err
	}
	return renamed(w.FS.WriteFile(p, data), p, name)
}

// Remove implements FS.
func (w WorkDir) Remove(name string) error {
	p, err := w.abs(name)
	if err != nil {
		return err
	}
	return renamed(w.FS.Remove(p), p, name)
}

// RemoveAll implements FS.
func (w WorkDir) RemoveAll(name string) error {
	p, err := w.abs(name)
	if err != nil {
		return err
	}
	return renamed(w.FS.RemoveAll(p), p, name)
}

// Mkdir implements FS.
func (w WorkDir) Mkdir(name string) error {
	p, err := w.abs(name)
	if err != nil {
		return err
	}
	return renamed(w.FS.Mkdir(p), p, name)
}

// Stat implements FS.
func (w WorkDir) Stat(name string) (FileInfo, error) {
	p, err := w.abs(name)
	if err != nil {
		return FileInfo{}, err
	}
	st, err := w.FS.Stat(p)
	return st, renamed(err, p, name)
}

// ReadDir implements FS.
func (w WorkDir) ReadDir(name string) ([]FileInfo, error) {
	p, err := w.abs(name)
	if err != nil {
		return nil, err
	}
	l, err := w.FS.ReadDir(p)
	return l, renamed(err, p, name)
}

// List implements FS: the whole workspace, by canonical path.
func (w WorkDir) List() ([]FileInfo, error) { return w.FS.List() }

// renamed puts the path back as the user typed it in an error.
func renamed(err error, abs, typed string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == abs {
		return &fs.PathError{Op: pe.Op, Path: typed, Err: pe.Err}
	}
	return err
}
