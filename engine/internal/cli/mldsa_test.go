package cli

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// mldsaTool is cu1 logged in with an ML-DSA-44 pair labelled as the
// sign and verify pages' examples label theirs.
func mldsaTool(t *testing.T) *Tool {
	t.Helper()
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	out := run(t, tl, "key generate-asymmetric-pair ml-dsa --mldsa-algorithm ML-DSA-44 --public-label ml-dsa-public-key-example --private-label ml-dsa-private-key-example --public-attributes verify=true --private-attributes sign=true")
	require.Contains(t, out, `"error_code": 0`, out)
	return tl
}

func TestMLDSAKeyGenerationPage(t *testing.T) {
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	checkExample(t, tl, "cloudhsm_cli-key-generate-asymmetric-pair-mldsa.md", 0)

	// The second example shows only some attributes: those it shows are
	// the simulator's.
	ex := pageExamples(t, "cloudhsm_cli-key-generate-asymmetric-pair-mldsa.md")[1]
	got := run(t, tl, ex.command)
	type half struct {
		Attrs map[string]any `json:"attributes"`
	}
	var want, have struct {
		Data struct {
			Pub  half `json:"public_key"`
			Priv half `json:"private_key"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(ex.output), &want))
	require.NoError(t, json.Unmarshal([]byte(got), &have), got)
	for _, p := range [][2]map[string]any{{want.Data.Pub.Attrs, have.Data.Pub.Attrs}, {want.Data.Priv.Attrs, have.Data.Priv.Attrs}} {
		require.NotEmpty(t, p[0])
		for k, v := range p[0] {
			require.Equal(t, v, p[1][k], k)
		}
	}

	// ML-DSA-87's sizes (FIPS 204).
	out := run(t, tl, "key generate-asymmetric-pair ml-dsa --mldsa-algorithm ML-DSA-87 --public-label p87 --private-label k87")
	require.Contains(t, out, `"key-length-bytes": 2592`)
	require.Contains(t, out, `"key-length-bytes": 4896`)
	require.Contains(t, out, `"mldsa-algorithm": "ML-DSA-87"`)
	require.Contains(t, run(t, tl, "key generate-asymmetric-pair ml-dsa --mldsa-algorithm ML-DSA-99 --public-label p --private-label k"),
		"invalid value 'ML-DSA-99' for '--mldsa-algorithm <MLDSA_ALGORITHM>'")
	// Filters find keys by key type and algorithm.
	require.Contains(t, run(t, tl, "key list --filter attr.key-type=ml-dsa attr.mldsa-algorithm=ML-DSA-87"), `"total_key_count": 2`)
	require.Contains(t, run(t, tl, "key list --filter attr.key-type=ml-dsa"), `"total_key_count": 6`)
}

func TestMLDSASignVerifyPages(t *testing.T) {
	tl := mldsaTool(t)
	require.NoError(t, tl.FS.WriteFile("/tmp/data.bin", []byte("abc123")))
	sign := pageExamples(t, "cloudhsm_cli-crypto-sign-mldsa.md")
	require.Len(t, sign, 4) // the key generate-file of the external mu steps, then three
	raw := signatureOf(t, run(t, tl, sign[1].command))
	require.Equal(t, normaliseSig(t, sign[1].output), normaliseSig(t, run(t, tl, sign[1].command)))
	sig, err := base64.StdEncoding.DecodeString(raw)
	require.NoError(t, err)
	require.Len(t, sig, 2420)
	// Deterministic: the file of the same bytes signs the same.
	fromFile := run(t, tl, sign[3].command)
	require.Equal(t, raw, signatureOf(t, fromFile))

	// external-mu is refused, and changes nothing.
	require.JSONEq(t, `{"error_code": 1, "data": `+quote(msgExternalMu)+`}`,
		run(t, tl, strings.Replace(sign[2].command, `attr.label="MLDSA_private_key"`, "attr.label=ml-dsa-private-key-example", 1)))

	require.NoError(t, tl.FS.WriteFile("/tmp/signature.bin", sig))
	verify := pageExamples(t, "cloudhsm_cli-crypto-verify-mldsa.md")
	require.Len(t, verify, 3)
	for _, i := range []int{0, 2} {
		got := run(t, tl, withSignature(verify[i].command, `"`+raw+`"`))
		require.Equal(t, normalise(t, verify[i].output), normalise(t, got), "example %d", i)
	}
	require.JSONEq(t, `{"error_code": 1, "data": `+quote(msgExternalMu)+`}`, run(t, tl, verify[1].command))

	// Other data, a damaged signature, a short one: not verified.
	bad := append([]byte(nil), sig...)
	bad[10] ^= 1
	for _, s := range []string{base64.StdEncoding.EncodeToString(bad), "AAAA"} {
		require.JSONEq(t, `{"error_code": 1, "data": "Signature verification failed"}`,
			run(t, tl, "crypto verify ml-dsa --key-filter attr.label=ml-dsa-public-key-example --data-type raw --hash-function shake256 --data YWJjMTIz --signature "+s))
	}
	require.JSONEq(t, `{"error_code": 1, "data": "Signature verification failed"}`,
		run(t, tl, "crypto verify ml-dsa --key-filter attr.label=ml-dsa-public-key-example --data-type raw --hash-function shake256 --data YWJj --signature "+raw))

	// The data and the signature each come one way.
	require.Contains(t, run(t, tl, "crypto sign ml-dsa --key-filter attr.label=ml-dsa-private-key-example --data-type raw --hash-function shake256"),
		"error: the following required arguments were not provided:\n  <--data <DATA>|--data-path <DATA_PATH>>")
	require.Contains(t, run(t, tl, "crypto verify ml-dsa --key-filter attr.label=ml-dsa-public-key-example --data-type raw --hash-function shake256 --data YWJj"),
		"<--signature-path <SIGNATURE_PATH>|--signature <SIGNATURE>>")
	require.Contains(t, run(t, tl, "crypto sign ml-dsa --key-filter attr.label=ml-dsa-private-key-example --data-type raw --hash-function shake256 --data YWJj --data-path /tmp/data.bin"),
		"error: the argument '--data <DATA>' cannot be used with '--data-path <DATA_PATH>'")
	// An EC key does not sign with ML-DSA, nor an ML-DSA key with ECDSA.
	run(t, tl, "key generate-asymmetric-pair ec --curve secp256r1 --public-label ecp --private-label eck --private-attributes sign=true")
	require.JSONEq(t, `{"error_code": 1, "data": "The key is a ec (prime256v1) private-key, which cannot sign with ml-dsa"}`,
		run(t, tl, "crypto sign ml-dsa --key-filter attr.label=eck --data-type raw --hash-function shake256 --data YWJj"))
	require.JSONEq(t, `{"error_code": 1, "data": "The key is a ml-dsa private-key, which cannot sign with ecdsa"}`,
		run(t, tl, "crypto sign ecdsa --key-filter attr.label=ml-dsa-private-key-example --hash-function sha256 --data YWJj"))
}

// TestMLDSAVerifiesWithGo checks the CLI's signatures of each set against
// the public key key generate-file writes, read back and checked by the
// library directly (OpenSSL reads ML-DSA from 3.5; the test machine's is
// older).
func TestMLDSAVerifiesWithGo(t *testing.T) {
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	for _, set := range []string{"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"} {
		out := run(t, tl, "key generate-asymmetric-pair ml-dsa --mldsa-algorithm "+set+" --public-label p"+set+" --private-label k"+set+" --private-attributes sign=true")
		require.Contains(t, out, `"error_code": 0`, out)
		sig := signatureOf(t, run(t, tl, "crypto sign ml-dsa --key-filter attr.label=k"+set+" --data-type raw --hash-function shake256 --data YWJjMTIz"))
		require.JSONEq(t, `{"error_code": 0, "data": {"message": "Successfully generated key file"}}`,
			run(t, tl, "key generate-file --encoding pem --path "+set+".pem --filter attr.label=p"+set))
		b, err := tl.FS.ReadFile(set + ".pem")
		require.NoError(t, err)
		require.Contains(t, string(b), "-----BEGIN PUBLIC KEY-----")
		pub, err := mech.ParsePublicKeyPEM(b)
		require.NoError(t, err)
		k := pub.(*mech.MLDSAPublicKey)
		require.Equal(t, set, k.Set.String())
		raw, err := base64.StdEncoding.DecodeString(sig)
		require.NoError(t, err)
		require.Len(t, raw, k.Set.SignatureSize())
		require.NoError(t, mech.VerifyMLDSA(k, []byte("abc123"), raw))
		require.Error(t, mech.VerifyMLDSA(k, []byte("abc124"), raw))
	}
}

func TestMLDSAKeyFiles(t *testing.T) {
	tl := mldsaTool(t)
	_, priv := pairHandles(t, tl.Cluster, "ml-dsa-public-key-example", "ml-dsa-private-key-example")
	require.JSONEq(t, `{"error_code": 0, "data": {"message": "Successfully generated key file"}}`,
		run(t, tl, "key generate-file --encoding cloudhsm-reference-pem --path ref.pem --filter attr.label=ml-dsa-private-key-example"))
	b, err := tl.FS.ReadFile("ref.pem")
	require.NoError(t, err)
	k, err := mech.ParsePrivateKeyPEM(b)
	require.NoError(t, err)
	ref := k.(*mech.MLDSAPrivateKey)
	require.Equal(t, mech.MLDSA44, ref.Set)
	require.Equal(t, make([]byte, 24), ref.Seed[:24])
	require.Equal(t, KeyReference(priv), KeyReference(beUint64(ref.Seed[24:])))
	realKey, err := keyobj.PrivateKey(tl.Cluster.Object(priv))
	require.NoError(t, err)
	require.NotEqual(t, realKey.(*mech.MLDSAPrivateKey).Seed, ref.Seed)

	// ML-DSA keys cannot be imported (the import page) nor unwrapped.
	run(t, tl, "key generate-file --encoding pem --path pub.pem --filter attr.label=ml-dsa-public-key-example")
	require.JSONEq(t, `{"error_code": 1, "data": "The key in pub.pem is an ML-DSA public key. ML-DSA keys cannot be imported: generate them in the HSM with key generate-asymmetric-pair ml-dsa"}`,
		run(t, tl, "key import pem --path pub.pem --label again --key-type-class ec-public"))
	run(t, tl, "key generate-symmetric aes --label kek --key-length-bytes 32 --attributes wrap=true unwrap=true")
	w := data(t, run(t, tl, "key wrap aes-pkcs5-pad --payload-filter attr.label=ml-dsa-private-key-example --wrapping-filter attr.label=kek"))
	require.Contains(t, run(t, tl, "key unwrap aes-pkcs5-pad --filter attr.label=kek --key-type-class ec-private --label back --data "+w["wrapped_key_data"].(string)),
		"The unwrapped key is a ml-dsa private key, not ec-private")
}

func beUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

func TestMLDSAKeysSaveAndLoad(t *testing.T) {
	tl := mldsaTool(t)
	saveAndLoad(t, tl.Cluster, hsm.KeyTypeMLDSA)
}
