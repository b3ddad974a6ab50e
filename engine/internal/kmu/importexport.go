package kmu

import (
	"errors"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// This file holds the import commands (imSymKey, importPrivateKey,
// importPubKey) and the helpers every file-handling command of this group
// shares: reading and writing the workspace files, looking keys up through
// the access rules, and turning mech errors into HSM return codes.

func init() {
	register(&Command{
		Name:    "imSymKey",
		Summary: "Imports a Symmetric key",
		API:     "Cfm3WrapHostKey",
		Run:     imSymKey,
		About: `Imports a plaintext symmetric key from a file into the HSMs. The key is
wrapped with the wrapping key and unwrapped inside the HSMs; the imported key
has OBJ_ATTR_LOCAL = 0.`,
		Params: `        -f       file holding the raw key bytes (AES 16, 24 or 32; DES3 24)
        -w       handle of an AES key with OBJ_ATTR_ENCRYPT and OBJ_ATTR_UNWRAP
        -t       key type: 21 = DES3, 31 = AES
        -l       label
        -id      key ID, unique in the cluster (default: none)
        -sess    make a session key, gone when the session ends
        -nex     make the key non-extractable
        -wk      file with the plaintext of the -w key; it wraps, -w unwraps
        -attest  check the attestation of the firmware
        -min_srv minimum number of HSMs the key must reach (default: 1)
        -m_value number of users who must approve operations with the key (0..8)
        -timeout seconds to wait for -min_srv HSMs
        -u       comma-separated ids of users to share the key with`,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Required: true, Arg: "<key-file>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key-handle>"},
			{Name: "t", Kind: tool.KeyType, Required: true, Arg: "<key-type>", Values: keyTypes(hsm.KeyTypeDES3, hsm.KeyTypeAES)},
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key-ID>"},
			{Name: "sess", Kind: tool.Switch},
			{Name: "nex", Kind: tool.Switch},
			{Name: "wk", Kind: tool.File, Arg: "<wrapping-key-file> "},
			{Name: "attest", Kind: tool.Switch},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-servers>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<0..8>"},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds> "},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
		},
	})
	register(&Command{
		Name:    "importPrivateKey",
		Summary: "Imports RSA/DSA/EC private key",
		API:     "Cfm3WrapHostKey",
		Run:     importPrivateKey,
		About: `Imports a private key from a PEM file (PKCS #8, PKCS #1 or SEC 1) into the
HSMs. The key is wrapped with the wrapping key and unwrapped inside the HSMs.
Password-protected PEM files cannot be imported, and this command does not
offer to mark the key non-extractable.`,
		Params: `        -l       label
        -f       PEM file holding the private key
        -w       handle of an AES key with OBJ_ATTR_ENCRYPT and OBJ_ATTR_UNWRAP
        -sess    make a session key, gone when the session ends
        -id      key ID, unique in the cluster (default: none)
        -m_value number of users who must approve operations with the key (0..8)
        -min_srv minimum number of HSMs the key must reach (default: 1)
        -timeout seconds to wait for -min_srv HSMs
        -u       comma-separated ids of users to share the key with
        -wk      file with the plaintext of the -w key; it wraps, -w unwraps
        -attest  check the attestation of the firmware`,
		Indent: 17,
		Flags: []Flag{
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "f", Kind: tool.File, Required: true, Arg: "<key-file>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key-handle>"},
			{Name: "sess", Kind: tool.Switch},
			{Name: "id", Kind: tool.Text, Arg: "<key-id>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<0...8>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-servers>"},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds>"},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
			{Name: "wk", Kind: tool.File, Arg: "<wrapping-key-file>"},
			{Name: "attest", Kind: tool.Switch},
		},
	})
	register(&Command{
		Name:    "importPubKey",
		Summary: "Imports RSA/DSA/EC Public key",
		API:     "Cfm3CreatePublicKey",
		Run:     importPubKey,
		About: `Imports a PEM public key (RSA, DSA or EC) into the HSMs. Every crypto user
can read and use public keys.`,
		Params: `        -l       label
        -f       PEM file holding the public key
        -sess    make a session key, gone when the session ends
        -id      key ID, unique in the cluster (default: none)
        -min_srv minimum number of HSMs the key must reach (default: 1)
        -timeout seconds to wait for -min_srv HSMs`,
		Indent: 17,
		Flags: []Flag{
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "f", Kind: tool.File, Required: true, Arg: "<key-file>"},
			{Name: "sess", Kind: tool.Switch},
			{Name: "id", Kind: tool.Text, Arg: "<key-id>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-servers>"},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds>"},
		},
	})
}

