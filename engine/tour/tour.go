// Package tour is the guided walkthroughs of "Managing Keys in AWS
// CloudHSM": the walkthrough itself in the SDK 3 tools, and the same
// learning path in CloudHSM CLI. Each has its steps, what each one teaches,
// the commands it offers, and how to tell from the cluster — not from what
// was typed — that the learner did it, so a learner's own variant of a
// command counts too. A step that changes nothing (a key list) is told from
// the typed result of the reply instead.
package tour

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/shell"
)

// Tour is one guided walkthrough.
type Tour struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Intro says in a sentence or two what the tour walks through.
	Intro string `json:"intro"`
	// Tool is the program most of its steps run in.
	Tool  string `json:"tool"`
	Steps []Step `json:"steps"`
}

// Tours lists the tours, the SDK 3 walkthrough first.
func Tours() []Tour { return tours }

// ByID returns a tour by id.
func ByID(id string) (Tour, bool) {
	for _, t := range tours {
		if t.ID == id {
			return t, true
		}
	}
	return Tour{}, false
}

// StatusOf is every step of the tour judged against the same marks, and
// the calls of the reply just given (nil when there is none).
func (t Tour) StatusOf(marks Marks, s *shell.Session, calls []tool.Call) []Status {
	out := make([]Status, len(t.Steps))
	for i, st := range t.Steps {
		out[i] = Status{ID: st.ID, Done: DoneAfter(st, marks, s, calls)}
	}
	return out
}

// Step is one step of the tour.
type Step struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Why says in a few lines what the step does and why it matters.
	Why string `json:"why"`
	// Commands are offered one by one: a click types the next into the
	// console and the learner presses Enter. A command that only makes
	// sense in a tool starts with that tool.
	Commands []string `json:"commands"`
	// Tool is the program the commands run in.
	Tool string `json:"tool"`
	// Notice says what to look at in the reply.
	Notice string `json:"notice,omitempty"`
	done   func(c check) bool
}

// Marks is what a step remembers of the cluster when it starts, so that
// "a key was deleted" or "a key was unshared" can be seen from state.
type Marks struct {
	Owned  []uint64 `json:"owned"`
	Shared []uint64 `json:"shared"`
	// Files maps each file to a digest of its content: an export step
	// looks only at files written since it started (the walkthrough's
	// import files hold key material too).
	Files map[string]string `json:"files"`
	// LoggedIn: a tool was logged in when the step started (a logout step
	// looks for the login to be gone).
	LoggedIn bool `json:"loggedIn,omitempty"`
	// Attrs maps each owned key (its handle in decimal) to a digest of its
	// attributes, so a step can see that one was changed.
	Attrs map[string]string `json:"attrs,omitempty"`
}

type check struct {
	s     *shell.Session
	marks Marks
	// user is the crypto user the learner works as: the one logged in now,
	// or example_user, the walkthrough's user, when nobody is.
	user int
	// calls are the typed results of the reply being judged.
	calls []tool.Call
}

// Steps lists the first tour, the walkthrough in the SDK 3 tools, in order.
func Steps() []Step { return sdk3Steps }

// Find returns a step of any tour by id (ids are unique across tours).
func Find(id string) (Step, bool) {
	for _, t := range tours {
		for _, st := range t.Steps {
			if st.ID == id {
				return st, true
			}
		}
	}
	return Step{}, false
}

// Mark records the starting state of a step.
func Mark(s *shell.Session) Marks {
	c := check{s: s, user: learner(s)}
	m := Marks{Files: map[string]string{}, Attrs: map[string]string{}, LoggedIn: s.Login() != nil}
	files, _ := s.ListFiles()
	for _, fi := range files {
		if data, err := s.ReadFile(fi.Name); err == nil {
			m.Files[fi.Name] = digest(data)
		}
	}
	for _, o := range c.keys() {
		if o.Owner == c.user {
			m.Owned = append(m.Owned, o.Handle)
			m.Attrs[strconv.FormatUint(o.Handle, 10)] = attrDigest(o)
			if len(o.Shared) > 0 {
				m.Shared = append(m.Shared, o.Handle)
			}
		}
	}
	return m
}

// Done reports whether the step happened, judged from the cluster and the
// files now and the marks taken when the step started.
func Done(st Step, marks Marks, s *shell.Session) bool { return DoneAfter(st, marks, s, nil) }

// DoneAfter is Done judged also from the typed results of the reply just
// given, which a step that changes nothing needs.
func DoneAfter(st Step, marks Marks, s *shell.Session, calls []tool.Call) bool {
	if st.done == nil {
		return false
	}
	return st.done(check{s: s, marks: marks, user: learner(s), calls: calls})
}

// Status is every step's state, for the tour panel.
type Status struct {
	ID   string `json:"id"`
	Done bool   `json:"done"`
}

