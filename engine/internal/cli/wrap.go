package cli

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// wrapMechanisms maps the CLI's wrap mechanisms to the HSM's (the numbers
// key_mgmt_util's wrapKey -m takes). aes-zero-pad has no SDK 3 number: it
// is RFC 3394 over the key padded with zeros to a multiple of 8 bytes.
var wrapMechanisms = map[string]int{
	"aes-gcm": mech.WrapAESGCM, "aes-no-pad": mech.WrapAESNoPad, "aes-pkcs5-pad": mech.WrapAESPKCS5,
	"aes-zero-pad": mech.WrapAESNoPad, "cloudhsm-aes-gcm": mech.WrapCloudHSMAESGCM,
	"rsa-aes": mech.WrapRSAAES, "rsa-oaep": mech.WrapRSAOAEP, "rsa-pkcs": mech.WrapRSAPKCS,
}

func init() {
	for m := range wrapMechanisms {
		register(&command{path: "key wrap " + m, login: "crypto-user", run: wrapKey(m)})
		register(&command{path: "key unwrap " + m, login: "crypto-user", run: unwrapKey(m)})
	}
}

// wrapParams reads a mechanism's parameters: the GCM tag and AAD, the OAEP
// hash (whose MGF1 must use the same hash).
func wrapParams(m string, a *args) (mech.WrapParams, *cliError) {
	p := mech.WrapParams{Mechanism: wrapMechanisms[m]}
	if a.has("tag-length-bits") {
		bits, err := strconv.Atoi(a.get("tag-length-bits"))
		if err != nil || bits%8 != 0 || bits < 64 || bits > 128 {
			return p, &cliError{code: 1, msg: fmt.Sprintf("Invalid tag length %q: 64 to 128 bits, in steps of 8", a.get("tag-length-bits"))}
		}
		p.TagSize = bits / 8
	}
	if a.has("aad") {
		aad, err := hex.DecodeString(strings.TrimPrefix(a.get("aad"), "0x"))
		if err != nil {
			return p, &cliError{code: 1, msg: fmt.Sprintf("Invalid --aad %q: hex digits", a.get("aad"))}
		}
		p.AAD = aad
	}
	if a.has("hash-function") {
		p.Hash = hashes[a.get("hash-function")]
		if a.get("mgf") != "mgf1-"+a.get("hash-function") {
			return p, &cliError{code: 1, msg: fmt.Sprintf("The mask generation function must use the hash function: use --mgf mgf1-%s", a.get("hash-function"))}
		}
	}
	return p, nil
}

func isRSAMechanism(m string) bool { return strings.HasPrefix(m, "rsa-") }

// wrapping checks the key that wraps or unwraps. A key of the wrong type
// or class for the mechanism, a wrap or unwrap attribute that is false and
// a key the user may not use are the HSM's refusals: the typed call carries
// its code (0xbc, 0xab, the access table's), as key_mgmt_util's wrapKey and
// unWrapKey show them.
func (t *Tool) wrapping(words []string, m string, unwrap bool) (*hsm.Object, any, *cliError) {
	o, e := t.oneKey(words)
	if e != nil {
		return nil, nil, e
	}
	op, allowed := "wrap", o.Wrap
	if unwrap {
		op, allowed = "unwrap", o.Unwrap
	}
	switch {
	case isRSAMechanism(m) && (o.KeyType != hsm.KeyTypeRSA || unwrap && o.Class != hsm.ClassPrivate || !unwrap && o.Class != hsm.ClassPublic):
		return nil, nil, hsmError(hsm.RCMechanismInvalid, fmt.Sprintf("%s %ss with an RSA %s key", m, op, map[bool]string{true: "private", false: "public"}[unwrap]))
	case !isRSAMechanism(m) && o.KeyType != hsm.KeyTypeAES:
		return nil, nil, hsmError(hsm.RCMechanismInvalid, fmt.Sprintf("%s %ss with an AES key", m, op))
	case !allowed:
		return nil, nil, hsmError(hsm.RCInvalidAttribute, fmt.Sprintf("The key's %s attribute is false", op))
	}
	if _, rc := t.Cluster.Lookup(t.Session, o.Handle, hsm.OpUse); rc != hsm.RCSuccess {
		return nil, nil, hsmError(rc, rcMessage(rc))
	}
	var k any = o.Value
	if isRSAMechanism(m) {
		var err error
		if unwrap {
			k, err = keyobj.PrivateKey(o)
		} else {
			k, err = keyobj.PublicKey(o)
		}
		if err != nil {
			return nil, nil, &cliError{code: 1, msg: err.Error()}
		}
	}
	return o, k, nil
}

