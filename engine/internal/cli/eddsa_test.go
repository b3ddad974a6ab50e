package cli

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// ed25519Tool is cu1 logged in with the pair the Ed25519 pages sign and
// verify with (labels ed25519-private and ed25519-public).
func ed25519Tool(t *testing.T) *Tool {
	t.Helper()
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	out := run(t, tl, "key generate-asymmetric-pair ec --curve ed25519 --public-label ed25519-public --private-label ed25519-private --public-attributes verify=true --private-attributes sign=true")
	require.Contains(t, out, `"error_code": 0`, out)
	return tl
}

// signatureOf is the signature of a sign reply.
func signatureOf(t *testing.T, out string) string {
	t.Helper()
	s, _ := data(t, out)["signature"].(string)
	require.NotEmpty(t, s, out)
	return s
}

// withSignature replaces the page's signature in a verify line: the
// page's was made by AWS's key, this one by the simulator's.
func withSignature(line, sig string) string {
	f := strings.Fields(line)
	for i := range f[:len(f)-1] {
		if f[i] == "--signature" {
			f[i+1] = sig
		}
	}
	return strings.Join(f, " ")
}

func TestEd25519KeyPair(t *testing.T) {
	tl := ed25519Tool(t)
	out := run(t, tl, "key list --filter attr.curve=ed25519 --verbose")
	var r struct {
		Data struct {
			Matched []struct {
				Ref   string         `json:"key-reference"`
				Attrs map[string]any `json:"attributes"`
			} `json:"matched_keys"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.Len(t, r.Data.Matched, 2, out)
	pub, priv := r.Data.Matched[0].Attrs, r.Data.Matched[1].Attrs
	if pub["class"] != "public-key" {
		pub, priv = priv, pub
	}
	// An EC key on the curve ed25519 (the attribute table), its point the
	// 32-byte RFC 8032 encoding on both halves, one check value for both.
	for _, a := range []map[string]any{pub, priv} {
		require.Equal(t, "ec", a["key-type"])
		require.Equal(t, "ed25519", a["curve"])
		require.Len(t, a["ec-point"], 2+2*32)
		require.Equal(t, pub["ec-point"], a["ec-point"])
		require.Equal(t, pub["check-value"], a["check-value"])
	}
	require.Equal(t, float64(32), pub["key-length-bytes"])
	require.Equal(t, float64(48), priv["key-length-bytes"]) // its PKCS #8
	require.Equal(t, true, pub["verify"])
	require.Equal(t, true, priv["sign"])
	require.Equal(t, true, priv["sensitive"])
	require.Equal(t, false, pub["sensitive"])

	// The attribute order of an EC key, ec-point and curve last.
	i := strings.Index(out, `"ec-point"`)
	require.Positive(t, i)
	require.Less(t, strings.Index(out, `"key-length-bytes"`), i)
	require.Less(t, i, strings.Index(out, `"curve": "ed25519"`))

	// Filters find it as an EC key.
	require.Contains(t, run(t, tl, "key list --filter attr.key-type=ec attr.class=private-key"), `"total_key_count": 1`)
}

func TestEd25519PageExamples(t *testing.T) {
	tl := ed25519Tool(t)
	require.NoError(t, tl.FS.WriteFile("data.txt", []byte("abc")))
	sign := pageExamples(t, "cloudhsm_cli-crypto-sign-ed25519.md")
	require.Len(t, sign, 2)
	var sigs []string
	for i, ex := range sign {
		got := run(t, tl, ex.command)
		require.Equal(t, normaliseSig(t, ex.output), normaliseSig(t, got), "example %d", i)
		sigs = append(sigs, signatureOf(t, got))
	}
	// PureEdDSA is deterministic: both examples sign "abc", as the page's
	// two identical signatures show.
	require.Equal(t, sigs[0], sigs[1])
	require.NoError(t, tl.FS.WriteFile("signature-file", []byte(sigs[0])))

	verify := pageExamples(t, "cloudhsm_cli-crypto-verify-ed25519.md")
	require.Len(t, verify, 3)
	for i, ex := range verify {
		got := run(t, tl, withSignature(ex.command, sigs[0]))
		require.Equal(t, normalise(t, ex.output), normalise(t, got), "example %d", i)
	}
}

// normaliseSig is normalise with the Base64 signature blanked too.
func normaliseSig(t *testing.T, s string) string {
	t.Helper()
	n := normalise(t, s)
	if i := strings.Index(n, `"signature":"`); i >= 0 {
		j := strings.Index(n[i+13:], `"`)
		n = n[:i+13] + "…" + n[i+13+j:]
	}
	return n
}

func TestEd25519Refusals(t *testing.T) {
	tl := ed25519Tool(t)
	run(t, tl, "key generate-asymmetric-pair ec --curve secp256k1 --public-label k1-public --private-label k1-private --public-attributes verify=true --private-attributes sign=true")
	big := base64.StdEncoding.EncodeToString(make([]byte, maxPureEdDSA+1))
	for line, want := range map[string]string{
		"crypto sign ed25519 --key-filter attr.label=ed25519-private --data " + big:                    "The data is 16001 bytes; ed25519 takes at most 16,000 bytes. Use ed25519ph for larger messages",
		"crypto sign ed25519 --key-filter attr.label=k1-private --data YWJj":                           "The key is a ec (secp256k1) private-key, which cannot sign with ed25519",
		"crypto sign ecdsa --key-filter attr.label=ed25519-private --hash-function sha256 --data YWJj": "The key is a ec (ed25519) private-key, which cannot sign with ecdsa",
		"crypto sign ed25519 --key-filter attr.label=ed25519-public --data YWJj":                       "The key is a ec (ed25519) public-key, which cannot sign with ed25519",
		"crypto verify ed25519 --key-filter attr.label=ed25519-public --data YWJj --signature AAAA":    "Signature verification failed",
		"crypto verify ed25519 --key-filter attr.label=ed25519-public --data YWJj --signature ***":     "Invalid --signature: not Base64",
	} {
		got := run(t, tl, line)
		require.JSONEq(t, `{"error_code": 1, "data": `+quote(want)+`}`, got, line)
	}
	// The 16,000 bytes themselves are signed.
	ok := base64.StdEncoding.EncodeToString(make([]byte, maxPureEdDSA))
	signatureOf(t, run(t, tl, "crypto sign ed25519 --key-filter attr.label=ed25519-private --data "+ok))
	// A key that may not sign does not.
	run(t, tl, "key generate-asymmetric-pair ec --curve ed25519 --public-label p2 --private-label k2")
	require.JSONEq(t, `{"error_code": 1, "data": "The key's sign attribute is false"}`, run(t, tl, "crypto sign ed25519 --key-filter attr.label=k2 --data YWJj"))
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEd25519VerifiesWithOpenSSL checks PureEdDSA signatures against the
// public key key generate-file writes, with OpenSSL; and Ed25519ph ones
// with Go's crypto/ed25519 (OpenSSL 3.0 has no Ed25519ph in pkeyutl).
func TestEd25519VerifiesWithOpenSSL(t *testing.T) {
	ossl := needOpenSSL(t)
	dir := t.TempDir()
	tl := ed25519Tool(t)
	tl.FS = vfs.Dir{Root: dir}
	msg := []byte("The quick brown fox jumps over the lazy dog")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data.txt"), msg, 0o644))
	require.Equal(t, "Successfully generated key file", data(t, run(t, tl, "key generate-file --encoding pem --path pub.pem --filter attr.label=ed25519-public"))["message"])
	sig, err := base64.StdEncoding.DecodeString(signatureOf(t, run(t, tl, "crypto sign ed25519 --key-filter attr.label=ed25519-private --data-path data.txt")))
	require.NoError(t, err)
	require.Len(t, sig, ed25519.SignatureSize)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sig"), sig, 0o644))
	cmd := exec.Command(ossl, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "data.txt", "-sigfile", "sig")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "Signature Verified Successfully")

	// OpenSSL reads the public key as an ED25519 key, the same point the
	// CLI prints.
	cmd = exec.Command(ossl, "pkey", "-pubin", "-in", "pub.pem", "-noout", "-text")
	cmd.Dir = dir
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "ED25519 Public-Key")

	pemBytes, err := os.ReadFile(filepath.Join(dir, "pub.pem"))
	require.NoError(t, err)
	pub, err := mech.ParsePublicKeyPEM(pemBytes)
	require.NoError(t, err)
	require.True(t, ed25519.Verify(pub.(ed25519.PublicKey), msg, sig))
}

