// Package der writes and reads the DER structures the engine exchanges with
// users and with OpenSSL that crypto/x509 would otherwise provide: PKCS #1
// RSA keys, PKIX SubjectPublicKeyInfo and PKCS #8 PrivateKeyInfo of RSA keys,
// X.509 names and the certificates the tools hand out. crypto/x509 brings
// net, net/url and certificate verification into the WebAssembly build; the
// engine needs none of it. The encodings are those of crypto/x509 byte for
// byte (the package's tests check it against crypto/x509 itself), written
// with encoding/asn1, which the engine uses for its other structures anyway.
package der

import (
	"encoding/asn1"
	"errors"
	"fmt"
)

// AlgorithmIdentifier is RFC 5280 4.1.1.2 (crypto/x509/pkix's).
type AlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

// Object identifiers of the algorithms in this package's structures.
var (
	OIDRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	OIDEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	OIDEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
	OIDP256    = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}

	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// ErrTrailingData is returned for DER followed by more bytes.
var ErrTrailingData = errors.New("der: trailing data")

// unmarshal is asn1.Unmarshal that refuses trailing data.
func unmarshal(b []byte, v any) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w (%d bytes)", ErrTrailingData, len(rest))
	}
	return nil
}

// publicKeyInfo is RFC 5280 4.1.2.7 SubjectPublicKeyInfo.
type publicKeyInfo struct {
	Algorithm AlgorithmIdentifier
	PublicKey asn1.BitString
}

func bitString(b []byte) asn1.BitString { return asn1.BitString{Bytes: b, BitLength: 8 * len(b)} }