// StatusOf is every step judged against the same marks: the panel reads
// the current step's entry (the marks were taken when it started), and a
// later step whose state already holds shows as reachable at once.
func StatusOf(marks Marks, s *shell.Session) []Status {
	return tours[0].StatusOf(marks, s, nil)
}

func learner(s *shell.Session) int {
	if ls := s.Login(); ls != nil && ls.Role == hsm.RoleCU {
		return ls.UserID
	}
	for _, u := range s.Cluster.Users() {
		if u.Name == "example_user" {
			return u.ID
		}
	}
	return 3
}

// keys lists the token and session keys of every up node, one copy each.
func (c check) keys() []*hsm.Object {
	seen := map[uint64]bool{}
	var out []*hsm.Object
	for _, n := range c.s.Cluster.UpNodes() {
		for _, h := range n.Handles() {
			if !seen[h] {
				seen[h] = true
				if o, ok := n.Object(h); ok {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

func (c check) owned(f func(o *hsm.Object) bool) bool {
	for _, o := range c.keys() {
		if o.Owner == c.user && f(o) {
			return true
		}
	}
	return false
}

// fileHolds reports whether a file written since the step started
// satisfies f.
func (c check) fileHolds(f func(data []byte) bool) bool {
	files, _ := c.s.ListFiles()
	for _, fi := range files {
		data, err := c.s.ReadFile(fi.Name)
		if err == nil && c.marks.Files[fi.Name] != digest(data) && f(data) {
			return true
		}
	}
	return false
}

// made is owned, and made since the step started.
func (c check) made(f func(o *hsm.Object) bool) bool {
	return c.owned(func(o *hsm.Object) bool { return !slices.Contains(c.marks.Owned, o.Handle) && f(o) })
}

// attrDigest is a digest of a key's attributes.
func attrDigest(o *hsm.Object) string {
	b, _ := json.Marshal(o.Attributes())
	return digest(b)
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

var sdk3Steps = []Step{
	{
		ID: "login", Title: "Log in as a crypto user", Tool: "key_mgmt_util",
		Why:      "Only crypto users (CUs) create and manage keys; a CU owns the keys it makes. Start key_mgmt_util and log in to every HSM of the cluster as the CU example_user.",
		Commands: []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password"},
		done: func(c check) bool {
			ls := c.s.Login()
			return ls != nil && ls.Role == hsm.RoleCU && c.s.Mode() == "key_mgmt_util"
		},
	},
	{
		ID: "gen-aes", Title: "Generate a 256-bit AES key", Tool: "key_mgmt_util",
		Why:      "genSymKey makes a symmetric key inside the HSMs: -t 31 is AES, -s 32 is 32 bytes (256 bits), -l a label. The key never leaves the HSM in the clear unless you export it, and the answer is its handle.",
		Commands: []string{"genSymKey -t 31 -s 32 -l aes256"},
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool { return o.KeyType == hsm.KeyTypeAES && o.ValueLen == 32 && o.Local })
		},
	},
	{
		ID: "gen-rsa", Title: "Generate an RSA key pair", Tool: "key_mgmt_util",
		Why:      "genRSAKeyPair makes a public and a private key, two handles. -m is the modulus length in bits (2048 at least), -e the public exponent.",
		Commands: []string{"genRSAKeyPair -m 2048 -e 65537 -l rsa2048"},
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool { return o.KeyType == hsm.KeyTypeRSA && o.Class == hsm.ClassPrivate && o.Local })
		},
	},
	{
		ID: "gen-ecc", Title: "Generate an ECC key pair", Tool: "key_mgmt_util",
		Why:      "genECCKeyPair makes an elliptic-curve key pair; -i picks the curve (14 is P-384, 2 is P-256). genECCKeyPair -h lists the curves.",
		Commands: []string{"genECCKeyPair -i 14 -l ecc-p384"},
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool { return o.KeyType == hsm.KeyTypeEC && o.Class == hsm.ClassPrivate && o.Local })
		},
	},
	{
		ID: "import-secret", Title: "Import a secret key", Tool: "key_mgmt_util",
		Why:      "Secret keys enter the HSM wrapped: first make a wrapping key (a session key is enough), then imSymKey reads the raw key file, wraps it with that key and unwraps it inside the HSM. The file aes256.key is already in your workspace (openssl rand -out aes256.key 32 makes another).",
		Commands: []string{"genSymKey -t 31 -s 16 -sess -l import-wrapping-key", "imSymKey -f aes256.key -t 31 -l aes256-imported -w 524299"},
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool { return o.Class == hsm.ClassSecret && !o.Local })
		},
	},
	{
		ID: "import-private", Title: "Import a private key", Tool: "key_mgmt_util",
		Why:      "importPrivateKey takes a PEM private key (rsa2048.key here) and brings it in the same way, through a wrapping key.",
		Commands: []string{"importPrivateKey -f rsa2048.key -l rsa2048-imported -w 524299"},
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool { return o.Class == hsm.ClassPrivate && !o.Local })
		},
	},
	{
		ID: "import-public", Title: "Import a public key", Tool: "key_mgmt_util",
		Why:      "Public keys are not secret, so importPubKey needs no wrapping key.",
		Commands: []string{"importPubKey -f rsa2048.pub -l rsa2048-public-imported"},
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool { return o.Class == hsm.ClassPublic && !o.Local })
		},
	},
	{
		ID: "export-secret", Title: "Export a secret key", Tool: "key_mgmt_util",
		Why:      "Only the owner exports a key. exSymKey needs a wrapping key, yet writes the key in plaintext (despite saying \"Wrapped\"); wrapKey writes an encrypted copy instead.",
		Commands: []string{"genSymKey -t 31 -s 16 -sess -l export-wrapping-key", "exSymKey -k 524295 -out aes256.key.exp -w 524304"},
		done: func(c check) bool {
			return c.fileHolds(func(data []byte) bool {
				return c.owned(func(o *hsm.Object) bool {
					return o.Class == hsm.ClassSecret && subtle.ConstantTimeCompare(o.Value, data) == 1
				})
			})
		},
	},
	{
		ID: "export-private", Title: "Export a private key", Tool: "key_mgmt_util",
		Why:      "exportPrivateKey writes a PEM private key, again through a wrapping key. OpenSSL reads it: openssl pkey -in rsa2048.key.exp -check.",
		Commands: []string{"exportPrivateKey -k 524296 -out rsa2048.key.exp -w 524304"},
		done: func(c check) bool {
			return c.fileHolds(func(data []byte) bool {
				k, err := mech.ParsePrivateKeyPEM(data)
				if err != nil {
					return false
				}
				der, err := mech.MarshalPrivateKeyDER(k)
				return err == nil && c.owned(func(o *hsm.Object) bool { return o.Class == hsm.ClassPrivate && bytes.Equal(o.Value, der) })
			})
		},
	},
	{
		ID: "export-public", Title: "Export a public key", Tool: "key_mgmt_util",
		Why:      "exportPubKey writes a public key as PEM; any CU may export any public key.",
		Commands: []string{"exportPubKey -k 524294 -out rsa2048.pub.exp"},
		done:     exportedPublic,
	},
	{
		ID: "delete", Title: "Delete a key", Tool: "key_mgmt_util",
		Why:      "deleteKey destroys a key on every HSM. Only the owner may; anyone else gets 0xc6, Key Access is denied.",
		Commands: []string{"deleteKey -k 524300"},
		done:     deletedOne,
	},
	{
		ID: "share", Title: "Share a key with another user", Tool: "cloudhsm_mgmt_util",
		Why:      "Sharing an existing key is done in cloudhsm_mgmt_util, as the owner. The user it is shared with (alice, user 4) may use the key but not export, delete or share it. The command asks for confirmation because it must reach every HSM.",
		Commands: []string{"exit", "cloudhsm_mgmt_util", "enable_e2e", "loginHSM CU example_user password", "shareKey 524295 4 1", "y"},
		done:     sharedOne,
	},
	{
		ID: "unshare", Title: "Unshare it again", Tool: "cloudhsm_mgmt_util",
		Why:      "The same command with 0 as its last parameter takes the sharing back.",
		Commands: []string{"shareKey 524295 4 0", "y"},
		done:     unsharedOne,
	},
}

