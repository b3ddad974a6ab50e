package hsm

import (
	"slices"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// Class is OBJ_ATTR_CLASS.
type Class int

// Object classes.
const (
	ClassPublic  Class = 2
	ClassPrivate Class = 3
	ClassSecret  Class = 4
)

func (c Class) String() string {
	switch c {
	case ClassPublic:
		return "public"
	case ClassPrivate:
		return "private"
	case ClassSecret:
		return "secret"
	}
	return "unknown"
}

// KeyType is OBJ_ATTR_KEY_TYPE, the numbering mech uses too.
type KeyType = mech.KeyType

// Key types.
const (
	KeyTypeRSA           = mech.KeyTypeRSA
	KeyTypeDSA           = mech.KeyTypeDSA
	KeyTypeEC            = mech.KeyTypeEC
	KeyTypeGenericSecret = mech.KeyTypeGenericSecret
	KeyTypeRC4           = mech.KeyTypeRC4
	KeyTypeDES3          = mech.KeyTypeDES3
	KeyTypeAES           = mech.KeyTypeAES
	KeyTypeECEdwards     = mech.KeyTypeECEdwards
	KeyTypeMLDSA         = mech.KeyTypeMLDSA
)

// FirstHandle is the lowest handle the simulated HSMs hand out; the seed
// walkthrough's handles are six-digit numbers from here up.
const FirstHandle uint64 = 524288

// Object is a key stored on an HSM node, with the attributes of
// key-attribute-table.md. Value holds the key material: the raw bytes of a
// secret key, the PKCS #8 DER of a private key, or the PKIX DER of a public
// key.
type Object struct {
	Handle  uint64  `json:"handle"`
	Class   Class   `json:"class"`
	KeyType KeyType `json:"keyType"`
	Label   string  `json:"label"`
	KeyID   string  `json:"id,omitempty"`
	Owner   int     `json:"owner"`
	Shared  []int   `json:"shared,omitempty"`
	MValue  int     `json:"mValue,omitempty"`
	// ManageMValue is CloudHSM CLI's manage-key-quorum-value: approvals
	// needed to manage the key (MValue is its use-key-quorum-value).
	ManageMValue int `json:"manageMValue,omitempty"`

	// Token is false for a session key, which lives only on the node its
	// session is connected to and goes when the session ends.
	Token bool `json:"token"`
	// Session names the login session that owns a session key.
	Session string `json:"session,omitempty"`

	Private          bool `json:"private"`
	Sensitive        bool `json:"sensitive"`
	Encrypt          bool `json:"encrypt"`
	Decrypt          bool `json:"decrypt"`
	Wrap             bool `json:"wrap"`
	Unwrap           bool `json:"unwrap"`
	Sign             bool `json:"sign"`
	Verify           bool `json:"verify"`
	Derive           bool `json:"derive"`
	Local            bool `json:"local"`
	Extractable      bool `json:"extractable"`
	NeverExtractable bool `json:"neverExtractable"`
	AlwaysSensitive  bool `json:"alwaysSensitive"`
	Destroyable      bool `json:"destroyable"`
	Trusted          bool `json:"trusted"`
	WrapWithTrusted  bool `json:"wrapWithTrusted"`
	// NotModifiable is CloudHSM CLI's modifiable=false, which once set
	// stays (the attribute table); keys are modifiable by default.
	NotModifiable bool `json:"notModifiable,omitempty"`

	ValueLen       int    `json:"valueLen"`
	KCV            []byte `json:"kcv"`
	Modulus        []byte `json:"modulus,omitempty"`
	ModulusBits    int    `json:"modulusBits,omitempty"`
	PublicExponent int    `json:"publicExponent,omitempty"`
	CurveID        int    `json:"curveId,omitempty"`
	// ParameterSet is an ML-DSA key's parameter set (CKA_PARAMETER_SET:
	// 1, 2, 3 for ML-DSA-44, -65, -87), the CLI's mldsa-algorithm.
	ParameterSet int `json:"parameterSet,omitempty"`

	Value []byte `json:"value"`

	// verify, when set, is the check of the key's material still to be
	// run at its first use (material.go).
	verify func(*Object) error
}

// Clone returns a deep copy, so nodes never share an *Object.
func (o *Object) Clone() *Object {
	c := *o
	c.Shared = slices.Clone(o.Shared)
	c.KCV = slices.Clone(o.KCV)
	c.Modulus = slices.Clone(o.Modulus)
	c.Value = slices.Clone(o.Value)
	return &c
}

// CloneSharingMaterial is Clone for the copies of a key read back from
// storage: each node gets its own *Object and sharing list, but the byte
// strings (KCV, Modulus, Value) are shared, which saves copying every key's
// material once per HSM when a large workspace opens. Nothing changes
// those byte strings in place (a key's material is replaced, never
// edited), and both sides are clipped to their length, so an append to
// one copy's never writes into the other's.
func (o *Object) CloneSharingMaterial() *Object {
	o.KCV, o.Modulus, o.Value = slices.Clip(o.KCV), slices.Clip(o.Modulus), slices.Clip(o.Value)
	c := *o
	c.Shared = slices.Clone(o.Shared)
	return &c
}

// SharedWith reports whether the key is shared with user id.
func (o *Object) SharedWith(id int) bool { return slices.Contains(o.Shared, id) }

// Equal reports whether two copies of an object agree, which is what
// decides whether nodes are in sync. It allocates only for sharing lists, so
// comparing a full cluster stays cheap.
func (o *Object) Equal(p *Object) bool {
	if o.Handle != p.Handle || o.Label != p.Label || o.KeyID != p.KeyID || o.Owner != p.Owner ||
		o.Token != p.Token || o.MValue != p.MValue || o.ManageMValue != p.ManageMValue ||
		o.NotModifiable != p.NotModifiable || o.attrBits() != p.attrBits() ||
		len(o.Shared) != len(p.Shared) || !slices.Equal(o.Value, p.Value) {
		return false
	}
	a, b := slices.Clone(o.Shared), slices.Clone(p.Shared)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func (o *Object) attrBits() [16]bool {
	return [16]bool{o.Private, o.Sensitive, o.Encrypt, o.Decrypt, o.Wrap, o.Unwrap, o.Sign, o.Verify,
		o.Derive, o.Local, o.Extractable, o.NeverExtractable, o.AlwaysSensitive, o.Destroyable,
		o.Trusted, o.WrapWithTrusted}
}

// SecretDefaults sets the attributes a generated secret key gets, as the
// genSymKey attribute dumps show: encrypt, decrypt, no wrap or sign for
// DES3; AES keys may also wrap and unwrap (the walkthrough uses genSymKey AES
// keys as wrapping keys).
func (o *Object) SecretDefaults() {
	o.Class = ClassSecret
	o.Private, o.Sensitive, o.Destroyable = true, true, true
	o.Encrypt, o.Decrypt = true, true
	o.Wrap = o.KeyType == KeyTypeAES
	o.Unwrap = o.KeyType == KeyTypeAES
	o.Extractable = true
	o.AlwaysSensitive = true
	if o.KeyType == KeyTypeGenericSecret {
		o.Encrypt, o.Decrypt = false, false
	}
}

// PublicDefaults sets the attributes of the public half of a pair, as the
// genRSAKeyPair dump shows (wrap, encrypt, verify; not sensitive).
func (o *Object) PublicDefaults() {
	o.Class = ClassPublic
	o.Private, o.Destroyable = true, true
	o.Encrypt = o.KeyType == KeyTypeRSA
	o.Wrap = o.KeyType == KeyTypeRSA
	o.Verify = true
	o.Extractable = true
}

// PrivateDefaults sets the attributes of the private half of a pair.
func (o *Object) PrivateDefaults() {
	o.Class = ClassPrivate
	o.Private, o.Sensitive, o.Destroyable = true, true, true
	o.Decrypt = o.KeyType == KeyTypeRSA
	o.Unwrap = o.KeyType == KeyTypeRSA
	o.Sign = true
	o.Extractable = true
	o.AlwaysSensitive = true
}
