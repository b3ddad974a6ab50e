package cli

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/cmu"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// sdk3 runs lines in an SDK 3 tool, answering its questions with "y" and
// passwords with "password", and returns what it printed.
func sdk3(t *testing.T, tl tool.Tool, lines ...string) string {
	t.Helper()
	var out strings.Builder
	for _, l := range lines {
		r := tl.Exec(l)
		out.WriteString(r.Output)
		for r.Ask != nil {
			a := "y"
			if r.Ask.Secret {
				a = "password"
			}
			r = r.Ask.Answer(a)
			out.WriteString(r.Output)
		}
	}
	return out.String()
}

// pairHandles finds the public and private handles of a labelled pair.
func pairHandles(t *testing.T, c *hsm.Cluster, pubLabel, privLabel string) (pub, priv uint64) {
	t.Helper()
	for h, o := range c.Nodes[0].Objects {
		switch o.Label {
		case pubLabel:
			pub = h
		case privLabel:
			priv = h
		}
	}
	require.NotZero(t, pub)
	require.NotZero(t, priv)
	return pub, priv
}

// TestEd25519InSDK3Tools: key_mgmt_util and cloudhsm_mgmt_util see the
// CLI's Ed25519 keys as key type 64 (CKK_EC_EDWARDS, 0x40) with the EC
// attributes (the point as OBJ_ATTR_MODULUS, 255 bits), and refuse to
// make such keys themselves.
func TestEd25519InSDK3Tools(t *testing.T) {
	tl := ed25519Tool(t)
	pub, priv := pairHandles(t, tl.Cluster, "ed25519-public", "ed25519-private")
	k := kmu.New(tl.Cluster, tl.FS, rand.NewChaCha8([32]byte{5}))
	out := sdk3(t, k, "loginHSM -u CU -s cu1 -p password", "getAttribute -o "+u(pub)+" -a 512 -out pub.attr")
	require.Contains(t, out, "attr cnt 19", out)
	attr, err := tl.FS.ReadFile("pub.attr")
	require.NoError(t, err)
	require.Contains(t, string(attr), "OBJ_ATTR_KEY_TYPE\n0x40\n")
	require.Contains(t, string(attr), "OBJ_ATTR_MODULUS_BITS\n0x000000ff\n")
	o := tl.Cluster.Object(pub)
	require.Contains(t, string(attr), "OBJ_ATTR_MODULUS\n"+strings.TrimPrefix(hexValue(o.Modulus), "0x")+"\n")

	// findKey lists them; -t 64 is not a key type key_mgmt_util knows.
	require.Contains(t, sdk3(t, k, "findKey -c 3"), u(priv))
	require.Contains(t, sdk3(t, k, "findKey -t 64"), "Error: invalid key type 64 for -t")

	// Its public key exports as the PEM the CLI writes.
	sdk3(t, k, "exportPubKey -k "+u(pub)+" -out kmu.pem")
	run(t, tl, "key generate-file --encoding pem --path cli.pem --filter attr.label=ed25519-public")
	a, errA := tl.FS.ReadFile("kmu.pem")
	b, errB := tl.FS.ReadFile("cli.pem")
	require.NoError(t, errA)
	require.NoError(t, errB)
	require.Equal(t, string(b), string(a))

	// key_mgmt_util cannot import an Ed25519 key: it never had the type.
	out = sdk3(t, k, "importPubKey -f cli.pem -l again")
	require.NotContains(t, out, "Public Key Handle")
	require.Contains(t, out, `Error: file "cli.pem" holds a key of an algorithm the HSM does not support`)

	// No RSA or ECDSA mechanism signs with it.
	require.NoError(t, tl.FS.WriteFile("msg", []byte("abc")))
	for _, m := range []string{"1", "17"} {
		out = sdk3(t, k, "sign -f msg -k "+u(priv)+" -m "+m+" -out sig")
		require.NotContains(t, out, "SUCCESS", "-m %s: %s", m, out)
	}

	cm := cmu.New(tl.Cluster, tl.FS, rand.NewChaCha8([32]byte{6}))
	out = sdk3(t, cm, "loginHSM CU cu1 password", "getAttribute "+u(pub)+" 256")
	require.Contains(t, out, "OBJ_ATTR_KEY_TYPE\n0x00000040", out)
}

func u(h uint64) string { return strconv.FormatUint(h, 10) }

// TestMLDSAInSDK3Tools: the SDK 3 tools see an ML-DSA key as key type 74
// (CKK_ML_DSA, 0x4a) with the 17 attributes every key has, its FIPS 204
// size as OBJ_ATTR_VALUE_LEN.
func TestMLDSAInSDK3Tools(t *testing.T) {
	tl := mldsaTool(t)
	pub, priv := pairHandles(t, tl.Cluster, "ml-dsa-public-key-example", "ml-dsa-private-key-example")
	k := kmu.New(tl.Cluster, tl.FS, rand.NewChaCha8([32]byte{5}))
	out := sdk3(t, k, "loginHSM -u CU -s cu1 -p password", "getAttribute -o "+u(priv)+" -a 512 -out priv.attr")
	require.Contains(t, out, "attr cnt 17", out)
	attr, err := tl.FS.ReadFile("priv.attr")
	require.NoError(t, err)
	require.Contains(t, string(attr), "OBJ_ATTR_KEY_TYPE\n0x4a\n")
	require.Contains(t, string(attr), "OBJ_ATTR_VALUE_LEN\n0x00000a00\n") // 2560
	require.Contains(t, sdk3(t, k, "findKey -l ml-dsa-public-key-example"), u(pub))
	require.Contains(t, sdk3(t, k, "findKey -t 74"), "Error: invalid key type 74 for -t")

	sdk3(t, k, "exportPubKey -k "+u(pub)+" -out kmu.pem")
	run(t, tl, "key generate-file --encoding pem --path cli.pem --filter attr.label=ml-dsa-public-key-example")
	a, errA := tl.FS.ReadFile("kmu.pem")
	b, errB := tl.FS.ReadFile("cli.pem")
	require.NoError(t, errA)
	require.NoError(t, errB)
	require.Equal(t, string(b), string(a))
	require.Contains(t, sdk3(t, k, "importPubKey -f cli.pem -l again"), `Error: file "cli.pem" holds a key of an algorithm the HSM does not support`)
	require.NoError(t, tl.FS.WriteFile("msg", []byte("abc")))
	require.NotContains(t, sdk3(t, k, "sign -f msg -k "+u(priv)+" -m 1 -out sig"), "SUCCESS")

	cm := cmu.New(tl.Cluster, tl.FS, rand.NewChaCha8([32]byte{6}))
	out = sdk3(t, cm, "loginHSM CU cu1 password", "getAttribute "+u(pub)+" 256")
	require.Contains(t, out, "OBJ_ATTR_KEY_TYPE\n0x0000004a", out)
}
