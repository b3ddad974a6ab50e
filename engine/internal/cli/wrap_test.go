package cli

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWrapUnwrapEveryMechanism wraps a key with each of the eight
// mechanisms and unwraps it again: the new key has the payload's check
// value, and is not local.
func TestWrapUnwrapEveryMechanism(t *testing.T) {
	tl := testTool(t)
	do := func(line string) map[string]any { t.Helper(); return data(t, run(t, tl, line)) }
	do("login --username cu1 --role crypto-user --password password")
	do("key generate-symmetric aes --label kek --key-length-bytes 32 --attributes wrap=true unwrap=true")
	do("key generate-symmetric aes --label payload --key-length-bytes 16")
	do("key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rpub --private-label rpriv --public-attributes wrap=true --private-attributes unwrap=true")
	do("key generate-asymmetric-pair ec --curve prime256v1 --public-label epub --private-label epriv")
	kcv := func(label string) string {
		d := do("key list --verbose --filter attr.label=" + label)
		return d["matched_keys"].([]any)[0].(map[string]any)["attributes"].(map[string]any)["check-value"].(string)
	}
	for i, c := range []struct{ mech, payload, wrapping, unwrapping, class, params string }{
		{"aes-gcm", "payload", "kek", "kek", "aes", " --tag-length-bits 96 --aad 0x10"},
		{"cloudhsm-aes-gcm", "payload", "kek", "kek", "aes", " --tag-length-bits 128"},
		{"aes-no-pad", "payload", "kek", "kek", "aes", ""},
		{"aes-pkcs5-pad", "epriv", "kek", "kek", "ec-private", ""},
		{"aes-zero-pad", "rpriv", "kek", "kek", "rsa-private", ""},
		{"rsa-aes", "epriv", "rpub", "rpriv", "ec-private", " --hash-function sha256 --mgf mgf1-sha256"},
		{"rsa-oaep", "payload", "rpub", "rpriv", "aes", " --hash-function sha1 --mgf mgf1-sha1"},
		{"rsa-pkcs", "payload", "rpub", "rpriv", "aes", ""},
	} {
		w := do(fmt.Sprintf("key wrap %s --payload-filter attr.label=%s --wrapping-filter attr.label=%s%s", c.mech, c.payload, c.wrapping, c.params))
		sep := "_"
		if c.mech == "rsa-aes" || c.mech == "rsa-oaep" {
			sep = "-"
		}
		blob := w["wrapped"+sep+"key"+sep+"data"].(string)
		params := c.params
		if c.mech == "aes-gcm" {
			params += " --iv " + w["iv"].(string)
		}
		label := fmt.Sprintf("unwrapped-%d", i)
		u := do(fmt.Sprintf("key unwrap %s --filter attr.label=%s --key-type-class %s --label %s --data %s%s", c.mech, c.unwrapping, c.class, label, blob, params))
		attrs := u["key"].(map[string]any)["attributes"].(map[string]any)
		require.Equal(t, kcv(c.payload), attrs["check-value"], c.mech)
		require.Equal(t, false, attrs["local"], c.mech)
		require.Equal(t, "0x", attrs["id"], c.mech)
	}

	// A wrong key or a damaged blob unwraps nothing.
	w := do("key wrap aes-no-pad --payload-filter attr.label=payload --wrapping-filter attr.label=kek")
	do("key generate-symmetric aes --label other --key-length-bytes 32 --attributes unwrap=true")
	out := run(t, tl, "key unwrap aes-no-pad --filter attr.label=other --key-type-class aes --label x --data "+w["wrapped_key_data"].(string))
	require.JSONEq(t, `{"error_code": 1, "data": "Unwrapping failed: the wrapped data does not unwrap with this key and these parameters"}`, out)
	require.Empty(t, tl.matching(&filter{attrs: [][2]string{{"label", "x"}}}))

	// A key without wrap may not wrap.
	out = run(t, tl, "key wrap aes-no-pad --payload-filter attr.label=kek --wrapping-filter attr.label=payload")
	require.JSONEq(t, `{"error_code": 1, "data": "The key's wrap attribute is false"}`, out)
}
