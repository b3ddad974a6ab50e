package der

// PKCS #8 EncryptedPrivateKeyInfo (RFC 5958 3) and the PBES2 and PBKDF2
// parameters of RFC 8018 A.2 and A.4, as OpenSSL writes an encrypted
// "ENCRYPTED PRIVATE KEY".

// EncryptedPrivateKeyInfo is the encryption algorithm and the encrypted
// PrivateKeyInfo.
type EncryptedPrivateKeyInfo struct {
	Algorithm AlgorithmIdentifier
	Data      []byte
}

// Marshal is its DER.
func (e EncryptedPrivateKeyInfo) Marshal() []byte {
	return Sequence(e.Algorithm.Element(), OctetString(e.Data))
}

// ParseEncryptedPrivateKeyInfo reads one and nothing after it.
func ParseEncryptedPrivateKeyInfo(b []byte) (EncryptedPrivateKeyInfo, error) {
	p := NewParser(b)
	s := p.Sequence()
	e := EncryptedPrivateKeyInfo{Algorithm: s.AlgorithmIdentifier(), Data: s.OctetString()}
	s.End()
	if err := p.End(); err != nil {
		return EncryptedPrivateKeyInfo{}, err
	}
	return e, nil
}

// PBES2Params is PBES2-params: the key derivation and the encryption
// scheme.
type PBES2Params struct {
	KDF, Enc AlgorithmIdentifier
}

// Marshal is its DER.
func (p PBES2Params) Marshal() []byte { return Sequence(p.KDF.Element(), p.Enc.Element()) }

// ParsePBES2Params reads PBES2-params and nothing after them.
func ParsePBES2Params(b []byte) (PBES2Params, error) {
	p := NewParser(b)
	s := p.Sequence()
	v := PBES2Params{KDF: s.AlgorithmIdentifier(), Enc: s.AlgorithmIdentifier()}
	s.End()
	if err := p.End(); err != nil {
		return PBES2Params{}, err
	}
	return v, nil
}

// PBKDF2Params is PBKDF2-params with a specified (OCTET STRING) salt. A
// KeyLength of 0 is absent, and so is a PRF with no algorithm (the default,
// hmacWithSHA1).
type PBKDF2Params struct {
	Salt      []byte
	Iter      int64
	KeyLength int64
	PRF       AlgorithmIdentifier
}

// Marshal is its DER.
func (k PBKDF2Params) Marshal() []byte {
	parts := [][]byte{OctetString(k.Salt), Int(k.Iter)}
	if k.KeyLength != 0 {
		parts = append(parts, Int(k.KeyLength))
	}
	if k.PRF.Algorithm != nil {
		parts = append(parts, k.PRF.Element())
	}
	return Sequence(parts...)
}

// ParsePBKDF2Params reads PBKDF2-params and nothing after them.
func ParsePBKDF2Params(b []byte) (PBKDF2Params, error) {
	p := NewParser(b)
	s := p.Sequence()
	k := PBKDF2Params{Salt: s.OctetString(), Iter: s.Int()}
	if s.Optional(TagInteger) {
		k.KeyLength = s.Int()
	}
	if s.Optional(TagSequence) {
		k.PRF = s.AlgorithmIdentifier()
	}
	s.End()
	if err := p.End(); err != nil {
		return PBKDF2Params{}, err
	}
	return k, nil
}
