package kmu

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// This file holds extractMaskedObject and insertMaskedObject.
//
// A masked object is the whole key object (material and metadata: class,
// attributes, label, ID, owner, sharing, quorum) as JSON, sealed with
// AES-256-GCM under the cluster's masking key. The file is
//
//	"HSMSIMMO" || version (1) || iv || ciphertext || tag
//
// with the magic and version as additional authenticated data. The masking
// key is derived from the cluster's node addresses (see maskingKey), so the
// object opens only in the cluster it came from, or in one built with the
// same HSMs, as a cluster restored from its backup is.

func init() {
	register(&Command{
		Name:    "extractMaskedObject",
		Summary: "Extracts a masked object",
		API:     "Cfm3ExtractMaskedObject",
		Run:     extractMaskedObject,
		About: `Extracts a key you own, with all its attributes, owner, sharing and quorum
settings, as a masked object: encrypted with a key only this cluster (or a
clone of it made from a backup) holds. Non-extractable keys can be masked.`,
		Params: `        -o       handle of the key to mask
        -out     file to write the masked object to (overwritten)`,
		Indent: 17,
		Flags: []Flag{
			{Name: "o", Kind: tool.Handle, Required: true, Arg: "<object-handle>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<object-file>"},
		},
	})
	register(&Command{
		Name:    "insertMaskedObject",
		Summary: "Inserts a masked object",
		API:     "Cfm3InsertMaskedObject",
		Run:     insertMaskedObject,
		About: `Inserts a masked object made by extractMaskedObject into the HSMs. The key
gets a new handle and keeps the attributes, owner and sharing it had. Only
the cluster the object came from, or a clone of it, can insert it.`,
		Params: `        -f       file holding the masked object
        -min_srv minimum number of HSMs the key must reach (default: 1)
        -timeout seconds to wait for -min_srv HSMs`,
		Indent: 17,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Required: true, Arg: "<filename>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-servers>"},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds>"},
		},
	})
}

const (
	maskedMagic   = "HSMSIMMO"
	maskedVersion = 1
	// maskedDomain separates the masking key from any other use of the
	// node addresses.
	maskedDomain = "hsmsim masked object key v1"
)

// maskingKey derives the cluster's masking key: SHA-256 over a fixed domain
// string and the sorted addresses of all its nodes. It is deterministic, so
// the key survives saving and restoring the cluster, and differs between
// clusters of different HSMs.
func maskingKey(c *hsm.Cluster) []byte {
	addrs := make([]string, 0, len(c.Nodes))
	for _, n := range c.Nodes {
		addrs = append(addrs, n.Addr)
	}
	slices.Sort(addrs)
	h := sha256.New()
	h.Write([]byte(maskedDomain))
	for _, a := range addrs {
		h.Write([]byte{0})
		h.Write([]byte(a))
	}
	return h.Sum(nil)
}

func maskedAAD() []byte { return append([]byte(maskedMagic), maskedVersion) }

func extractMaskedObject(t *Tool, a *Args) tool.Result {
	c := commands["extractMaskedObject"]
	h, err := a.Handle("o")
	if err != nil {
		return t.usage(c, err)
	}
	out := a.Str("out")
	if err := t.ioCheckOut("out", out); err != nil {
		return t.usage(c, err)
	}
	// The page: the CU who owns the key (or a CO, who cannot log in to
	// key_mgmt_util) may extract it. Keys shared with the user may not.
	o, ok := t.ioLookup(c.API, h, hsm.OpMask)
	if !ok {
		return tool.Result{}
	}
	plain, err := json.Marshal(o)
	if err != nil {
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	sealed, err := mech.SealGCM(t.Rand, maskingKey(t.Cluster), plain, maskedAAD())
	if err != nil {
		t.returned(c.API, ioRC(err))
		return tool.Result{}
	}
	if err := t.ioWriteFile(out, append(maskedAAD(), sealed...)); err != nil {
		return t.ioError(err)
	}
	t.printf("Object was masked and written to file \"%s\"\n", out)
	t.returned(c.API, hsm.RCSuccess)
	return tool.Result{}
}

var errNotMasked = errors.New("not a masked object")

// openMasked unseals a masked object file and checks that what it holds is a
// key the cluster could have made.
func openMasked(c *hsm.Cluster, data []byte) (*hsm.Object, error) {
	aad := maskedAAD()
	if len(data) < len(aad) || !bytes.Equal(data[:len(maskedMagic)], aad[:len(maskedMagic)]) {
		return nil, errNotMasked
	}
	if data[len(maskedMagic)] != maskedVersion {
		return nil, fmt.Errorf("masked object version %d is not known", data[len(maskedMagic)])
	}
	plain, err := mech.OpenGCM(maskingKey(c), data[len(aad):], aad)
	if err != nil {
		return nil, err
	}
	var o hsm.Object
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return nil, fmt.Errorf("%w: %v", mech.ErrUnwrapIntegrity, err)
	}
	if err := maskedCheck(&o); err != nil {
		return nil, fmt.Errorf("%w: %v", mech.ErrUnwrapIntegrity, err)
	}
	return &o, nil
}

