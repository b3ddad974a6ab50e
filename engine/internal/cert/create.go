package cert

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// Attribute is one RDN of a distinguished name, as "openssl req -subj"
// spells it: /C=US/O=Example/CN=rootCA is three of them.
type Attribute struct{ Type, Value string }

// nameOIDs are the attribute types -subj accepts by their short names.
var nameOIDs = map[string]asn1.ObjectIdentifier{
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

type attributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// marshalName is the DER of a Name of one attribute per RDN, in order;
// country names are PrintableString, the rest UTF8String (OpenSSL's
// default string mask).
func marshalName(attrs []Attribute) ([]byte, error) {
	var rdns [][]attributeTypeAndValue
	for _, a := range attrs {
		tag := asn1.TagUTF8String
		if a.Type == "C" {
			tag = asn1.TagPrintableString
		}
		v := asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(a.Value)}
		if a.Type == "emailAddress" {
			v.Tag = asn1.TagIA5String
		}
		rdns = append(rdns, []attributeTypeAndValue{{Type: nameOIDs[a.Type], Value: v}})
	}
	// A SET OF a single element: encoding/asn1 writes a slice of slices
	// as SEQUENCE OF SEQUENCE, so each RDN is marshalled with the set tag.
	var seq []asn1.RawValue
	for _, r := range rdns {
		b, err := asn1.MarshalWithParams(r, "set")
		if err != nil {
			return nil, err
		}
		seq = append(seq, asn1.RawValue{FullBytes: b})
	}
	return asn1.Marshal(seq)
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
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}

	oidSubjectKeyID   = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidBasicConstr    = asn1.ObjectIdentifier{2, 5, 29, 19}
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

type extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool `asn1:"optional"`
	Value    []byte
}

type basicConstraints struct {
	IsCA bool `asn1:"optional"`
}

type authorityKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

type tbsOut struct {
	Version    int `asn1:"explicit,tag:0"`
	Serial     *big.Int
	Algorithm  algorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validityOut
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	Extensions []extension `asn1:"explicit,tag:3"`
}

type validityOut struct {
	NotBefore, NotAfter time.Time
}

type certificateOut struct {
	TBS       asn1.RawValue
	Algorithm algorithmIdentifier
	Signature asn1.BitString
}

// SelfSigned makes the certificate "openssl req -new -x509" makes of a key:
// version 3, a random 20-byte serial number, the subject as its own
// issuer, valid from notBefore for days days, with the extensions OpenSSL 3
// adds (subject and authority key identifiers, basicConstraints CA:TRUE,
// critical). priv is an *rsa.PrivateKey or a *mech.ECKey.
func SelfSigned(r io.Reader, priv any, subject []Attribute, notBefore time.Time, days int, h Hash) ([]byte, error) {
	var pub any
	var alg asn1.ObjectIdentifier
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
		alg = []asn1.ObjectIdentifier{oidSHA256WithRSA, oidSHA384WithRSA, oidSHA512WithRSA}[h]
	case *mech.ECKey:
		pub = k.Public()
		alg = []asn1.ObjectIdentifier{oidECDSAWithSHA256, oidECDSAWithSHA384, oidECDSAWithSHA512}[h]
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
	var info struct {
		Algorithm asn1.RawValue
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	kid := sha1.Sum(info.Key.Bytes)
	ski, _ := asn1.Marshal(kid[:])
	aki, _ := asn1.Marshal(authorityKeyID{ID: kid[:]})
	bc, _ := asn1.Marshal(basicConstraints{IsCA: true})
	tbs, err := asn1.Marshal(tbsOut{
		Version:   2,
		Serial:    new(big.Int).SetBytes(serial),
		Algorithm: algorithmIdentifier{Algorithm: alg, Parameters: nullParams(alg)},
		Issuer:    asn1.RawValue{FullBytes: name},
		Validity:  validityOut{notBefore.UTC(), notBefore.UTC().AddDate(0, 0, days)},
		Subject:   asn1.RawValue{FullBytes: name},
		PublicKey: asn1.RawValue{FullBytes: spki},
		Extensions: []extension{
			{ID: oidSubjectKeyID, Value: ski},
			{ID: oidAuthorityKeyID, Value: aki},
			{ID: oidBasicConstr, Critical: true, Value: bc},
		},
	})
	if err != nil {
		return nil, err
	}
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
	return asn1.Marshal(certificateOut{
		TBS:       asn1.RawValue{FullBytes: tbs},
		Algorithm: algorithmIdentifier{Algorithm: alg, Parameters: nullParams(alg)},
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

// nullParams are an algorithm's parameters: NULL for RSA, absent for ECDSA
// (RFC 4055, RFC 5758).
func nullParams(alg asn1.ObjectIdentifier) asn1.RawValue {
	if alg[len(alg)-2] == 1 && alg[0] == 1 && alg[2] == 840 && alg[3] == 113549 {
		return asn1.RawValue{FullBytes: []byte{5, 0}}
	}
	return asn1.RawValue{}
}
