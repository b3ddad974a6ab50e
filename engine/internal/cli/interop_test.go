package cli

import (
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// needOpenSSL is the openssl binary; CI must have it (make test installs
// it; testenv.OpenSSL fails without it when CI is set).
func needOpenSSL(t *testing.T) string {
	t.Helper()
	return testenv.OpenSSL(t)
}

// data of a successful reply.
func data(t *testing.T, out string) map[string]any {
	t.Helper()
	var r struct {
		Code int            `json:"error_code"`
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.Equal(t, 0, r.Code, out)
	return r.Data
}

// TestSignaturesVerifyWithOpenSSL signs with every CLI mechanism and checks
// the signature with OpenSSL against the public key key generate-file wrote.
func TestSignaturesVerifyWithOpenSSL(t *testing.T) {
	ossl := needOpenSSL(t)
	dir := t.TempDir()
	tl := testTool(t)
	tl.FS = vfs.Dir{Root: dir}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data.txt"), []byte("abc123"), 0o644))
	exec1 := func(line string) map[string]any { t.Helper(); return data(t, run(t, tl, line)) }
	exec1("login --username cu1 --role crypto-user --password password")
	exec1("key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rp --private-label rk --public-attributes verify=true --private-attributes sign=true")
	exec1("key generate-asymmetric-pair ec --curve secp384r1 --public-label ep --private-label ek --public-attributes verify=true --private-attributes sign=true")
	exec1("key generate-file --encoding pem --path rp.pem --filter attr.label=rp")
	exec1("key generate-file --encoding pem --path ep.pem --filter attr.label=ep")

	for _, c := range []struct {
		line, pub string
		opts      []string
		ecdsa     bool
	}{
		{"crypto sign rsa-pkcs --key-filter attr.label=rk --hash-function sha256 --data-path data.txt", "rp.pem", nil, false},
		{"crypto sign rsa-pkcs-pss --key-filter attr.label=rk --hash-function sha384 --mgf mgf1-sha384 --salt-length 20 --data-path data.txt", "rp.pem",
			[]string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:20"}, false},
		{"crypto sign ecdsa --key-filter attr.label=ek --hash-function sha384 --data YWJjMTIz", "ep.pem", nil, true},
	} {
		d := exec1(c.line)
		sig, err := base64.StdEncoding.DecodeString(d["signature"].(string))
		require.NoError(t, err)
		if c.ecdsa {
			n := len(sig) / 2
			sig, err = asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])})
			require.NoError(t, err)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sig"), sig, 0o644))
		hash := "-sha256"
		if c.pub == "ep.pem" || c.opts != nil {
			hash = "-sha384"
		}
		args := append([]string{"dgst", hash, "-verify", c.pub, "-signature", "sig"}, c.opts...)
		cmd := exec.Command(ossl, append(args, "data.txt")...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s\n%s", c.line, out)
		require.Contains(t, string(out), "Verified OK")

		// The CLI's own verify agrees, and refuses other data.
		verifyLine := "crypto verify " + c.line[len("crypto sign "):]
		verifyLine = replaceFilter(verifyLine) + " --signature " + d["signature"].(string)
		require.Equal(t, "Signature verified successfully", exec1(verifyLine)["message"])
	}
	out := run(t, tl, "crypto verify rsa-pkcs --key-filter attr.label=rp --hash-function sha256 --data aW52YWxpZA== --signature AAAA")
	require.JSONEq(t, `{"error_code": 1, "data": "Signature verification failed"}`, out)
}

// replaceFilter points a sign line's private-key filter at the public key.
func replaceFilter(line string) string {
	for _, p := range [][2]string{{"attr.label=rk", "attr.label=rp"}, {"attr.label=ek", "attr.label=ep"}} {
		if i := strings.Index(line, p[0]); i >= 0 {
			return line[:i] + p[1] + line[i+len(p[0]):]
		}
	}
	return line
}
