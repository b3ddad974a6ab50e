package cli

import (
	"encoding/base64"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// crypto sign|verify ml-dsa with the keys of key generate-asymmetric-pair
// ml-dsa: FIPS 204 ML-DSA over the raw data, with an empty context.
func init() {
	register(&command{path: "crypto sign ml-dsa", login: "crypto-user", run: signMLDSA})
	register(&command{path: "crypto verify ml-dsa", login: "crypto-user", run: verifyMLDSA})
}

// msgExternalMu refuses --data-type external-mu: signing a precomputed mu
// needs ML-DSA's internal signing step, which the simulator's ML-DSA
// library does not offer (docs/simulator-choices.md).
const msgExternalMu = "The simulator signs and verifies ML-DSA over raw data only: --data-type external-mu is not supported"

// mldsaInput reads the key and the data of an ML-DSA command.
func (t *Tool) mldsaInput(a *args, class hsm.Class) (*hsm.Object, []byte, *cliError) {
	o, e := t.signingKey(a, "ml-dsa", class)
	if e != nil {
		return nil, nil, e
	}
	if a.get("data-type") == "external-mu" {
		return nil, nil, &cliError{code: 1, msg: msgExternalMu}
	}
	data, e := t.inputData(a, "data", "data-path")
	if e != nil {
		return nil, nil, e
	}
	return o, data, nil
}

func signMLDSA(t *Tool, a *args) result {
	o, data, e := t.mldsaInput(a, hsm.ClassPrivate)
	if e != nil {
		return result{err: e}
	}
	priv, err := keyobj.PrivateKey(o)
	if err != nil {
		return fail(err.Error())
	}
	k, isML := priv.(*mech.MLDSAPrivateKey)
	if !isML {
		return fail("The key is not an ML-DSA private key")
	}
	sig, err := mech.SignMLDSA(k, data)
	if err != nil {
		return fail(fmt.Sprintf("Signing failed: %v", err))
	}
	return ok(obj{{"key-reference", KeyReference(o.Handle)}, {"signature", base64.StdEncoding.EncodeToString(sig)}})
}

func verifyMLDSA(t *Tool, a *args) result {
	o, data, e := t.mldsaInput(a, hsm.ClassPublic)
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
	k, isML := pub.(*mech.MLDSAPublicKey)
	if !isML {
		return fail("The key is not an ML-DSA public key")
	}
	if mech.VerifyMLDSA(k, data, sig) != nil {
		return fail("Signature verification failed")
	}
	return message("Signature verified successfully")
}
