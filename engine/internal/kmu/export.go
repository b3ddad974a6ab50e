package kmu

import (
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// This file holds the commands that write key material to files:
// exSymKey, exportPrivateKey, exportPubKey and getCaviumPrivKey.

func init() {
	register(&Command{
		Name:    "exSymKey",
		Summary: "Exports a Symmetric key",
		API:     "Cfm3WrapKey",
		Run:     exSymKey,
		About: `Exports a plaintext copy of a symmetric key you own to a file. The key is
wrapped with the wrapping key and unwrapped again; the file holds the raw,
unwrapped key bytes, although the output says "Wrapped Symmetric Key".
Use wrapKey to export an encrypted copy.`,
		Params: `        -k       handle of a symmetric key you own that is extractable
        -w       handle of an AES key with OBJ_ATTR_WRAP and OBJ_ATTR_DECRYPT
        -out     file to write the plaintext key to (overwritten)
        -m       wrapping mechanism: 4 = NIST_AES_WRAP (the only one, default)
        -wk      file with the plaintext of the -w key; -w wraps, it unwraps`,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<key-to-export>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<key-file>"},
			{Name: "m", Kind: tool.Mechanism, Arg: "4", Values: []tool.Choice{{Value: "4", Note: "NIST_AES_WRAP"}}},
			{Name: "wk", Kind: tool.File, Arg: "<unwrapping-key-file> "},
		},
	})
	register(&Command{
		Name:    "exportPrivateKey",
		Summary: "Exports RSA/DSA/EC private key",
		API:     "Cfm3WrapKey",
		Run:     exportPrivateKey,
		About: `Exports a private key you own to a PEM file (PKCS #8 "PRIVATE KEY"). The key
is wrapped with the wrapping key and unwrapped again on the host.`,
		Params: `        -k       handle of a private key you own that is extractable
        -w       handle of an AES key with OBJ_ATTR_WRAP and OBJ_ATTR_DECRYPT
        -out     file to write the PEM key to (overwritten)
        -m       wrapping mechanism: 4 = NIST_AES_WRAP (the only one, default)
        -wk      file with the plaintext of the -w key; -w wraps, it unwraps`,
		Indent: 17,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<private-key-handle>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key-handle>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<key-file>"},
			{Name: "m", Kind: tool.Mechanism, Arg: "<wrapping-mechanism>", Values: []tool.Choice{{Value: "4", Note: "NIST_AES_WRAP"}}},
			{Name: "wk", Kind: tool.File, Arg: "<wrapping-key-file>"},
		},
	})
	register(&Command{
		Name:    "exportPubKey",
		Summary: "Exports RSA/DSA/EC Public key",
		API:     "Cfm3ExportPubKey",
		Run:     exportPubKey,
		About: `Exports a public key to a PEM file ("PUBLIC KEY"). Every crypto user can
export public keys.`,
		Params: `        -k       handle of the public key
        -out     file to write the PEM key to (overwritten)`,
		Indent: 17,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<public-key-handle>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<key-file>"},
		},
	})
	register(&Command{
		Name:    "getCaviumPrivKey",
		Summary: "Saves an RSA private key handle\nin fake PEM format",
		API:     "getCaviumPrivKey",
		Run:     getCaviumPrivKey,
		About: `Writes a "fake PEM" file for an RSA private key: an RSA PRIVATE KEY whose
modulus and public exponent are the real ones and whose private exponent is
the key handle, with no private key material. Web servers offloading TLS to
the HSM use such a file to name the key.`,
		Params: `        -k       handle of an RSA private key you can use
        -out     file to write the fake PEM to (overwritten)`,
		Indent: 17,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<private-key-handle>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<fake-PEM-file>"},
		},
	})
}

