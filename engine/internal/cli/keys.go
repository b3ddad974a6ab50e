package cli

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/format"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// KeyReference is how the CLI names a key (format.KeyReference, the one
// formatter of a key reference).
func KeyReference(h uint64) string { return format.KeyReference(h) }

func parseKeyReference(s string) (uint64, bool) {
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return 0, false
	}
	h, err := strconv.ParseUint(s[2:], 16, 64)
	return h, err == nil
}

func keyTypeName(t hsm.KeyType) string {
	switch t {
	case hsm.KeyTypeAES:
		return "aes"
	case hsm.KeyTypeRSA:
		return "rsa"
	case hsm.KeyTypeEC, hsm.KeyTypeECEdwards:
		// Ed25519 keys are EC keys on the curve ed25519 to the CLI (the
		// attribute table's key-type and curve values).
		return "ec"
	case hsm.KeyTypeGenericSecret:
		return "generic-secret"
	case hsm.KeyTypeDES3:
		return "des3"
	case hsm.KeyTypeRC4:
		return "rc4"
	case hsm.KeyTypeDSA:
		return "dsa"
	case hsm.KeyTypeMLDSA:
		return "ml-dsa"
	}
	return fmt.Sprintf("unknown(%d)", t)
}

func className(c hsm.Class) string { return c.String() + "-key" }

func hexValue(b []byte) string { return "0x" + hex.EncodeToString(b) }

// curveName is the CLI's name of an EC key's curve (the --curve values).
func curveName(id int) string {
	switch id {
	case mech.CurveP256:
		return "prime256v1"
	case mech.CurveP224:
		return "secp224r1"
	case mech.CurveP384:
		return "secp384r1"
	case mech.CurveP521:
		return "secp521r1"
	case mech.CurveSecp256k1:
		return "secp256k1"
	}
	if ci, err := mech.CurveByID(id); err == nil {
		return ci.ShortName
	}
	return fmt.Sprintf("curve-%d", id)
}

// keyLength is key-length-bytes: a secret key's length; a private key's
// stored (PKCS #8) size; an ML-DSA key's FIPS 204 encoding (the page's 1312
// and 2560 for ML-DSA-44); an EC or Ed25519 public key's point; an RSA public key twice
// its modulus, as the pages' examples show (512 for RSA-2048).
func keyLength(o *hsm.Object) int {
	switch {
	case o.Class == hsm.ClassSecret || o.KeyType == hsm.KeyTypeMLDSA:
		return o.ValueLen
	case o.Class == hsm.ClassPrivate:
		return len(o.Value)
	case o.KeyType == hsm.KeyTypeEC || o.KeyType == hsm.KeyTypeECEdwards:
		return len(o.Modulus)
	case o.KeyType == hsm.KeyTypeRSA:
		return 2 * len(o.Modulus)
	}
	return o.ValueLen
}

// attributes are a key's attributes in the order the pages print them.
func attributes(o *hsm.Object) obj {
	// Keys generated in the HSM have an empty id; imported and unwrapped
	// ones print "0x" (the pages' examples).
	// The ML-DSA page's generated keys print "0x" too.
	id := ""
	if o.KeyID != "" || !o.Local || o.KeyType == hsm.KeyTypeMLDSA {
		id = hexValue([]byte(o.KeyID))
	}
	a := obj{
		{"key-type", keyTypeName(o.KeyType)},
		{"label", o.Label},
		{"id", id},
		{"check-value", hexValue(o.KCV)},
		{"class", className(o.Class)},
		{"encrypt", o.Encrypt},
		{"decrypt", o.Decrypt},
		{"token", o.Token},
		{"always-sensitive", o.AlwaysSensitive},
		{"derive", o.Derive},
		{"destroyable", o.Destroyable},
		{"extractable", o.Extractable},
		{"local", o.Local},
		{"modifiable", !o.NotModifiable},
		{"never-extractable", o.NeverExtractable},
		{"private", o.Private},
		{"sensitive", o.Sensitive},
		{"sign", o.Sign},
		{"trusted", o.Trusted},
		{"unwrap", o.Unwrap},
		{"verify", o.Verify},
		{"wrap", o.Wrap},
		{"wrap-with-trusted", o.WrapWithTrusted},
		{"key-length-bytes", keyLength(o)},
	}
	if o.KeyType == hsm.KeyTypeGenericSecret {
		// "KCV for HMAC keys is not supported" (the check value page); the
		// generic-secret page's keys print none.
		a = slices.DeleteFunc(a, func(f field) bool { return f.k == "check-value" })
	}
	if o.KeyType == hsm.KeyTypeMLDSA {
		// The ML-DSA page prints its parameter set after private.
		i := slices.IndexFunc(a, func(f field) bool { return f.k == "sensitive" })
		a = slices.Insert(a, i, field{"mldsa-algorithm", mech.MLDSAParameterSet(o.ParameterSet).String()})
	}
	switch {
	case o.Class == hsm.ClassSecret:
	case o.KeyType == hsm.KeyTypeRSA:
		e := new(big.Int).SetUint64(uint64(o.PublicExponent)).Bytes()
		a = append(a, field{"public-exponent", hexValue(e)}, field{"modulus", hexValue(o.Modulus)}, field{"modulus-size-bits", o.ModulusBits})
	case o.KeyType == hsm.KeyTypeEC:
		a = append(a, field{"ec-point", hexValue(o.Modulus)}, field{"curve", curveName(o.CurveID)})
	case o.KeyType == hsm.KeyTypeECEdwards:
		a = append(a, field{"ec-point", hexValue(o.Modulus)}, field{"curve", "ed25519"})
	}
	return a
}

