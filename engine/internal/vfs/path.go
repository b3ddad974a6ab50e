package vfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Paths. The workspace is a tree of folders whose root is the simulated
// host's "/". Inside the package every path is canonical: relative to the
// root, "/"-separated, without "." or ".." (the root itself is ""). Users
// type paths relative to the shell's working folder or absolute; Resolve
// turns them into canonical paths, and a ".." above the root is refused, so
// no path names anything outside the workspace.

// Limits of a path.
const (
	MaxNameLen = 255  // one component
	MaxPathLen = 1024 // a canonical path
	MaxDepth   = 32   // folders within folders
)

// Errors of paths and folders.
var (
	ErrOutside  = errors.New("outside the workspace")
	ErrIsDir    = errors.New("Is a directory")
	ErrNotDir   = errors.New("Not a directory")
	ErrExist    = errors.New("File exists")
	ErrNotEmpty = errors.New("Directory not empty")
)

// Resolve turns a path as typed, absolute or relative to the canonical
// folder cwd, into a canonical path.
func Resolve(cwd, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("invalid file name %q", name)
	}
	if strings.ContainsAny(name, "\\\x00") {
		return "", fmt.Errorf("invalid file name %q: no backslashes or NUL bytes", name)
	}
	var parts []string
	if !strings.HasPrefix(name, "/") && cwd != "" {
		parts = strings.Split(cwd, "/")
	}
	for _, p := range strings.Split(name, "/") {
		switch p {
		case "", ".":
		case "..":
			if len(parts) == 0 {
				return "", fmt.Errorf("invalid file name %q: %w", name, ErrOutside)
			}
			parts = parts[:len(parts)-1]
		default:
			if len(p) > MaxNameLen {
				return "", fmt.Errorf("invalid file name: a name longer than %d characters", MaxNameLen)
			}
			parts = append(parts, p)
		}
	}
	if len(parts) > MaxDepth {
		return "", fmt.Errorf("invalid file name %q: more than %d folders deep", name, MaxDepth)
	}
	out := strings.Join(parts, "/")
	if len(out) > MaxPathLen {
		return "", fmt.Errorf("invalid file name: longer than %d characters", MaxPathLen)
	}
	return out, nil
}

// CleanName checks a file name as typed by a user, before any work is
// done, and returns it cleaned lexically (path.Clean). It refuses what can
// never name a file: nothing, a NUL byte or backslash, a name too long, a
// path ending in "/", "." or "..". Whether the path stays inside the
// workspace depends on the working folder, so the FS decides that
// (CheckWritable asks it before a write).
func CleanName(name string) (string, error) {
	if _, err := Resolve("", strings.TrimLeft(strings.ReplaceAll("/"+name, "/..", "/x"), "/")); err != nil || name == "" {
		if err == nil {
			err = fmt.Errorf("invalid file name %q", name)
		}
		return "", err
	}
	c := path.Clean(name)
	if c == "." || c == "/" || c == ".." || strings.HasSuffix(c, "/..") || strings.HasSuffix(name, "/") {
		return "", fmt.Errorf("invalid file name %q", name)
	}
	return c, nil
}

// DirMarker ends the name of a folder in a snapshot (Mem.Snapshot): a
// folder is saved as "keys/" with no content, beside its files.
const DirMarker = "/"

// CleanStored checks a name of a saved snapshot: a canonical file path,
// or a canonical folder path followed by DirMarker. It reports which.
func CleanStored(name string) (p string, dir bool, err error) {
	p, dir = strings.CutSuffix(name, DirMarker)
	c, err := Resolve("", p)
	if err != nil {
		return "", false, err
	}
	if c == "" || c != p {
		return "", false, fmt.Errorf("invalid stored file name %q", name)
	}
	return c, dir, nil
}

// Base is the last component of a canonical path.
func Base(p string) string { return path.Base("/" + p) }

// parent is the canonical folder holding canonical p.
func parent(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// pathErr is the error of op on a path as the user typed it.
func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// Reason is the reason part of a file error in the words of the C library
// ("No such file or directory"), as the shell and openssl print it.
func Reason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	case errors.Is(err, ErrIsDir):
		return "Is a directory"
	case errors.Is(err, ErrNotDir):
		return "Not a directory"
	case errors.Is(err, ErrExist):
		return "File exists"
	case errors.Is(err, ErrNotEmpty):
		return "Directory not empty"
	case errors.Is(err, ErrOutside):
		return "Permission denied (outside the workspace)"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