// ioExportArgs reads the parameters exSymKey and exportPrivateKey share.
func (t *Tool) ioExportArgs(a *Args) (k, w uint64, err error) {
	if k, err = a.Handle("k"); err != nil {
		return
	}
	if w, err = a.Handle("w"); err != nil {
		return
	}
	m, err := a.Int("m", mech.WrapAESPKCS5)
	if err != nil {
		return
	}
	if m != mech.WrapAESPKCS5 {
		err = fmt.Errorf("invalid wrapping mechanism %d for -m: the only valid value is 4 (NIST_AES_WRAP)", m)
		return
	}
	err = t.ioCheckOut("out", a.Str("out"))
	return
}

// ioExportWrap wraps a key's value with the -w key inside the HSM
// (Cfm3WrapKey) and unwraps it on the host (Cfm3UnWrapHostKey) with the
// same key or the -wk file, the round trip exSymKey and exportPrivateKey
// make. want is the class the command exports. It returns the plaintext, or
// false after printing the failing step.
func (t *Tool) ioExportWrap(a *Args, k, w uint64, want hsm.Class) ([]byte, bool) {
	var hostKey []byte
	if a.Has("wk") {
		var err error
		if hostKey, err = t.ioHostKey(a.Str("wk")); err != nil {
			t.ioError(err)
			return nil, false
		}
	}
	ko, ok := t.ioLookup("Cfm3WrapKey", k, hsm.OpExport)
	if !ok {
		return nil, false
	}
	if ko.Class != want {
		t.returned("Cfm3WrapKey", hsm.RCInvalidInput)
		return nil, false
	}
	wo, ok := t.ioLookup("Cfm3WrapKey", w, hsm.OpUse)
	if !ok {
		return nil, false
	}
	kek, ok := t.ioAESKey("Cfm3WrapKey", wo, hsm.AttrWrap)
	if !ok {
		return nil, false
	}
	if ko.WrapWithTrusted && !wo.Trusted {
		t.returned("Cfm3WrapKey", hsm.RCKeyAccessDenied)
		return nil, false
	}
	p := mech.WrapParams{Mechanism: mech.WrapAESPKCS5}
	wrapped, err := mech.Wrap(t.Rand, p, kek, ko.Value)
	t.returned("Cfm3WrapKey", ioRC(err))
	if err != nil {
		return nil, false
	}
	unwrapKey := hostKey
	if unwrapKey == nil {
		if unwrapKey, ok = t.ioAESKey("Cfm3UnWrapHostKey", wo, hsm.AttrDecrypt); !ok {
			return nil, false
		}
	}
	plain, err := mech.Unwrap(p, unwrapKey, wrapped)
	if err != nil {
		t.returned("Cfm3UnWrapHostKey", ioRC(err))
		return nil, false
	}
	// With -wk the unwrap happens in the tool alone and the page prints no
	// line for it.
	if hostKey == nil {
		t.returned("Cfm3UnWrapHostKey", hsm.RCSuccess)
	}
	return plain, true
}

func exSymKey(t *Tool, a *Args) tool.Result {
	c := commands["exSymKey"]
	k, w, err := t.ioExportArgs(a)
	if err != nil {
		return t.usage(c, err)
	}
	plain, ok := t.ioExportWrap(a, k, w, hsm.ClassSecret)
	if !ok {
		return tool.Result{}
	}
	out := a.Str("out")
	if err := t.ioWriteFile(out, plain); err != nil {
		return t.ioError(err)
	}
	// The key in the file is not wrapped; the real tool says it is.
	t.printf("Wrapped Symmetric Key written to file \"%s\"\n", out)
	return tool.Result{}
}

func exportPrivateKey(t *Tool, a *Args) tool.Result {
	c := commands["exportPrivateKey"]
	k, w, err := t.ioExportArgs(a)
	if err != nil {
		return t.usage(c, err)
	}
	plain, ok := t.ioExportWrap(a, k, w, hsm.ClassPrivate)
	if !ok {
		return tool.Result{}
	}
	priv, err := mech.ParsePrivateKeyDER(plain)
	if err != nil {
		return t.ioError(fmt.Errorf("the unwrapped key is malformed: %v", err))
	}
	data, err := mech.MarshalPrivateKeyPEM(priv)
	if err != nil {
		return t.ioError(fmt.Errorf("the unwrapped key cannot be written as PEM: %v", err))
	}
	out := a.Str("out")
	if err := t.ioWriteFile(out, data); err != nil {
		return t.ioError(err)
	}
	t.printf("PEM formatted private key is written to %s\n", out)
	return tool.Result{}
}

