package shell

import (
	"sort"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// Summary is what a user interface shows beside the console: the keys,
// users, HSMs and files of the workspace.
type Summary struct {
	Mode  string         `json:"mode"`
	Keys  []KeySummary   `json:"keys"`
	Users []UserSummary  `json:"users"`
	Nodes []NodeSummary  `json:"nodes"`
	Files []vfs.FileInfo `json:"files"`
}

// KeySummary describes one key, from the first node that holds it.
type KeySummary struct {
	Handle uint64 `json:"handle"`
	// Reference is the handle as CloudHSM CLI names the key.
	Reference   string `json:"reference"`
	Label       string `json:"label"`
	ID          string `json:"id,omitempty"`
	Class       string `json:"class"`
	KeyType     string `json:"keyType"`
	Bits        int    `json:"bits"`
	Owner       int    `json:"owner"`
	Shared      []int  `json:"shared"`
	Token       bool   `json:"token"`
	Extractable bool   `json:"extractable"`
	// Nodes lists the HSMs holding the key.
	Nodes []int `json:"nodes"`
}

// UserSummary describes one user.
type UserSummary struct {
	ID           int    `json:"id"`
	Type         string `json:"type"`
	Name         string `json:"name"`
	LoggedIn     bool   `json:"loggedIn"`
	FailedLogins int    `json:"failedLogins"`
}

// NodeSummary describes one HSM.
type NodeSummary struct {
	ID     int    `json:"id"`
	Addr   string `json:"addr"`
	Up     bool   `json:"up"`
	InSync bool   `json:"inSync"`
	Keys   int    `json:"keys"`
	Users  int    `json:"users"`
}

// Summary describes the workspace now.
func (s *Session) Summary() Summary {
	sum := Summary{Mode: s.Mode(), Keys: []KeySummary{}, Users: []UserSummary{}}
	keys := map[uint64]*KeySummary{}
	for _, n := range s.Cluster.Nodes {
		for h, o := range n.Objects {
			k := keys[h]
			if k == nil {
				k = &KeySummary{Handle: h, Reference: cli.KeyReference(h), Label: o.Label, ID: o.KeyID, Class: o.Class.String(), KeyType: o.KeyType.String(),
					Bits: keyBits(o), Owner: o.Owner, Shared: append([]int{}, o.Shared...), Token: o.Token, Extractable: o.Extractable}
				keys[h] = k
			}
			k.Nodes = append(k.Nodes, n.ID)
		}
	}
	for _, k := range keys {
		sort.Ints(k.Nodes)
		sum.Keys = append(sum.Keys, *k)
	}
	sort.Slice(sum.Keys, func(i, j int) bool { return sum.Keys[i].Handle < sum.Keys[j].Handle })

	online := map[int]bool{}
	if ls := s.Login(); ls != nil {
		online[ls.UserID] = true
	}
	users := map[int]*UserSummary{}
	for _, n := range s.Cluster.Nodes {
		for _, u := range n.Users {
			if users[u.ID] == nil {
				users[u.ID] = &UserSummary{ID: u.ID, Type: string(u.Type), Name: u.Name, LoggedIn: online[u.ID]}
			}
			users[u.ID].FailedLogins = max(users[u.ID].FailedLogins, u.FailedLogins)
		}
	}
	for _, u := range users {
		sum.Users = append(sum.Users, *u)
	}
	sort.Slice(sum.Users, func(i, j int) bool { return sum.Users[i].ID < sum.Users[j].ID })

	outOfSync := map[int]bool{}
	for _, d := range s.Cluster.Diff() {
		for _, id := range append(d.Missing, d.Differs...) {
			outOfSync[id] = true
		}
	}
	for _, n := range s.Cluster.Nodes {
		tokens := 0
		for _, o := range n.Objects {
			if o.Token {
				tokens++
			}
		}
		sum.Nodes = append(sum.Nodes, NodeSummary{ID: n.ID, Addr: n.Addr, Up: n.Up, InSync: !outOfSync[n.ID], Keys: tokens, Users: len(n.Users)})
	}
	sum.Files, _ = s.FS.List()
	if sum.Files == nil {
		sum.Files = []vfs.FileInfo{}
	}
	return sum
}

func keyBits(o *hsm.Object) int {
	switch {
	case o.KeyType == hsm.KeyTypeECEdwards || o.KeyType == hsm.KeyTypeMLDSA:
		// Named by their type alone ("Ed25519", "ML-DSA" in the panels).
		return 0
	case o.ModulusBits > 0:
		return o.ModulusBits
	case o.Class == hsm.ClassSecret:
		return 8 * o.ValueLen
	case o.KeyType == hsm.KeyTypeEC:
		switch o.CurveID {
		case 13:
			return 224
		case 2, 16:
			return 256
		case 14:
			return 384
		case 15:
			return 521
		}
	case o.KeyType == hsm.KeyTypeDSA:
		return 2048
	}
	return 0
}
