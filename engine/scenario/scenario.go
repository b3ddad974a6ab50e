// Package scenario builds clusters from declarative files: users, keys with
// their owners and sharing, files, and HSMs that are down or out of sync.
// The default cluster every new workspace starts from is one of them
// (scenarios/default.json). Scenario keys carry their key material in the
// file, so loading one costs no key generation and gives the same cluster
// every time.
package scenario

import (
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

//go:embed scenarios/*.json
var builtin embed.FS

// Scenario is the file format.
type Scenario struct {
	// Extends names a built-in scenario this one starts from: its users,
	// keys and files come first, this one's are added, and this one's
	// nodes, cursor, down and missing lists replace the base's when set.
	Extends     string          `json:"extends,omitempty"`
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Nodes       int             `json:"nodes"`
	Users       []User          `json:"users"`
	Keys        []Key           `json:"keys"`
	Cursor      uint64          `json:"cursor,omitempty"`
	Files       map[string]File `json:"files,omitempty"`
	// Down lists nodes that start offline.
	Down []int `json:"down,omitempty"`
	// Missing lists, per node id, key handles that node lacks: a node that
	// missed them while it was down and is now out of sync.
	Missing map[string][]uint64 `json:"missing,omitempty"`
}

// User is one user of a scenario. A user without a password cannot log in
// (the appliance user, whose credentials only AWS holds).
type User struct {
	ID       int    `json:"id"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Password string `json:"password,omitempty"`
	// OnNodes limits the user to these HSMs (the precrypto officer of a
	// new cluster exists only on its first HSM); empty means every HSM.
	OnNodes []int `json:"onNodes,omitempty"`
}

// Key is a secret key (keyType and valueHex) or a key pair (privatePem,
// with handle for the public half and privateHandle for the private one).
type Key struct {
	Handle        uint64 `json:"handle"`
	PrivateHandle uint64 `json:"privateHandle,omitempty"`
	KeyType       string `json:"keyType,omitempty"`
	Label         string `json:"label"`
	ID            string `json:"id,omitempty"`
	Owner         int    `json:"owner"`
	Shared        []int  `json:"shared,omitempty"`
	ValueHex      string `json:"valueHex,omitempty"`
	PrivatePEM    string `json:"privatePem,omitempty"`
	NoExport      bool   `json:"nonExtractable,omitempty"`
}

// File is a file of the workspace, as text or base64.
type File struct {
	Text   string `json:"text,omitempty"`
	Base64 string `json:"base64,omitempty"`
}

// Names lists the built-in scenarios.
func Names() []string {
	ents, _ := builtin.ReadDir("scenarios")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(out)
	return out
}

// Builtin returns a built-in scenario by name.
func Builtin(name string) (*Scenario, error) {
	b, err := builtin.ReadFile(path.Join("scenarios", name+".json"))
	if err != nil {
		return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return Parse(b)
}

// Parse reads a scenario file.
func Parse(b []byte) (*Scenario, error) {
	return parse(b, 0)
}

func parse(b []byte, depth int) (*Scenario, error) {
	var s Scenario
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("scenario: %v", err)
	}
	if s.Extends == "" {
		return &s, nil
	}
	if depth > 4 {
		return nil, fmt.Errorf("scenario %s: extends nests too deeply", s.Name)
	}
	bb, err := builtin.ReadFile(path.Join("scenarios", s.Extends+".json"))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: extends unknown scenario %q", s.Name, s.Extends)
	}
	base, err := parse(bb, depth+1)
	if err != nil {
		return nil, err
	}
	merged := *base
	merged.Extends, merged.Name, merged.Title, merged.Description = "", s.Name, s.Title, s.Description
	merged.Users = append(append([]User{}, base.Users...), s.Users...)
	merged.Keys = append(append([]Key{}, base.Keys...), s.Keys...)
	merged.Files = map[string]File{}
	for _, m := range []map[string]File{base.Files, s.Files} {
		for k, v := range m {
			merged.Files[k] = v
		}
	}
	if s.Nodes != 0 {
		merged.Nodes = s.Nodes
	}
	if s.Cursor != 0 {
		merged.Cursor = s.Cursor
	}
	if s.Down != nil {
		merged.Down = s.Down
	}
	if s.Missing != nil {
		merged.Missing = s.Missing
	}
	return &merged, nil
}

// Build makes the cluster and files the scenario describes.
func (s *Scenario) Build() (*hsm.Cluster, map[string][]byte, error) {
	n := s.Nodes
	if n == 0 {
		n = 3
	}
	if n < 1 || n > 28 {
		return nil, nil, fmt.Errorf("scenario %s: %d HSMs (a cluster holds 1 to 28)", s.Name, n)
	}
	c := hsm.NewCluster(n)
	for _, u := range s.Users {
		role := hsm.Role(strings.ToUpper(u.Type))
		switch role {
		case hsm.RolePRECO, hsm.RolePCO, hsm.RoleCO, hsm.RoleCU, hsm.RoleAU:
		default:
			return nil, nil, fmt.Errorf("scenario %s: user %s has unknown type %q", s.Name, u.Name, u.Type)
		}
		pw := u.Password
		if pw == "" {
			pw = "\x00no-login\x00" + u.Name
		}
		hu := &hsm.User{ID: u.ID, Type: role, Name: u.Name, PasswordHash: hsm.HashPassword(u.Name, pw)}
		for _, nd := range c.Nodes {
			if len(u.OnNodes) == 0 || slices.Contains(u.OnNodes, nd.ID) {
				c.AddUserTo(nd.ID, hu)
			}
		}
		for _, id := range u.OnNodes {
			if c.Node(id) == nil {
				return nil, nil, fmt.Errorf("scenario %s: user %s on unknown HSM %d", s.Name, u.Name, id)
			}
		}
	}
	for _, k := range s.Keys {
		objs, err := k.objects()
		if err != nil {
			return nil, nil, fmt.Errorf("scenario %s: key %d: %v", s.Name, k.Handle, err)
		}
		for _, o := range objs {
			for _, nd := range c.Nodes {
				if nd.Has(o.Handle) {
					return nil, nil, fmt.Errorf("scenario %s: handle %d used twice", s.Name, o.Handle)
				}
				c.PutObject(nd.ID, o.Clone())
			}
		}
	}
	for id, hs := range s.Missing {
		var nid int
		if _, err := fmt.Sscan(id, &nid); err != nil || c.Node(nid) == nil {
			return nil, nil, fmt.Errorf("scenario %s: no node %q", s.Name, id)
		}
		for _, h := range hs {
			c.RemoveObject(nid, h)
		}
	}
	for _, id := range s.Down {
		if c.Node(id) == nil {
			return nil, nil, fmt.Errorf("scenario %s: no node %d", s.Name, id)
		}
		c.SetUp(id, false)
	}
	c.SetCursor(s.Cursor)
	files := map[string][]byte{}
	for name, f := range s.Files {
		if f.Base64 != "" {
			b, err := base64.StdEncoding.DecodeString(f.Base64)
			if err != nil {
				return nil, nil, fmt.Errorf("scenario %s: file %s: %v", s.Name, name, err)
			}
			files[name] = b
		} else {
			files[name] = []byte(f.Text)
		}
	}
	return c, files, nil
}

func (k Key) objects() ([]*hsm.Object, error) {
	var objs []*hsm.Object
	if k.PrivatePEM != "" {
		priv, err := mech.ParsePrivateKeyPEM([]byte(k.PrivatePEM))
		if err != nil {
			return nil, err
		}
		pub, pv, err := keyobj.Pair(priv)
		if err != nil {
			return nil, err
		}
		if k.PrivateHandle == 0 {
			return nil, fmt.Errorf("a key pair needs privateHandle")
		}
		pub.Handle, pv.Handle = k.Handle, k.PrivateHandle
		pv.Shared = append([]int(nil), k.Shared...)
		objs = []*hsm.Object{pub, pv}
	} else {
		var t hsm.KeyType
		switch k.KeyType {
		case "AES":
			t = hsm.KeyTypeAES
		case "DES3":
			t = hsm.KeyTypeDES3
		case "GENERIC_SECRET":
			t = hsm.KeyTypeGenericSecret
		default:
			return nil, fmt.Errorf("unknown keyType %q", k.KeyType)
		}
		v, err := hex.DecodeString(k.ValueHex)
		if err != nil {
			return nil, err
		}
		o, err := keyobj.Secret(t, v)
		if err != nil {
			return nil, err
		}
		o.Handle = k.Handle
		o.Shared = append([]int(nil), k.Shared...)
		objs = []*hsm.Object{o}
	}
	for _, o := range objs {
		o.Label, o.KeyID, o.Owner, o.Token, o.Local = k.Label, k.ID, k.Owner, true, true
		if k.NoExport && o.Class != hsm.ClassPublic {
			o.Extractable, o.NeverExtractable = false, true
		}
	}
	return objs, nil
}

// Default builds the default cluster.
func Default() (*hsm.Cluster, map[string][]byte, error) {
	s, err := Builtin("default")
	if err != nil {
		return nil, nil, err
	}
	return s.Build()
}
