package hsm

import (
	"encoding/binary"
	"math/big"
)

// Attribute constants, from key-attribute-table.md.
const (
	AttrClass            = 0
	AttrToken            = 1
	AttrPrivate          = 2
	AttrLabel            = 3
	AttrTrusted          = 134
	AttrKeyType          = 256
	AttrID               = 258
	AttrSensitive        = 259
	AttrEncrypt          = 260
	AttrDecrypt          = 261
	AttrWrap             = 262
	AttrUnwrap           = 263
	AttrSign             = 264
	AttrVerify           = 266
	AttrDerive           = 268
	AttrModulus          = 288
	AttrModulusBits      = 289
	AttrPublicExponent   = 290
	AttrValueLen         = 353
	AttrExtractable      = 354
	AttrLocal            = 355
	AttrNeverExtractable = 356
	AttrAlwaysSensitive  = 357
	AttrDestroyable      = 370
	AttrKCV              = 371
	AttrAll              = 512
	AttrWrapWithTrusted  = 528
	AttrWrapTemplate     = 1073742353
	AttrUnwrapTemplate   = 1073742354
)

// AttrNames maps each constant to the name the tools print.
var AttrNames = map[int]string{
	AttrClass: "OBJ_ATTR_CLASS", AttrToken: "OBJ_ATTR_TOKEN", AttrPrivate: "OBJ_ATTR_PRIVATE",
	AttrLabel: "OBJ_ATTR_LABEL", AttrTrusted: "OBJ_ATTR_TRUSTED", AttrKeyType: "OBJ_ATTR_KEY_TYPE",
	AttrID: "OBJ_ATTR_ID", AttrSensitive: "OBJ_ATTR_SENSITIVE", AttrEncrypt: "OBJ_ATTR_ENCRYPT",
	AttrDecrypt: "OBJ_ATTR_DECRYPT", AttrWrap: "OBJ_ATTR_WRAP", AttrUnwrap: "OBJ_ATTR_UNWRAP",
	AttrSign: "OBJ_ATTR_SIGN", AttrVerify: "OBJ_ATTR_VERIFY", AttrDerive: "OBJ_ATTR_DERIVE",
	AttrModulus: "OBJ_ATTR_MODULUS", AttrModulusBits: "OBJ_ATTR_MODULUS_BITS",
	AttrPublicExponent: "OBJ_ATTR_PUBLIC_EXPONENT", AttrValueLen: "OBJ_ATTR_VALUE_LEN",
	AttrExtractable: "OBJ_ATTR_EXTRACTABLE", AttrLocal: "OBJ_ATTR_LOCAL",
	AttrNeverExtractable: "OBJ_ATTR_NEVER_EXTRACTABLE", AttrAlwaysSensitive: "OBJ_ATTR_ALWAYS_SENSITIVE",
	AttrDestroyable: "OBJ_ATTR_DESTROYABLE", AttrKCV: "OBJ_ATTR_KCV", AttrAll: "OBJ_ATTR_ALL",
	AttrWrapWithTrusted: "OBJ_ATTR_WRAP_WITH_TRUSTED", AttrWrapTemplate: "OBJ_ATTR_WRAP_TEMPLATE",
	AttrUnwrapTemplate: "OBJ_ATTR_UNWRAP_TEMPLATE",
}

// AttrKind says how an attribute's value is encoded and printed.
type AttrKind int

const (
	KindBool   AttrKind = iota // one byte, 0x00 or 0x01
	KindByte                   // one byte (class, key type)
	KindUint32                 // four bytes big-endian (lengths)
	KindBytes                  // a big-endian number or digest, printed in hex with 0x
	KindString                 // label, id
	KindPoint                  // an EC point, printed in bare hex on one line
)

// AttrValue is one attribute of one object, as getAttribute reports it.
type AttrValue struct {
	ID    int      `json:"id"`
	Name  string   `json:"name"`
	Kind  AttrKind `json:"kind"`
	Bytes []byte   `json:"bytes"` // raw value; for KindString the UTF-8 text
}

// Uint is the value as a number (bools, bytes, lengths).
func (a AttrValue) Uint() uint64 {
	var v uint64
	for _, b := range a.Bytes {
		v = v<<8 | uint64(b)
	}
	return v
}

// labelFieldSize is the fixed size of the label and the ID in the
// attribute buffer the HSM returns.
const labelFieldSize = 144

// DumpSize is the byte size getAttribute -a 512 reports ("got all
// attributes of size N"): every attribute takes an 8-byte header (type and
// length) and its value, with the label and the ID in fixed fields of 144
// bytes. This model reproduces the sizes of the AWS transcripts: 444 for a
// secret key (17 attributes), 529 for a P-256 private key (19) and 731 for
// a 2048-bit RSA public key of the older 20-attribute dump.
func DumpSize(attrs []AttrValue) int {
	n := 0
	for _, a := range attrs {
		n += 8
		if a.Kind == KindString {
			n += labelFieldSize
		} else {
			n += len(a.Bytes)
		}
	}
	return n
}

