package kmu

import (
	"bytes"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/format"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name:    "findKey",
		Summary: "Find Key",
		API:     "Cfm3FindKey",
		Run:     findKey,
		About: `Finds keys by the values of their attributes. With no parameters it lists
every key the current user can use: the keys the user owns, the keys shared
with the user, and all public keys.`,
		Params: `        -c       key class: 2 = public, 3 = private, 4 = secret
        -t       key type: 0 = RSA, 1 = DSA, 3 = EC, 16 = GENERIC_SECRET,
                 18 = RC4, 21 = DES3, 31 = AES
        -l       exact label (no wildcards)
        -id      exact key ID (no wildcards)
        -sess    1 = session keys of this session, 0 = persistent keys
        -u       comma-separated user ids: keys all of them can use too
        -m       file holding an RSA modulus (hex, a getAttribute -a 288
                 dump, or a PEM public key): RSA keys with that modulus
        -kcv     key check value in hex (e.g. 0x1a4b31)`,
		Flags: []Flag{
			{Name: "c", Kind: tool.KeyClass, Arg: "<key class>", Values: keyClasses(hsm.ClassPublic, hsm.ClassPrivate, hsm.ClassSecret)},
			{Name: "t", Kind: tool.KeyType, Arg: "<key type>", Values: keyTypes()},
			{Name: "l", Kind: tool.Text, Arg: "<key label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key ID>"},
			{Name: "sess", Kind: tool.Number, Arg: "(0 | 1)", Values: []tool.Choice{{Value: "0", Note: "persistent keys"}, {Value: "1", Note: "session keys"}}},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
			{Name: "m", Kind: tool.File, Arg: "<modulus>"},
			{Name: "kcv", Kind: tool.Text, Arg: "<key_check_value>"},
		},
	})
	register(&Command{
		Name:    "findSingleKey",
		Summary: "Find single Key",
		API:     "Cfm3FindKey",
		Run:     findSingleKey,
		About: `Verifies that a key exists on all HSMs in the cluster. Each HSM answers for
its own copy: SUCCESS where it holds the key, an invalid handle where it
does not (the cluster is out of sync; syncKey in cloudhsm_mgmt_util copies
it).`,
		Params: `        -k       key handle`,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<key-handle>"},
		},
	})
}

// findCriteria is a parsed findKey command line. What hsm.Filter cannot
// express (session status, the modulus) is checked here on the objects Find
// returns.
type findCriteria struct {
	filter  hsm.Filter
	sess    *bool // true: session keys only; false: token keys only
	modulus []byte
}

func findKey(t *Tool, a *Args) tool.Result {
	c := commands["findKey"]
	fc, err := t.parseFind(a)
	if err != nil {
		return t.usage(c, err)
	}
	if a.Has("m") {
		b, err := t.ioReadFile("m", a.Str("m"))
		if err != nil {
			return t.ioError(err)
		}
		if fc.modulus, err = findParseModulus(b); err != nil {
			return t.ioError(fmt.Errorf("file %q given with -m: %v", a.Str("m"), err))
		}
	}
	var found []uint64
	for _, h := range t.Cluster.Find(t.Session, fc.filter) {
		if o := t.Cluster.Object(h); o != nil && fc.match(o) {
			found = append(found, h)
		}
	}
	st := statusEvery(t.Cluster, hsm.RCSuccess)
	rc := hsm.RCSuccess
	if len(t.Cluster.UpNodes()) == 0 {
		rc = hsm.RCServerUnavailable
	}
	keys := make([]tool.KeyRef, len(found))
	for i, h := range found {
		keys[i] = tool.KeyRef{Handle: h}
	}
	t.printf("%s", format.Keys(format.KeyMgmtUtil, keys))
	t.errorStatus(st)
	t.returned("Cfm3FindKey", rc)
	t.found(found...)
	t.value(&tool.Value{Keys: keys})
	return tool.Result{}
}

