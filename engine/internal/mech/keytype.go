package mech

import "strconv"

// KeyType is the key_mgmt_util key type number (OBJ_ATTR_KEY_TYPE, the -kt
// and -t options). The values are the PKCS #11 CKK_* numbers the HSM uses,
// so they are typed rather than iota-based: they must never be renumbered.
type KeyType int

// Key types as key_mgmt_util numbers them.
const (
	KeyTypeRSA           KeyType = 0
	KeyTypeDSA           KeyType = 1
	KeyTypeEC            KeyType = 3
	KeyTypeGenericSecret KeyType = 16
	KeyTypeRC4           KeyType = 18
	KeyTypeDES3          KeyType = 21
	KeyTypeAES           KeyType = 31
	// KeyTypeECEdwards is CKK_EC_EDWARDS (0x40), the type of Ed25519
	// keys, which only CloudHSM CLI makes (as "ec" keys on the curve
	// ed25519); key_mgmt_util never had it.
	KeyTypeECEdwards KeyType = 64
)

// String returns the name key_mgmt_util prints for the type.
func (t KeyType) String() string {
	switch t {
	case KeyTypeRSA:
		return "RSA"
	case KeyTypeDSA:
		return "DSA"
	case KeyTypeEC:
		return "EC"
	case KeyTypeGenericSecret:
		return "GENERIC_SECRET"
	case KeyTypeRC4:
		return "RC4"
	case KeyTypeDES3:
		return "DES3"
	case KeyTypeAES:
		return "AES"
	case KeyTypeECEdwards:
		return "EC_EDWARDS"
	case KeyTypeMLDSA:
		return "ML_DSA"
	}
	return "KeyType(" + strconv.Itoa(int(t)) + ")"
}

// IsSymmetric reports whether keys of this type are secret keys (class 4),
// as opposed to key pairs.
func (t KeyType) IsSymmetric() bool {
	switch t {
	case KeyTypeGenericSecret, KeyTypeRC4, KeyTypeDES3, KeyTypeAES:
		return true
	}
	return false
}

// IsAsymmetric reports whether keys of this type come as key pairs.
func (t KeyType) IsAsymmetric() bool {
	switch t {
	case KeyTypeRSA, KeyTypeDSA, KeyTypeEC, KeyTypeECEdwards, KeyTypeMLDSA:
		return true
	}
	return false
}

// SDK3 reports whether key_mgmt_util and cloudhsm_mgmt_util (Client SDK 3)
// know the type: every type but Ed25519's and ML-DSA's, which only
// CloudHSM CLI makes.
func (t KeyType) SDK3() bool {
	return t.IsSymmetric() || t == KeyTypeRSA || t == KeyTypeDSA || t == KeyTypeEC
}