// ioError prints a problem the tool finds on the host, before any HSM call
// (a missing or malformed file), in the style of the argument errors.
func (t *Tool) ioError(err error) tool.Result {
	t.printf("\n\tError: %v\n\n", err)
	return tool.Result{}
}

// ioReadFile reads a file named by a flag, wording a missing file plainly.
func (t *Tool) ioReadFile(flag, name string) ([]byte, error) {
	b, err := t.FS.ReadFile(name)
	switch {
	case err == nil:
		return b, nil
	case vfs.IsNotExist(err):
		return nil, fmt.Errorf("cannot open file %q given with -%s: no such file", name, flag)
	default:
		return nil, fmt.Errorf("cannot read file %q given with -%s: %v", name, flag, err)
	}
}

// ioCheckOut validates an output file name before anything happens, so a
// bad name never leaves the command half done.
func (t *Tool) ioCheckOut(flag, name string) error {
	if err := vfs.CheckWritable(t.FS, name); err != nil {
		return fmt.Errorf("-%s: %v", flag, err)
	}
	return nil
}

// ioWriteFile writes an output file.
func (t *Tool) ioWriteFile(name string, data []byte) error {
	if err := t.FS.WriteFile(name, data); err != nil {
		return fmt.Errorf("cannot write file %q: %v", name, err)
	}
	t.changed = true
	return nil
}

// ioLookup finds key h for op through the access rules and prints api's
// failure line when the session may not do op with it.
func (t *Tool) ioLookup(api string, h uint64, op hsm.Op) (*hsm.Object, bool) {
	o, rc := t.Cluster.Lookup(t.Session, h, op)
	if rc != hsm.RCSuccess {
		t.returned(api, rc)
		return nil, false
	}
	return o, true
}

// ioAESKey returns the value of an AES key used as a wrapping key, after
// checking the attribute the step needs (OBJ_ATTR_WRAP, _UNWRAP, _ENCRYPT or
// _DECRYPT). It prints api's failure line otherwise.
func (t *Tool) ioAESKey(api string, o *hsm.Object, attr int) ([]byte, bool) {
	if o.Class != hsm.ClassSecret || o.KeyType != hsm.KeyTypeAES {
		t.returned(api, hsm.RCMechanismInvalid)
		return nil, false
	}
	if v, ok := o.Attribute(attr); !ok || v.Uint() == 0 {
		t.returned(api, hsm.RCInvalidAttribute)
		return nil, false
	}
	return o.Value, true
}

// ioHostKey reads a -wk file: the plaintext of an AES key.
func (t *Tool) ioHostKey(name string) ([]byte, error) {
	b, err := t.ioReadFile("wk", name)
	if err != nil {
		return nil, err
	}
	if l := len(b); l != 16 && l != 24 && l != 32 {
		return nil, fmt.Errorf("file %q given with -wk holds %d bytes; an AES key is 16, 24 or 32 bytes", name, l)
	}
	return b, nil
}

// ioRC maps a mech failure to the return code the HSM reports for it.
func ioRC(err error) hsm.RC {
	switch {
	case err == nil:
		return hsm.RCSuccess
	case errors.Is(err, mech.ErrUnwrapIntegrity):
		return hsm.RCWrapFailed
	case errors.Is(err, mech.ErrKeyTypeMismatch), errors.Is(err, mech.ErrBadMechanism):
		return hsm.RCMechanismInvalid
	case errors.Is(err, mech.ErrBadKeySize):
		return hsm.RCKeySizeInvalid
	case errors.Is(err, mech.ErrBadSignature):
		return hsm.RCBadPKCSData
	}
	return hsm.RCInvalidInput
}

