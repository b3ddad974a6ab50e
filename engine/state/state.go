// Package state is the saved form of a workspace: a cluster and its files in
// a versioned JSON document, and the stores that keep it (in memory, in a
// file written atomically). Loading checks everything it reads, so a damaged
// or newer document is refused with a clear message instead of becoming a
// cluster that breaks later.
package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/internal/atomicfile"
)

// Format names the document type.
const Format = "hsmsim-workspace"

// Version is the schema version this code writes. Older versions are
// migrated on load; newer ones are refused.
const Version = 1

// MaxSize bounds a state document (3,300 keys with RSA-4096 material and
// files fit well within it).
const MaxSize = 64 << 20

// Snapshot is a workspace at one moment.
type Snapshot struct {
	Format  string            `json:"format"`
	Version int               `json:"version"`
	Cluster *hsm.Cluster      `json:"cluster"`
	Files   map[string][]byte `json:"files"`
	// Journal, in a document kept by a Journal, names the journal that
	// holds the commands saved since; other readers ignore it.
	Journal string `json:"journal,omitempty"`
	// Sum, in a document kept by a Journal, is the SHA-256 of the document
	// up to it (see sealDoc): a flipped byte anywhere, a label as much as
	// a key, is refused when the file is opened.
	Sum string `json:"sum,omitempty"`
}

// ErrTooNew says the document was written by a newer hsmsim.
var ErrTooNew = errors.New("written by a newer version of hsmsim")

// Encode serialises a cluster and its files. Session keys are not saved:
// ending the program ends the login session, as quitting the real tool does.
func Encode(c *hsm.Cluster, files map[string][]byte) ([]byte, error) {
	return encode(c, files, "")
}

func encode(c *hsm.Cluster, files map[string][]byte, journal string) ([]byte, error) {
	if err := c.DecodeAll(); err != nil {
		return nil, err
	}
	saved := *c
	saved.Nodes = make([]*hsm.Node, len(c.Nodes))
	for i, n := range c.Nodes {
		cp := *n
		all := n.AllObjects()
		cp.Objects = make(map[uint64]*hsm.Object, len(all))
		for h, o := range all {
			if o.Token {
				cp.Objects[h] = o
			}
		}
		saved.Nodes[i] = &cp
	}
	if files == nil {
		files = map[string][]byte{}
	}
	b, err := json.Marshal(Snapshot{Format: Format, Version: Version, Cluster: &saved, Files: files, Journal: journal})
	if err != nil || journal == "" {
		return b, err
	}
	return sealDoc(b), nil
}

// sumField is how a sealed document ends: `,"sum":"` + 64 hex digits + `"}`.
const sumField = `,"sum":"`

// sealDoc appends the checksum field to an encoded document: the SHA-256 of
// the document's bytes before the field, with its closing brace.
func sealDoc(b []byte) []byte {
	body := b[:len(b)-1] // without the closing brace
	sum := sha256.Sum256(b)
	out := make([]byte, 0, len(b)+len(sumField)+2*sha256.Size+2)
	out = append(out, body...)
	out = append(out, sumField...)
	out = hex.AppendEncode(out, sum[:])
	return append(out, '"', '}')
}

// checkSeal verifies a document's checksum field, if it has one; sealed
// reports whether it had.
func checkSeal(b []byte) (sealed bool, err error) {
	n := len(sumField) + 2*sha256.Size + 2
	if len(b) < n || !bytes.Equal(b[len(b)-n:len(b)-n+len(sumField)], []byte(sumField)) {
		return false, nil
	}
	body := append(slices.Clone(b[:len(b)-n]), '}')
	want := sha256.Sum256(body)
	if string(b[len(b)-n+len(sumField):len(b)-2]) != hex.EncodeToString(want[:]) || b[len(b)-1] != '}' {
		return true, errors.New("its checksum does not match its content (the file was damaged)")
	}
	return true, nil
}

// Decode reads and checks a state document.
func Decode(b []byte) (*hsm.Cluster, map[string][]byte, error) {
	s, err := decodeSnapshot(b)
	if err != nil {
		return nil, nil, err
	}
	return s.Cluster, s.Files, nil
}

