package kmu

import (
	"bytes"
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// This file holds wrapKey, unWrapKey and aesWrapUnwrap.

func init() {
	register(&Command{
		Name:    "wrapKey",
		Summary: "Wraps a key from from HSM using the specified handle",
		API:     "Cfm2WrapKey",
		Run:     wrapKey,
		About: `Exports an encrypted (wrapped) copy of a symmetric or private key you own to
a file. Unless -noheader is given, the file starts with the simulator's key
header: "HSMSIMWK", version 1, the mechanism, hash and tag size, the key's
class, type and attribute flags, label and ID, then the wrapped key. unWrapKey
reads that header to re-create the key.`,
		Params: `        -k        handle of a symmetric or private key you own (extractable)
        -w        handle of the wrapping key (OBJ_ATTR_WRAP = 1): an AES key,
                  or an RSA public key for mechanisms 7, 8 and 12
        -out      file to write the wrapped key to (overwritten)
        -m        wrapping mechanism:
                   4 : AES_KEY_WRAP_PAD_PKCS5
                   5 : NIST_AES_WRAP_NO_PAD
                   6 : NIST_AES_WRAP_PAD
                   7 : RSA_AES
                   8 : RSA_OAEP
                  10 : AES_GCM
                  11 : CLOUDHSM_AES_GCM
                  12 : RSA_PKCS
        -t        hash for RSA_AES and RSA_OAEP: 2 SHA1, 3 SHA256 (default),
                  4 SHA384, 5 SHA512, 6 SHA224
        -aad      file with additional authenticated data (AES_GCM, CLOUDHSM_AES_GCM)
        -noheader write only the wrapped bytes, for tools outside key_mgmt_util
        -i        IV in hex, with -noheader for mechanisms 4 and 5; only the
                  default A6A6A6A6A6A6A6A6 is accepted
        -iv_file  with -noheader and AES_GCM: file to write the IV to; the
                  wrapped file then holds only ciphertext and tag
        -tag_size with -noheader and the GCM mechanisms: tag bytes, 8 to 16`,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<exported-key-handle>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key-handle>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<output-file>"},
			{Name: "m", Kind: tool.Mechanism, Required: true, Arg: "<wrapping-mechanism>", Values: wrapMechs()},
			{Name: "aad", Kind: tool.File, Arg: "<additional authenticated data filename>"},
			{Name: "t", Kind: tool.Number, Arg: "<hash-type>", Values: wrapHashes},
			{Name: "noheader", Kind: tool.Switch},
			{Name: "i", Kind: tool.Text, Arg: "<wrapping IV>"},
			{Name: "iv_file", Kind: tool.File, Arg: "<IV file>"},
			{Name: "tag_size", Kind: tool.Number, Arg: "<num_tag_bytes>"},
		},
	})
	register(&Command{
		Name:    "unWrapKey",
		Summary: "UnWraps a key into HSM using the specified handle",
		API:     "Cfm3UnWrapKey",
		Run:     unWrapKey,
		About: `Imports a wrapped (encrypted) symmetric or private key from a file into the
HSMs. A file written by wrapKey carries a header that says what key it holds;
for a file without it, give -noheader with -l, -kc and -kt. The imported key
has OBJ_ATTR_LOCAL = 0.`,
		Params: `        -f        file holding the wrapped key
        -w        handle of the unwrapping key (OBJ_ATTR_UNWRAP = 1): an AES
                  key, or an RSA private key for mechanisms 7, 8 and 12
        -m        wrapping mechanism (see wrapKey -h)
        -t        hash for RSA_AES and RSA_OAEP (see wrapKey -h)
        -aad      file with additional authenticated data (GCM mechanisms)
        -nex      make the key non-extractable
        -sess, -min_srv, -timeout, -u, -m_value, -attest: as for genSymKey
        -l, -id   label and ID of the new key (with a header they replace
                  the label and ID the header carries)
        -noheader the file holds only the wrapped bytes; needs -l, -kc, -kt:
        -kc       key class: 3 = private key, 4 = secret key
        -kt       key type: 0 RSA, 1 DSA, 3 EC, 16 GENERIC_SECRET, 21 DES3, 31 AES
        -i        IV in hex for mechanisms 4 and 5 (only A6A6A6A6A6A6A6A6)
        -iv_file  file with the 12-byte IV for AES_GCM
        -tag_size GCM tag bytes, 8 to 16`,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Required: true, Arg: "<key-file-name>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key-handle>"},
			{Name: "m", Kind: tool.Mechanism, Required: true, Arg: "<wrapping-mechanism>", Values: wrapMechs()},
			{Name: "sess", Kind: tool.Switch},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-HSMs>"},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds>"},
			{Name: "aad", Kind: tool.File, Arg: "<additional authenticated data filename>"},
			{Name: "tag_size", Kind: tool.Number, Arg: "<tag size>"},
			{Name: "iv_file", Kind: tool.File, Arg: "<IV file>"},
			{Name: "attest", Kind: tool.Switch},
			{Name: "t", Kind: tool.Number, Arg: "<hash-type>", Values: wrapHashes},
			{Name: "nex", Kind: tool.Switch},
			{Name: "u", Kind: tool.Users, Arg: "<user id list>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<number of users needed for approval>"},
			{Name: "noheader", Kind: tool.Switch},
			{Name: "l", Kind: tool.Text, Arg: "<key-label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key-id>"},
			{Name: "kt", Kind: tool.KeyType, Arg: "<key-type>", Values: keyTypes(hsm.KeyTypeRSA, hsm.KeyTypeDSA, hsm.KeyTypeEC, hsm.KeyTypeGenericSecret, hsm.KeyTypeDES3, hsm.KeyTypeAES)},
			{Name: "kc", Kind: tool.KeyClass, Arg: "<key-class>", Values: keyClasses(hsm.ClassPrivate, hsm.ClassSecret)},
			{Name: "i", Kind: tool.Text, Arg: "<unwrapping-IV>"},
		},
	})
	register(&Command{
		Name:    "aesWrapUnwrap",
		Summary: "Does NIST AES Wrap/Unwrap",
		API:     "Cfm3WrapHostKey",
		Run:     aesWrapUnwrap,
		About: `Wraps (encrypts) or unwraps (decrypts) the content of a file of less than
4096 bytes with an AES key in the HSMs, using AES key wrap (RFC 3394) with
PKCS #5 padding, and writes the result to a file. It cannot unwrap what
wrapKey writes.`,
		Params: `        -m       mode: 1 = wrap, 0 = unwrap
        -f       the file to wrap or unwrap (less than 4096 bytes)
        -w       handle of an AES key
        -i       IV, 16 hex digits (default: A6A6A6A6A6A6A6A6)
        -out     output file (default: wrapped_key or unwrapped_key)`,
		Indent: 17,
		Flags: []Flag{
			{Name: "m", Kind: tool.Number, Required: true, Arg: "<wrap-unwrap mode>", Values: []tool.Choice{{Value: "1", Note: "wrap"}, {Value: "0", Note: "unwrap"}}},
			{Name: "f", Kind: tool.File, Required: true, Arg: "<file-to-wrap-unwrap>"},
			{Name: "w", Kind: tool.Handle, Required: true, Arg: "<wrapping-key-handle>"},
			{Name: "i", Kind: tool.Text, Arg: "<wrapping-IV>"},
			{Name: "out", Kind: tool.File, Arg: "<output-file>"},
		},
	})
}

