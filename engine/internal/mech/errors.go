package mech

import "errors"

// Sentinel errors. They are exported so that the command layer can map each
// failure class to the HSM return code key_mgmt_util would print, using
// errors.Is; the messages themselves are for logs, not for users.
var (
	// ErrBadKeySize: the requested or supplied key length is not valid for
	// the key type (e.g. an AES key of 20 bytes, RSA of 2000 bits).
	ErrBadKeySize = errors.New("mech: invalid key size")
	// ErrBadExponent: an RSA public exponent outside the accepted range.
	ErrBadExponent = errors.New("mech: invalid RSA public exponent")
	// ErrBadKeyType: the key type is unknown or cannot be used here.
	ErrBadKeyType = errors.New("mech: invalid key type")
	// ErrUnknownCurve: a curve id that key_mgmt_util never defined.
	ErrUnknownCurve = errors.New("mech: unknown curve id")
	// ErrCurveNotSupported: a curve key_mgmt_util knows by id but the
	// simulated HSM cannot generate or use (binary curves, prime192v1).
	ErrCurveNotSupported = errors.New("mech: curve not supported")
	// ErrBadMechanism: an unknown or unsupported -m value.
	ErrBadMechanism = errors.New("mech: invalid mechanism")
	// ErrBadHash: a hash not allowed for the mechanism.
	ErrBadHash = errors.New("mech: invalid hash for mechanism")
	// ErrBadParameter: a mechanism parameter (IV, AAD, tag size) that the
	// mechanism does not accept.
	ErrBadParameter = errors.New("mech: invalid mechanism parameter")
	// ErrWrapSize: the key material does not fit the wrapping mechanism
	// (not block aligned, too short, or larger than the RSA limit).
	ErrWrapSize = errors.New("mech: key material size not valid for wrapping mechanism")
	// ErrUnwrapIntegrity: unwrapping or authenticated decryption failed its
	// integrity check (wrong key, tampered data, bad padding).
	ErrUnwrapIntegrity = errors.New("mech: integrity check failed")
	// ErrKeyTypeMismatch: the key object has the wrong type for the
	// mechanism (an EC key with an RSA signing mechanism, an RSA key where an
	// AES key is expected...).
	ErrKeyTypeMismatch = errors.New("mech: key type does not match mechanism")
	// ErrBadSignature: signature verification failed.
	ErrBadSignature = errors.New("mech: signature verification failed")
	// ErrNotPEM: the input contains no PEM block at all.
	ErrNotPEM = errors.New("mech: no PEM data found")
	// ErrNoKeyInPEM: PEM blocks were found but none holds a key of the
	// requested kind (e.g. a public key where a private key is expected).
	ErrNoKeyInPEM = errors.New("mech: no suitable key in PEM data")
	// ErrEncryptedPEM: the key is password protected; importPrivateKey
	// cannot import such files.
	ErrEncryptedPEM = errors.New("mech: encrypted PEM keys are not supported")
	// ErrUnsupportedKey: a well-formed key of an algorithm the simulator
	// does not implement (Ed25519, RSA-PSS keys, explicit EC parameters...).
	ErrUnsupportedKey = errors.New("mech: unsupported key algorithm")
	// ErrMalformedKey: the key encoding is broken or the key is inconsistent.
	ErrMalformedKey = errors.New("mech: malformed key")
	// ErrRandom: the random source failed or looks broken.
	ErrRandom = errors.New("mech: random source failure")
)