// keyInfo is a key's owner, shares, quorum values and how many HSMs hold
// it: "full" when every HSM of the cluster holds the same copy, "partial"
// when the HSMs have drifted apart.
func (t *Tool) keyInfo(o *hsm.Object) obj {
	full := t.onEveryNode(o)
	owners := []any{t.userEntry(o.Owner, full)}
	shared := []any{}
	for _, id := range o.Shared {
		shared = append(shared, t.userEntry(id, full))
	}
	cov := coverage(full)
	if !o.Token {
		cov = "session"
	}
	return obj{
		{"key-owners", owners},
		{"shared-users", shared},
		{"key-quorum-values", obj{{"manage-key-quorum-value", o.ManageMValue}, {"use-key-quorum-value", o.MValue}}},
		{"cluster-coverage", cov},
	}
}

func (t *Tool) onEveryNode(o *hsm.Object) bool {
	for _, n := range t.Cluster.Nodes {
		p, ok := n.Object(o.Handle)
		if !ok || !p.Equal(o) {
			return false
		}
	}
	return true
}

func (t *Tool) userEntry(id int, full bool) obj {
	name := fmt.Sprintf("user-%d", id)
	if u := t.Cluster.UserByID(id); u != nil {
		name = strings.ToLower(u.Name)
	}
	return obj{{"username", name}, {"key-coverage", coverage(full)}}
}

// keyObject is a key as generate, import and unwrap print it.
func (t *Tool) keyObject(o *hsm.Object) obj {
	return obj{{"key-reference", KeyReference(o.Handle)}, {"key-info", t.keyInfo(o)}, {"attributes", attributes(o)}}
}

// filter is a parsed --filter: a key reference, or attr.NAME=VALUE pairs.
type filter struct {
	ref   *uint64
	attrs [][2]string
}

func parseFilter(words []string) (*filter, error) {
	f := &filter{}
	for _, w := range words {
		name, value, ok := strings.Cut(w, "=")
		if !ok {
			return nil, fmt.Errorf("Invalid filter %q: use key-reference=0x... or attr.KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE", w)
		}
		switch {
		case name == "key-reference":
			h, ok := parseKeyReference(value)
			if !ok {
				return nil, fmt.Errorf("Invalid key reference %q: use 0x followed by hex digits", value)
			}
			f.ref = &h
		case strings.HasPrefix(name, "attr."):
			a := strings.TrimPrefix(name, "attr.")
			if !knownAttribute(a) {
				return nil, fmt.Errorf("Invalid filter attribute %q: see the key attributes table for the names", a)
			}
			f.attrs = append(f.attrs, [2]string{a, value})
		default:
			return nil, fmt.Errorf("Invalid filter %q: use key-reference=0x... or attr.KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE", w)
		}
	}
	return f, nil
}

// attributeNames are the names a filter or set-attribute may use.
var attributeNames = []string{"key-type", "label", "id", "check-value", "class", "encrypt", "decrypt", "token",
	"always-sensitive", "derive", "destroyable", "extractable", "local", "modifiable", "never-extractable",
	"private", "sensitive", "sign", "trusted", "unwrap", "verify", "wrap", "wrap-with-trusted",
	"key-length-bytes", "public-exponent", "modulus", "modulus-size-bits", "ec-point", "curve", "mldsa-algorithm"}

func knownAttribute(n string) bool { return slices.Contains(attributeNames, n) }

func (f *filter) match(o *hsm.Object) bool {
	if f.ref != nil && o.Handle != *f.ref {
		return false
	}
	attrs := attributes(o)
	for _, want := range f.attrs {
		found := false
		for _, a := range attrs {
			if a.k == want[0] {
				found = sameValue(a.v, want[1])
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// sameValue compares an attribute with a typed value: booleans and hex
// without regard to case, numbers as numbers.
func sameValue(v any, s string) bool {
	switch x := v.(type) {
	case bool:
		b, err := strconv.ParseBool(strings.ToLower(s))
		return err == nil && b == x
	case int:
		n, err := strconv.ParseInt(s, 0, 64)
		return err == nil && int(n) == x
	case string:
		if strings.HasPrefix(x, "0x") {
			return strings.EqualFold(x, s)
		}
		return x == s
	}
	return false
}

// matching lists the keys the session can reach that match f: the keys
// its user owns or shares and every public key (the filtering page).
func (t *Tool) matching(f *filter) []*hsm.Object {
	var out []*hsm.Object
	for _, h := range t.Cluster.Find(t.Session, hsm.Filter{}) {
		if o := t.Cluster.Object(h); o != nil && f.match(o) {
			out = append(out, o)
		}
	}
	return out
}

// oneKey is the key a single-key command works on.
func (t *Tool) oneKey(words []string) (*hsm.Object, *cliError) {
	f, err := parseFilter(words)
	if err != nil {
		return nil, &cliError{code: 1, msg: err.Error()}
	}
	keys := t.matching(f)
	if len(keys) != 1 {
		return nil, &cliError{code: 1, msg: fmt.Sprintf("Key selection criteria matched %d keys. Refine selection criteria to select a single key.", len(keys))}
	}
	t.note.key(keys[0].Handle)
	return keys[0], nil
}
