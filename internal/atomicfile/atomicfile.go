// Package atomicfile writes a file so that a crash at any moment leaves
// either the old content or the new, never a mix and never a stray file:
// the data goes to a temporary file beside the target, which is synced,
// renamed over the target, and the directory is synced so the rename itself
// survives a power cut. It is the one way the state store, the tools' real
// directory and the share store replace a file.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// TempMarker is part of every temporary file's name (".NAME.tmp-RANDOM"),
// so that directory listings can leave them out and a store can clear the
// ones a killed process left behind.
const TempMarker = ".tmp-"

// IsTemp reports whether a file name is one of this package's temporary
// files.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, TempMarker)
}

// Resolve follows symbolic links in path's last element, so that a write
// replaces the file a link points to and keeps the link. A path that does
// not exist yet is returned as it is.
func Resolve(path string) (string, error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, nil
	}
	if err != nil {
		return "", err
	}
	if st.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	real, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		// A dangling link: write where it points.
		target, lerr := os.Readlink(path)
		if lerr != nil {
			return "", lerr
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		return target, nil
	}
	return real, err
}

// Write replaces path with data. An existing file keeps its permission
// bits; a new one gets perm. A symbolic link is followed, not replaced. On
// any failure the temporary file is removed and path is unchanged.
func Write(path string, data []byte, perm fs.FileMode) (err error) {
	target, err := Resolve(path)
	if err != nil {
		return err
	}
	if st, serr := os.Stat(target); serr == nil {
		perm = st.Mode().Perm()
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+TempMarker+"*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(name, target); err != nil {
		return err
	}
	return SyncDir(dir)
}

// SyncDir makes the entries of a directory (a rename, a new file) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil && !errors.Is(serr, errors.ErrUnsupported) {
		return serr
	}
	return cerr
}

// RemoveTemps deletes the temporary files that a process killed in the
// middle of Write left beside path. Call it only while no other process can
// be writing path (under the store's lock).
func RemoveTemps(path string) error {
	target, err := Resolve(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	matches, err := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+TempMarker+"*"))
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range matches {
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