// TestEd25519Object: key_mgmt_util sees the CLI's Ed25519 keys
// as key type 64 (CKK_EC_EDWARDS) with the point as OBJ_ATTR_MODULUS.
func TestEd25519Object(t *testing.T) {
	tl := ed25519Tool(t)
	var pub, priv *hsm.Object
	for _, o := range tl.Cluster.Nodes[0].Objects {
		switch o.Label {
		case "ed25519-public":
			pub = o
		case "ed25519-private":
			priv = o
		}
	}
	require.NotNil(t, pub)
	require.NotNil(t, priv)
	require.Equal(t, hsm.KeyTypeECEdwards, pub.KeyType)
	require.Equal(t, hsm.KeyTypeECEdwards, priv.KeyType)
	require.Equal(t, 255, pub.ModulusBits)
	require.Equal(t, pub.Modulus, priv.Modulus)
	k, err := keyobj.PrivateKey(priv)
	require.NoError(t, err)
	require.Equal(t, []byte(k.(ed25519.PrivateKey).Public().(ed25519.PublicKey)), pub.Modulus)
	attrs := pub.Attributes()
	require.Len(t, attrs, 19)
	require.Equal(t, hsm.AttrModulus, attrs[17].ID)
	require.Equal(t, pub.Modulus, attrs[17].Bytes)
}

