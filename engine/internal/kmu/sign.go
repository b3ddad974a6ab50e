package kmu

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// This file holds sign and verify.

func init() {
	register(&Command{
		Name:    "sign",
		Summary: "Generates a signature",
		API:     "Cfm3Sign",
		About:   "Signs a file with a private key in the HSMs and writes the signature to a file.",
		Params:  "        -f       file to sign\n        -k       handle of the private key (OBJ_ATTR_SIGN = 1)\n        -out     file to write the signature to (overwritten)\n" + signMechParams(),
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Arg: "<file name>", Required: true},
			{Name: "k", Kind: tool.Handle, Arg: "<private key handle>", Required: true},
			{Name: "m", Kind: tool.Mechanism, Arg: "<signature mechanism>", Required: true, Values: signMechs()},
			{Name: "out", Kind: tool.File, Arg: "<signed file name>", Required: true},
		},
		Run: sign,
	})
	register(&Command{
		Name:    "verify",
		Summary: "Verifies a signature",
		API:     "Cfm3Verify",
		About:   "Checks the signature of a file with a public key in the HSMs.",
		Params:  "        -f       the signed file\n        -s       file holding the signature\n        -k       handle of the public key (OBJ_ATTR_VERIFY = 1)\n" + signMechParams(),
		Indent:  13,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Arg: "<message-file>", Required: true},
			{Name: "s", Kind: tool.File, Arg: "<signature-file>", Required: true},
			{Name: "k", Kind: tool.Handle, Arg: "<public-key-handle>", Required: true},
			{Name: "m", Kind: tool.Mechanism, Arg: "<signature-mechanism>", Required: true, Values: signMechs()},
		},
		Run: verify,
	})
}

// signMechParams explains -m of sign and verify: the mechanisms of the
// signing table.
func signMechParams() string {
	s := "        -m       signing mechanism:"
	for _, m := range mech.SignMechanisms() {
		s += fmt.Sprintf("\n                 %2d : %s", m.ID, m.Name)
	}
	return s
}

// signMechs are the values sign and verify take for -m.
func signMechs() []tool.Choice {
	var out []tool.Choice
	for _, m := range mech.SignMechanisms() {
		out = append(out, tool.Choice{Value: strconv.Itoa(m.ID), Note: m.Name})
	}
	return out
}

// signArgs reads the key handle and mechanism sign and verify share.
func signArgs(a *Args) (uint64, mech.SignMech, error) {
	k, err := a.Handle("k")
	if err != nil {
		return 0, mech.SignMech{}, err
	}
	m, err := a.Int("m", 0)
	if err != nil {
		return 0, mech.SignMech{}, err
	}
	sm, err := mech.SignMechanism(m)
	if err != nil {
		return 0, mech.SignMech{}, fmt.Errorf("invalid signing mechanism %d for -m (0 to 9, 15 to 19)", m)
	}
	return k, sm, nil
}

// signKeyCheck checks that a key fits the mechanism and may sign or verify:
// its class, its type against the mechanism's family, and OBJ_ATTR_SIGN or
// OBJ_ATTR_VERIFY.
func signKeyCheck(o *hsm.Object, sm mech.SignMech, class hsm.Class) hsm.RC {
	if o.Class != class {
		return hsm.RCInvalidInput
	}
	if o.KeyType != hsm.KeyType(sm.Family.KeyType()) {
		return hsm.RCMechanismInvalid
	}
	if (class == hsm.ClassPrivate && !o.Sign) || (class == hsm.ClassPublic && !o.Verify) {
		return hsm.RCInvalidAttribute
	}
	return hsm.RCSuccess
}

// signStatus is the per-node block after a signature: the nodes that hold
// the key, and the ones that are down.
func (t *Tool) signStatus(h uint64) hsm.Status {
	var st hsm.Status
	for _, n := range t.Cluster.Nodes {
		if !n.Up {
			st = append(st, hsm.NodeStatus{Node: n.ID, RC: hsm.RCServerUnavailable})
		} else if n.Has(h) {
			st = append(st, hsm.NodeStatus{Node: n.ID, RC: hsm.RCSuccess})
		}
	}
	return st
}

func sign(t *Tool, a *Args) tool.Result {
	c := commands["sign"]
	k, sm, err := signArgs(a)
	if err != nil {
		return t.usage(c, err)
	}
	out := a.Str("out")
	if err := t.ioCheckOut("out", out); err != nil {
		return t.usage(c, err)
	}
	msg, err := t.ioReadFile("f", a.Str("f"))
	if err != nil {
		return t.ioError(err)
	}
	o, ok := t.ioLookup(c.API, k, hsm.OpUse)
	if !ok {
		return tool.Result{}
	}
	if rc := signKeyCheck(o, sm, hsm.ClassPrivate); rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	priv, err := keyobj.PrivateKey(o)
	if err != nil {
		t.returned(c.API, hsm.RCMechanismInvalid)
		return tool.Result{}
	}
	sig, err := mech.Sign(t.Rand, sm.ID, priv, msg)
	if err != nil {
		t.returned(c.API, ioRC(err))
		return tool.Result{}
	}
	if err := t.ioWriteFile(out, sig); err != nil {
		return t.ioError(err)
	}
	t.returned(c.API, hsm.RCSuccess)
	t.printf("signature is written to file %s\n", out)
	t.errorStatus(t.signStatus(k))
	return tool.Result{}
}

func verify(t *Tool, a *Args) tool.Result {
	c := commands["verify"]
	k, sm, err := signArgs(a)
	if err != nil {
		return t.usage(c, err)
	}
	msg, err := t.ioReadFile("f", a.Str("f"))
	if err != nil {
		return t.ioError(err)
	}
	sig, err := t.ioReadFile("s", a.Str("s"))
	if err != nil {
		return t.ioError(err)
	}
	o, ok := t.ioLookup(c.API, k, hsm.OpUse)
	if !ok {
		return tool.Result{}
	}
	if rc := signKeyCheck(o, sm, hsm.ClassPublic); rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	pub, err := keyobj.PublicKey(o)
	if err != nil {
		t.returned(c.API, hsm.RCMechanismInvalid)
		return tool.Result{}
	}
	err = mech.Verify(sm.ID, pub, msg, sig)
	switch {
	case err == nil:
		t.printf("Signature verification successful\n")
		t.returned(c.API, hsm.RCSuccess)
	case errors.Is(err, mech.ErrBadSignature):
		// The verify page's transcript of a signature that does not match.
		t.returnedText(c.API, hsm.RCBadPKCSData, fmt.Sprintf("%s returned: 0x%02x\n\nCSP Error: ERR_BAD_PKCS_DATA\n", c.API, uint32(hsm.RCBadPKCSData)))
	default:
		t.returned(c.API, ioRC(err))
	}
	return tool.Result{}
}