func decodeSnapshot(b []byte) (*Snapshot, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("state is %d bytes, more than the %d allowed", len(b), MaxSize)
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("state is not a hsmsim workspace: %v", err)
	}
	if head.Format != Format {
		return nil, fmt.Errorf("state is not a hsmsim workspace (format %q)", head.Format)
	}
	if head.Version > Version {
		return nil, fmt.Errorf("state version %d: %w (this one reads up to %d)", head.Version, ErrTooNew, Version)
	}
	if head.Version < 1 {
		return nil, fmt.Errorf("state version %d is not valid", head.Version)
	}
	if err := strictJSON(b, reflect.TypeFor[Snapshot]()); err != nil {
		return nil, fmt.Errorf("state is damaged: %v", err)
	}
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("state is damaged: %v", err)
	}
	if s.Cluster != nil {
		for i, n := range s.Cluster.Nodes {
			// A document always writes each HSM's keys, if only {}: a null
			// would silently be an HSM without keys.
			if n != nil && n.LoadedObjects() == nil {
				return nil, fmt.Errorf("state is damaged: $.cluster.nodes[%d].objects is null", i)
			}
		}
	}
	if err := checkSaved(s.Cluster); err != nil {
		return nil, fmt.Errorf("state is damaged: %v", err)
	}
	for name, data := range s.Files {
		if _, dir, err := vfs.CleanStored(name); err != nil {
			return nil, fmt.Errorf("state is damaged: %v", err)
		} else if dir && len(data) != 0 {
			return nil, fmt.Errorf("state is damaged: folder %s holds content", name)
		}
		if len(data) > vfs.MaxFileSize {
			return nil, fmt.Errorf("state is damaged: file %s is too large", name)
		}
	}
	s.Cluster.DropSession("")
	if s.Files == nil {
		s.Files = map[string][]byte{}
	}
	return &s, nil
}

// Check verifies the invariants the engine relies on, so that no later
// command meets an impossible cluster.
func Check(c *hsm.Cluster) error {
	if c == nil {
		return errors.New("no cluster")
	}
	if len(c.Nodes) < 1 || len(c.Nodes) > 28 {
		return fmt.Errorf("%d HSMs (a cluster holds 1 to 28)", len(c.Nodes))
	}
	for i, n := range c.Nodes {
		if n == nil || n.ID != i {
			return fmt.Errorf("HSM %d is missing or misnumbered", i)
		}
	}
	c.Prepare()
	if c.MTLSEnforcement != "" && c.MTLSEnforcement != hsm.MTLSCluster {
		return fmt.Errorf("mutual TLS enforcement level %q (none or cluster)", c.MTLSEnforcement)
	}
	for i, n := range c.Nodes {
		if len(n.Users) > hsm.MaxUsers {
			return fmt.Errorf("HSM %d has %d users, more than %d", i, len(n.Users), hsm.MaxUsers)
		}
		if k := n.KeyCount(); k > hsm.MaxKeys {
			return fmt.Errorf("HSM %d has %d keys, more than %d", i, k, hsm.MaxKeys)
		}
		ids, names := map[int]bool{}, map[string]bool{}
		for _, u := range n.Users {
			// User names are one name whatever their case (hsm.Node.FindUser).
			if u == nil || u.ID < 1 || ids[u.ID] || names[strings.ToLower(u.Name)] || hsm.ValidateUserName(u.Name) != nil {
				return fmt.Errorf("HSM %d has an invalid or duplicate user", i)
			}
			switch u.Type {
			case hsm.RolePRECO, hsm.RolePCO, hsm.RoleCO, hsm.RoleCU, hsm.RoleAU:
			default:
				return fmt.Errorf("HSM %d: user %s has unknown type %q", i, u.Name, u.Type)
			}
			ids[u.ID], names[strings.ToLower(u.Name)] = true, true
		}
		if len(n.Addr) > maxAddr {
			return fmt.Errorf("HSM %d has an address of %d bytes", i, len(n.Addr))
		}
		if err := checkUsers(n); err != nil {
			return err
		}
		if err := checkTrustAnchors(n); err != nil {
			return err
		}
		// Keys not decoded yet are held to the same rules when they are
		// (decodeDeferred).
		for h, o := range n.LoadedObjects() {
			if err := checkKey(n, h, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkKey holds key h of node n to the rules every key of a loaded
// cluster keeps.
func checkKey(n *hsm.Node, h uint64, o *hsm.Object) error {
	if o == nil || o.Handle != h || h < hsm.FirstHandle {
		return fmt.Errorf("HSM %d: key %d is invalid", n.ID, h)
	}
	switch o.Class {
	case hsm.ClassPublic, hsm.ClassPrivate, hsm.ClassSecret:
	default:
		return fmt.Errorf("HSM %d: key %d has class %d", n.ID, h, o.Class)
	}
	if len(o.Value) == 0 {
		return fmt.Errorf("HSM %d: key %d has no key material", n.ID, h)
	}
	if err := checkObject(n, o); err != nil {
		return fmt.Errorf("HSM %d: key %d has %v", n.ID, h, err)
	}
	return nil
}

// Store keeps one state document.
type Store interface {
	// Load returns the saved document, or nil and no error when none exists.
	Load() ([]byte, error)
	Save([]byte) error
}

// File is a Store in a file, written atomically (a temporary file in the
// same directory, synced, renamed over the old one), so a crash leaves
// either the old state or the new one, never half of one.
type File struct{ Path string }

// Load implements Store.
func (f File) Load() ([]byte, error) {
	st, err := os.Stat(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a state may hold", f.Path, st.Size(), MaxSize)
	}
	return os.ReadFile(f.Path)
}

// Save implements Store.
func (f File) Save(b []byte) error {
	return atomicfile.Write(f.Path, b, 0o600)
}
