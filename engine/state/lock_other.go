//go:build !unix

package state

import "errors"

// Lock is a no-op where there is no flock (the browser keeps workspaces in
// IndexedDB, not in files).
type Lock struct{}

// ErrLocked says another process has the workspace open.
var ErrLocked = errors.New("in use by another hsmsim")

// LockFile takes no lock here.
func LockFile(path string) (*Lock, error) { return &Lock{}, nil }

// Release implements the unix Lock's Release.
func (l *Lock) Release() error { return nil }
