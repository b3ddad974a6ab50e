package cli

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

func init() {
	for _, m := range []string{"rsa-pkcs", "rsa-pkcs-pss", "ecdsa"} {
		register(&command{path: "crypto sign " + m, login: "crypto-user", run: sign(m)})
		register(&command{path: "crypto verify " + m, login: "crypto-user", run: verify(m)})
	}
}

var hashes = map[string]crypto.Hash{"sha1": crypto.SHA1, "sha224": crypto.SHA224, "sha256": crypto.SHA256,
	"sha384": crypto.SHA384, "sha512": crypto.SHA512}

// inputData reads --data (base64) or --data-path (the file's bytes).
func (t *Tool) inputData(a *args, data, path string) ([]byte, *cliError) {
	if a.has(path) {
		b, err := t.FS.ReadFile(a.get(path))
		if err != nil {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("Unable to read %s: %v", a.get(path), err)}
		}
		return b, nil
	}
	b, err := base64.StdEncoding.DecodeString(a.get(data))
	if err != nil {
		return nil, &cliError{code: 1, msg: fmt.Sprintf("Invalid --%s: not Base64", data)}
	}
	return b, nil
}

// digestOf hashes raw data, or checks that a digest has the hash's size.
func digestOf(a *args, h crypto.Hash, data []byte) ([]byte, *cliError) {
	if a.get("data-type") == "digest" {
		if len(data) != h.Size() {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("A %s digest is %d bytes; the data is %d", a.get("hash-function"), h.Size(), len(data))}
		}
		return data, nil
	}
	d := h.New()
	d.Write(data)
	return d.Sum(nil), nil
}

// pssOptions reads the PSS parameters. The simulated HSM's MGF1 uses the
// message's hash (docs/simulator-choices.md).
func pssOptions(a *args, h crypto.Hash) (*rsa.PSSOptions, *cliError) {
	if a.get("mgf") != "mgf1-"+a.get("hash-function") {
		return nil, &cliError{code: 1, msg: fmt.Sprintf("The mask generation function must use the hash function: use --mgf mgf1-%s", a.get("hash-function"))}
	}
	salt, err := strconv.Atoi(a.get("salt-length"))
	if err != nil || salt < 0 {
		return nil, &cliError{code: 1, msg: fmt.Sprintf("Invalid salt length %q", a.get("salt-length"))}
	}
	return &rsa.PSSOptions{SaltLength: salt, Hash: h}, nil
}

// signingKey finds the key of a sign or verify command and checks that it
// fits the mechanism and may do the operation.
func (t *Tool) signingKey(a *args, mech string, class hsm.Class) (*hsm.Object, *cliError) {
	o, e := t.oneKey(a.list("key-filter"))
	if e != nil {
		return nil, e
	}
	want := hsm.KeyTypeRSA
	switch mech {
	case "ecdsa":
		want = hsm.KeyTypeEC
	case "ed25519", "ed25519ph":
		want = hsm.KeyTypeECEdwards
	case "ml-dsa":
		want = hsm.KeyTypeMLDSA
	}
	op := "sign"
	allowed := o.Sign
	if class == hsm.ClassPublic {
		op, allowed = "verify", o.Verify
	}
	// The HSM's codes for these refusals are key_mgmt_util's sign and
	// verify's: another type than the mechanism's 0xbc, another class 0x0a,
	// a sign or verify attribute that is false 0xab; and the access
	// table's for a key the user may not use.
	switch {
	case o.KeyType != want || o.Class != class:
		rc := hsm.RCInvalidInput
		if o.KeyType != want {
			rc = hsm.RCMechanismInvalid
		}
		return nil, hsmError(rc, fmt.Sprintf("The key is a %s %s, which cannot %s with %s", keyKind(o), className(o.Class), op, mech))
	case !allowed:
		return nil, hsmError(hsm.RCInvalidAttribute, fmt.Sprintf("The key's %s attribute is false", op))
	}
	if _, rc := t.Cluster.Lookup(t.Session, o.Handle, hsm.OpUse); rc != hsm.RCSuccess {
		return nil, hsmError(rc, rcMessage(rc))
	}
	return o, nil
}

// keyKind names a key's type for an error, an EC key with its curve
// ("ec (secp224r1)", "ec (ed25519)") since the curve decides which
// mechanisms it takes.
func keyKind(o *hsm.Object) string {
	switch o.KeyType {
	case hsm.KeyTypeEC:
		return "ec (" + curveName(o.CurveID) + ")"
	case hsm.KeyTypeECEdwards:
		return "ec (ed25519)"
	}
	return keyTypeName(o.KeyType)
}