func boolAttr(id int, b bool) AttrValue {
	v := byte(0)
	if b {
		v = 1
	}
	return AttrValue{ID: id, Name: AttrNames[id], Kind: KindBool, Bytes: []byte{v}}
}

func u32Attr(id int, n int) AttrValue {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, uint32(n))
	return AttrValue{ID: id, Name: AttrNames[id], Kind: KindUint32, Bytes: b}
}

// trailingAttrs are the attributes the RSA dump of genRSAKeyPair.md ends
// with. The secret-key and EC dumps of the other pages do not list them,
// but the HSM still answers them when asked for one by one.
func (o *Object) trailingAttrs() []AttrValue {
	return []AttrValue{
		boolAttr(AttrTrusted, o.Trusted),
		boolAttr(AttrWrapWithTrusted, o.WrapWithTrusted),
		boolAttr(AttrDestroyable, o.Destroyable),
		boolAttr(AttrDerive, o.Derive),
		boolAttr(AttrAlwaysSensitive, o.AlwaysSensitive),
		boolAttr(AttrNeverExtractable, o.NeverExtractable),
	}
}

// Attributes lists the object's attributes in the order getAttribute -a 512
// dumps them, with the sets the AWS transcripts show: the 17 common ones
// for a secret key (getAttribute.md, genSymKey.md); for an EC key those plus
// the public point as OBJ_ATTR_MODULUS and OBJ_ATTR_MODULUS_BITS, 19
// (genECCKeyPair.md), and the same for an Ed25519 key, its encoded point
// and 255 bits; for an RSA key those plus modulus, modulus bits,
// public exponent and six more flags, 26 (genRSAKeyPair.md). DSA keys have
// no documented dump and get the common 17.
//
// The EC point is o.Modulus; an EC object that does not carry it shows an
// empty value.
func (o *Object) Attributes() []AttrValue {
	out := []AttrValue{
		{ID: AttrClass, Name: AttrNames[AttrClass], Kind: KindByte, Bytes: []byte{byte(o.Class)}},
		{ID: AttrKeyType, Name: AttrNames[AttrKeyType], Kind: KindByte, Bytes: []byte{byte(o.KeyType)}},
		boolAttr(AttrToken, o.Token),
		boolAttr(AttrPrivate, o.Private),
		boolAttr(AttrEncrypt, o.Encrypt),
		boolAttr(AttrDecrypt, o.Decrypt),
		boolAttr(AttrWrap, o.Wrap),
		boolAttr(AttrUnwrap, o.Unwrap),
		boolAttr(AttrSign, o.Sign),
		boolAttr(AttrVerify, o.Verify),
		boolAttr(AttrLocal, o.Local),
		boolAttr(AttrSensitive, o.Sensitive),
		boolAttr(AttrExtractable, o.Extractable),
		{ID: AttrLabel, Name: AttrNames[AttrLabel], Kind: KindString, Bytes: []byte(o.Label)},
		{ID: AttrID, Name: AttrNames[AttrID], Kind: KindString, Bytes: []byte(o.KeyID)},
		u32Attr(AttrValueLen, o.ValueLen),
		{ID: AttrKCV, Name: AttrNames[AttrKCV], Kind: KindBytes, Bytes: o.KCV},
	}
	if o.Class == ClassSecret {
		return out
	}
	switch o.KeyType {
	case KeyTypeRSA:
		out = append(out,
			AttrValue{ID: AttrModulus, Name: AttrNames[AttrModulus], Kind: KindBytes, Bytes: o.Modulus},
			u32Attr(AttrModulusBits, o.ModulusBits),
			AttrValue{ID: AttrPublicExponent, Name: AttrNames[AttrPublicExponent], Kind: KindBytes,
				Bytes: new(big.Int).SetUint64(uint64(o.PublicExponent)).Bytes()},
		)
		out = append(out, o.trailingAttrs()...)
	case KeyTypeEC, KeyTypeECEdwards:
		out = append(out,
			AttrValue{ID: AttrModulus, Name: AttrNames[AttrModulus], Kind: KindPoint, Bytes: o.Modulus},
			u32Attr(AttrModulusBits, o.ModulusBits),
		)
	}
	return out
}

// Attribute returns one attribute of the object, or false when the object
// has no such attribute (for example OBJ_ATTR_MODULUS of an AES key).
func (o *Object) Attribute(id int) (AttrValue, bool) {
	for _, a := range o.Attributes() {
		if a.ID == id {
			return a, true
		}
	}
	for _, a := range o.trailingAttrs() {
		if a.ID == id {
			return a, true
		}
	}
	return AttrValue{}, false
}