// wrapMagic opens the header wrapKey writes. AWS does not document its own
// header, so the simulator uses a small, plain layout of its own:
//
//	offset size
//	0      8    "HSMSIMWK"
//	8      1    version (1)
//	9      1    mechanism (-m)
//	10     1    hash (-t id, 0 = the mechanism's default)
//	11     1    GCM tag size (0 = 16)
//	12     1    class (OBJ_ATTR_CLASS)
//	13     1    key type (OBJ_ATTR_KEY_TYPE)
//	14     2    attribute flags, big-endian (see wrapFlags)
//	16     2+n  label: length, bytes
//	..     2+n  ID: length, bytes
//	..     4+n  wrapped key: length, bytes (nothing may follow)
//
// The header is not authenticated: like the real tool's, it only tells
// unWrapKey what to re-create. The key material itself is protected by the
// wrapping mechanism.
const wrapMagic = "HSMSIMWK"

const wrapVersion = 1

// wrapFlags lists, bit by bit, the attributes the header carries.
func wrapFlags(o *hsm.Object) []*bool {
	return []*bool{&o.Extractable, &o.Sensitive, &o.Encrypt, &o.Decrypt, &o.Wrap, &o.Unwrap,
		&o.Sign, &o.Verify, &o.Derive, &o.WrapWithTrusted, &o.Destroyable}
}

