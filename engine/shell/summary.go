package shell

import (
	"errors"
	"slices"
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

// Summary describes the workspace now. The page asks it after every
// command, so what it reads of the keys (a listing of every key, and which
// HSMs are in sync) is kept from one call to the next while the cluster
// records no change (hsm.Cluster.ChangesSince): with 3,300 keys, a command
// that changed nothing does not cost a new listing. The slices of the
// result may be shared with later results: read them, do not change them.
func (s *Session) Summary() Summary {
	sum, _ := s.summary(false)
	return sum
}

// SummaryJSON is Summary encoded as JSON, the encoding kept, like the
// listing, while nothing it shows changed.
func (s *Session) SummaryJSON() (string, error) {
	_, b := s.summary(true)
	if b == "" {
		return "", errors.New("the workspace summary cannot be encoded")
	}
	return b, nil
}

// summaryCache is the last Summary, with what it was made from: the
// cluster at a mark, the tool, the user logged in and the files.
type summaryCache struct {
	cluster *hsm.Cluster
	mark    hsm.Mark
	// keys, users (without who is logged in) and nodes are what the
	// cluster at mark shows.
	keys  []KeySummary
	users []UserSummary
	nodes []NodeSummary
	// sum and json are the whole last result, for the mode, login and
	// files it names.
	sum   Summary
	json  string
	mode  string
	login int // the id of the user logged in, -1 for nobody
	files []vfs.FileInfo
}

// summary is Summary, and its JSON when asked for.
func (s *Session) summary(wantJSON bool) (Summary, string) {
	k := &s.sum
	if k.cluster != s.Cluster || !s.Cluster.ChangesSince(k.mark).Empty() {
		k.keys, k.users, k.nodes = s.clusterSummary()
		k.cluster, k.mark = s.Cluster, s.Cluster.Mark()
		k.json, k.files = "", nil
	}
	login := -1 // nobody
	if ls := s.Login(); ls != nil {
		login = ls.UserID
	}
	files, _ := s.FS.List()
	if files == nil {
		files = []vfs.FileInfo{}
	}
	mode := s.Mode()
	if k.json == "" || k.files == nil || k.mode != mode || k.login != login || !slices.Equal(k.files, files) {
		users := slices.Clone(k.users)
		for i := range users {
			users[i].LoggedIn = users[i].ID == login
		}
		k.sum = Summary{Mode: mode, Keys: k.keys, Users: users, Nodes: k.nodes, Files: files}
		k.mode, k.login, k.files, k.json = mode, login, files, ""
	}
	if wantJSON && k.json == "" {
		k.json = string(appendSummary(k.sum))
	}
	return k.sum, k.json
}

// clusterSummary lists the keys, users and nodes of the cluster.
func (s *Session) clusterSummary() ([]KeySummary, []UserSummary, []NodeSummary) {
	keyList := []KeySummary{}
	keys := map[uint64]*KeySummary{}
	for _, n := range s.Cluster.Nodes {
		for h, o := range n.AllObjects() {
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
		keyList = append(keyList, *k)
	}
	sort.Slice(keyList, func(i, j int) bool { return keyList[i].Handle < keyList[j].Handle })

	userList := []UserSummary{}
	users := map[int]*UserSummary{}
	for _, n := range s.Cluster.Nodes {
		for _, u := range n.Users {
			if users[u.ID] == nil {
				users[u.ID] = &UserSummary{ID: u.ID, Type: string(u.Type), Name: u.Name}
			}
			users[u.ID].FailedLogins = max(users[u.ID].FailedLogins, u.FailedLogins)
		}
	}
	for _, u := range users {
		userList = append(userList, *u)
	}
	sort.Slice(userList, func(i, j int) bool { return userList[i].ID < userList[j].ID })

	var nodeList []NodeSummary
	outOfSync := map[int]bool{}
	for _, d := range s.Cluster.Diff() {
		for _, id := range append(d.Missing, d.Differs...) {
			outOfSync[id] = true
		}
	}
	for _, n := range s.Cluster.Nodes {
		tokens := 0
		for _, o := range n.AllObjects() {
			if o.Token {
				tokens++
			}
		}
		nodeList = append(nodeList, NodeSummary{ID: n.ID, Addr: n.Addr, Up: n.Up, InSync: !outOfSync[n.ID], Keys: tokens, Users: len(n.Users)})
	}
	return keyList, userList, nodeList
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