// The reference file of an Ed25519 private key names it by its handle
// and holds nothing of it; reference-pem and pem are for other keys.
func TestEd25519ReferencePEM(t *testing.T) {
	tl := ed25519Tool(t)
	_, priv := pairHandles(t, tl.Cluster, "ed25519-public", "ed25519-private")
	require.JSONEq(t, `{"error_code": 0, "data": {"message": "Successfully generated key file"}}`,
		run(t, tl, "key generate-file --encoding cloudhsm-reference-pem --path /tmp/ed25519-private-key.pem --filter attr.label=ed25519-private"))
	b, err := tl.FS.ReadFile("/tmp/ed25519-private-key.pem")
	require.NoError(t, err)
	k, err := mech.ParsePrivateKeyPEM(b)
	require.NoError(t, err)
	seed := k.(ed25519.PrivateKey).Seed()
	require.Equal(t, make([]byte, 24), seed[:24])
	require.Equal(t, priv, binary.BigEndian.Uint64(seed[24:]))
	o := tl.Cluster.Object(priv)
	real, err := keyobj.PrivateKey(o)
	require.NoError(t, err)
	require.NotEqual(t, real.(ed25519.PrivateKey).Seed(), seed)

	require.JSONEq(t, `{"error_code": 1, "data": "The reference-pem encoding is for RSA and EC private keys; Ed25519 and ML-DSA private keys take cloudhsm-reference-pem"}`,
		run(t, tl, "key generate-file --encoding reference-pem --path x.pem --filter attr.label=ed25519-private"))
	require.JSONEq(t, `{"error_code": 1, "data": "The cloudhsm-reference-pem encoding is for Ed25519 and ML-DSA private keys; RSA and EC private keys take reference-pem"}`,
		run(t, tl, "key generate-file --encoding cloudhsm-reference-pem --path x.pem --filter attr.label=ed25519-public"))
	// The private key's pem is its public key.
	run(t, tl, "key generate-file --encoding pem --path a.pem --filter attr.label=ed25519-private")
	run(t, tl, "key generate-file --encoding pem --path b.pem --filter attr.label=ed25519-public")
	a, _ := tl.FS.ReadFile("a.pem")
	bb, _ := tl.FS.ReadFile("b.pem")
	require.Equal(t, string(bb), string(a))
	require.Contains(t, string(a), "BEGIN PUBLIC KEY")
}

// An Ed25519 public key made elsewhere imports as an ec-public key and
// verifies what its private key signed.
func TestEd25519ImportPEM(t *testing.T) {
	tl := ed25519Tool(t)
	k := ed25519.NewKeyFromSeed(make([]byte, 32))
	p, err := mech.MarshalPublicKeyPEM(k.Public())
	require.NoError(t, err)
	require.NoError(t, tl.FS.WriteFile("ed.pem", p))
	require.JSONEq(t, `{"error_code": 1, "data": "The key in ed.pem is an EC public key, not rsa-public"}`,
		run(t, tl, "key import pem --path ed.pem --label imported --key-type-class rsa-public"))
	out := run(t, tl, "key import pem --path ed.pem --label imported --key-type-class ec-public --attributes verify=true")
	d := data(t, out)
	attrs := d["key"].(map[string]any)["attributes"].(map[string]any)
	require.Equal(t, "ed25519", attrs["curve"])
	require.Equal(t, false, attrs["local"])
	require.Equal(t, hexValue(k.Public().(ed25519.PublicKey)), attrs["ec-point"])
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(k, []byte("abc")))
	require.JSONEq(t, `{"error_code": 0, "data": {"message": "Signature verified successfully"}}`,
		run(t, tl, "crypto verify ed25519 --key-filter attr.label=imported --data YWJj --signature "+sig))
}