// wrapHeader is what the header says about the wrapped key.
type wrapHeader struct {
	mechanism, hash, tagSize int
	class                    hsm.Class
	keyType                  hsm.KeyType
	flags                    uint16
	label, id                string
}

func encodeWrapped(h wrapHeader, wrapped []byte) []byte {
	var b bytes.Buffer
	b.WriteString(wrapMagic)
	b.Write([]byte{wrapVersion, byte(h.mechanism), byte(h.hash), byte(h.tagSize), byte(h.class), byte(h.keyType)})
	b.Write(binary.BigEndian.AppendUint16(nil, h.flags))
	b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(h.label))))
	b.WriteString(h.label)
	b.Write(binary.BigEndian.AppendUint16(nil, uint16(len(h.id))))
	b.WriteString(h.id)
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(wrapped))))
	b.Write(wrapped)
	return b.Bytes()
}

var errNoHeader = errors.New("no wrapKey header")

func decodeWrapped(data []byte) (wrapHeader, []byte, error) {
	var h wrapHeader
	if len(data) < 16 || string(data[:8]) != wrapMagic {
		return h, nil, errNoHeader
	}
	if data[8] != wrapVersion {
		return h, nil, fmt.Errorf("wrapKey header version %d is not known", data[8])
	}
	h.mechanism, h.hash, h.tagSize = int(data[9]), int(data[10]), int(data[11])
	h.class, h.keyType = hsm.Class(data[12]), hsm.KeyType(data[13])
	h.flags = binary.BigEndian.Uint16(data[14:16])
	rest := data[16:]
	field := func(size int) ([]byte, bool) {
		if len(rest) < size {
			return nil, false
		}
		n := 0
		if size == 2 {
			n = int(binary.BigEndian.Uint16(rest))
		} else {
			n = int(binary.BigEndian.Uint32(rest))
		}
		rest = rest[size:]
		if n > len(rest) {
			return nil, false
		}
		v := rest[:n]
		rest = rest[n:]
		return v, true
	}
	label, ok1 := field(2)
	id, ok2 := field(2)
	wrapped, ok3 := field(4)
	if !ok1 || !ok2 || !ok3 || len(rest) != 0 || len(wrapped) == 0 {
		return h, nil, errors.New("the wrapKey header is truncated or damaged")
	}
	h.label, h.id = string(label), string(id)
	return h, wrapped, nil
}

// wrapIsGCM reports whether m is one of the GCM mechanisms.
func wrapIsGCM(m int) bool { return m == mech.WrapAESGCM || m == mech.WrapCloudHSMAESGCM }

