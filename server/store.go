package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/hsmsim/hsmsim/internal/atomicfile"
)

// ErrNotFound is what a Store answers for an id it does not hold.
var ErrNotFound = errors.New("not found")

// Store keeps shared workspaces by id. Documents are immutable once put:
// a share link must show the same thing every time it is opened. The
// handler only ever passes ids it made or checked with ValidID, so a store
// may use them as file names or keys as they are.
type Store interface {
	// Put stores doc under id.
	Put(ctx context.Context, id string, doc []byte) error
	// Get returns the document stored under id, or ErrNotFound.
	Get(ctx context.Context, id string) ([]byte, error)
}

// MemStore is a Store in memory, for tests and for a server that needs no
// share to outlive it.
type MemStore struct {
	mu   sync.Mutex
	docs map[string][]byte
}

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore { return &MemStore{docs: map[string][]byte{}} }

// Put implements Store.
func (m *MemStore) Put(_ context.Context, id string, doc []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[id] = append([]byte(nil), doc...)
	return nil
}

// Get implements Store.
func (m *MemStore) Get(_ context.Context, id string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	doc, ok := m.docs[id]
	if !ok {
		return nil, ErrNotFound
	}
	return append([]byte(nil), doc...), nil
}

// Len reports how many documents the store holds.
func (m *MemStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.docs)
}

// DirStore is a Store in a directory, one file per share (ID.json). Each
// file is written to a temporary name in the same directory, synced and
// renamed into place, so a crash or a full disk leaves either no share or a
// whole one, never a truncated document that a link would then serve.
type DirStore struct{ dir string }

// NewDirStore uses dir, creating it if needed.
func NewDirStore(dir string) (*DirStore, error) {
	if dir == "" {
		return nil, errors.New("share store: no directory given")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("share store: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("share store: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("share store: %s is not a directory", dir)
	}
	return &DirStore{dir: dir}, nil
}

// Dir is the directory the store writes to.
func (d *DirStore) Dir() string { return d.dir }

func (d *DirStore) path(id string) (string, error) {
	// Refusing anything but a well-formed id keeps every name inside dir.
	if !ValidID(id) {
		return "", ErrNotFound
	}
	return filepath.Join(d.dir, id+".json"), nil
}

// Put implements Store.
func (d *DirStore) Put(_ context.Context, id string, doc []byte) error {
	final, err := d.path(id)
	if err != nil {
		return fmt.Errorf("share store: invalid id %q", id)
	}
	if err := atomicfile.Write(final, doc, 0o600); err != nil {
		return fmt.Errorf("share store: %w", err)
	}
	return nil
}

// Get implements Store.
func (d *DirStore) Get(_ context.Context, id string) ([]byte, error) {
	p, err := d.path(id)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("share store: %w", err)
	}
	return b, nil
}

// DefaultDataDir is where `hsmsim serve` keeps shares when --data is not
// given: $XDG_DATA_HOME/hsmsim/shares, else ~/.local/share/hsmsim/shares,
// else a folder beside the working directory.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "hsmsim", "shares")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".local", "share", "hsmsim", "shares")
	}
	return filepath.Join("hsmsim-data", "shares")
}
