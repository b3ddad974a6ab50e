package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// cliECPinned are SHA-256 digests of a seeded CloudHSM CLI session per
// curve, as the simulator answered it before EC keys were kept as bytes:
// the pair, both halves listed with every attribute (ec-point and
// check-value among them), the public key's PEM, a signature and its
// check, and the private key wrapped and unwrapped again.
var cliECPinned = map[string]string{
	"prime256v1": "9db3e166dbbb59d78ac117b6bad0747edddd0c0b9c238e4cd3197beb718cc42b",
	"secp224r1":  "838951a4d7c7641652754ea52f8713b404e6d4e7f595da7a54a4eb364a26137d",
	"secp384r1":  "d812773443a0fb13b1f38c021c6c82dfc7c802a749600671dfc60388dab1a53d",
	"secp521r1":  "5f8af0d894c6be81ea6fd4de0b5a2790ab5754aded87d2fb03423b46222d5146",
	"secp256k1":  "319c2cf6c83ef4288833cd3ed163e47abd57447984d0902f95f8ed4a2ecfe713",
}

func cliECPinDigest(t *testing.T, curve string) string {
	t.Helper()
	tl := testTool(t)
	h := sha256.New()
	do := func(line string) {
		t.Helper()
		out := run(t, tl, line)
		require.NotContains(t, out, `"error_code": 1`, line)
		fmt.Fprintf(h, "> %s\n%s", line, out)
		if testing.Verbose() {
			t.Logf("> %s\n%s", line, out)
		}
	}
	do("login --username cu1 --role crypto-user --password password")
	do("key generate-symmetric aes --label kek --key-length-bytes 32 --attributes wrap=true unwrap=true")
	do("key generate-asymmetric-pair ec --curve " + curve + " --public-label ep --private-label ek --public-attributes verify=true --private-attributes sign=true")
	do("key list --verbose --filter attr.label=ep")
	do("key list --verbose --filter attr.label=ek")
	do("key generate-file --encoding pem --path ep.pem --filter attr.label=ep")
	do("crypto sign ecdsa --key-filter attr.label=ek --hash-function sha256 --data YWJjMTIz")
	sig := data(t, run(t, tl, "crypto sign ecdsa --key-filter attr.label=ek --hash-function sha384 --data YWJjMTIz"))["signature"].(string)
	do("crypto verify ecdsa --key-filter attr.label=ep --hash-function sha384 --data YWJjMTIz --signature " + sig)
	w := data(t, run(t, tl, "key wrap aes-pkcs5-pad --payload-filter attr.label=ek --wrapping-filter attr.label=kek"))
	fmt.Fprintf(h, "wrapped %v\n", w)
	do("key unwrap aes-pkcs5-pad --filter attr.label=kek --key-type-class ec-private --label back --data " + w["wrapped_key_data"].(string))
	do("key list --verbose --filter attr.label=back")
	b, err := tl.FS.ReadFile("ep.pem")
	require.NoError(t, err)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func TestECSessionPinned(t *testing.T) {
	for _, c := range []string{"prime256v1", "secp224r1", "secp384r1", "secp521r1", "secp256k1"} {
		got := cliECPinDigest(t, c)
		if want, ok := cliECPinned[c]; !ok || got != want {
			t.Errorf("%q: %q,", c, got)
		}
	}
}
