package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// The key a wrap, unwrap, sign or verify works with is checked by the HSM:
// the CLI prints its error as ever ({"error_code": 1, "data": message}),
// and the command's typed call carries the HSM's code, the one
// key_mgmt_util's wrapKey, unWrapKey, sign and verify show for the same
// refusal (0xbc a key of another type than the mechanism's, 0xab a wrap,
// unwrap, sign or verify attribute that is false, 0x0a a key of another
// class). The CLI's own refusals (a filter that matched no key) keep 0x0a.
func TestKeyChecksCarryTheHSMsCode(t *testing.T) {
	tl := testTool(t)
	for _, l := range []string{
		"login --username cu1 --role crypto-user --password password",
		"key generate-symmetric aes --label kek --key-length-bytes 32 --attributes wrap=true unwrap=true",
		"key generate-symmetric aes --label plain --key-length-bytes 16 --attributes wrap=false unwrap=false sign=false",
		"key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rpub --private-label rpriv --public-attributes wrap=true verify=true --private-attributes unwrap=true sign=true",
		"key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label npub --private-label npriv --public-attributes wrap=false verify=false --private-attributes unwrap=false sign=false",
		"key generate-asymmetric-pair ec --curve prime256v1 --public-label epub --private-label epriv",
	} {
		r := tl.Exec(l)
		require.Equal(t, hsm.RCSuccess, r.Calls[0].RC, "%s: %s", l, r.Output)
	}
	for _, c := range []struct {
		line, msg string
		rc        hsm.RC
	}{
		{"key wrap aes-no-pad --payload-filter attr.label=kek --wrapping-filter attr.label=plain", "The key's wrap attribute is false", hsm.RCInvalidAttribute},
		{"key unwrap aes-no-pad --filter attr.label=plain --key-type-class aes --label x --data AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "The key's unwrap attribute is false", hsm.RCInvalidAttribute},
		{"key wrap rsa-pkcs --payload-filter attr.label=kek --wrapping-filter attr.label=npub", "The key's wrap attribute is false", hsm.RCInvalidAttribute},
		{"key wrap aes-no-pad --payload-filter attr.label=kek --wrapping-filter attr.label=rpub", "aes-no-pad wraps with an AES key", hsm.RCMechanismInvalid},
		{"key wrap rsa-pkcs --payload-filter attr.label=plain --wrapping-filter attr.label=kek", "rsa-pkcs wraps with an RSA public key", hsm.RCMechanismInvalid},
		{"key unwrap rsa-pkcs --filter attr.label=rpub --key-type-class aes --label x --data AAAA", "rsa-pkcs unwraps with an RSA private key", hsm.RCMechanismInvalid},
		{"crypto sign rsa-pkcs --key-filter attr.label=npriv --hash-function sha256 --data YWJj", "The key's sign attribute is false", hsm.RCInvalidAttribute},
		{"crypto verify rsa-pkcs --key-filter attr.label=npub --hash-function sha256 --data YWJj --signature YWJj", "The key's verify attribute is false", hsm.RCInvalidAttribute},
		{"crypto sign ecdsa --key-filter attr.label=rpriv --hash-function sha256 --data YWJj", "The key is a rsa private-key, which cannot sign with ecdsa", hsm.RCMechanismInvalid},
		{"crypto sign rsa-pkcs --key-filter attr.label=rpub --hash-function sha256 --data YWJj", "The key is a rsa public-key, which cannot sign with rsa-pkcs", hsm.RCInvalidInput},
		{"crypto sign ed25519 --key-filter attr.label=epriv --data YWJj", "The key is a ec (prime256v1) private-key, which cannot sign with ed25519", hsm.RCMechanismInvalid},
		{"crypto sign ml-dsa --key-filter attr.label=rpriv --data-type raw --hash-function shake256 --data YWJj", "The key is a rsa private-key, which cannot sign with ml-dsa", hsm.RCMechanismInvalid},
		{"key wrap aes-no-pad --payload-filter attr.label=kek --wrapping-filter attr.label=nothere", "Key selection criteria matched 0 keys. Refine selection criteria to select a single key.", hsm.RCInvalidInput},
	} {
		r := tl.Exec(c.line)
		assert.JSONEq(t, `{"error_code": 1, "data": "`+c.msg+`"}`, r.Output, c.line)
		require.Len(t, r.Calls, 1, c.line)
		assert.Equal(t, c.rc, r.Calls[0].RC, c.line)
		assert.Equal(t, c.msg, r.Calls[0].Message, c.line)
	}
}

// A key the user may not use is refused with the access table's code,
// which the call carries, whatever the CLI prints.
func TestHSMErrorsReachTheCall(t *testing.T) {
	var n callNote
	c := n.call("key wrap aes-no-pad", result{err: hsmError(hsm.RCKeyAccessDenied, rcMessage(hsm.RCKeyAccessDenied))})
	assert.Equal(t, hsm.RCKeyAccessDenied, c.RC)
	assert.Equal(t, "The user is not allowed to perform this operation", c.Message)
	c = n.call("key wrap aes-no-pad", result{err: &cliError{code: 1, msg: "Invalid --aad"}})
	assert.Equal(t, hsm.RCInvalidInput, c.RC, "the CLI's own refusal")
	c = n.call("key wrap aes-no-pad", result{err: hsmError(hsm.RCInvalidAttribute, "x"), rc: hsm.RCMxNAuthFailed})
	assert.Equal(t, hsm.RCMxNAuthFailed, c.RC, "a result's own code goes first")
}
