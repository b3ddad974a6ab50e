package der

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
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
	oidOrganization = OID{2, 5, 4, 10}
	oidCommonName   = OID{2, 5, 4, 3}
)

// attribute is an AttributeTypeAndValue of a string, written as
// encoding/asn1 writes a Go string: a PrintableString when every character
// may be in one, else a UTF8String.
func attribute(oid OID, v string) []byte {
	tag := byte(TagPrintableString)
	if !isPrintable(v) {
		tag = TagUTF8String
	}
	return Sequence(oid.Element(), String(tag, v))
}

// isPrintable is encoding/asn1's test for the characters of a
// PrintableString it writes ('*' and '&' not among them).
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		switch c {
		case ' ', '\'', '(', ')', '+', ',', '-', '.', '/', ':', '=', '?':
			continue
		}
		return false
	}
	return true
}

// Marshal is the DER of the name (an RDNSequence): one RDN holding every
// organisation, then one with the common name.
func (n Name) Marshal() []byte {
	var rdns [][]byte
	if len(n.Organization) > 0 {
		set := make([][]byte, len(n.Organization))
		for i, o := range n.Organization {
			set[i] = attribute(oidOrganization, o)
		}
		rdns = append(rdns, SetOf(set...))
	}
	if n.CommonName != "" {
		rdns = append(rdns, SetOf(attribute(oidCommonName, n.CommonName)))
	}
	return Sequence(rdns...)
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
	oidExtensionKeyUsage         = OID{2, 5, 29, 15}
	oidExtensionBasicConstraints = OID{2, 5, 29, 19}
	oidExtensionSubjectKeyID     = OID{2, 5, 29, 14}
	oidExtensionAuthorityKeyID   = OID{2, 5, 29, 35}
)

// extension is RFC 5280 4.1 Extension (critical written only when true,
// the default being false).
func extension(oid OID, critical bool, value []byte) []byte {
	if critical {
		return Sequence(oid.Element(), Bool(true), OctetString(value))
	}
	return Sequence(oid.Element(), OctetString(value))
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
		return point, AlgorithmIdentifier{Algorithm: OIDEC, Parameters: OIDP256.Element()}, nil
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

	var exts [][]byte
	if tmpl.KeyUsage != 0 {
		var a [2]byte
		a[0] = reverseBits(byte(tmpl.KeyUsage))
		a[1] = reverseBits(byte(tmpl.KeyUsage >> 8))
		bits := a[:1]
		if a[1] != 0 {
			bits = a[:2]
		}
		exts = append(exts, extension(oidExtensionKeyUsage, true, BitStringBits(bits, bitLength(bits))))
	}
	// BasicConstraints: cA only when true (DEFAULT FALSE), no path length.
	var bc []byte
	if tmpl.IsCA {
		bc = Bool(true)
	}
	exts = append(exts, extension(oidExtensionBasicConstraints, true, Sequence(bc)))
	if len(skid) > 0 {
		exts = append(exts, extension(oidExtensionSubjectKeyID, false, OctetString(skid)))
	}
	if len(akid) > 0 {
		exts = append(exts, extension(oidExtensionAuthorityKeyID, false, Sequence(Implicit(0, akid))))
	}

	tbs := Sequence(
		Explicit(0, Int(2)),
		Integer(tmpl.SerialNumber),
		sigAlg.Element(),
		issuerName,
		Sequence(Time(tmpl.NotBefore.UTC()), Time(tmpl.NotAfter.UTC())),
		subject,
		PublicKeyInfo{Algorithm: pubAlg, PublicKey: pubBytes}.Marshal(),
		Explicit(3, Sequence(exts...)),
	)
	sig, err := crypto.SignMessage(priv, rand, tbs, hash)
	if err != nil {
		return nil, err
	}
	return Sequence(tbs, sigAlg.Element(), BitString(sig)), nil
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