// wrapParams reads the mechanism parameters wrapKey and unWrapKey share and
// checks which mechanism each is valid for, as the wrapKey page states.
func wrapParams(a *Args) (mech.WrapParams, int, error) {
	var p mech.WrapParams
	m, err := a.Int("m", 0)
	if err != nil {
		return p, 0, err
	}
	if _, err := mech.WrapMechanismName(m); err != nil {
		return p, 0, fmt.Errorf("invalid wrapping mechanism %d for -m (4, 5, 6, 7, 8, 10, 11 or 12)", m)
	}
	p.Mechanism = m
	noheader := a.Has("noheader")
	hashID := 0
	if a.Has("t") {
		if m != mech.WrapRSAAES && m != mech.WrapRSAOAEP {
			return p, 0, fmt.Errorf("-t is valid only for RSA_AES (7) and RSA_OAEP (8)")
		}
		if hashID, err = a.Int("t", 0); err != nil {
			return p, 0, err
		}
		if p.Hash, err = mech.WrapHashByID(hashID); err != nil {
			return p, 0, fmt.Errorf("invalid hash %d for -t (2, 3, 4, 5 or 6)", hashID)
		}
	}
	if a.Has("aad") && !wrapIsGCM(m) {
		return p, 0, fmt.Errorf("-aad is valid only for AES_GCM (10) and CLOUDHSM_AES_GCM (11)")
	}
	if a.Has("tag_size") {
		if !noheader || !wrapIsGCM(m) {
			return p, 0, fmt.Errorf("-tag_size is valid only with -noheader for AES_GCM (10) and CLOUDHSM_AES_GCM (11)")
		}
		if p.TagSize, err = a.Int("tag_size", 0); err != nil {
			return p, 0, err
		}
		if p.TagSize < mech.GCMMinTagSize || p.TagSize > mech.GCMTagSize {
			return p, 0, fmt.Errorf("invalid tag size %d for -tag_size (%d to %d)", p.TagSize, mech.GCMMinTagSize, mech.GCMTagSize)
		}
	}
	if a.Has("i") {
		if !noheader || (m != mech.WrapAESPKCS5 && m != mech.WrapAESNoPad) {
			return p, 0, fmt.Errorf("-i is valid only with -noheader for mechanisms 4 and 5")
		}
		iv, err := wrapParseIV(a.Str("i"))
		if err != nil {
			return p, 0, err
		}
		if !bytes.Equal(iv, mech.DefaultKeyWrapIV()) {
			return p, 0, fmt.Errorf("invalid IV for -i: the HSM accepts only the default IV A6A6A6A6A6A6A6A6 for mechanisms 4 and 5")
		}
		p.IV = iv
	}
	if a.Has("iv_file") && (!noheader || m != mech.WrapAESGCM) {
		return p, 0, fmt.Errorf("-iv_file is valid only with -noheader for AES_GCM (10)")
	}
	return p, hashID, nil
}

// wrapParseIV reads a key-wrap IV: 16 hex digits, with or without 0x.
func wrapParseIV(s string) ([]byte, error) {
	h := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	iv, err := hex.DecodeString(h)
	if err != nil || len(iv) != 8 {
		return nil, fmt.Errorf("invalid IV %q for -i: give 8 bytes as 16 hex digits", s)
	}
	return iv, nil
}

