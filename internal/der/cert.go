package der

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"time"
)

// Name is the part of an X.509 distinguished name (RFC 5280 4.1.2.4) that
// the tools' certificates carry: organisations, then the common name, as
// pkix.Name.ToRDNSequence orders them.
type Name struct {
	Organization []string
	CommonName   string
}

var (
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
)

type attributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value any
}

// The "SET" suffix makes encoding/asn1 write a SET OF.
type relativeDistinguishedNameSET []attributeTypeAndValue

// Marshal is the DER of the name (an RDNSequence): one RDN holding every
// organisation, then one with the common name.
func (n Name) Marshal() []byte {
	var rdns []relativeDistinguishedNameSET
	if len(n.Organization) > 0 {
		set := make(relativeDistinguishedNameSET, len(n.Organization))
		for i, o := range n.Organization {
			set[i] = attributeTypeAndValue{oidOrganization, o}
		}
		rdns = append(rdns, set)
	}
	if n.CommonName != "" {
		rdns = append(rdns, relativeDistinguishedNameSET{{oidCommonName, n.CommonName}})
	}
	if rdns == nil {
		rdns = []relativeDistinguishedNameSET{}
	}
	b, _ := asn1.Marshal(rdns)
	return b
}

// KeyUsage is RFC 5280 4.2.1.3's bits, numbered as crypto/x509 numbers them.
type KeyUsage int

const (
	KeyUsageDigitalSignature KeyUsage = 1 << iota
	KeyUsageContentCommitment
	KeyUsageKeyEncipherment
	KeyUsageDataEncipherment
	KeyUsageKeyAgreement
	KeyUsageCertSign
	KeyUsageCRLSign
)

// Certificate is what a certificate says of its subject: the fields of
// x509.Certificate the tools' certificates set (their basic constraints
// always present).
type Certificate struct {
	SerialNumber        *big.Int
	Subject             Name
	NotBefore, NotAfter time.Time
	// SubjectKeyID, when empty, is made for a CA as crypto/x509 makes it
	// (the first 20 bytes of the SHA-256 of the public key's bits).
	SubjectKeyID []byte
	IsCA         bool
	KeyUsage     KeyUsage
}

// Issuer is what a certificate takes from the one that signs it: its
// subject's DER and its subject key identifier (none: no authority key
// identifier is written).
type Issuer struct {
	Subject      []byte
	SubjectKeyID []byte
}

var (
	oidExtensionKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtensionBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtensionSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtensionAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
)

type extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool `asn1:"optional"`
	Value    []byte
}

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

type validity struct {
	NotBefore, NotAfter time.Time
}

type tbsCertificate struct {
	Version            int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber       *big.Int
	SignatureAlgorithm AlgorithmIdentifier
	Issuer             asn1.RawValue
	Validity           validity
	Subject            asn1.RawValue
	PublicKey          publicKeyInfo
	UniqueID           asn1.BitString `asn1:"optional,tag:1"`
	SubjectUniqueID    asn1.BitString `asn1:"optional,tag:2"`
	Extensions         []extension    `asn1:"omitempty,optional,explicit,tag:3"`
}

type certificate struct {
	TBSCertificate     asn1.RawValue
	SignatureAlgorithm AlgorithmIdentifier
	SignatureValue     asn1.BitString
}

// publicKey is the SubjectPublicKeyInfo parts of an Ed25519 or ECDSA P-256
// key.
func publicKey(pub crypto.PublicKey) ([]byte, AlgorithmIdentifier, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return append([]byte(nil), k...), AlgorithmIdentifier{Algorithm: OIDEd25519}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, AlgorithmIdentifier{}, errors.New("der: certificate keys are P-256 or Ed25519")
		}
		point, err := k.Bytes()
		if err != nil {
			return nil, AlgorithmIdentifier{}, err
		}
		params, _ := asn1.Marshal(OIDP256)
		return point, AlgorithmIdentifier{Algorithm: OIDEC, Parameters: asn1.RawValue{FullBytes: params}}, nil
	}
	return nil, AlgorithmIdentifier{}, errors.New("der: certificate keys are P-256 or Ed25519")
}