// ioPEMError words a PEM parsing failure for the user.
func ioPEMError(name string, err error) error {
	switch {
	case errors.Is(err, mech.ErrEncryptedPEM):
		return fmt.Errorf("file %q holds a password-protected PEM key, which cannot be imported; decrypt it first (openssl pkey -in %s -out plain.pem)", name, name)
	case errors.Is(err, mech.ErrNotPEM):
		return fmt.Errorf("file %q is not in PEM format", name)
	case errors.Is(err, mech.ErrNoKeyInPEM):
		return fmt.Errorf("file %q holds no key of the kind this command imports", name)
	case errors.Is(err, mech.ErrUnsupportedKey):
		return fmt.Errorf("file %q holds a key of an algorithm the HSM does not support", name)
	}
	return fmt.Errorf("file %q holds a malformed key", name)
}

// ioImportWrap is the host half of importing key material: it wraps the
// plaintext with the -wk file or the -w key (Cfm3WrapHostKey), checks the
// new key's template (Cfm3CreateUnwrapTemplate) and unwraps inside the HSM
// with the -w key (the unwrap half of Cfm3UnWrapKey). It returns the
// unwrapped material, or false after printing the failing step.
func (t *Tool) ioImportWrap(a *Args, w uint64, cr creation, material []byte) ([]byte, bool) {
	var hostKey []byte
	if a.Has("wk") {
		var err error
		if hostKey, err = t.ioHostKey(a.Str("wk")); err != nil {
			t.ioError(err)
			return nil, false
		}
	}
	wo, ok := t.ioLookup("Cfm3WrapHostKey", w, hsm.OpUse)
	if !ok {
		return nil, false
	}
	kek := hostKey
	if kek == nil {
		if kek, ok = t.ioAESKey("Cfm3WrapHostKey", wo, hsm.AttrEncrypt); !ok {
			return nil, false
		}
	}
	p := mech.WrapParams{Mechanism: mech.WrapAESPKCS5}
	wrapped, err := mech.Wrap(t.Rand, p, kek, material)
	t.returned("Cfm3WrapHostKey", ioRC(err))
	if err != nil {
		return nil, false
	}
	rc := t.Cluster.CheckCreate(t.Session, cr.id, 1, cr.opt)
	t.returned("Cfm3CreateUnwrapTemplate", rc)
	if rc != hsm.RCSuccess {
		return nil, false
	}
	unwrapKey, ok := t.ioAESKey("Cfm3UnWrapKey", wo, hsm.AttrUnwrap)
	if !ok {
		return nil, false
	}
	plain, err := mech.Unwrap(p, unwrapKey, wrapped)
	if err != nil {
		t.returned("Cfm3UnWrapKey", ioRC(err))
		return nil, false
	}
	return plain, true
}

// ioStore creates an imported or unwrapped key and prints api's line, the
// handle line and the Cluster Error Status.
func (t *Tool) ioStore(api, created string, o *hsm.Object, cr creation) bool {
	h, st, rc := t.Cluster.CreateKey(t.Session, o, cr.opt)
	t.returned(api, rc)
	if rc != hsm.RCSuccess {
		t.errorStatus(st)
		return false
	}
	t.printf("%s%d\n", created, h)
	t.found(h)
	if cr.attest {
		t.printf("Attestation Check : [PASS]\n")
	}
	t.errorStatus(st)
	t.changed = true
	return true
}