func wrapKey(t *Tool, a *Args) tool.Result {
	c := commands["wrapKey"]
	k, err := a.Handle("k")
	if err != nil {
		return t.usage(c, err)
	}
	w, err := a.Handle("w")
	if err != nil {
		return t.usage(c, err)
	}
	p, hashID, err := wrapParams(a)
	if err != nil {
		return t.usage(c, err)
	}
	out := a.Str("out")
	if err := t.ioCheckOut("out", out); err != nil {
		return t.usage(c, err)
	}
	ivFile := a.Str("iv_file")
	if a.Has("iv_file") {
		if err := t.ioCheckOut("iv_file", ivFile); err != nil {
			return t.usage(c, err)
		}
	}
	if a.Has("aad") {
		if p.AAD, err = t.ioReadFile("aad", a.Str("aad")); err != nil {
			return t.ioError(err)
		}
	}
	ko, ok := t.ioLookup(c.API, k, hsm.OpExport)
	if !ok {
		return tool.Result{}
	}
	if ko.Class != hsm.ClassSecret && ko.Class != hsm.ClassPrivate {
		// Public keys are exported in the clear with exportPubKey.
		t.returned(c.API, hsm.RCInvalidInput)
		return tool.Result{}
	}
	wo, ok := t.ioLookup(c.API, w, hsm.OpUse)
	if !ok {
		return tool.Result{}
	}
	kek, rc := wrapKeyFor(wo, p.Mechanism, true)
	if rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	if ko.WrapWithTrusted && !wo.Trusted {
		t.returned(c.API, hsm.RCKeyAccessDenied)
		return tool.Result{}
	}
	wrapped, err := mech.Wrap(t.Rand, p, kek, ko.Value)
	if err != nil {
		t.returned(c.API, ioRC(err))
		return tool.Result{}
	}
	var data, iv []byte
	switch {
	case !a.Has("noheader"):
		h := wrapHeader{mechanism: p.Mechanism, hash: hashID, tagSize: p.TagSize,
			class: ko.Class, keyType: ko.KeyType, label: ko.Label, id: ko.KeyID}
		for i, f := range wrapFlags(ko) {
			if *f {
				h.flags |= 1 << i
			}
		}
		data = encodeWrapped(h, wrapped)
	case a.Has("iv_file"):
		iv, data = wrapped[:mech.GCMIVSize], wrapped[mech.GCMIVSize:]
	default:
		data = wrapped
	}
	if iv != nil {
		if err := t.ioWriteFile(ivFile, iv); err != nil {
			return t.ioError(err)
		}
	}
	if err := t.ioWriteFile(out, data); err != nil {
		return t.ioError(err)
	}
	t.printf("Key Wrapped.\n")
	// The page's transcript lacks the closing quote; the simulator closes it.
	t.printf("Wrapped Key written to file \"%s\" length %d\n", out, len(data))
	t.returned(c.API, hsm.RCSuccess)
	return tool.Result{}
}

// wrapKeyFor returns the key material a wrapping mechanism works with: the
// AES key's value, or the RSA public key (wrapping) or private key
// (unwrapping), after checking OBJ_ATTR_WRAP or OBJ_ATTR_UNWRAP.
func wrapKeyFor(o *hsm.Object, m int, wrapping bool) (any, hsm.RC) {
	var key any
	if mech.IsRSAWrapMechanism(m) {
		want := hsm.ClassPrivate
		if wrapping {
			want = hsm.ClassPublic
		}
		if o.KeyType != hsm.KeyTypeRSA || o.Class != want {
			return nil, hsm.RCMechanismInvalid
		}
		var err error
		if wrapping {
			key, err = keyobj.PublicKey(o)
		} else {
			key, err = keyobj.PrivateKey(o)
		}
		if err != nil {
			return nil, hsm.RCMechanismInvalid
		}
	} else {
		if o.Class != hsm.ClassSecret || o.KeyType != hsm.KeyTypeAES {
			return nil, hsm.RCMechanismInvalid
		}
		key = o.Value
	}
	if (wrapping && !o.Wrap) || (!wrapping && !o.Unwrap) {
		return nil, hsm.RCInvalidAttribute
	}
	return key, hsm.RCSuccess
}

// unwrapTarget is what the new key is: class and type (from the header or
// -kc/-kt) and, with a header, the attributes it had.
type unwrapTarget struct {
	class   hsm.Class
	keyType hsm.KeyType
	header  *wrapHeader
}

