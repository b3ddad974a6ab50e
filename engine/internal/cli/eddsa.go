package cli

import (
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// crypto sign|verify ed25519 (PureEdDSA, RFC 8032 5.1.6) and ed25519ph
// (HashEdDSA over SHA-512) with the Ed25519 keys of key
// generate-asymmetric-pair ec --curve ed25519.
func init() {
	for _, m := range []string{"ed25519", "ed25519ph"} {
		register(&command{path: "crypto sign " + m, login: "crypto-user", run: signEdDSA(m)})
		register(&command{path: "crypto verify " + m, login: "crypto-user", run: verifyEdDSA(m)})
	}
}

// maxPureEdDSA is the largest message crypto sign|verify ed25519 take
// (the pages: "no larger than 16,000 bytes").
const maxPureEdDSA = 16000

// eddsaInput reads the key and the message of an Ed25519 command: for
// ed25519 the data itself, for ed25519ph its SHA-512 digest (--data-type
// raw hashes the data, digest takes it as the digest).
func (t *Tool) eddsaInput(a *args, m string, class hsm.Class) (*hsm.Object, []byte, *cliError) {
	o, e := t.signingKey(a, m, class)
	if e != nil {
		return nil, nil, e
	}
	data, e := t.inputData(a, "data", "data-path")
	if e != nil {
		return nil, nil, e
	}
	if m == "ed25519" {
		if len(data) > maxPureEdDSA {
			return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("The data is %d bytes; ed25519 takes at most 16,000 bytes. Use ed25519ph for larger messages", len(data))}
		}
		return o, data, nil
	}
	if a.get("data-type") == "digest" {
		if len(data) != sha512.Size {
			return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("A sha512 digest is %d bytes; the data is %d", sha512.Size, len(data))}
		}
		return o, data, nil
	}
	sum := sha512.Sum512(data)
	return o, sum[:], nil
}

func signEdDSA(m string) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		o, msg, e := t.eddsaInput(a, m, hsm.ClassPrivate)
		if e != nil {
			return result{err: e}
		}
		priv, err := keyobj.PrivateKey(o)
		if err != nil {
			return fail(err.Error())
		}
		k, isEd := priv.(ed25519.PrivateKey)
		if !isEd {
			return fail("The key is not an Ed25519 private key")
		}
		sig, err := mech.SignEd25519(k, msg, m == "ed25519ph")
		if err != nil {
			return fail(fmt.Sprintf("Signing failed: %v", err))
		}
		return ok(obj{{"key-reference", KeyReference(o.Handle)}, {"signature", base64.StdEncoding.EncodeToString(sig)}})
	}
}

func verifyEdDSA(m string) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		o, msg, e := t.eddsaInput(a, m, hsm.ClassPublic)
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
		k, isEd := pub.(ed25519.PublicKey)
		if !isEd {
			return fail("The key is not an Ed25519 public key")
		}
		if mech.VerifyEd25519(k, msg, sig, m == "ed25519ph") != nil {
			return fail("Signature verification failed")
		}
		return message("Signature verified successfully")
	}
}