// maskedCheck verifies that an unsealed object's material matches its class
// and type; the seal makes a mismatch unlikely, but nothing from a file is
// trusted blindly.
func maskedCheck(o *hsm.Object) error {
	switch o.Class {
	case hsm.ClassSecret:
		if _, err := mech.CheckValue(mech.KeyType(o.KeyType), o.Value); err != nil {
			return err
		}
	case hsm.ClassPrivate:
		priv, err := mech.ParsePrivateKeyDER(o.Value)
		if err != nil {
			return err
		}
		if kt, err := mech.KeyTypeOf(priv); err != nil || hsm.KeyType(kt) != o.KeyType {
			return errors.New("key type does not match the key material")
		}
	case hsm.ClassPublic:
		pub, err := mech.ParsePublicKeyDER(o.Value)
		if err != nil {
			return err
		}
		if kt, err := mech.KeyTypeOf(pub); err != nil || hsm.KeyType(kt) != o.KeyType {
			return errors.New("key type does not match the key material")
		}
	default:
		return fmt.Errorf("unknown key class %d", o.Class)
	}
	return nil
}

func insertMaskedObject(t *Tool, a *Args) tool.Result {
	c := commands["insertMaskedObject"]
	var opt hsm.KeyOptions
	var err error
	if opt.MinSrv, err = a.Int("min_srv", 0); err != nil {
		return t.usage(c, err)
	}
	if a.Has("min_srv") && opt.MinSrv < 1 {
		return t.usage(c, fmt.Errorf("invalid value for -min_srv: at least 1"))
	}
	timeout, err := a.Int("timeout", 0)
	if err != nil {
		return t.usage(c, err)
	}
	if a.Has("timeout") && (!a.Has("min_srv") || timeout < 0) {
		return t.usage(c, fmt.Errorf("-timeout is valid only together with -min_srv"))
	}
	name := a.Str("f")
	data, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	o, err := openMasked(t.Cluster, data)
	switch {
	case errors.Is(err, errNotMasked):
		return t.ioError(fmt.Errorf("file %q is not a masked object made by extractMaskedObject", name))
	case err != nil && !errors.Is(err, mech.ErrUnwrapIntegrity):
		return t.ioError(fmt.Errorf("file %q: %v", name, err))
	case err != nil:
		// Another cluster's object, or a damaged file: the seal does not open.
		t.returned(c.API, hsm.RCWrapFailed)
		return tool.Result{}
	}
	if u := t.Cluster.UserByID(o.Owner); u == nil || u.Type != hsm.RoleCU {
		t.returned(c.API, hsm.RCUserNotFound)
		return tool.Result{}
	}
	// The object is a clone: it keeps owner, sharing, quorum and ID even
	// where the original still exists, so the new key is created with the
	// inserting user's rights and then given its own metadata back. A
	// session key comes back as a key of the inserting session.
	owner, shared, mvalue, keyID := o.Owner, slices.Clone(o.Shared), o.MValue, o.KeyID
	opt.Session = !o.Token
	o.KeyID, o.Shared, o.Session = "", nil, ""
	h, st, rc := t.Cluster.CreateKey(t.Session, o, opt)
	t.returned(c.API, rc)
	if rc != hsm.RCSuccess {
		t.errorStatus(st)
		return tool.Result{}
	}
	t.Cluster.Update(h, ioNodesOf(st), func(n *hsm.Object) {
		n.Owner, n.Shared, n.MValue, n.KeyID = owner, slices.Clone(shared), mvalue, keyID
	})
	t.printf("New Key Handle: %d\n", h)
	t.found(h)
	t.errorStatus(st)
	t.changed = true
	return tool.Result{}
}

// ioNodesOf lists the nodes that succeeded in a status.
func ioNodesOf(st hsm.Status) []int {
	var ids []int
	for _, ns := range st {
		if ns.RC == hsm.RCSuccess {
			ids = append(ids, ns.Node)
		}
	}
	return ids
}
