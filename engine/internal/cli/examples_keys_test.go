package cli

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// The generate pages' other examples: attributes given, keys shared with
// cu2, cu3 and cu4 and quorum values set. The RSA page's third example is
// left out: its public key prints "sign": true, which a public key cannot
// be (the EC page's same example prints false, as the simulator does).
func TestKeyGenerationPageExamples(t *testing.T) {
	tl := testTool(t)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	for _, c := range []struct {
		page string
		n    []int
	}{
		{"cloudhsm_cli-key-generate-symmetric-aes.md", []int{2}},
		{"cloudhsm_cli-key-generate-symmetric-generic-secret.md", []int{1, 2, 3}},
		{"cloudhsm_cli-key-generate-asymmetric-pair-rsa.md", []int{1}},
		{"cloudhsm_cli-key-generate-asymmetric-pair-ec.md", []int{1, 2}},
	} {
		for _, n := range c.n {
			checkExample(t, tl, c.page, n)
		}
	}
}

// toolWithUsers is CloudHSM CLI on a newly activated cluster whose crypto
// users were created in the order given (password "password"), so that
// their ids ascend in that order.
func toolWithUsers(t *testing.T, names ...string) *Tool {
	t.Helper()
	sc, err := scenario.Builtin("uninitialised")
	require.NoError(t, err)
	c, _, err := sc.Build()
	require.NoError(t, err)
	tl := New(c, vfs.NewMem(), rand.NewChaCha8([32]byte{5}))
	require.Contains(t, run(t, tl, "cluster activate"), "Cluster activation successful")
	require.Contains(t, run(t, tl, "login --username admin --role admin --password password"), `"error_code": 0`)
	for _, n := range names {
		require.Contains(t, run(t, tl, "user create --username "+n+" --role crypto-user --password password"), `"error_code": 0`, n)
	}
	run(t, tl, "logout")
	return tl
}

// The share and unshare pages: cu3's key, shared with six crypto users
// before the pages start, is shared with alice and unshared again. The
// pages list shared users in the order of their ids (the simulator's
// order, docs/simulator-choices.md), which is the order the users were
// made in here.
func TestShareUnsharePageExamples(t *testing.T) {
	tl := toolWithUsers(t, "cu2", "cu1", "cu3", "cu4", "cu5", "cu6", "cu7", "alice")
	run(t, tl, "login --username cu3 --role crypto-user --password password")
	run(t, tl, "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rsa_key_to_share_public --private-label rsa_key_to_share --private-attributes decrypt=true sign=true unwrap=true")
	for _, u := range []string{"cu2", "cu1", "cu4", "cu5", "cu6", "cu7"} {
		require.Contains(t, run(t, tl, `key share --filter attr.label="rsa_key_to_share" attr.class=private-key --username `+u+" --role crypto-user"), "Key shared successfully")
	}
	checkExample(t, tl, "cloudhsm_cli-key-share.md", 0)
	checkExample(t, tl, "cloudhsm_cli-key-share.md", 1)
	checkExample(t, tl, "cloudhsm_cli-key-unshare.md", 0)
	checkExample(t, tl, "cloudhsm_cli-key-unshare.md", 1)
	checkExample(t, tl, "cloudhsm_cli-key-unshare.md", 2)
}

// key import pem's examples read an RSA public key from /home/example.
func TestImportPemPageExamples(t *testing.T) {
	tl := testTool(t)
	pub, err := tl.FS.ReadFile("rsa2048.pub")
	require.NoError(t, err)
	require.NoError(t, tl.FS.Mkdir("/home"))
	require.NoError(t, tl.FS.WriteFile("/home/example", pub))
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	checkExample(t, tl, "cloudhsm_cli-key-import-pem.md", 0)
	checkExample(t, tl, "cloudhsm_cli-key-import-pem.md", 1)
}

// The filtering page: a key found by its unique label, and a single-key
// command whose filter matches 48 keys (cu1's RSA keys and every RSA
// public key it can see, topped up with imported public keys).
func TestFilteringPageExamples(t *testing.T) {
	tl := testTool(t)
	page := "manage-keys-cloudhsm-cli-filtering.md"
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	run(t, tl, "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label my_unique_key_label_public --private-label my_unique_key_label --private-attributes decrypt=true sign=true unwrap=true")
	require.Contains(t, run(t, tl, `key share --filter attr.label="my_unique_key_label" --username alice --role crypto-user`), "Key shared successfully")
	checkExample(t, tl, page, 0)

	rsaKeys := &filter{attrs: [][2]string{{"key-type", "rsa"}}}
	for i := 0; len(tl.matching(rsaKeys)) < 48; i++ {
		require.Contains(t, run(t, tl, fmt.Sprintf("key import pem --path rsa2048.pub --label imported-%d --key-type-class rsa-public", i)), `"error_code": 0`)
	}
	checkExample(t, tl, page, 3)
}

// key generate-file writes a reference to an EC private key (the page's
// first example; its Ed25519 and Windows KSP examples are not this
// cluster's).
func TestGenerateFilePageExample(t *testing.T) {
	tl := testTool(t)
	require.NoError(t, tl.FS.Mkdir("/tmp"))
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	run(t, tl, "key generate-asymmetric-pair ec --curve secp224r1 --public-label ec-test-public-key --private-label ec-test-private-key")
	checkExample(t, tl, "cloudhsm_cli-key-generate-file.md", 0)
	b, err := tl.FS.ReadFile("/tmp/ec-private-key.pem")
	require.NoError(t, err)
	require.Contains(t, string(b), "-----BEGIN EC PRIVATE KEY-----")
}