// An Ed25519 private key wraps and unwraps as an ec-private key; the
// unwrapped key signs as the original does.
func TestEd25519WrapUnwrap(t *testing.T) {
	tl := ed25519Tool(t)
	do := func(line string) map[string]any { t.Helper(); return data(t, run(t, tl, line)) }
	do("key generate-symmetric aes --label kek --key-length-bytes 32 --attributes wrap=true unwrap=true")
	for _, m := range []string{"aes-pkcs5-pad", "aes-zero-pad"} {
		w := do("key wrap " + m + " --payload-filter attr.label=ed25519-private --wrapping-filter attr.label=kek")
		require.Contains(t, run(t, tl, "key unwrap "+m+" --filter attr.label=kek --key-type-class rsa-private --label x --data "+w["wrapped_key_data"].(string)),
			"The unwrapped key is a ec private key, not rsa-private")
		u := do("key unwrap " + m + " --filter attr.label=kek --key-type-class ec-private --label back-" + m + " --data " + w["wrapped_key_data"].(string) + " --attributes sign=true")
		attrs := u["key"].(map[string]any)["attributes"].(map[string]any)
		require.Equal(t, "ed25519", attrs["curve"], m)
		want := signatureOf(t, run(t, tl, "crypto sign ed25519 --key-filter attr.label=ed25519-private --data YWJj"))
		require.Equal(t, want, signatureOf(t, run(t, tl, "crypto sign ed25519 --key-filter attr.label=back-"+m+" --data YWJj")), m)
	}
}

func TestEd25519phPageExamples(t *testing.T) {
	tl := ed25519Tool(t)
	require.NoError(t, tl.FS.WriteFile("data.txt", []byte("abc")))
	sign := pageExamples(t, "cloudhsm_cli-crypto-sign-ed25519ph.md")
	require.Len(t, sign, 2)
	var sigs []string
	for i, ex := range sign {
		got := run(t, tl, ex.command)
		require.Equal(t, normaliseSig(t, ex.output), normaliseSig(t, got), "example %d", i)
		sigs = append(sigs, signatureOf(t, got))
	}
	require.Equal(t, sigs[0], sigs[1])
	require.NoError(t, tl.FS.WriteFile("signature-file", []byte(sigs[0])))
	verify := pageExamples(t, "cloudhsm_cli-crypto-verify-ed25519ph.md")
	require.Len(t, verify, 2)
	for i, ex := range verify {
		got := run(t, tl, withSignature(ex.command, sigs[0]))
		require.Equal(t, normalise(t, ex.output), normalise(t, got), "example %d", i)
	}

	// HashEdDSA over SHA-512 of "abc" (RFC 8032 5.1 with phflag 1), as
	// crypto/ed25519 checks it; not the PureEdDSA signature of the same data.
	pubKey := tl.Cluster.Object(func() uint64 { p, _ := pairHandles(t, tl.Cluster, "ed25519-public", "ed25519-private"); return p }())
	pub, err := keyobj.PublicKey(pubKey)
	require.NoError(t, err)
	sig, err := base64.StdEncoding.DecodeString(sigs[0])
	require.NoError(t, err)
	sum := sha512.Sum512([]byte("abc"))
	require.NoError(t, ed25519.VerifyWithOptions(pub.(ed25519.PublicKey), sum[:], sig, &ed25519.Options{Hash: crypto.SHA512}))
	require.False(t, ed25519.Verify(pub.(ed25519.PublicKey), []byte("abc"), sig))

	// --data-type digest takes the digest itself, and signs the same.
	d := base64.StdEncoding.EncodeToString(sum[:])
	require.Equal(t, sigs[0], signatureOf(t, run(t, tl, "crypto sign ed25519ph --key-filter attr.label=ed25519-private --data-type digest --hash-function sha512 --data "+d)))
	require.JSONEq(t, `{"error_code": 0, "data": {"message": "Signature verified successfully"}}`,
		run(t, tl, "crypto verify ed25519ph --key-filter attr.label=ed25519-public --data-type digest --hash-function sha512 --data "+d+" --signature "+sigs[0]))
	require.JSONEq(t, `{"error_code": 1, "data": "A sha512 digest is 64 bytes; the data is 3"}`,
		run(t, tl, "crypto sign ed25519ph --key-filter attr.label=ed25519-private --data-type digest --hash-function sha512 --data YWJj"))
	// A PureEdDSA signature is not a HashEdDSA one.
	pure := signatureOf(t, run(t, tl, "crypto sign ed25519 --key-filter attr.label=ed25519-private --data YWJj"))
	require.NotEqual(t, pure, sigs[0])
	require.JSONEq(t, `{"error_code": 1, "data": "Signature verification failed"}`,
		run(t, tl, "crypto verify ed25519ph --key-filter attr.label=ed25519-public --data-type raw --hash-function sha512 --data YWJj --signature "+pure))
	// Only sha512 (the option's possible values).
	require.Contains(t, run(t, tl, "crypto sign ed25519ph --key-filter attr.label=ed25519-private --data-type raw --hash-function sha256 --data YWJj"), "invalid value 'sha256' for '--hash-function <HASH_FUNCTION>'")
	// Ed25519ph has no 16,000-byte limit.
	big := base64.StdEncoding.EncodeToString(make([]byte, 20000))
	signatureOf(t, run(t, tl, "crypto sign ed25519ph --key-filter attr.label=ed25519-private --data-type raw --hash-function sha512 --data "+big))
}