func findTokenAnywhere(c *hsm.Cluster, h uint64) *hsm.Object {
	for _, n := range c.Nodes {
		if o, ok := n.Object(h); ok {
			return o
		}
	}
	return nil
}

// exportedPublic: a file written since the step started holds, as PEM, a
// public key generated in the HSMs.
func exportedPublic(c check) bool {
	return c.fileHolds(func(data []byte) bool {
		k, err := mech.ParsePublicKeyPEM(data)
		if err != nil {
			return false
		}
		der, err := mech.MarshalPublicKeyDER(k)
		if err != nil {
			return false
		}
		for _, o := range c.keys() {
			if o.Class == hsm.ClassPublic && o.Local && bytes.Equal(o.Value, der) {
				return true
			}
		}
		return false
	})
}

// deletedOne: a key the learner owned when the step started is gone from
// every HSM.
func deletedOne(c check) bool {
	for _, h := range c.marks.Owned {
		if c.s.Cluster.Object(h) == nil {
			if o := findTokenAnywhere(c.s.Cluster, h); o == nil {
				return true
			}
		}
	}
	return false
}

// sharedOne: a key of the learner's that was not shared is shared now.
func sharedOne(c check) bool {
	return c.owned(func(o *hsm.Object) bool { return len(o.Shared) > 0 && !slices.Contains(c.marks.Shared, o.Handle) })
}

// unsharedOne: a key of the learner's that was shared is shared with
// nobody now.
func unsharedOne(c check) bool {
	for _, h := range c.marks.Shared {
		if o := c.s.Cluster.Object(h); o != nil && o.Owner == c.user && len(o.Shared) == 0 {
			return true
		}
	}
	return false
}
