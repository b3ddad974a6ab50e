// Package keyobj turns key material into HSM objects and back: the attributes
// a public, private or secret key carries (key type, modulus, curve, KCV) and
// the encoding of its value. key_mgmt_util, cloudhsm_mgmt_util and the
// scenario loader all build keys through it, so a key looks the same however
// it came to be.
package keyobj

import (
	"bytes"
	"crypto/dsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/pem"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// Public builds the HSM object of a public key: its key type, RSA
// modulus and exponent, EC curve or Ed25519 point, KCV and PKIX DER value.
func Public(pub any) (*hsm.Object, error) {
	der, err := mech.MarshalPublicKeyDER(pub)
	if err != nil {
		return nil, err
	}
	o := &hsm.Object{Value: der, KCV: mech.PublicDERCheckValue(der)}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		o.KeyType = hsm.KeyTypeRSA
		o.Modulus = k.N.Bytes()
		o.ModulusBits = k.N.BitLen()
		o.PublicExponent = k.E
		o.ValueLen = 2 * len(o.Modulus)
	case *mech.ECPublicKey:
		o.KeyType = hsm.KeyTypeEC
		o.CurveID = k.CurveID
		o.ValueLen = len(der)
		// The HSM reports an EC key's public point where an RSA key has its
		// modulus, and the curve size as its bit length.
		if pt, err := k.Bytes(); err == nil {
			o.Modulus = pt
		}
		if ci, err := mech.CurveByID(k.CurveID); err == nil {
			o.ModulusBits = ci.Bits
		}
	case *dsa.PublicKey:
		o.KeyType = hsm.KeyTypeDSA
		o.ValueLen = len(der)
	case ed25519.PublicKey:
		// An Ed25519 key reports its encoded point (RFC 8032) where an EC
		// key has its public point, and the curve's field size, 255 bits.
		o.KeyType = hsm.KeyTypeECEdwards
		o.ValueLen = len(der)
		o.Modulus = append([]byte(nil), k...)
		o.ModulusBits = 255
	case *mech.MLDSAPublicKey:
		// An ML-DSA key's size is its FIPS 204 encoding's (1312 bytes
		// for ML-DSA-44), as the CLI's key-length-bytes shows it.
		o.KeyType = hsm.KeyTypeMLDSA
		o.ParameterSet = int(k.Set)
		o.ValueLen = len(k.Bytes)
	default:
		return nil, fmt.Errorf("unsupported public key type %T", pub)
	}
	o.PublicDefaults()
	return o, nil
}

// Private builds the HSM object of a private key; its value is the
// PKCS #8 DER, and its KCV is that of its public key, so both halves of a
// pair carry the same check value.
func Private(priv any) (*hsm.Object, error) {
	_, o, err := Pair(priv)
	return o, err
}

// Pair builds the objects of both halves of a private key, as Public and
// Private do, encoding the public key once.
func Pair(priv any) (pub, pv *hsm.Object, err error) {
	der, err := mech.MarshalPrivateKeyDER(priv)
	if err != nil {
		return nil, nil, err
	}
	pub, err = Public(mech.PublicOf(priv))
	if err != nil {
		return nil, nil, err
	}
	return pub, privateObject(pub, der), nil
}

// privateObject is the object of a private key of PKCS #8 DER der whose
// public half's object is pub; the two share no slices.
func privateObject(pub *hsm.Object, der []byte) *hsm.Object {
	o := &hsm.Object{
		KeyType: pub.KeyType, Value: der, KCV: bytes.Clone(pub.KCV), Modulus: bytes.Clone(pub.Modulus),
		ModulusBits: pub.ModulusBits, PublicExponent: pub.PublicExponent, CurveID: pub.CurveID,
		ValueLen: pub.ValueLen, ParameterSet: pub.ParameterSet,
	}
	switch o.KeyType {
	case hsm.KeyTypeRSA:
	case hsm.KeyTypeMLDSA:
		// Its FIPS 204 size, as the CLI's key-length-bytes shows it.
		o.ValueLen = mech.MLDSAParameterSet(o.ParameterSet).PrivateKeySize()
	default:
		o.ValueLen = len(der)
	}
	o.PrivateDefaults()
	return o
}

// PrivateKey parses the private key material an object holds.
func PrivateKey(o *hsm.Object) (any, error) {
	if o.Class != hsm.ClassPrivate {
		return nil, fmt.Errorf("not a private key")
	}
	return mech.ParsePrivateKeyDER(o.Value)
}

// PublicKey returns the public key of a public or private key object.
func PublicKey(o *hsm.Object) (any, error) {
	switch o.Class {
	case hsm.ClassPublic:
		return mech.ParsePublicKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: o.Value}))
	case hsm.ClassPrivate:
		priv, err := PrivateKey(o)
		if err != nil {
			return nil, err
		}
		return mech.PublicOf(priv), nil
	}
	return nil, fmt.Errorf("not an asymmetric key")
}

// Secret builds the object of a secret key from its bytes, with the
// attributes a generated key gets.
func Secret(t hsm.KeyType, value []byte) (*hsm.Object, error) {
	kcv, err := mech.CheckValue(mech.KeyType(t), value)
	if err != nil {
		return nil, err
	}
	o := &hsm.Object{KeyType: t, Value: append([]byte(nil), value...), ValueLen: len(value), KCV: kcv}
	o.SecretDefaults()
	return o, nil
}

// Reported is the object as the tools' getAttribute report it. EC keys
// report their public point as OBJ_ATTR_MODULUS and the curve size as
// OBJ_ATTR_MODULUS_BITS (genECCKeyPair.md); an object built without them
// gets them from its key material here. Both tools read attributes through
// it, so they report the same values.
func Reported(o *hsm.Object) *hsm.Object {
	if o.KeyType != hsm.KeyTypeEC || len(o.Modulus) > 0 && o.ModulusBits > 0 {
		return o
	}
	v := o.Clone()
	pub, err := PublicKey(o)
	if err != nil {
		return v
	}
	ec, ok := pub.(*mech.ECPublicKey)
	if !ok {
		return v
	}
	if len(v.Modulus) == 0 {
		if pt, err := ec.Bytes(); err == nil {
			v.Modulus = pt
		}
	}
	if v.ModulusBits == 0 {
		if ci, err := mech.CurveByID(ec.CurveID); err == nil {
			v.ModulusBits = ci.Bits
		}
	}
	return v
}
