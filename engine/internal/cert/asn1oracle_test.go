package cert

// The certificate writer as it was written with encoding/asn1, kept as the
// oracle the hand-written one is compared against (create_test.go).

import (
	"crypto/rsa"
	"crypto/sha1"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

type asn1AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type asn1AttributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// asn1MarshalName is the DER of a Name of one attribute per RDN, in order;
// country names are PrintableString, the rest UTF8String (OpenSSL's
// default string mask).
func asn1MarshalName(attrs []Attribute) ([]byte, error) {
	var rdns [][]asn1AttributeTypeAndValue
	for _, a := range attrs {
		tag := asn1.TagUTF8String
		if a.Type == "C" {
			tag = asn1.TagPrintableString
		}
		v := asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(a.Value)}
		if a.Type == "emailAddress" {
			v.Tag = asn1.TagIA5String
		}
		rdns = append(rdns, []asn1AttributeTypeAndValue{{Type: asn1.ObjectIdentifier(nameOIDs[a.Type]), Value: v}})
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

var (
	asn1OidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	asn1OidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	asn1OidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	asn1OidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	asn1OidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	asn1OidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}

	asn1OidSubjectKeyID   = asn1.ObjectIdentifier{2, 5, 29, 14}
	asn1OidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	asn1OidBasicConstr    = asn1.ObjectIdentifier{2, 5, 29, 19}
)

type asn1Extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool `asn1:"optional"`
	Value    []byte
}

type asn1BasicConstraints struct {
	IsCA bool `asn1:"optional"`
}

type asn1AuthorityKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

type asn1TbsOut struct {
	Version    int `asn1:"explicit,tag:0"`
	Serial     *big.Int
	Algorithm  asn1AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   asn1ValidityOut
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	Extensions []asn1Extension `asn1:"explicit,tag:3"`
}

type asn1ValidityOut struct {
	NotBefore, NotAfter time.Time
}

type asn1CertificateOut struct {
	TBS       asn1.RawValue
	Algorithm asn1AlgorithmIdentifier
	Signature asn1.BitString
}

// asn1SelfSigned makes the certificate "openssl req -new -x509" makes of a key:
// version 3, a random 20-byte serial number, the subject as its own
// issuer, valid from notBefore for days days, with the extensions OpenSSL 3
// adds (subject and authority key identifiers, asn1BasicConstraints CA:TRUE,
// critical). priv is an *rsa.PrivateKey or a *mech.ECKey.
func asn1SelfSigned(r io.Reader, priv any, subject []Attribute, notBefore time.Time, days int, h Hash) ([]byte, error) {
	var pub any
	var alg asn1.ObjectIdentifier
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		pub = &k.PublicKey
		alg = []asn1.ObjectIdentifier{asn1OidSHA256WithRSA, asn1OidSHA384WithRSA, asn1OidSHA512WithRSA}[h]
	case *mech.ECKey:
		pub = k.Public()
		alg = []asn1.ObjectIdentifier{asn1OidECDSAWithSHA256, asn1OidECDSAWithSHA384, asn1OidECDSAWithSHA512}[h]
	default:
		return nil, fmt.Errorf("cannot sign a certificate with a %T", priv)
	}
	spki, err := mech.MarshalPublicKeyDER(pub)
	if err != nil {
		return nil, err
	}
	name, err := asn1MarshalName(subject)
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
	aki, _ := asn1.Marshal(asn1AuthorityKeyID{ID: kid[:]})
	bc, _ := asn1.Marshal(asn1BasicConstraints{IsCA: true})
	tbs, err := asn1.Marshal(asn1TbsOut{
		Version:   2,
		Serial:    new(big.Int).SetBytes(serial),
		Algorithm: asn1AlgorithmIdentifier{Algorithm: alg, Parameters: asn1NullParams(alg)},
		Issuer:    asn1.RawValue{FullBytes: name},
		Validity:  asn1ValidityOut{notBefore.UTC(), notBefore.UTC().AddDate(0, 0, days)},
		Subject:   asn1.RawValue{FullBytes: name},
		PublicKey: asn1.RawValue{FullBytes: spki},
		Extensions: []asn1Extension{
			{ID: asn1OidSubjectKeyID, Value: ski},
			{ID: asn1OidAuthorityKeyID, Value: aki},
			{ID: asn1OidBasicConstr, Critical: true, Value: bc},
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
	return asn1.Marshal(asn1CertificateOut{
		TBS:       asn1.RawValue{FullBytes: tbs},
		Algorithm: asn1AlgorithmIdentifier{Algorithm: alg, Parameters: asn1NullParams(alg)},
		Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

// asn1NullParams are an algorithm's parameters: NULL for RSA, absent for ECDSA
// (RFC 4055, RFC 5758).
func asn1NullParams(alg asn1.ObjectIdentifier) asn1.RawValue {
	if alg[len(alg)-2] == 1 && alg[0] == 1 && alg[2] == 840 && alg[3] == 113549 {
		return asn1.RawValue{FullBytes: []byte{5, 0}}
	}
	return asn1.RawValue{}
}
