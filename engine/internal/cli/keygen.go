package cli

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

func init() {
	register(&command{path: "key generate-symmetric aes", login: "crypto-user", run: genSymmetric(hsm.KeyTypeAES)})
	register(&command{path: "key generate-symmetric generic-secret", login: "crypto-user", run: genSymmetric(hsm.KeyTypeGenericSecret)})
	register(&command{path: "key generate-asymmetric-pair rsa", login: "crypto-user", run: genRSA})
	register(&command{path: "key generate-asymmetric-pair ec", login: "crypto-user", run: genEC})
	register(&command{path: "key generate-asymmetric-pair ml-dsa", login: "crypto-user", run: genMLDSA})
}

// cliDefaults gives a new key the attributes CloudHSM CLI gives it
// (cloudhsm_cli-key-attributes-table.md and the generate pages): nothing
// may encrypt, decrypt, wrap or unwrap until asked; secret keys sign and
// verify.
func cliDefaults(o *hsm.Object, local bool) {
	o.Encrypt, o.Decrypt, o.Wrap, o.Unwrap, o.Derive = false, false, false, false, false
	o.Sign = o.Class == hsm.ClassSecret
	o.Verify = o.Class == hsm.ClassSecret
	o.Token, o.Private, o.Destroyable, o.Extractable = true, true, true, true
	o.Sensitive = o.Class != hsm.ClassPublic
	o.AlwaysSensitive = o.Sensitive
	o.NeverExtractable = false
	o.Trusted, o.WrapWithTrusted = false, false
	o.Local = local
}

// settable are the attributes --attributes may give at creation.
var settable = map[string]bool{"decrypt": true, "derive": true, "destroyable": true, "encrypt": true,
	"extractable": true, "id": true, "label": true, "modifiable": true, "private": true, "sensitive": true,
	"sign": true, "token": true, "unwrap": true, "verify": true, "wrap": true, "wrap-with-trusted": true}

// setAttributes applies NAME=VALUE pairs to a new key.
func setAttributes(o *hsm.Object, pairs []string) error {
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			return fmt.Errorf("Invalid attribute %q: use KEY_ATTRIBUTE_NAME=KEY_ATTRIBUTE_VALUE", p)
		}
		if !settable[name] {
			if knownAttribute(name) {
				return fmt.Errorf("The attribute %s cannot be set when a key is created", name)
			}
			return fmt.Errorf("Invalid attribute name %q", name)
		}
		if name == "sensitive" && o.Class == hsm.ClassPublic || name == "unwrap" && o.Class == hsm.ClassPublic ||
			name == "wrap" && o.Class == hsm.ClassPrivate {
			return fmt.Errorf("The attribute %s cannot be set on a %s", name, className(o.Class))
		}
		switch name {
		case "label":
			o.Label = value
			continue
		case "id":
			id, err := parseID(value)
			if err != nil {
				return err
			}
			o.KeyID = id
			continue
		}
		b, err := strconv.ParseBool(strings.ToLower(value))
		if err != nil {
			return fmt.Errorf("Invalid value %q for %s: use true or false", value, name)
		}
		*boolField(o, name) = b
		if name == "modifiable" {
			o.NotModifiable = !b
		}
		if name == "sensitive" {
			o.AlwaysSensitive = b
		}
		if name == "extractable" {
			o.NeverExtractable = !b
		}
	}
	return nil
}

// parseID reads an id value: hex with 0x, or the text itself.
func parseID(v string) (string, error) {
	if strings.HasPrefix(v, "0x") {
		b, err := hex.DecodeString(v[2:])
		if err != nil {
			return "", fmt.Errorf("Invalid id %q: 0x must be followed by hex digits", v)
		}
		return string(b), nil
	}
	return v, nil
}

// boolField is the object's field behind a boolean attribute name.
func boolField(o *hsm.Object, name string) *bool {
	var scratch bool
	switch name {
	case "encrypt":
		return &o.Encrypt
	case "decrypt":
		return &o.Decrypt
	case "token":
		return &o.Token
	case "derive":
		return &o.Derive
	case "destroyable":
		return &o.Destroyable
	case "extractable":
		return &o.Extractable
	case "private":
		return &o.Private
	case "sensitive":
		return &o.Sensitive
	case "sign":
		return &o.Sign
	case "trusted":
		return &o.Trusted
	case "unwrap":
		return &o.Unwrap
	case "verify":
		return &o.Verify
	case "wrap":
		return &o.Wrap
	case "wrap-with-trusted":
		return &o.WrapWithTrusted
	}
	return &scratch
}

// creation reads the options every generate command shares: session,
// the crypto users to share with and the quorum values.
func (t *Tool) creation(a *args, share, manage, use string) (hsm.KeyOptions, *cliError) {
	opt := hsm.KeyOptions{Session: a.has("session")}
	for _, name := range a.list(share) {
		u := t.findUser(name)
		switch hsm.Check(t.Session, hsm.OpShareWith, hsm.OnUser(u)) {
		case hsm.RCUserNotFound, hsm.RCInvalidUserType:
			return opt, &cliError{code: 1, msg: fmt.Sprintf("Invalid crypto user %q to share the key with", name)}
		}
		opt.ShareTo = append(opt.ShareTo, u.ID)
	}
	for _, q := range []string{manage, use} {
		if !a.has(q) {
			continue
		}
		n, err := strconv.Atoi(a.get(q))
		if err != nil || n < 0 || n > 8 {
			return opt, &cliError{code: 1, msg: fmt.Sprintf("Invalid value %q for --%s: a number from 0 to 8", a.get(q), q)}
		}
		if n > len(opt.ShareTo)+1 {
			return opt, &cliError{code: 1, msg: fmt.Sprintf("A quorum value of %d needs the key to be shared with at least %d crypto users", n, n-1)}
		}
	}
	opt.MValue, _ = strconv.Atoi(a.get(use))
	return opt, nil
}

