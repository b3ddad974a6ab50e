package cli

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// checkExampleAs runs a page's example n with the page's random bytes in
// its command (a signature, wrapped key data, an IV, all made with the
// page's keys) replaced by the simulator's own, and compares the JSON as
// checkExample does.
func checkExampleAs(t *testing.T, tl *Tool, page string, n int, replace ...string) string {
	t.Helper()
	ex := pageExamples(t, page)
	require.Greater(t, len(ex), n, "%s has %d examples", page, len(ex))
	cmd := ex[n].command
	for i := 0; i+1 < len(replace); i += 2 {
		require.Contains(t, cmd, replace[i], "%s example %d", page, n)
		cmd = strings.ReplaceAll(cmd, replace[i], replace[i+1])
	}
	got := run(t, tl, cmd)
	require.Equal(t, normalise(t, ex[n].output), normalise(t, got), "%s example %d: %s\n%s", page, n, cmd, got)
	reproduced(t, page, n)
	return got
}

// pageSignature is the signature (or wrapped data) an example printed.
func pageSignature(t *testing.T, page string, n int) string {
	t.Helper()
	return field64(t, pageExamples(t, page)[n].output, page)
}

// field64 is the first Base64 value of a reply (a signature, wrapped data).
func field64(t *testing.T, out, what string) string {
	t.Helper()
	m := base64Field.FindStringSubmatch(out)
	require.NotNil(t, m, "%s prints no signature or wrapped data", what)
	return m[2]
}

// signed signs with the simulator and returns the signature.
func signed(t *testing.T, tl *Tool, line string) string {
	t.Helper()
	m := base64Field.FindStringSubmatch(run(t, tl, line))
	require.NotNil(t, m, line)
	return m[2]
}

// The sign and verify pages of the RSA and ECDSA mechanisms: signatures of
// the pages' data ("abc123", in data.txt too) with keys labelled as theirs.
// A signature is random bytes (and made with the page's key), so a verify
// example is run with the simulator's signature in its place; the false
// signing relationship is run as printed.
func TestCryptoPageExamples(t *testing.T) {
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	run(t, tl, "key generate-asymmetric-pair ec --curve prime256v1 --public-label ec-public --private-label ec-private --public-attributes verify=true --private-attributes sign=true")
	run(t, tl, "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rsa-public --private-label rsa-private --public-attributes verify=true --private-attributes sign=true")
	require.NoError(t, tl.FS.WriteFile("data.txt", []byte("abc123")))

	for _, c := range []struct{ mech, params string }{
		{"ecdsa", ""},
		{"rsa-pkcs", ""},
		{"rsa-pkcs-pss", " --salt-length 10 --mgf mgf1-sha256"},
	} {
		signPage := "cloudhsm_cli-crypto-sign-" + c.mech + ".md"
		verifyPage := "cloudhsm_cli-crypto-verify-" + c.mech + ".md"
		checkExample(t, tl, signPage, 0)
		checkExample(t, tl, signPage, 1)

		sig := signed(t, tl, "crypto sign "+c.mech+" --key-filter attr.label="+keyPrefix(c.mech)+"-private --hash-function sha256 --data YWJjMTIz"+c.params)
		raw, err := base64.StdEncoding.DecodeString(sig)
		require.NoError(t, err)
		require.NoError(t, tl.FS.WriteFile("signature-file", raw))
		checkExampleAs(t, tl, verifyPage, 0, pageSignature(t, signPage, 0), sig)
		checkExample(t, tl, verifyPage, 1)
		checkExample(t, tl, verifyPage, 2)
	}
}

func keyPrefix(mech string) string {
	if mech == "ecdsa" {
		return "ec"
	}
	return "rsa"
}

var (
	ivField  = regexp.MustCompile(`"iv": "(0x[0-9a-f]+)"`)
	dataFlag = regexp.MustCompile(`--data (\S+)`)
)

// The wrap and unwrap pages of the eight mechanisms. A wrap example is run
// as printed; its unwrap examples are run with the page's wrapped data
// (and IV) replaced by what the simulator's wrap printed, as Base64 and in
// payload-key.pem.
func TestWrapUnwrapPageExamples(t *testing.T) {
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	run(t, tl, "key generate-symmetric aes --label aes-example --key-length-bytes 32 --attributes wrap=true unwrap=true")
	run(t, tl, "key generate-symmetric aes --label payload-key --key-length-bytes 16")
	run(t, tl, "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rsa-public-key-example --private-label rsa-private-key-example --public-attributes wrap=true --private-attributes unwrap=true")
	// key unwrap rsa-oaep's page names its private key differently.
	run(t, tl, "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rsa-public-example-key --private-label rsa-private-example-key --public-attributes wrap=true --private-attributes unwrap=true")
	for _, m := range []string{"aes-gcm", "aes-no-pad", "aes-pkcs5-pad", "aes-zero-pad", "cloudhsm-aes-gcm", "rsa-aes", "rsa-oaep", "rsa-pkcs"} {
		wrapPage := "cloudhsm_cli-key-wrap-" + m + ".md"
		unwrapPage := "cloudhsm_cli-key-unwrap-" + m + ".md"
		got := checkExampleAs(t, tl, wrapPage, 0)
		data := field64(t, got, wrapPage)
		if m == "rsa-oaep" {
			got = run(t, tl, "key wrap rsa-oaep --payload-filter attr.label=payload-key --wrapping-filter attr.label=rsa-public-example-key --hash-function sha256 --mgf mgf1-sha256")
			data = field64(t, got, "key wrap rsa-oaep")
		}
		raw, err := base64.StdEncoding.DecodeString(data)
		require.NoError(t, err)
		require.NoError(t, tl.FS.WriteFile("payload-key.pem", raw))
		pageData := dataFlag.FindStringSubmatch(pageExamples(t, unwrapPage)[0].command)
		require.NotNil(t, pageData, unwrapPage)
		replace := []string{pageData[1], data}
		if m == "aes-gcm" {
			replace = append(replace, ivField.FindStringSubmatch(pageExamples(t, wrapPage)[0].output)[1], ivField.FindStringSubmatch(got)[1])
		}
		checkExampleAs(t, tl, unwrapPage, 0, replace...)
		checkExampleAs(t, tl, unwrapPage, 1, replace[2:]...)
	}
	// The command reference shows the rsa-pkcs wrap example too.
	checkExample(t, tl, "cloudhsm_cli-reference.md", 0)
}
