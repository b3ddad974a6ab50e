package mech

// The DER of EC keys is written here by hand, not with encoding/asn1: the
// structures are fixed (only the curve's OID and the lengths differ), and
// reflection-based marshalling was most of what generating an EC key cost.
// The bytes are those encoding/asn1 wrote for the same structures.

// ecPublicKeyOIDDER is the DER of id-ecPublicKey, 1.2.840.10045.2.1.
var ecPublicKeyOIDDER = []byte{0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01}

// ecDERLen is the size of a DER element with n content bytes.
func ecDERLen(n int) int {
	switch {
	case n < 0x80:
		return 2 + n
	case n < 0x100:
		return 3 + n
	default:
		return 4 + n // the keys here are far below 64 KiB
	}
}

// ecDERHead appends the tag and definite length of an element of n content
// bytes.
func ecDERHead(b []byte, tag byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(b, tag, byte(n))
	case n < 0x100:
		return append(b, tag, 0x81, byte(n))
	default:
		return append(b, tag, 0x82, byte(n>>8), byte(n))
	}
}

// appendAlgorithm appends SEQUENCE { id-ecPublicKey, namedCurve }.
func (c *ecParams) appendAlgorithm(b []byte) []byte {
	b = ecDERHead(b, 0x30, len(ecPublicKeyOIDDER)+len(c.oidDER))
	b = append(b, ecPublicKeyOIDDER...)
	return append(b, c.oidDER...)
}

func (c *ecParams) algorithmLen() int { return ecDERLen(len(ecPublicKeyOIDDER) + len(c.oidDER)) }

// marshalSPKI returns the SubjectPublicKeyInfo (RFC 5480 2) of a point:
// SEQUENCE { AlgorithmIdentifier, BIT STRING (0 unused bits) point }.
func (c *ecParams) marshalSPKI(pt []byte) []byte {
	bits := ecDERLen(1 + len(pt))
	body := c.algorithmLen() + bits
	b := make([]byte, 0, ecDERLen(body))
	b = ecDERHead(b, 0x30, body)
	b = c.appendAlgorithm(b)
	b = ecDERHead(b, 0x03, 1+len(pt))
	b = append(b, 0)
	return append(b, pt...)
}

// marshalPKCS8 returns the PrivateKeyInfo (RFC 5208) of a key: version 0,
// the AlgorithmIdentifier, and as its privateKey the SEC 1 C.4
// ECPrivateKey { version 1, privateKey, [1] publicKey } without the
// parameters, which the AlgorithmIdentifier already names (as crypto/x509
// and OpenSSL write it).
func (c *ecParams) marshalPKCS8(d, pt []byte) []byte {
	pub := ecDERLen(1 + len(pt))
	sec1 := 3 + ecDERLen(len(d)) + ecDERLen(pub)
	body := 3 + c.algorithmLen() + ecDERLen(ecDERLen(sec1))
	b := make([]byte, 0, ecDERLen(body))
	b = ecDERHead(b, 0x30, body)
	b = append(b, 0x02, 0x01, 0x00)
	b = c.appendAlgorithm(b)
	b = ecDERHead(b, 0x04, ecDERLen(sec1))
	b = ecDERHead(b, 0x30, sec1)
	b = append(b, 0x02, 0x01, 0x01)
	b = ecDERHead(b, 0x04, len(d))
	b = append(b, d...)
	b = ecDERHead(b, 0xa1, pub)
	b = ecDERHead(b, 0x03, 1+len(pt))
	b = append(b, 0)
	return append(b, pt...)
}
