package cert

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Attribute is one RDN of a distinguished name, as "openssl req -subj"
// spells it: /C=US/O=Example/CN=rootCA is three of them.
type Attribute struct{ Type, Value string }

// nameOIDs are the attribute types -subj accepts by their short names.
var nameOIDs = map[string]keyder.OID{
	"C":            {2, 5, 4, 6},
	"ST":           {2, 5, 4, 8},
	"L":            {2, 5, 4, 7},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"CN":           {2, 5, 4, 3},
	"emailAddress": {1, 2, 840, 113549, 1, 9, 1},
}

// ParseSubject reads an "openssl req -subj" name: /TYPE=value/... .
func ParseSubject(s string) ([]Attribute, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("name is expected to be in the format /type0=value0/type1=value1/type2=... where characters may be escaped by \\. This name is not in that format: '%s'", s)
	}
	var out []Attribute
	for _, part := range strings.Split(s[1:], "/") {
		if part == "" {
			continue
		}
		typ, val, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("Hit end of string before finding the '='")
		}
		if _, known := nameOIDs[typ]; !known {
			return nil, fmt.Errorf("Skipping unknown subject name attribute \"%s\"", typ)
		}
		if val == "" {
			continue
		}
		if typ == "C" && len(val) != 2 {
			return nil, fmt.Errorf("string too long (country name must be 2 characters): %s", val)
		}
		out = append(out, Attribute{typ, val})
	}
	if len(out) == 0 {
		return nil, errors.New("no objects specified in config file")
	}
	return out, nil
}

// marshalName is the DER of a Name of one attribute per RDN, in order;
// country names are PrintableString, e-mail addresses IA5String, the rest
// UTF8String (OpenSSL's default string mask).
func marshalName(attrs []Attribute) ([]byte, error) {
	var rdns [][]byte
	for _, a := range attrs {
		tag := byte(keyder.TagUTF8String)
		switch a.Type {
		case "C":
			tag = keyder.TagPrintableString
		case "emailAddress":
			tag = keyder.TagIA5String
		}
		oid, ok := nameOIDs[a.Type]
		if !ok {
			return nil, fmt.Errorf("unknown name attribute %q", a.Type)
		}
		rdns = append(rdns, keyder.SetOf(keyder.Sequence(oid.Element(), keyder.String(tag, a.Value))))
	}
	return keyder.Sequence(rdns...), nil
}

// Hash is a digest a certificate is signed with.
type Hash int

// Digests of "openssl req -sha256|-sha384|-sha512".
const (
	SHA256 Hash = iota
	SHA384
	SHA512
)

var (
	oidSHA256WithRSA   = keyder.OID{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = keyder.OID{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = keyder.OID{1, 2, 840, 113549, 1, 1, 13}
	oidECDSAWithSHA256 = keyder.OID{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = keyder.OID{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = keyder.OID{1, 2, 840, 10045, 4, 3, 4}

	oidSubjectKeyID   = keyder.OID{2, 5, 29, 14}
	oidAuthorityKeyID = keyder.OID{2, 5, 29, 35}
	oidBasicConstr    = keyder.OID{2, 5, 29, 19}
)

func (h Hash) sum(data []byte) ([]byte, crypto.Hash) {
	switch h {
	case SHA384:
		s := sha512.Sum384(data)
		return s[:], crypto.SHA384
	case SHA512:
		s := sha512.Sum512(data)
		return s[:], crypto.SHA512
	}
	s := sha256.Sum256(data)
	return s[:], crypto.SHA256
}

// extension is RFC 5280 4.1 Extension, critical written only when true.
func extension(oid keyder.OID, critical bool, value []byte) []byte {
	if critical {
		return keyder.Sequence(oid.Element(), keyder.Bool(true), keyder.OctetString(value))
	}
	return keyder.Sequence(oid.Element(), keyder.OctetString(value))
}

// SelfSigned makes the certificate "openssl req -new -x509" makes of a key:
// version 3, a random 20-byte serial number, the subject as its own
// issuer, valid from notBefore for days days, with the extensions OpenSSL 3
// adds (subject and authority key identifiers, basicConstraints CA:TRUE,
// critical). priv is an *rsa.PrivateKey or a *mech.ECKey.
func SelfSigned(r io.Reader, priv any, subject []Attribute, notBefore time.Time, days int, h Hash) ([]byte, error) {
	var pub any
	var oid keyder.OID
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
		oid = []keyder.OID{oidSHA256WithRSA, oidSHA384WithRSA, oidSHA512WithRSA}[h]
	case *mech.ECKey:
		pub = k.Public()
		oid = []keyder.OID{oidECDSAWithSHA256, oidECDSAWithSHA384, oidECDSAWithSHA512}[h]
	default:
		return nil, fmt.Errorf("cannot sign a certificate with a %T", priv)
	}
	spki, err := mech.MarshalPublicKeyDER(pub)
	if err != nil {
		return nil, err
	}
	name, err := marshalName(subject)
	if err != nil {
		return nil, err
	}
	serial := make([]byte, 20)
	if _, err := io.ReadFull(r, serial); err != nil {
		return nil, err
	}
	serial[0] &= 0x7f // positive, as OpenSSL's are
	// The key identifier is the SHA-1 of the public key's bit string
	// (RFC 5280 4.2.1.2, method 1), what OpenSSL writes.
	info, err := keyder.ParsePublicKeyInfo(spki)
	if err != nil {
		return nil, err
	}
	kid := sha1.Sum(info.PublicKey)
	alg := keyder.AlgorithmIdentifier{Algorithm: oid, Parameters: nullParams(oid)}
	tbs := keyder.Sequence(
		keyder.Explicit(0, keyder.Int(2)),
		keyder.Integer(new(big.Int).SetBytes(serial)),
		alg.Element(),
		name,
		keyder.Sequence(keyder.Time(notBefore.UTC()), keyder.Time(notBefore.UTC().AddDate(0, 0, days))),
		name,
		spki,
		keyder.Explicit(3, keyder.Sequence(
			extension(oidSubjectKeyID, false, keyder.OctetString(kid[:])),
			extension(oidAuthorityKeyID, false, keyder.Sequence(keyder.Implicit(0, kid[:]))),
			extension(oidBasicConstr, true, keyder.Sequence(keyder.Bool(true))),
		)),
	)
	digest, ch := h.sum(tbs)
	var sig []byte
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, ch, digest)
	case *mech.ECKey:
		sig, err = mech.SignDigestECDSA(r, k, digest)
	}
	if err != nil {
		return nil, err
	}
	return keyder.Sequence(tbs, alg.Element(), keyder.BitString(sig)), nil
}

// nullParams are an algorithm's parameters: NULL for RSA, absent for ECDSA
// (RFC 4055, RFC 5758).
func nullParams(alg keyder.OID) []byte {
	if alg[len(alg)-2] == 1 && alg[0] == 1 && alg[2] == 840 && alg[3] == 113549 {
		return keyder.Null()
	}
	return nil
}
