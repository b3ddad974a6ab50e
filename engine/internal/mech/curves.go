package mech

import (
	"fmt"
	"slices"
	"strconv"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Curve is a key_mgmt_util genECCKeyPair -i curve id. The Curve* constants
// are untyped so they can be used both as a Curve and as the plain int that
// ECKey.CurveID and GenerateEC take.
type Curve int

// Curve ids as genECCKeyPair numbers them (AWS docs 2017–2019 revisions).
const (
	CurveP192      = 1 // NID_X9_62_prime192v1
	CurveP256      = 2 // NID_X9_62_prime256v1
	CurveSect163k1 = 3
	CurveSect163r2 = 4
	CurveSect233k1 = 5
	CurveSect233r1 = 6
	CurveSect283k1 = 7
	CurveSect283r1 = 8
	CurveSect409k1 = 9
	CurveSect409r1 = 10
	CurveSect571k1 = 11
	CurveSect571r1 = 12
	CurveP224      = 13 // NID_secp224r1
	CurveP384      = 14 // NID_secp384r1
	CurveP521      = 15 // NID_secp521r1
	CurveSecp256k1 = 16 // NID_secp256k1
)

// CurveInfo describes one curve id.
type CurveInfo struct {
	ID int
	// Name is the OpenSSL NID name key_mgmt_util prints, e.g.
	// "NID_X9_62_prime256v1".
	Name string
	// ShortName is the OpenSSL curve name (e.g. "prime256v1"), handy for
	// openssl ecparam -name.
	ShortName string
	// Bits is the field size, which is also the order size for these curves.
	Bits int
	// OID is the namedCurve object identifier used in PKIX/PKCS #8.
	OID keyder.OID
	// Supported reports whether the simulated HSM generates keys on it:
	// the curves the PKCS #11 key-type pages list (secp224r1, secp256r1,
	// secp256k1, secp384r1, secp521r1). The rest exist only as ids.
	Supported bool
}

// curveList is the table of curve ids, in id order. It is never handed
// out: callers get copies with their own OID slices, so none can change it.
var curveList = []CurveInfo{
	{CurveP192, "NID_X9_62_prime192v1", "prime192v1", 192, keyder.OID{1, 2, 840, 10045, 3, 1, 1}, false},
	{CurveP256, "NID_X9_62_prime256v1", "prime256v1", 256, keyder.OID{1, 2, 840, 10045, 3, 1, 7}, true},
	{CurveSect163k1, "NID_sect163k1", "sect163k1", 163, keyder.OID{1, 3, 132, 0, 1}, false},
	{CurveSect163r2, "NID_sect163r2", "sect163r2", 163, keyder.OID{1, 3, 132, 0, 15}, false},
	{CurveSect233k1, "NID_sect233k1", "sect233k1", 233, keyder.OID{1, 3, 132, 0, 26}, false},
	{CurveSect233r1, "NID_sect233r1", "sect233r1", 233, keyder.OID{1, 3, 132, 0, 27}, false},
	{CurveSect283k1, "NID_sect283k1", "sect283k1", 283, keyder.OID{1, 3, 132, 0, 16}, false},
	{CurveSect283r1, "NID_sect283r1", "sect283r1", 283, keyder.OID{1, 3, 132, 0, 17}, false},
	{CurveSect409k1, "NID_sect409k1", "sect409k1", 409, keyder.OID{1, 3, 132, 0, 36}, false},
	{CurveSect409r1, "NID_sect409r1", "sect409r1", 409, keyder.OID{1, 3, 132, 0, 37}, false},
	{CurveSect571k1, "NID_sect571k1", "sect571k1", 571, keyder.OID{1, 3, 132, 0, 38}, false},
	{CurveSect571r1, "NID_sect571r1", "sect571r1", 571, keyder.OID{1, 3, 132, 0, 39}, false},
	{CurveP224, "NID_secp224r1", "secp224r1", 224, keyder.OID{1, 3, 132, 0, 33}, true},
	{CurveP384, "NID_secp384r1", "secp384r1", 384, keyder.OID{1, 3, 132, 0, 34}, true},
	{CurveP521, "NID_secp521r1", "secp521r1", 521, keyder.OID{1, 3, 132, 0, 35}, true},
	{CurveSecp256k1, "NID_secp256k1", "secp256k1", 256, keyder.OID{1, 3, 132, 0, 10}, true},
}

// curveEntry is the table's entry for id, or nil; for reading only.
func curveEntry(id int) *CurveInfo {
	if id < 1 || id > len(curveList) {
		return nil
	}
	return &curveList[id-1]
}

// curveTable returns a copy of the table.
func curveTable() []CurveInfo {
	t := make([]CurveInfo, len(curveList))
	for i, c := range curveList {
		c.OID = slices.Clone(c.OID)
		t[i] = c
	}
	return t
}

// CurveIDs returns all 16 curve ids key_mgmt_util defines, in id order.
func CurveIDs() []CurveInfo { return curveTable() }

// CurveByID looks up a genECCKeyPair -i value. Unknown ids give
// ErrUnknownCurve; known but unsupported ids are returned with
// Supported == false and no error, so callers can print their name.
func CurveByID(id int) (CurveInfo, error) {
	e := curveEntry(id)
	if e == nil {
		return CurveInfo{}, fmt.Errorf("%w: %d", ErrUnknownCurve, id)
	}
	c := *e
	c.OID = slices.Clone(c.OID)
	return c, nil
}

// curveByOID maps a namedCurve OID to its curve id.
func curveByOID(oid keyder.OID) (CurveInfo, error) {
	for _, c := range curveList {
		if c.OID.Equal(oid) {
			c.OID = slices.Clone(c.OID)
			return c, nil
		}
	}
	return CurveInfo{}, fmt.Errorf("%w: curve OID %v", ErrUnsupportedKey, oid)
}

// supportedCurve returns the curve info if id is known and supported.
func supportedCurve(id int) (*CurveInfo, error) {
	c := curveEntry(id)
	if c == nil {
		return nil, fmt.Errorf("%w: %d", ErrUnknownCurve, id)
	}
	if !c.Supported {
		return nil, fmt.Errorf("%w: %s (id %d)", ErrCurveNotSupported, c.Name, id)
	}
	return c, nil
}

// Info returns the curve's description.
func (c Curve) Info() (CurveInfo, error) { return CurveByID(int(c)) }

// String returns the NID name, or "Curve(n)" for unknown ids.
func (c Curve) String() string {
	if info, err := CurveByID(int(c)); err == nil {
		return info.Name
	}
	return "Curve(" + strconv.Itoa(int(c)) + ")"
}
