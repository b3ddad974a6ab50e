//go:build unix

package state

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Lock is an exclusive OS lock (flock) on the file NAME.lock beside a
// workspace: one process at a time keeps a workspace. The lock goes with
// the process however it ends, so a killed process never leaves the
// workspace locked; the lock file itself stays (removing it would let two
// processes lock two different files of the same name).
type Lock struct{ f *os.File }

// ErrLocked says another process has the workspace open.
var ErrLocked = errors.New("in use by another hsmsim")

// LockFile takes the lock of the workspace at path, or says who holds it.
// It does not wait: a second process is refused at once.
func LockFile(path string) (*Lock, error) {
	name := path + ".lock"
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is %w (it holds the lock %s); close that one first, or use another --state file", path, ErrLocked, name)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
