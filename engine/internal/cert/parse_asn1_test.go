package cert

// The certificate reader as it was written with encoding/asn1, kept as the
// oracle FuzzParse compares the hand-written one against.

import (
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// asn1AlgorithmIdentifier is RFC 5280 4.1.1.2.

// asn1CertificateASN is RFC 5280 4.1 Certificate.
type asn1CertificateASN struct {
	TBS       asn1.RawValue
	Algorithm asn1AlgorithmIdentifier
	Signature asn1.BitString
}

// asn1TbsASN is RFC 5280 4.1 TBSCertificate.
type asn1TbsASN struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	Algorithm  asn1AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   asn1ValidityASN
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	IssuerUID  asn1.BitString `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString `asn1:"optional,tag:2"`
	Extensions asn1.RawValue  `asn1:"optional,explicit,tag:3"`
}

type asn1ValidityASN struct {
	NotBefore, NotAfter asn1.RawValue
}

func asn1UnmarshalExact(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes after it", len(rest))
	}
	return nil
}

// asn1Parse reads one (with encoding/asn1: the oracle of FuzzParse) certificate's DER.
func asn1Parse(der []byte) (*Certificate, error) {
	var c asn1CertificateASN
	if err := asn1UnmarshalExact(der, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var tbs asn1TbsASN
	if err := asn1UnmarshalExact(c.TBS.FullBytes, &tbs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case tbs.Version < 0 || tbs.Version > 2:
		return nil, fmt.Errorf("%w: version %d", ErrMalformed, tbs.Version+1)
	case tbs.Serial == nil:
		return nil, fmt.Errorf("%w: no serial number", ErrMalformed)
	case !tbs.Algorithm.Algorithm.Equal(c.Algorithm.Algorithm):
		return nil, fmt.Errorf("%w: its two signature algorithms differ", ErrMalformed)
	case !asn1IsName(tbs.Issuer) || !asn1IsName(tbs.Subject):
		return nil, fmt.Errorf("%w: a name is not a sequence", ErrMalformed)
	case !asn1IsTime(tbs.Validity.NotBefore) || !asn1IsTime(tbs.Validity.NotAfter):
		return nil, fmt.Errorf("%w: its validity is not two times", ErrMalformed)
	}
	pub, err := mech.ParsePublicKeyDER(tbs.PublicKey.FullBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: its public key: %v", ErrMalformed, err)
	}
	return &Certificate{Raw: der, Subject: tbs.Subject.FullBytes, Issuer: tbs.Issuer.FullBytes, PublicKey: pub}, nil
}

func asn1IsName(v asn1.RawValue) bool {
	return v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence && v.IsCompound
}

func asn1IsTime(v asn1.RawValue) bool {
	return v.Class == asn1.ClassUniversal && (v.Tag == asn1.TagUTCTime || v.Tag == asn1.TagGeneralizedTime)
}
