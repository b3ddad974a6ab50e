package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hsmsim/hsmsim/internal/atomicfile"
)

// Dir is an FS backed by a real directory (hsmsim --dir): the workspace's
// folders are its subdirectories. No path reaches outside it: ".." above
// the root is refused by Resolve, and a symbolic link inside the directory
// is followed only while where it leads stays inside (a link out of the
// directory answers as an error, for reads as for writes).
type Dir struct {
	Root string
}

// real maps a path to the file it names under the root, following
// symbolic links and refusing any that lead outside.
func (d Dir) real(op, name string) (string, error) {
	p, err := Resolve("", name)
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(d.Root)
	if err != nil {
		return "", err
	}
	full := filepath.Join(root, filepath.FromSlash(p))
	// The longest part of the path that exists, with its links followed.
	rest := ""
	cur := full
	for {
		r, err := filepath.EvalSymlinks(cur)
		if err == nil {
			cur = r
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", pathErr(op, name, unwrapPath(err))
		}
		if lt, lerr := os.Lstat(cur); lerr == nil && lt.Mode()&fs.ModeSymlink != 0 {
			// A dangling link: where it would lead must stay inside too.
			target, rerr := os.Readlink(cur)
			if rerr != nil {
				return "", rerr
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(cur), target)
			}
			cur = filepath.Clean(target)
			if !inside(root, cur) {
				return "", pathErr(op, name, ErrOutside)
			}
			break
		}
		parentDir := filepath.Dir(cur)
		if parentDir == cur {
			return "", pathErr(op, name, fs.ErrNotExist)
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parentDir
	}
	if !inside(root, cur) {
		return "", pathErr(op, name, ErrOutside)
	}
	return filepath.Join(cur, rest), nil
}

// inside reports whether path p is root or below it.
func inside(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// ReadFile reads a file of the directory.
func (d Dir) ReadFile(name string) ([]byte, error) {
	p, err := d.real("open", name)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, pathErr("open", name, unwrapPath(err))
	}
	if st.IsDir() {
		return nil, pathErr("read", name, ErrIsDir)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: file too large", name)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, pathErr("open", name, unwrapPath(err))
	}
	return b, nil
}

// unwrapPath drops the real path from an os error, which would show the
// host's directory instead of the workspace path, and words it as the
// package's errors.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fs.ErrNotExist
	case errors.Is(err, syscall.ENOTEMPTY):
		return ErrNotEmpty
	case errors.Is(err, fs.ErrExist):
		return ErrExist
	case errors.Is(err, syscall.ENOTDIR):
		return ErrNotDir
	case errors.Is(err, syscall.EISDIR):
		return ErrIsDir
	}
	return err
}

// WriteFile writes atomically (a temporary file renamed into place),
// making the folders of the path.
func (d Dir) WriteFile(name string, data []byte) error {
	p, err := d.real("open", name)
	if err != nil {
		return err
	}
	if len(data) > MaxFileSize {
		return fmt.Errorf("file too large (%d bytes, at most %d)", len(data), MaxFileSize)
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return pathErr("open", name, ErrIsDir)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return pathErr("open", name, unwrapPath(err))
	}
	// The folders just made may not have moved the file outside (a link
	// could have raced in); check again before writing.
	if again, err := d.real("open", name); err != nil || again != p {
		return pathErr("open", name, ErrOutside)
	}
	if err := atomicfile.Write(p, data, 0o600); err != nil {
		return pathErr("open", name, unwrapPath(err))
	}
	return nil
}

// Mkdir makes a folder whose parent exists.
func (d Dir) Mkdir(name string) error {
	p, err := d.real("mkdir", name)
	if err != nil {
		return err
	}
	if err := os.Mkdir(p, 0o700); err != nil {
		return pathErr("mkdir", name, unwrapPath(err))
	}
	return nil
}

// Remove deletes a file or an empty folder. A link is removed, not what it
// points to.
func (d Dir) Remove(name string) error {
	p, err := d.lexical("remove", name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		return pathErr("remove", name, unwrapPath(err))
	}
	return nil
}

// lexical maps a path to the entry itself (a link is not followed), after
// checking that its folder is inside the root.
func (d Dir) lexical(op, name string) (string, error) {
	p, err := Resolve("", name)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", pathErr(op, name, ErrOutside)
	}
	dir, err := d.real(op, "/"+parent(p))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, Base(p)), nil
}

// RemoveAll deletes a file, or a folder and everything in it. Links inside
// are removed, never followed.
func (d Dir) RemoveAll(name string) error {
	p, err := d.lexical("remove", name)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(p); err != nil {
		return pathErr("remove", name, unwrapPath(err))
	}
	if err := os.RemoveAll(p); err != nil {
		return pathErr("remove", name, unwrapPath(err))
	}
	return nil
}

// Stat describes a file or folder.
func (d Dir) Stat(name string) (FileInfo, error) {
	p, err := d.real("stat", name)
	if err != nil {
		return FileInfo{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return FileInfo{}, pathErr("stat", name, unwrapPath(err))
	}
	c, _ := Resolve("", name)
	fi := FileInfo{Name: Base(c), Dir: st.IsDir()}
	if !fi.Dir {
		fi.Size = int(st.Size())
	}
	return fi, nil
}

// entry is one listed entry of a folder.
type entry struct {
	FileInfo
	link bool // a symbolic link (listed as what it points to, never walked)
}

// readDir lists folder p (canonical): its regular files and folders, links
// that stay inside listed as what they point to; temporary files, links
// out of the directory and other kinds of files are left out.
func (d Dir) readDir(name, c string) ([]entry, error) {
	p, err := d.real("open", name)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil, pathErr("open", name, unwrapPath(err))
	}
	var out []entry
	for _, e := range ents {
		if atomicfile.IsTemp(e.Name()) {
			continue
		}
		child := e.Name()
		if c != "" {
			child = c + "/" + child
		}
		rp, err := d.real("stat", "/"+child)
		if err != nil {
			continue
		}
		st, err := os.Stat(rp)
		if err != nil || !st.IsDir() && !st.Mode().IsRegular() {
			continue
		}
		fi := FileInfo{Name: e.Name(), Dir: st.IsDir()}
		if !fi.Dir {
			fi.Size = int(st.Size())
		}
		out = append(out, entry{fi, e.Type()&fs.ModeSymlink != 0})
	}
	return out, nil
}

// ReadDir lists a folder.
func (d Dir) ReadDir(name string) ([]FileInfo, error) {
	c, err := Resolve("", name)
	if err != nil {
		return nil, err
	}
	ents, err := d.readDir(name, c)
	if err != nil {
		return nil, err
	}
	out := make([]FileInfo, 0, len(ents))
	for _, e := range ents {
		out = append(out, e.FileInfo)
	}
	sortInfos(out)
	return out, nil
}

// List lists every file and folder below the root by canonical path. A
// link to a folder is listed but not walked, so links cannot make it loop.
func (d Dir) List() ([]FileInfo, error) {
	out := []FileInfo{}
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		ents, err := d.readDir("/"+dir, dir)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if len(out) >= MaxEntries {
				return nil
			}
			p := e.Name
			if dir != "" {
				p = dir + "/" + e.Name
			}
			fi := e.FileInfo
			fi.Name = p
			out = append(out, fi)
			if fi.Dir && !e.link && depth < MaxDepth {
				if err := walk(p, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk("", 1); err != nil {
		return nil, err
	}
	sortInfos(out)
	return out, nil
}