func (t *Tool) findUser(name string) *hsm.User { return t.Cluster.FindUser(name) }

func manageValue(a *args, flag string) int {
	n, _ := strconv.Atoi(a.get(flag))
	return n
}

func genSymmetric(kt hsm.KeyType) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		size, err := strconv.Atoi(a.get("key-length-bytes"))
		valid := err == nil && (kt == hsm.KeyTypeAES && (size == 16 || size == 24 || size == 32) ||
			kt == hsm.KeyTypeGenericSecret && size >= 1 && size <= 800)
		if !valid {
			if kt == hsm.KeyTypeAES {
				return fail(fmt.Sprintf("Invalid key length %q: AES keys are 16, 24 or 32 bytes", a.get("key-length-bytes")))
			}
			return fail(fmt.Sprintf("Invalid key length %q: generic secret keys are 1 to 800 bytes", a.get("key-length-bytes")))
		}
		opt, e := t.creation(a, "share-crypto-users", "manage-key-quorum-value", "use-key-quorum-value")
		if e != nil {
			return result{err: e}
		}
		value, err := mech.GenerateSecret(t.Rand, mech.KeyType(kt), size)
		if err != nil {
			return fail(err.Error())
		}
		o, err := keyobj.Secret(kt, value)
		if err != nil {
			return fail(err.Error())
		}
		cliDefaults(o, true)
		o.Label = a.get("label")
		if err := setAttributes(o, a.list("attributes")); err != nil {
			return fail(err.Error())
		}
		if e := checkLabel(o.Label); e != nil {
			return result{err: e}
		}
		if o.Token && opt.Session {
			o.Token = false
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

// checkLabel holds a label to the cluster's label limit (hsm.MaxLabelLen).
func checkLabel(l string) *cliError {
	if hsm.ValidateLabel(l) != nil {
		return &cliError{code: 1, msg: fmt.Sprintf("Invalid label: labels are at most %d characters", hsm.MaxLabelLen)}
	}
	return nil
}

func (t *Tool) makePair(a *args, priv any) result {
	pub, pr, err := keyobj.Pair(priv)
	if err != nil {
		return fail(err.Error())
	}
	cliDefaults(pub, true)
	cliDefaults(pr, true)
	pub.Label, pr.Label = a.get("public-label"), a.get("private-label")
	if err := setAttributes(pub, a.list("public-attributes")); err != nil {
		return fail(err.Error())
	}
	if err := setAttributes(pr, a.list("private-attributes")); err != nil {
		return fail(err.Error())
	}
	for _, l := range []string{pub.Label, pr.Label} {
		if e := checkLabel(l); e != nil {
			return result{err: e}
		}
	}
	opt, e := t.creation(a, "share-crypto-users", "manage-private-key-quorum-value", "use-private-key-quorum-value")
	if e != nil {
		return result{err: e}
	}
	opt.Session = opt.Session || !pr.Token
	pr.ManageMValue = manageValue(a, "manage-private-key-quorum-value")
	ph, vh, st, rc := t.Cluster.CreateKeyPair(t.Session, pub, pr, opt)
	t.note.status(st)
	if rc != hsm.RCSuccess {
		return rcFail(rc)
	}
	return ok(obj{{"public_key", t.keyObject(t.Cluster.Object(ph))}, {"private_key", t.keyObject(t.Cluster.Object(vh))}})
}

func genRSA(t *Tool, a *args) result {
	bits, err := strconv.Atoi(a.get("modulus-size-bits"))
	if err != nil || bits < 2048 || bits > 4096 || bits%256 != 0 {
		return fail(fmt.Sprintf("Invalid modulus size %q: 2048 to 4096 bits, in steps of 256", a.get("modulus-size-bits")))
	}
	e, err := strconv.Atoi(a.get("public-exponent"))
	if err != nil || e < 65537 || e%2 == 0 {
		return fail(fmt.Sprintf("Invalid public exponent %q: an odd number, 65537 or greater", a.get("public-exponent")))
	}
	priv, err := mech.GenerateRSA(t.Rand, bits, e)
	if err != nil {
		return fail(err.Error())
	}
	return t.makePair(a, priv)
}

func genEC(t *Tool, a *args) result {
	var id int
	switch a.get("curve") {
	case "prime256v1", "secp256r1":
		id = mech.CurveP256
	case "secp224r1":
		id = mech.CurveP224
	case "secp384r1":
		id = mech.CurveP384
	case "secp521r1":
		id = mech.CurveP521
	case "secp256k1":
		id = mech.CurveSecp256k1
	default: // ed25519, the one other value the option takes
		k, err := mech.GenerateEd25519(t.Rand)
		if err != nil {
			return fail(err.Error())
		}
		return t.makePair(a, k)
	}
	k, err := mech.GenerateEC(t.Rand, id)
	if err != nil {
		return fail(err.Error())
	}
	return t.makePair(a, k)
}

func genMLDSA(t *Tool, a *args) result {
	// The option's possible values are the three sets' names.
	set, _ := mech.MLDSAParameterSetByName(a.get("mldsa-algorithm"))
	k, err := mech.GenerateMLDSA(t.Rand, set)
	if err != nil {
		return fail(err.Error())
	}
	return t.makePair(a, k)
}