// parseFind checks every findKey parameter before the search.
func (t *Tool) parseFind(a *Args) (findCriteria, error) {
	var fc findCriteria
	if a.Has("c") {
		n, err := a.Int("c", 0)
		if err != nil {
			return fc, err
		}
		cl := hsm.Class(n)
		if cl != hsm.ClassPublic && cl != hsm.ClassPrivate && cl != hsm.ClassSecret {
			return fc, fmt.Errorf("invalid key class %d for -c (2, 3 or 4)", n)
		}
		fc.filter.Class = &cl
	}
	if a.Has("t") {
		n, err := a.Int("t", 0)
		if err != nil {
			return fc, err
		}
		kt := hsm.KeyType(n)
		if !kt.SDK3() {
			return fc, fmt.Errorf("invalid key type %d for -t (0, 1, 3, 16, 18, 21 or 31)", n)
		}
		fc.filter.KeyType = &kt
	}
	if a.Has("l") {
		l := a.Str("l")
		fc.filter.Label = &l
	}
	if a.Has("id") {
		id := a.Str("id")
		fc.filter.KeyID = &id
	}
	if a.Has("sess") {
		switch a.Str("sess") {
		case "0":
			f := false
			fc.sess = &f
		case "1":
			tr := true
			fc.sess = &tr
		default:
			return fc, fmt.Errorf("invalid value %q for -sess (0 or 1)", a.Str("sess"))
		}
	}
	users, err := a.Users("u")
	if err != nil {
		return fc, err
	}
	fc.filter.Users = users
	if a.Has("kcv") {
		s := strings.TrimPrefix(strings.TrimPrefix(a.Str("kcv"), "0x"), "0X")
		kcv, err := hex.DecodeString(s)
		if err != nil || len(kcv) == 0 {
			return fc, fmt.Errorf("invalid key check value %q for -kcv: give it in hex, e.g. 0x1a4b31", a.Str("kcv"))
		}
		fc.filter.KCV = kcv
	}
	return fc, nil
}

func (fc findCriteria) match(o *hsm.Object) bool {
	if fc.sess != nil && *fc.sess == o.Token {
		return false
	}
	if fc.modulus != nil && (o.KeyType != hsm.KeyTypeRSA || !bytes.Equal(o.Modulus, fc.modulus)) {
		return false
	}
	return true
}

// findParseModulus reads the -m file of findKey. The page does not say how
// the modulus is written, so the simulator takes the forms a user has at
// hand: a PEM RSA public key, a getAttribute dump holding
// OBJ_ATTR_MODULUS, or the modulus in hex (with or without 0x, across any
// number of lines).
func findParseModulus(b []byte) ([]byte, error) {
	text := strings.TrimSpace(string(b))
	if strings.HasPrefix(text, "-----BEGIN") {
		pub, err := mech.ParsePublicKeyPEM(b)
		if err != nil {
			priv, perr := mech.ParsePrivateKeyPEM(b)
			if perr != nil {
				return nil, fmt.Errorf("no RSA key in the PEM file")
			}
			pub = mech.PublicOf(priv)
		}
		if n := rsaModulusOf(pub); n != nil {
			return n, nil
		}
		return nil, fmt.Errorf("the PEM key is not an RSA key")
	}
	lines := strings.Split(text, "\n")
	if i := indexLine(lines, hsm.AttrNames[hsm.AttrModulus]); i >= 0 {
		var keep []string
		for _, l := range lines[i+1:] {
			if strings.HasPrefix(strings.TrimSpace(l), "OBJ_ATTR_") {
				break
			}
			keep = append(keep, l)
		}
		lines = keep
	}
	s := strings.Join(strings.Fields(strings.Join(lines, "\n")), "")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	m, err := hex.DecodeString(s)
	if err != nil || len(m) == 0 {
		return nil, fmt.Errorf("no RSA modulus in hex found")
	}
	// Compare as numbers: leading zero bytes do not make another modulus.
	return new(big.Int).SetBytes(m).Bytes(), nil
}

// rsaModulusOf is the modulus of an RSA public key, nil for other keys.
func rsaModulusOf(pub any) []byte {
	if k, ok := pub.(*rsa.PublicKey); ok && k != nil && k.N != nil {
		return k.N.Bytes()
	}
	return nil
}

func indexLine(lines []string, want string) int {
	for i, l := range lines {
		if strings.TrimSpace(l) == want {
			return i
		}
	}
	return -1
}

func findSingleKey(t *Tool, a *Args) tool.Result {
	c := commands["findSingleKey"]
	h, err := a.Handle("k")
	if err != nil {
		return t.usage(c, err)
	}
	o, rc := t.Cluster.Lookup(t.Session, h, hsm.OpRead)
	t.returned("Cfm3FindKey", rc)
	switch rc {
	case hsm.RCSuccess:
	case hsm.RCInvalidHandle:
		t.errorStatus(statusEvery(t.Cluster, hsm.RCInvalidHandle))
		return tool.Result{}
	default:
		return tool.Result{}
	}
	st := hsm.Status{}
	for _, n := range t.Cluster.Nodes {
		switch ok := n.Has(h); {
		case !n.Up:
			st = append(st, hsm.NodeStatus{Node: n.ID, RC: hsm.RCServerUnavailable})
		case ok:
			st = append(st, hsm.NodeStatus{Node: n.ID, RC: hsm.RCSuccess})
		case o.Token:
			// A session key lives only on its session's HSM; only a
			// missing token key is a node out of sync.
			st = append(st, hsm.NodeStatus{Node: n.ID, RC: hsm.RCInvalidHandle})
		}
	}
	t.errorStatus(st)
	return tool.Result{}
}