func wrapKey(m string) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		payload, e := t.oneKey(a.list("payload-filter"))
		if e != nil {
			return result{err: e}
		}
		if payload.Class == hsm.ClassPublic {
			return fail("A public key is not wrapped: write it with key generate-file --encoding pem")
		}
		if _, rc := t.Cluster.Lookup(t.Session, payload.Handle, hsm.OpExport); rc != hsm.RCSuccess {
			if rc == hsm.RCKeyAccessDenied && payload.Owner == t.Session.UserID {
				return fail("The payload key is not extractable")
			}
			return keyFail(rc)
		}
		w, k, e := t.wrapping(a.list("wrapping-filter"), m, false)
		if e != nil {
			return result{err: e}
		}
		p, e := wrapParams(m, a)
		if e != nil {
			return result{err: e}
		}
		material := payload.Value
		if m == "aes-zero-pad" && len(material)%8 != 0 {
			material = append(append([]byte{}, material...), make([]byte, 8-len(material)%8)...)
		}
		wrapped, err := mech.Wrap(t.Rand, p, k, material)
		if err != nil {
			return fail(fmt.Sprintf("Wrapping failed: %v", err))
		}
		var iv []byte
		if m == "aes-gcm" {
			iv, wrapped = wrapped[:mech.GCMIVSize], wrapped[mech.GCMIVSize:]
		}
		if a.has("path") {
			if err := t.FS.WriteFile(a.get("path"), wrapped); err != nil {
				return fail(fmt.Sprintf("Unable to write %s: %v", a.get("path"), err))
			}
		}
		// The rsa-aes and rsa-oaep pages print these names with hyphens.
		sep := "_"
		if m == "rsa-aes" || m == "rsa-oaep" {
			sep = "-"
		}
		name := func(s string) string { return strings.ReplaceAll(s, "_", sep) }
		d := obj{{name("payload_key_reference"), KeyReference(payload.Handle)}, {name("wrapping_key_reference"), KeyReference(w.Handle)}}
		if iv != nil {
			d = append(d, field{"iv", hexValue(iv)})
		}
		d = append(d, field{name("wrapped_key_data"), base64.StdEncoding.EncodeToString(wrapped)})
		return ok(d)
	}
}

func unwrapKey(m string) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		_, k, e := t.wrapping(a.list("filter"), m, true)
		if e != nil {
			return result{err: e}
		}
		p, e := wrapParams(m, a)
		if e != nil {
			return result{err: e}
		}
		data, e := t.wrappedData(a)
		if e != nil {
			return result{err: e}
		}
		if m == "aes-gcm" {
			iv, err := hex.DecodeString(strings.TrimPrefix(a.get("iv"), "0x"))
			if err != nil || len(iv) != mech.GCMIVSize {
				return fail(fmt.Sprintf("Invalid --iv %q: %d bytes in hex", a.get("iv"), mech.GCMIVSize))
			}
			data = append(iv, data...)
		}
		material, err := mech.Unwrap(p, k, data)
		if err != nil {
			if errors.Is(err, mech.ErrUnwrapIntegrity) {
				return fail("Unwrapping failed: the wrapped data does not unwrap with this key and these parameters")
			}
			return fail(fmt.Sprintf("Unwrapping failed: %v", err))
		}
		o, e := unwrappedObject(a.get("key-type-class"), m, material)
		if e != nil {
			return result{err: e}
		}
		cliDefaults(o, false)
		o.AlwaysSensitive = false
		o.Label = a.get("label")
		if err := setAttributes(o, a.list("attributes")); err != nil {
			return fail(err.Error())
		}
		if e := checkLabel(o.Label); e != nil {
			return result{err: e}
		}
		opt, e := t.creation(a, "share-crypto-users", "manage-key-quorum-value", "use-key-quorum-value")
		if e != nil {
			return result{err: e}
		}
		opt.Session = opt.Session || !o.Token
		o.ManageMValue = manageValue(a, "manage-key-quorum-value")
		h, st, rc := t.Cluster.CreateKey(t.Session, o, opt)
		t.note.status(st)
		if rc != hsm.RCSuccess {
			return rcFail(rc)
		}
		return ok(obj{{"key", t.keyObject(t.Cluster.Object(h))}})
	}
}