func unwrapTargetArgs(a *Args) (unwrapTarget, error) {
	var ut unwrapTarget
	if !a.Has("noheader") {
		for _, f := range []string{"kc", "kt", "i", "iv_file", "tag_size"} {
			if a.Has(f) {
				return ut, fmt.Errorf("-%s is valid only with -noheader", f)
			}
		}
		return ut, nil
	}
	for _, f := range []string{"l", "kc", "kt"} {
		if !a.Has(f) {
			return ut, fmt.Errorf("-noheader needs -l, -kc and -kt")
		}
	}
	kc, err := a.Int("kc", 0)
	if err != nil {
		return ut, err
	}
	kt, err := a.Int("kt", 0)
	if err != nil {
		return ut, err
	}
	ut.class, ut.keyType = hsm.Class(kc), hsm.KeyType(kt)
	switch ut.class {
	case hsm.ClassPrivate:
		switch ut.keyType {
		case hsm.KeyTypeRSA, hsm.KeyTypeDSA, hsm.KeyTypeEC:
			return ut, nil
		}
		return ut, fmt.Errorf("invalid key type %d for -kt with -kc 3 (0 RSA, 1 DSA, 3 EC)", kt)
	case hsm.ClassSecret:
		switch ut.keyType {
		case hsm.KeyTypeGenericSecret, hsm.KeyTypeDES3, hsm.KeyTypeAES:
			return ut, nil
		}
		return ut, fmt.Errorf("invalid key type %d for -kt with -kc 4 (16 GENERIC_SECRET, 21 DES3, 31 AES)", kt)
	}
	return ut, fmt.Errorf("invalid key class %d for -kc (3 = private key, 4 = secret key)", kc)
}

// unwrapObject builds the new key from the unwrapped material, checking that
// the material is a key of the class and type it claims to be.
func unwrapObject(ut unwrapTarget, material []byte) (*hsm.Object, hsm.RC) {
	var o *hsm.Object
	if ut.class == hsm.ClassSecret {
		if ut.keyType == hsm.KeyTypeAES || ut.keyType == hsm.KeyTypeDES3 {
			if err := ioSecretSize(ut.keyType, len(material)); err != nil {
				return nil, hsm.RCKeySizeInvalid
			}
		}
		var err error
		if o, err = keyobj.Secret(ut.keyType, material); err != nil {
			return nil, ioRC(err)
		}
	} else {
		priv, err := mech.ParsePrivateKeyDER(material)
		if err != nil {
			return nil, hsm.RCWrapFailed
		}
		kt, err := mech.KeyTypeOf(priv)
		if err != nil || hsm.KeyType(kt) != ut.keyType {
			return nil, hsm.RCInvalidInput
		}
		if o, err = keyobj.Private(priv); err != nil {
			return nil, ioRC(err)
		}
	}
	if h := ut.header; h != nil {
		for i, f := range wrapFlags(o) {
			*f = h.flags&(1<<i) != 0
		}
		o.Label, o.KeyID = h.label, h.id
	}
	o.Local = false
	return o, hsm.RCSuccess
}

