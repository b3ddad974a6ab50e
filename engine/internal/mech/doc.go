// Package mech holds the real cryptography behind the hsmsim CloudHSM
// simulator: key generation, key check values, AES and RSA key wrapping,
// signing and the PEM/DER encodings that key_mgmt_util reads and writes.
//
// The package is deliberately pure: it performs no I/O, keeps no mutable
// package state and never panics on caller input, so it can run unchanged in
// the native CLI, in tests and in the WebAssembly playground.
//
// Every random byte is read from an io.Reader supplied by the caller. The
// simulator replays sessions from a seed, so a seeded reader (for example
// math/rand/v2.NewChaCha8) must give byte-for-byte identical keys, IVs and
// signatures. Since Go 1.26 the standard library's key generators ignore the
// caller's reader (unless GODEBUG=cryptocustomrand=1) and, even with that
// setting, deliberately consume a random extra byte (randutil.MaybeReadByte),
// so this package never hands the reader to rsa.GenerateKey,
// ecdsa.GenerateKey, dsa.GenerateKey, ecdsa.Sign or rsa.EncryptPKCS1v15.
// It draws the secret values itself and only uses the standard library for
// the deterministic arithmetic (modular exponentiation, scalar
// multiplication, GCM, OAEP and PSS, which read the reader verbatim).
// Reproducibility therefore does not depend on the GODEBUG setting at all.
//
// Numbers (key types, curve ids, mechanism ids) are the ones key_mgmt_util
// uses on its command line, so command packages can pass them straight
// through. Errors are sentinel values (see errors.go) that callers map to
// HSM return codes with errors.Is.
package mech