// cryptoInput is what sign and verify both read: the key, the hash and the
// digest of the data.
func (t *Tool) cryptoInput(a *args, m string, class hsm.Class) (*hsm.Object, crypto.Hash, []byte, *cliError) {
	o, e := t.signingKey(a, m, class)
	if e != nil {
		return nil, 0, nil, e
	}
	data, e := t.inputData(a, "data", "data-path")
	if e != nil {
		return nil, 0, nil, e
	}
	h := hashes[a.get("hash-function")]
	digest, e := digestOf(a, h, data)
	if e != nil {
		return nil, 0, nil, e
	}
	return o, h, digest, nil
}

func sign(m string) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		o, h, digest, e := t.cryptoInput(a, m, hsm.ClassPrivate)
		if e != nil {
			return result{err: e}
		}
		priv, err := keyobj.PrivateKey(o)
		if err != nil {
			return fail(err.Error())
		}
		var sig []byte
		switch m {
		case "rsa-pkcs":
			sig, err = rsa.SignPKCS1v15(nil, priv.(*rsa.PrivateKey), h, digest)
		case "rsa-pkcs-pss":
			opts, e := pssOptions(a, h)
			if e != nil {
				return result{err: e}
			}
			sig, err = rsa.SignPSS(t.Rand, priv.(*rsa.PrivateKey), h, digest, opts)
		case "ecdsa":
			k, isEC := priv.(*mech.ECKey)
			if !isEC {
				return fail("The key is not an EC private key")
			}
			var der []byte
			if der, err = mech.SignDigestECDSA(t.Rand, k, digest); err == nil {
				sig, err = rawECDSA(der, k.CurveID)
			}
		}
		if err != nil {
			return fail(fmt.Sprintf("Signing failed: %v", err))
		}
		return ok(obj{{"key-reference", KeyReference(o.Handle)}, {"signature", base64.StdEncoding.EncodeToString(sig)}})
	}
}

func verify(m string) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		o, h, digest, e := t.cryptoInput(a, m, hsm.ClassPublic)
		if e != nil {
			return result{err: e}
		}
		sig, e := t.signature(a)
		if e != nil {
			return result{err: e}
		}
		pub, err := keyobj.PublicKey(o)
		if err != nil {
			return fail(err.Error())
		}
		switch m {
		case "rsa-pkcs":
			err = rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), h, digest, sig)
		case "rsa-pkcs-pss":
			opts, e := pssOptions(a, h)
			if e != nil {
				return result{err: e}
			}
			err = rsa.VerifyPSS(pub.(*rsa.PublicKey), h, digest, sig, opts)
		case "ecdsa":
			k, isEC := pub.(*mech.ECPublicKey)
			if !isEC {
				return fail("The key is not an EC public key")
			}
			var der []byte
			if der, err = derECDSA(sig); err == nil {
				err = mech.VerifyDigestECDSA(k, digest, der)
			}
		}
		if err != nil {
			return fail("Signature verification failed")
		}
		return message("Signature verified successfully")
	}
}

// signature reads --signature (base64) or --signature-path: a file of the
// signature's bytes, or of its Base64 as crypto sign prints it.
func (t *Tool) signature(a *args) ([]byte, *cliError) {
	if a.has("signature-path") {
		b, err := t.FS.ReadFile(a.get("signature-path"))
		if err != nil {
			return nil, &cliError{code: 1, msg: fmt.Sprintf("Unable to read %s: %v", a.get("signature-path"), err)}
		}
		if d, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b))); err == nil && len(d) > 0 {
			return d, nil
		}
		return b, nil
	}
	b, err := base64.StdEncoding.DecodeString(a.get("signature"))
	if err != nil {
		return nil, &cliError{code: 1, msg: "Invalid --signature: not Base64"}
	}
	return b, nil
}

// rawECDSA turns a DER ECDSA signature into r‖s, each the size of the
// curve's order, the form the CLI prints.
func rawECDSA(der []byte, curveID int) ([]byte, error) {
	r, s, err := keyder.ParseSignature(der)
	if err != nil {
		return nil, err
	}
	ci, err := mech.CurveByID(curveID)
	if err != nil {
		return nil, err
	}
	n := (ci.Bits + 7) / 8
	if r.Sign() < 0 || s.Sign() < 0 || r.BitLen() > 8*n || s.BitLen() > 8*n {
		return nil, fmt.Errorf("an ECDSA signature out of range")
	}
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return out, nil
}

func derECDSA(raw []byte) ([]byte, error) {
	if len(raw) == 0 || len(raw)%2 != 0 {
		return nil, fmt.Errorf("bad signature length")
	}
	n := len(raw) / 2
	return keyder.MarshalSignature(new(big.Int).SetBytes(raw[:n]), new(big.Int).SetBytes(raw[n:])), nil
}