func exportPubKey(t *Tool, a *Args) tool.Result {
	c := commands["exportPubKey"]
	k, err := a.Handle("k")
	if err != nil {
		return t.usage(c, err)
	}
	out := a.Str("out")
	if err := t.ioCheckOut("out", out); err != nil {
		return t.usage(c, err)
	}
	// Every crypto user may export a public key marked extractable; any
	// other key answers as the access table says (OpExportPublic).
	o, ok := t.ioLookup(c.API, k, hsm.OpExportPublic)
	if !ok {
		return tool.Result{}
	}
	pub, err := keyobj.PublicKey(o)
	if err != nil {
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	data, err := mech.MarshalPublicKeyPEM(pub)
	if err != nil {
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	if err := t.ioWriteFile(out, data); err != nil {
		return t.ioError(err)
	}
	t.printf("PEM formatted public key is written to %s\n", out)
	t.returned(c.API, hsm.RCSuccess)
	return tool.Result{}
}

// FakePEM builds the fake PEM getCaviumPrivKey writes for an RSA private key
// at handle h: an "RSA PRIVATE KEY" (PKCS #1) block with the real modulus
// and public exponent, the handle as the private exponent, and zero for
// every other private field. It carries nothing secret, only the key's name.
func FakePEM(pub *rsa.PublicKey, h uint64) ([]byte, error) {
	if pub == nil || pub.N == nil {
		return nil, errors.New("no RSA public key")
	}
	// PKCS #1 RSAPrivateKey: version 0, n, e, d, then p, q, dP, dQ and
	// qInv all zero.
	zero := keyder.Int(0)
	der := keyder.Sequence(zero, keyder.Integer(pub.N), keyder.Int(int64(pub.E)), keyder.Integer(new(big.Int).SetUint64(h)),
		zero, zero, zero, zero, zero)
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), nil
}

// ParseFakePEM reports the key handle a fake PEM file names, and false when
// the data is not a fake PEM (a real private key, or no RSA key at all), so
// that IsValidKeyHandlefile can tell the two apart.
func ParseFakePEM(data []byte) (uint64, bool) {
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != "RSA PRIVATE KEY" {
		return 0, false
	}
	p := keyder.NewParser(blk.Bytes)
	s := p.Sequence()
	s.Int() // version
	s.Integer()
	s.Integer()
	d := s.Integer()
	pq := []*big.Int{s.Integer(), s.Integer()}
	for range 3 {
		s.Integer() // dP, dQ, qInv
	}
	s.End()
	if p.End() != nil || pq[0].Sign() != 0 || pq[1].Sign() != 0 || !d.IsUint64() {
		return 0, false
	}
	return d.Uint64(), true
}

func getCaviumPrivKey(t *Tool, a *Args) tool.Result {
	c := commands["getCaviumPrivKey"]
	k, err := a.Handle("k")
	if err != nil {
		return t.usage(c, err)
	}
	out := a.Str("out")
	if err := t.ioCheckOut("out", out); err != nil {
		return t.usage(c, err)
	}
	// The fake PEM lets a web server use the key through the HSM, so the
	// right to check is the right to use it.
	o, ok := t.ioLookup(c.API, k, hsm.OpUse)
	if !ok {
		return tool.Result{}
	}
	if o.Class != hsm.ClassPrivate || o.KeyType != hsm.KeyTypeRSA {
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	pub, err := keyobj.PublicKey(o)
	rp, isRSA := pub.(*rsa.PublicKey)
	if err != nil || !isRSA {
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	data, err := FakePEM(rp, k)
	if err != nil {
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	if err := t.ioWriteFile(out, data); err != nil {
		return t.ioError(err)
	}
	t.printf("Private Key Handle is written to %s in fake PEM format\n", out)
	t.returned(c.API, hsm.RCSuccess)
	return tool.Result{}
}
