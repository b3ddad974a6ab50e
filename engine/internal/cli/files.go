package cli

import (
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/binary"
	"encoding/pem"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/mech"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

func init() {
	register(&command{path: "key generate-file", login: "crypto-user", run: generateFile})
	register(&command{path: "key import pem", login: "crypto-user", run: importPEM})
}

// generateFile writes a public key as PEM, or a private key as a reference
// PEM: the fake PEM key_mgmt_util's getCaviumPrivKey writes, which names the
// key and holds nothing secret.
func generateFile(t *Tool, a *args) result {
	o, e := t.oneKey(a.list("filter"))
	if e != nil {
		return result{err: e}
	}
	var data []byte
	switch a.get("encoding") {
	case "pem":
		if o.Class == hsm.ClassSecret {
			return fail("The pem encoding is for public keys and key pairs; a secret key has no key file")
		}
		pub, err := keyobj.PublicKey(o)
		if err != nil {
			return fail(err.Error())
		}
		if data, err = mech.MarshalPublicKeyPEM(pub); err != nil {
			return fail(err.Error())
		}
	case "reference-pem":
		if o.Class != hsm.ClassPrivate || o.KeyType != hsm.KeyTypeRSA && o.KeyType != hsm.KeyTypeEC {
			return fail("The reference-pem encoding is for RSA and EC private keys; Ed25519 and ML-DSA private keys take cloudhsm-reference-pem")
		}
		pub, err := keyobj.PublicKey(o)
		if err != nil {
			return fail(err.Error())
		}
		rsaPub, isRSA := pub.(*rsa.PublicKey)
		if !isRSA {
			// An EC reference names the key the same way, by its handle
			// in place of the private value.
			rsaPub = &rsa.PublicKey{N: nil, E: 0}
		}
		if data, err = referencePEM(rsaPub, o); err != nil {
			return fail(err.Error())
		}
	default: // cloudhsm-reference-pem
		if o.Class != hsm.ClassPrivate || !cloudHSMReferenced(o.KeyType) {
			return fail("The cloudhsm-reference-pem encoding is for Ed25519 and ML-DSA private keys; RSA and EC private keys take reference-pem")
		}
		var err error
		if data, err = cloudHSMReferencePEM(o); err != nil {
			return fail(err.Error())
		}
	}
	if err := t.FS.WriteFile(a.get("path"), data); err != nil {
		return fail(fmt.Sprintf("Unable to write the key file %s: %v", a.get("path"), err))
	}
	return message("Successfully generated key file")
}

func referencePEM(pub *rsa.PublicKey, o *hsm.Object) ([]byte, error) {
	if pub.N == nil {
		return fakeECPEM(o)
	}
	return kmu.FakePEM(pub, o.Handle)
}

// fakeECPEM is the reference PEM of an EC private key: the real curve and
// public point, and the key's handle where the private value would be.
func fakeECPEM(o *hsm.Object) ([]byte, error) {
	ci, err := mech.CurveByID(o.CurveID)
	if err != nil {
		return nil, err
	}
	priv := make([]byte, (ci.Bits+7)/8)
	binary.BigEndian.PutUint64(priv[len(priv)-8:], o.Handle)
	// SEC 1's ECPrivateKey with the handle as its private value.
	der := keyder.ECPrivateKey{Version: 1, PrivateKey: priv, Params: ci.OID.Element(),
		PublicKey: o.Modulus, PublicKeyBits: 8 * len(o.Modulus), HasPublicKey: len(o.Modulus) > 0}.Marshal()
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil
}

// cloudHSMReferenced are the key types of the cloudhsm-reference-pem
// encoding.
func cloudHSMReferenced(kt hsm.KeyType) bool {
	return kt == hsm.KeyTypeECEdwards || kt == hsm.KeyTypeMLDSA
}

// cloudHSMReferencePEM is the reference PEM of an Ed25519 or ML-DSA
// private key: a PKCS #8 "PRIVATE KEY" of the key's algorithm whose seed
// is the key's handle (big-endian in its last eight bytes), as a reference
// PEM of an EC key holds the handle in place of its private value. It
// names the key and holds nothing secret (docs/simulator-choices.md).
func cloudHSMReferencePEM(o *hsm.Object) ([]byte, error) {
	seed := make([]byte, 32)
	binary.BigEndian.PutUint64(seed[24:], o.Handle)
	der, err := mech.ReferencePKCS8(o.KeyType, mech.MLDSAParameterSet(o.ParameterSet), seed)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func importPEM(t *Tool, a *args) result {
	data, err := t.FS.ReadFile(a.get("path"))
	if err != nil {
		return fail(fmt.Sprintf("Unable to read the key file %s: %v", a.get("path"), err))
	}
	pub, err := mech.ParsePublicKeyPEM(data)
	if err != nil {
		return fail(fmt.Sprintf("The file %s holds no public key in PEM format", a.get("path")))
	}
	want := a.get("key-type-class")
	switch pub.(type) {
	case *rsa.PublicKey:
		if want != "rsa-public" {
			return fail(fmt.Sprintf("The key in %s is an RSA public key, not %s", a.get("path"), want))
		}
	case *mech.ECPublicKey, ed25519.PublicKey:
		// An Ed25519 key is an EC key on the curve ed25519 (the verify
		// pages import one with --key-type-class ec-public).
		if want != "ec-public" {
			return fail(fmt.Sprintf("The key in %s is an EC public key, not %s", a.get("path"), want))
		}
	case *mech.MLDSAPublicKey:
		// The import page: ML-DSA keys are only generated in the HSM.
		return fail(fmt.Sprintf("The key in %s is an ML-DSA public key. ML-DSA keys cannot be imported: generate them in the HSM with key generate-asymmetric-pair ml-dsa", a.get("path")))
	default:
		return fail(fmt.Sprintf("The key in %s is neither an RSA nor an EC public key", a.get("path")))
	}
	o, err := keyobj.Public(pub)
	if err != nil {
		return fail(err.Error())
	}
	cliDefaults(o, false)
	o.Label = a.get("label")
	if err := setAttributes(o, a.list("attributes")); err != nil {
		return fail(err.Error())
	}
	if e := checkLabel(o.Label); e != nil {
		return result{err: e}
	}
	h, st, rc := t.Cluster.CreateKey(t.Session, o, hsm.KeyOptions{Session: !o.Token})
	t.note.status(st)
	if rc != hsm.RCSuccess {
		return rcFail(rc)
	}
	return ok(obj{{"key", t.keyObject(t.Cluster.Object(h))}, {"message", "Successfully imported key"}})
}