func imSymKey(t *Tool, a *Args) tool.Result {
	c := commands["imSymKey"]
	kt, err := a.Int("t", 0)
	if err != nil {
		return t.usage(c, err)
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	w, err := a.Handle("w")
	if err != nil {
		return t.usage(c, err)
	}
	switch hsm.KeyType(kt) {
	case hsm.KeyTypeAES, hsm.KeyTypeDES3:
	default:
		return t.usage(c, fmt.Errorf("invalid key type %d for -t (21 = DES3 or 31 = AES)", kt))
	}
	name := a.Str("f")
	value, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	if err := ioSecretSize(hsm.KeyType(kt), len(value)); err != nil {
		return t.ioError(fmt.Errorf("file %q: %v", name, err))
	}
	plain, ok := t.ioImportWrap(a, w, cr, value)
	if !ok {
		return tool.Result{}
	}
	o, err := keyobj.Secret(hsm.KeyType(kt), plain)
	if err != nil {
		t.returned("Cfm3UnWrapKey", ioRC(err))
		return tool.Result{}
	}
	o.Label, o.KeyID, o.Local = cr.label, cr.id, false
	t.ioStore("Cfm3UnWrapKey", "Symmetric Key Unwrapped.  Key Handle: ", o, cr)
	return tool.Result{}
}

// ioSecretSize checks the length of a plaintext key file against its type,
// as the imSymKey page lists them.
func ioSecretSize(kt hsm.KeyType, n int) error {
	switch kt {
	case hsm.KeyTypeAES:
		if n != 16 && n != 24 && n != 32 {
			return fmt.Errorf("holds %d bytes; an AES key is 16, 24 or 32 bytes", n)
		}
	case hsm.KeyTypeDES3:
		if n != mech.DES3Size {
			return fmt.Errorf("holds %d bytes; a DES3 key is %d bytes", n, mech.DES3Size)
		}
	}
	return nil
}

func importPrivateKey(t *Tool, a *Args) tool.Result {
	c := commands["importPrivateKey"]
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	w, err := a.Handle("w")
	if err != nil {
		return t.usage(c, err)
	}
	name := a.Str("f")
	data, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	priv, err := mech.ParsePrivateKeyPEM(data)
	if err == nil {
		err = sdk3Key(priv)
	}
	if err != nil {
		return t.ioError(ioPEMError(name, err))
	}
	der, err := mech.MarshalPrivateKeyDER(priv)
	if err != nil {
		return t.ioError(ioPEMError(name, err))
	}
	t.printf("BER encoded key length is %d\n", len(der))
	plain, ok := t.ioImportWrap(a, w, cr, der)
	if !ok {
		return tool.Result{}
	}
	unwrapped, err := mech.ParsePrivateKeyDER(plain)
	if err != nil {
		t.returned("Cfm3UnWrapKey", hsm.RCWrapFailed)
		return tool.Result{}
	}
	o, err := keyobj.Private(unwrapped)
	if err != nil {
		t.returned("Cfm3UnWrapKey", ioRC(err))
		return tool.Result{}
	}
	o.Label, o.KeyID, o.Local = cr.label, cr.id, false
	t.ioStore("Cfm3UnWrapKey", "Private Key Unwrapped.  Key Handle: ", o, cr)
	return tool.Result{}
}

func importPubKey(t *Tool, a *Args) tool.Result {
	c := commands["importPubKey"]
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	name := a.Str("f")
	data, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	pub, err := mech.ParsePublicKeyPEM(data)
	if err == nil {
		err = sdk3Key(pub)
	}
	if err != nil {
		return t.ioError(ioPEMError(name, err))
	}
	o, err := keyobj.Public(pub)
	if err != nil {
		return t.ioError(ioPEMError(name, err))
	}
	o.Label, o.KeyID, o.Local = cr.label, cr.id, false
	t.ioStore("Cfm3CreatePublicKey", "Public Key Handle: ", o, cr)
	return tool.Result{}
}

// sdk3Key refuses the keys key_mgmt_util never had (Ed25519, ML-DSA) as it
// refuses any algorithm it does not know: those keys are CloudHSM CLI's.
func sdk3Key(k any) error {
	kt, err := mech.KeyTypeOf(k)
	if err != nil {
		return err
	}
	if !kt.SDK3() {
		return fmt.Errorf("%w: %v", mech.ErrUnsupportedKey, kt)
	}
	return nil
}