func unWrapKey(t *Tool, a *Args) tool.Result {
	c := commands["unWrapKey"]
	w, err := a.Handle("w")
	if err != nil {
		return t.usage(c, err)
	}
	p, _, err := wrapParams(a)
	if err != nil {
		return t.usage(c, err)
	}
	ut, err := unwrapTargetArgs(a)
	if err != nil {
		return t.usage(c, err)
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	name := a.Str("f")
	blob, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	noheader := a.Has("noheader")
	if !noheader {
		h, wrapped, err := decodeWrapped(blob)
		if errors.Is(err, errNoHeader) {
			return t.ioError(fmt.Errorf("file %q has no wrapKey header; for a key wrapped outside key_mgmt_util give -noheader with -l, -kc and -kt", name))
		}
		if err != nil {
			return t.ioError(fmt.Errorf("file %q: %v", name, err))
		}
		if h.mechanism != p.Mechanism {
			return t.ioError(fmt.Errorf("file %q was wrapped with mechanism %d; give -m %d", name, h.mechanism, h.mechanism))
		}
		if !a.Has("t") && h.hash != 0 {
			if p.Hash, err = mech.WrapHashByID(h.hash); err != nil {
				return t.ioError(fmt.Errorf("file %q: the header names an unknown hash %d", name, h.hash))
			}
		}
		if h.tagSize != 0 {
			p.TagSize = h.tagSize
		}
		switch h.class {
		case hsm.ClassSecret, hsm.ClassPrivate:
		default:
			return t.ioError(fmt.Errorf("file %q: the header names key class %d, which cannot be unwrapped", name, h.class))
		}
		if a.Has("l") {
			h.label = cr.label
		}
		if a.Has("id") {
			h.id = cr.id
		}
		ut = unwrapTarget{class: h.class, keyType: h.keyType, header: &h}
		blob = wrapped
	}
	if a.Has("iv_file") {
		iv, err := t.ioReadFile("iv_file", a.Str("iv_file"))
		if err != nil {
			return t.ioError(err)
		}
		if len(iv) != mech.GCMIVSize {
			return t.ioError(fmt.Errorf("file %q given with -iv_file holds %d bytes; an AES_GCM IV is %d bytes", a.Str("iv_file"), len(iv), mech.GCMIVSize))
		}
		blob = append(iv, blob...)
	}
	if a.Has("aad") {
		if p.AAD, err = t.ioReadFile("aad", a.Str("aad")); err != nil {
			return t.ioError(err)
		}
	}
	api := "Cfm3UnWrapKey"
	if noheader {
		rc := t.Cluster.CheckCreate(t.Session, cr.id, 1, cr.opt)
		t.returned("Cfm3CreateUnwrapTemplate2", rc)
		if rc != hsm.RCSuccess {
			return tool.Result{}
		}
		api = "Cfm2UnWrapWithTemplate3"
	}
	wo, ok := t.ioLookup(api, w, hsm.OpUse)
	if !ok {
		return tool.Result{}
	}
	key, rc := wrapKeyFor(wo, p.Mechanism, false)
	if rc != hsm.RCSuccess {
		t.returned(api, rc)
		return tool.Result{}
	}
	material, err := mech.Unwrap(p, key, blob)
	if err != nil {
		t.returned(api, ioRC(err))
		return tool.Result{}
	}
	o, rc := unwrapObject(ut, material)
	if rc != hsm.RCSuccess {
		t.returned(api, rc)
		return tool.Result{}
	}
	if noheader {
		o.Label, o.KeyID = cr.label, cr.id
		t.ioStore(api, "Key Unwrapped. Key Handle: ", o, cr)
	} else {
		t.ioStore(api, "Key Unwrapped.  Key Handle: ", o, cr)
	}
	return tool.Result{}
}

// aesMaxInput is the aesWrapUnwrap file limit: less than 4 KB.
const aesMaxInput = 4096

func aesWrapUnwrap(t *Tool, a *Args) tool.Result {
	c := commands["aesWrapUnwrap"]
	mode, err := a.Int("m", 0)
	if err != nil {
		return t.usage(c, err)
	}
	if mode != 0 && mode != 1 {
		return t.usage(c, fmt.Errorf("invalid mode %d for -m (1 = wrap, 0 = unwrap)", mode))
	}
	w, err := a.Handle("w")
	if err != nil {
		return t.usage(c, err)
	}
	iv := mech.DefaultKeyWrapIV()
	if a.Has("i") {
		if iv, err = wrapParseIV(a.Str("i")); err != nil {
			return t.usage(c, err)
		}
	}
	api, out, attr := "Cfm3WrapHostKey", "wrapped_key", hsm.AttrWrap
	if mode == 0 {
		api, out, attr = "Cfm3UnWrapHostKey", "unwrapped_key", hsm.AttrUnwrap
	}
	if a.Has("out") {
		out = a.Str("out")
	}
	if err := t.ioCheckOut("out", out); err != nil {
		return t.usage(c, err)
	}
	name := a.Str("f")
	in, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	if len(in) >= aesMaxInput {
		return t.ioError(fmt.Errorf("file %q holds %d bytes; aesWrapUnwrap takes files of less than %d bytes", name, len(in), aesMaxInput))
	}
	wo, ok := t.ioLookup(api, w, hsm.OpUse)
	if !ok {
		return tool.Result{}
	}
	kek, ok := t.ioAESKey(api, wo, attr)
	if !ok {
		return tool.Result{}
	}
	if !a.Has("i") {
		t.printf("Warning: IV (-i) is missing.\n")
		t.printf("         0xA6A6A6A6A6A6A6A6 is considered as default IV\n")
	}
	var result []byte
	if mode == 1 {
		result, err = aesWrapPKCS5(kek, iv, in)
	} else {
		result, err = aesUnwrapPKCS5(kek, iv, in)
	}
	if err != nil {
		// The page: "If the command fails, aesWrapUnwrap creates an output
		// file with no contents."
		if werr := t.ioWriteFile(out, nil); werr != nil {
			return t.ioError(werr)
		}
		t.returned(api, ioRC(err))
		return tool.Result{}
	}
	if err := t.ioWriteFile(out, result); err != nil {
		return t.ioError(err)
	}
	t.printf("result data:\n")
	for i := 0; i < len(result); i += 8 {
		line := result[i:min(i+8, len(result))]
		parts := make([]string, len(line))
		for j, b := range line {
			parts[j] = fmt.Sprintf("%02X", b)
		}
		t.printf("%s\n", strings.Join(parts, " "))
	}
	t.printf("result written to file %s\n", out)
	t.returned(api, hsm.RCSuccess)
	return tool.Result{}
}

// aesWrapPKCS5 is the AES key wrap aesWrapUnwrap performs: PKCS #5 padding
// and RFC 3394 with the given IV, which is mech.AESKeyWrapPKCS5 when the IV
// is the default. The HSM mechanisms of wrapKey accept only the default IV;
// aesWrapUnwrap documents -i as an alternate IV, so it needs its own copy of
// the RFC 3394 steps.
func aesWrapPKCS5(kek, iv, plaintext []byte) ([]byte, error) {
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, mech.ErrBadKeySize
	}
	pad := 8 - len(plaintext)%8
	p := append(append([]byte(nil), plaintext...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	a := append([]byte(nil), iv...)
	if len(p) == 8 {
		out := append(a, p...)
		b.Encrypt(out, out)
		return out, nil
	}
	n := len(p) / 8
	var buf [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], a)
			copy(buf[8:], p[8*(i-1):8*i])
			b.Encrypt(buf[:], buf[:])
			copy(a, buf[:8])
			binary.BigEndian.PutUint64(a, binary.BigEndian.Uint64(a)^uint64(n*j+i))
			copy(p[8*(i-1):8*i], buf[8:])
		}
	}
	return append(a, p...), nil
}

