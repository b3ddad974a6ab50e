package shell

import (
	"bufio"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update-shell", false, "rewrite the shell package's golden transcripts")

// runScript runs a script file's lines on a fresh seeded session.
func runScript(t *testing.T, s *Session, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var steps []Step
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		st, _ := s.Step(sc.Text())
		steps = append(steps, st)
	}
	return Transcript(steps)
}

func newSeeded(t *testing.T, seed uint64) *Session {
	t.Helper()
	s, err := New(Options{Rand: SeededRand(seed)})
	require.NoError(t, err)
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

// The whole seed walkthrough, from the host shell through both tools, on
// a seeded default cluster: its output is kept as a golden transcript.
func TestSeedWalkthroughEndToEnd(t *testing.T) {
	s := newSeeded(t, 1)
	got := runScript(t, s, "testdata/seed.script")
	golden(t, "seed.golden", got)

	// The seed's own lines are in it, as printed.
	for _, line := range []string{
		"Symmetric Key Created.  Key Handle: 524295",
		"Cfm3GenerateKeyPair:    public key handle: 524294    private key handle: 524296",
		"Cfm3GenerateKeyPair:    public key handle: 524297    private key handle: 524298",
		"Symmetric Key Unwrapped.  Key Handle: 524300",
		"BER encoded key length is 1216",
		"Private Key Unwrapped.  Key Handle: 524301",
		"Public Key Handle: 524302",
		"Symmetric Key Created.  Key Handle: 524304",
		`Wrapped Symmetric Key written to file "aes256.key.exp"`,
		"PEM formatted private key is written to rsa2048.key.exp",
		"Do you want to continue(y/n)?y\nshareKey success on server 0(10.0.2.9)\nshareKey success on server 1(10.0.3.11)\nshareKey success on server 2(10.0.1.12)",
	} {
		assert.Contains(t, got, line)
	}

	// What was exported is real: the public key parses, the secret key is
	// the 32 plaintext bytes of key 524295.
	pub, err := s.FS.ReadFile("rsa2048.pub.exp")
	require.NoError(t, err)
	blk, _ := pem.Decode(pub)
	require.NotNil(t, blk)
	_, err = x509.ParsePKIXPublicKey(blk.Bytes)
	require.NoError(t, err)
	sec, err := s.FS.ReadFile("aes256.key.exp")
	require.NoError(t, err)
	assert.Len(t, sec, 32)

	// Sharing happened on every HSM; the session keys went with the session.
	for _, n := range s.Cluster.Nodes {
		assert.Equal(t, []int{4}, n.Objects[524295].Shared)
		assert.Nil(t, n.Objects[524299])
		assert.Nil(t, n.Objects[524304])
		assert.Nil(t, n.Objects[524300], "deleted")
	}
}

func TestSeededRunsAreReproducible(t *testing.T) {
	a := runScript(t, newSeeded(t, 7), "testdata/seed.script")
	b := runScript(t, newSeeded(t, 7), "testdata/seed.script")
	assert.Equal(t, a, b)
	sa, _ := newSeeded(t, 7).Snapshot()
	sb, _ := newSeeded(t, 7).Snapshot()
	assert.Equal(t, sa, sb)
}

// OpenSSL reads what the simulator exports, and the simulator imports what
// OpenSSL makes.
func TestOpenSSLInterop(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	cmd := exec.Command("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", filepath.Join(dir, "ossl.pem"))
	require.NoError(t, cmd.Run())
	s, err := New(Options{Rand: SeededRand(3), Dir: dir})
	require.NoError(t, err)
	for _, line := range []string{
		"key_mgmt_util",
		"loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 16 -sess -l wrap",
		"importPrivateKey -f ossl.pem -l from-openssl -w 524295",
		"genRSAKeyPair -m 2048 -e 65537 -l mine",
		"exportPrivateKey -k 524297 -out mine.pem -w 524295",
		"exportPubKey -k 524294 -out mine.pub",
	} {
		rep := s.Exec(line)
		require.NotContains(t, rep.Output, "HSM Error", line)
		require.NotContains(t, rep.Output, "\tError:", line)
	}
	for _, args := range [][]string{
		{"pkey", "-in", filepath.Join(dir, "mine.pem"), "-check", "-noout"},
		{"pkey", "-pubin", "-in", filepath.Join(dir, "mine.pub"), "-noout"},
	} {
		out, err := exec.Command("openssl", args...).CombinedOutput()
		assert.NoError(t, err, string(out))
	}
}

func TestHostShell(t *testing.T) {
	s := newSeeded(t, 1)
	cases := []struct{ in, want string }{
		{"echo hello > note.txt", ""},
		{"cat note.txt", "hello\n"},
		{"cp note.txt copy.txt", ""},
		{"mv copy.txt moved.txt", ""},
		{"ls", "aes256.key\nmoved.txt\nnote.txt\nrsa2048.key\nrsa2048.pub\n"},
		{"rm moved.txt nothere", "rm: cannot remove 'nothere': No such file or directory\n"},
		{"cat aes256.key", "cat: aes256.key: binary file (32 bytes); use xxd aes256.key to see it\n"},
		{"frobnicate", "sh: frobnicate: command not found (type help for what this shell can do)\n"},
		{"cat ../../etc/passwd", "cat: ../../etc/passwd: No such file or directory\n"},
		{`echo "unterminated`, "sh: unterminated quoted string\n"},
		{"cluster node 9 down", "cluster: no HSM \"9\" (the nodes are 0 to 2)\n"},
		{"cluster node 2 down", "HSM 2 (10.0.1.12) is now offline.\n"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, s.Exec(c.in).Output, c.in)
	}
	assert.Equal(t, HostPrompt, s.Prompt())
	assert.Contains(t, s.Exec("help").Output, "key_mgmt_util")
	assert.True(t, s.Exec("exit").Exit)
}

// A drifted cluster shows in the status and in key_mgmt_util's per-node
// lines; bringing the HSM back does not bring the key back.
func TestDriftShowsEverywhere(t *testing.T) {
	s := newSeeded(t, 1)
	s.Exec("cluster node 1 down")
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	out := s.Exec("genSymKey -t 31 -s 32 -l while-down").Output
	assert.Contains(t, out, "Node id 1 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable")
	s.Exec("exit")
	s.Exec("cluster node 1 up")
	st := s.Exec("cluster status").Output
	assert.Contains(t, st, "1      10.0.3.11    up       7      4      out of sync")
	sum := s.Summary()
	assert.False(t, sum.Nodes[1].InSync)
	assert.True(t, sum.Nodes[0].InSync)
}

func TestQuestionsWaitAndRefuseOnNo(t *testing.T) {
	s := newSeeded(t, 1)
	s.Exec("cloudhsm_mgmt_util")
	s.Exec("loginHSM CU example_user password")
	s.Exec("loginHSM CU alice password")
	rep := s.Exec("shareKey 524291 3 0")
	_ = rep
	s = newSeeded(t, 1)
	s.Exec("cloudhsm_mgmt_util")
	s.Exec("loginHSM CU alice password")
	rep = s.Exec("shareKey 524288 3 1")
	require.True(t, rep.Asking)
	assert.Equal(t, "Do you want to continue(y/n)?", rep.Prompt)
	rep = s.Exec("n")
	assert.False(t, rep.Asking)
	assert.Empty(t, s.Cluster.Nodes[0].Objects[524288].Shared, "n changes nothing")
	rep = s.Exec("shareKey 524288 3 1")
	require.True(t, rep.Asking)
	s.Interrupt()
	assert.Equal(t, "aws-cloudhsm>", s.Prompt())
	assert.Empty(t, s.Cluster.Nodes[0].Objects[524288].Shared, "Ctrl-C changes nothing")
}

func TestCompletion(t *testing.T) {
	s := newSeeded(t, 1)
	assert.Equal(t, []string{"key_mgmt_util"}, s.Complete("key_"))
	assert.Equal(t, []string{"rsa2048.key", "rsa2048.pub"}, s.Complete("cat rsa"))
	s.Exec("key_mgmt_util")
	assert.Equal(t, []string{"genDSAKeyPair", "genECCKeyPair", "genPBEKey", "genRSAKeyPair", "genSymKey"}, s.Complete("gen"))
	assert.Contains(t, s.Complete("genSymKey -"), "-sess")
	assert.Equal(t, []string{"example_user"}, s.Complete("loginHSM -u CU -s ex"))
	s.Exec("loginHSM -u CU -s example_user -p password")
	assert.Contains(t, s.Complete("getKeyInfo -k 52429"), "524291")
	assert.Equal(t, []string{"aes256.key"}, s.Complete("imSymKey -f aes"))
}

func TestReloadKeepsTheLoginAndSessionKeys(t *testing.T) {
	// Two tabs on one workspace: each reloads the other's saved state
	// before its next command.
	a := newSeeded(t, 1)
	b := newSeeded(t, 2)
	b.Exec("key_mgmt_util")
	b.Exec("loginHSM -u CU -s example_user -p password")
	out := b.Exec("genSymKey -t 31 -s 16 -sess -l mine").Output
	require.Contains(t, out, "Key Handle: 524295")
	saved, err := b.Snapshot()
	require.NoError(t, err)
	require.NoError(t, a.Reload(saved))
	a.Exec("key_mgmt_util")
	a.Exec("loginHSM -u CU -s example_user -p password")
	out = a.Exec("genSymKey -t 31 -s 32 -l from-a").Output
	require.Contains(t, out, "Key Handle: 524296", "the saved cursor keeps handles apart")
	saved, err = a.Snapshot()
	require.NoError(t, err)
	require.NoError(t, b.Reload(saved))
	// b is still logged in, still holds its session key, and sees a's key.
	out = b.Exec("getKeyInfo -k 524295").Output
	assert.True(t, strings.HasPrefix(out, "Cfm3GetKey returned: 0x00"), out)
	out = b.Exec("getKeyInfo -k 524296").Output
	assert.True(t, strings.HasPrefix(out, "Cfm3GetKey returned: 0x00"), out)
	assert.Equal(t, "Command: ", b.Prompt())
}