// CreateCertificate makes and signs a certificate of pub, signed by priv
// for issuer (nil: self-signed), laid out as x509.CreateCertificate lays
// out the same certificate: X.509 v3, the signature algorithm the key
// implies (ECDSA with SHA-256 for P-256, pure Ed25519), key usage and basic
// constraints (critical), subject and authority key identifiers. rand is
// the signature's randomness (ECDSA).
func CreateCertificate(rand io.Reader, tmpl *Certificate, issuer *Issuer, pub crypto.PublicKey, priv crypto.Signer) ([]byte, error) {
	if tmpl.SerialNumber == nil || tmpl.SerialNumber.Sign() < 0 {
		return nil, errors.New("der: a certificate needs a positive serial number")
	}
	var sigAlg AlgorithmIdentifier
	var hash crypto.Hash
	switch priv.Public().(type) {
	case ed25519.PublicKey:
		sigAlg = AlgorithmIdentifier{Algorithm: OIDEd25519}
	case *ecdsa.PublicKey:
		sigAlg, hash = AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, crypto.SHA256
	default:
		return nil, errors.New("der: certificates are signed with P-256 or Ed25519 keys")
	}
	pubBytes, pubAlg, err := publicKey(pub)
	if err != nil {
		return nil, err
	}
	subject := tmpl.Subject.Marshal()
	issuerName, issuerSKI := subject, tmpl.SubjectKeyID
	if issuer != nil {
		issuerName, issuerSKI = issuer.Subject, issuer.SubjectKeyID
	}
	var akid []byte
	if !bytes.Equal(issuerName, subject) && len(issuerSKI) > 0 {
		akid = issuerSKI
	}
	skid := tmpl.SubjectKeyID
	if len(skid) == 0 && tmpl.IsCA {
		h := sha256.Sum256(pubBytes)
		skid = h[:20]
	}

	var exts []extension
	if tmpl.KeyUsage != 0 {
		var a [2]byte
		a[0] = reverseBits(byte(tmpl.KeyUsage))
		a[1] = reverseBits(byte(tmpl.KeyUsage >> 8))
		bits := a[:1]
		if a[1] != 0 {
			bits = a[:2]
		}
		v, _ := asn1.Marshal(asn1.BitString{Bytes: bits, BitLength: bitLength(bits)})
		exts = append(exts, extension{oidExtensionKeyUsage, true, v})
	}
	bc, _ := asn1.Marshal(basicConstraints{tmpl.IsCA, -1})
	exts = append(exts, extension{oidExtensionBasicConstraints, true, bc})
	if len(skid) > 0 {
		v, _ := asn1.Marshal(skid)
		exts = append(exts, extension{ID: oidExtensionSubjectKeyID, Value: v})
	}
	if len(akid) > 0 {
		v, _ := asn1.Marshal(authKeyID{akid})
		exts = append(exts, extension{ID: oidExtensionAuthorityKeyID, Value: v})
	}

	tbs, err := asn1.Marshal(tbsCertificate{
		Version:            2,
		SerialNumber:       tmpl.SerialNumber,
		SignatureAlgorithm: sigAlg,
		Issuer:             asn1.RawValue{FullBytes: issuerName},
		Validity:           validity{tmpl.NotBefore.UTC(), tmpl.NotAfter.UTC()},
		Subject:            asn1.RawValue{FullBytes: subject},
		PublicKey:          publicKeyInfo{pubAlg, bitString(pubBytes)},
		Extensions:         exts,
	})
	if err != nil {
		return nil, err
	}
	sig, err := crypto.SignMessage(priv, rand, tbs, hash)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certificate{asn1.RawValue{FullBytes: tbs}, sigAlg, bitString(sig)})
}

func reverseBits(b byte) byte {
	var r byte
	for i := 0; i < 8; i++ {
		r = r<<1 | b&1
		b >>= 1
	}
	return r
}

// bitLength is the length of a bit string up to its last set bit.
func bitLength(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0 {
			for bit := 0; bit < 8; bit++ {
				if b[i]>>bit&1 == 1 {
					return (i+1)*8 - bit
				}
			}
		}
	}
	return 0
}
