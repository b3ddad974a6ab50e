package mech

import (
	"encoding/pem"
	"fmt"
	"strings"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// PEM block types.
const (
	pemPublicKey    = "PUBLIC KEY"
	pemRSAPublicKey = "RSA PUBLIC KEY"
	pemPrivateKey   = "PRIVATE KEY"
	pemEncrypted    = "ENCRYPTED PRIVATE KEY"
	pemRSAPrivate   = "RSA PRIVATE KEY"
	pemECPrivate    = "EC PRIVATE KEY"
	pemECParameters = "EC PARAMETERS"
	pemDSAPrivate   = "DSA PRIVATE KEY"
)

// MarshalPublicKeyPEM encodes a public key as a PKIX "PUBLIC KEY" block,
// what exportPubKey writes and what `openssl pkey -pubin` reads.
func MarshalPublicKeyPEM(pub any) ([]byte, error) {
	der, err := MarshalPublicKeyDER(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der}), nil
}

// MarshalPrivateKeyPEM encodes a private key as a PKCS #8 "PRIVATE KEY"
// block. AWS does not document which PEM label exportPrivateKey writes; the
// simulator chooses PKCS #8 because one label then covers RSA, EC
// (including secp256k1) and DSA, and every OpenSSL version reads it.
func MarshalPrivateKeyPEM(priv any) ([]byte, error) {
	der, err := MarshalPrivateKeyDER(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

func isEncryptedBlock(b *pem.Block) bool {
	if b.Type == pemEncrypted {
		return true
	}
	if _, ok := b.Headers["DEK-Info"]; ok {
		return true
	}
	return strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}

// ParsePrivateKeyPEM reads the first private key in PEM data: PKCS #8
// "PRIVATE KEY", PKCS #1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY" (also
// after the "EC PARAMETERS" block that `openssl ecparam -genkey` writes
// first) and OpenSSL "DSA PRIVATE KEY". Other blocks (certificates, public
// keys) are skipped. Password-protected keys give ErrEncryptedPEM, because
// importPrivateKey cannot import them; input without PEM gives ErrNotPEM
// and PEM without a private key ErrNoKeyInPEM. The result is an
// *rsa.PrivateKey, *ECKey or *dsa.PrivateKey.
func ParsePrivateKeyPEM(data []byte) (any, error) {
	rest := data
	found := false
	ecCurve := 0
	var seen []string
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		found = true
		if isEncryptedBlock(block) {
			return nil, ErrEncryptedPEM
		}
		switch block.Type {
		case pemPrivateKey:
			p8, err := keyder.ParsePrivateKeyInfo(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: PKCS #8: %v", ErrMalformedKey, err)
			}
			return parsePKCS8(p8)
		case pemRSAPrivate:
			return asKey(parsePKCS1(block.Bytes))
		case pemECParameters:
			id, err := curveFromParams(block.Bytes)
			if err != nil {
				return nil, err
			}
			ecCurve = id
		case pemECPrivate:
			return asKey(parseSEC1(block.Bytes, ecCurve))
		case pemDSAPrivate:
			return asKey(parseDSATraditional(block.Bytes))
		default:
			seen = append(seen, block.Type)
		}
	}
	if !found {
		return nil, ErrNotPEM
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("%w: no private key block", ErrNoKeyInPEM)
	}
	return nil, fmt.Errorf("%w: found %q, want a private key", ErrNoKeyInPEM, seen)
}

// ParsePublicKeyPEM reads the first public key in PEM data: PKIX "PUBLIC
// KEY" (RSA, EC including secp256k1, DSA) or PKCS #1 "RSA PUBLIC KEY". It
// returns an *rsa.PublicKey, *ECPublicKey or *dsa.PublicKey.
func ParsePublicKeyPEM(data []byte) (any, error) {
	rest := data
	found := false
	var seen []string
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		found = true
		switch block.Type {
		case pemPublicKey:
			return ParsePublicKeyDER(block.Bytes)
		case pemRSAPublicKey:
			pub, err := keyder.ParsePKCS1PublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformedKey, err)
			}
			if err := CheckRSAPublicKey(pub); err != nil {
				return nil, err
			}
			return pub, nil
		default:
			seen = append(seen, block.Type)
		}
	}
	if !found {
		return nil, ErrNotPEM
	}
	return nil, fmt.Errorf("%w: found %q, want a public key", ErrNoKeyInPEM, seen)
}