// aesUnwrapPKCS5 reverses aesWrapPKCS5, checking the IV and the padding.
func aesUnwrapPKCS5(kek, iv, ciphertext []byte) ([]byte, error) {
	b, err := aes.NewCipher(kek)
	if err != nil {
		return nil, mech.ErrBadKeySize
	}
	if len(ciphertext) < 16 || len(ciphertext)%8 != 0 {
		return nil, mech.ErrUnwrapIntegrity
	}
	a := append([]byte(nil), ciphertext[:8]...)
	p := append([]byte(nil), ciphertext[8:]...)
	var buf [16]byte
	if len(p) == 8 {
		copy(buf[:8], a)
		copy(buf[8:], p)
		b.Decrypt(buf[:], buf[:])
		copy(a, buf[:8])
		copy(p, buf[8:])
	} else {
		n := len(p) / 8
		for j := 5; j >= 0; j-- {
			for i := n; i >= 1; i-- {
				binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(a)^uint64(n*j+i))
				copy(buf[8:], p[8*(i-1):8*i])
				b.Decrypt(buf[:], buf[:])
				copy(a, buf[:8])
				copy(p[8*(i-1):8*i], buf[8:])
			}
		}
	}
	if subtle.ConstantTimeCompare(a, iv) != 1 {
		return nil, mech.ErrUnwrapIntegrity
	}
	pad := int(p[len(p)-1])
	if pad < 1 || pad > 8 {
		return nil, mech.ErrUnwrapIntegrity
	}
	for _, c := range p[len(p)-pad:] {
		if int(c) != pad {
			return nil, mech.ErrUnwrapIntegrity
		}
	}
	return p[:len(p)-pad], nil
}