// wrappedData reads --data (base64) or --data-path (the file's bytes, or
// its Base64 as key wrap prints it).
func (t *Tool) wrappedData(a *args) ([]byte, *cliError) {
	if !a.has("data-path") {
		b, err := base64.StdEncoding.DecodeString(a.get("data"))
		if err != nil {
			return nil, &cliError{code: 1, msg: "Invalid --data: not Base64"}
		}
		return b, nil
	}
	b, err := t.FS.ReadFile(a.get("data-path"))
	if err != nil {
		return nil, &cliError{code: 1, msg: fmt.Sprintf("Unable to read %s: %v", a.get("data-path"), err)}
	}
	if d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err == nil && len(d) > 0 {
		return d, nil
	}
	return b, nil
}

// unwrappedObject builds the key that unwrapping gives, of the type and
// class --key-type-class names.
func unwrappedObject(class, m string, material []byte) (*hsm.Object, *cliError) {
	switch class {
	case "aes", "des3", "generic-secret":
		kt := map[string]hsm.KeyType{"aes": hsm.KeyTypeAES, "des3": hsm.KeyTypeDES3, "generic-secret": hsm.KeyTypeGenericSecret}[class]
		if m == "aes-zero-pad" && kt == hsm.KeyTypeGenericSecret {
			return nil, &cliError{code: 1, msg: "aes-zero-pad cannot tell a generic secret's length from its padding; unwrap it with aes-pkcs5-pad"}
		}
		o, err := keyobj.Secret(kt, material)
		if err != nil {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("The unwrapped data is not a valid %s key: %v", class, err)}
		}
		return o, nil
	case "rsa-private", "ec-private":
		if m == "aes-zero-pad" {
			material = trimDER(material)
		}
		priv, err := mech.ParsePrivateKeyDER(material)
		if err != nil {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("The unwrapped data is not a %s key: %v", class, err)}
		}
		o, err := keyobj.Private(priv)
		if err != nil {
			return nil, &cliError{code: 1, msg: err.Error()}
		}
		// keyTypeName calls an Ed25519 key "ec", as ec-private takes it.
		if want := map[string]string{"rsa-private": "rsa", "ec-private": "ec"}[class]; keyTypeName(o.KeyType) != want {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("The unwrapped key is a %s private key, not %s", keyTypeName(o.KeyType), class)}
		}
		return o, nil
	}
	return nil, &cliError{code: 1, msg: fmt.Sprintf("Invalid key type and class %q", class)}
}

// trimDER drops the zero padding after a DER SEQUENCE, by its length.
func trimDER(b []byte) []byte {
	if len(b) < 2 || b[0] != 0x30 {
		return b
	}
	n, hdr := int(b[1]), 2
	if b[1]&0x80 != 0 {
		k := int(b[1] & 0x7f)
		if k == 0 || k > 3 || len(b) < 2+k {
			return b
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr = 2 + k
	}
	if hdr+n <= len(b) {
		return b[:hdr+n]
	}
	return b
}
