package shell

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/testenv"
	"github.com/hsmsim/hsmsim/engine/state"
)

func newSeeded(t *testing.T, seed uint64) *Session {
	t.Helper()
	s, err := New(Options{Rand: SeededRand(seed)})
	require.NoError(t, err)
	return s
}

// OpenSSL reads what the simulator exports, and the simulator imports what
// OpenSSL makes.
func TestOpenSSLInterop(t *testing.T) {
	testenv.OpenSSL(t)
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
		{"cat ../../etc/passwd", "cat: ../../etc/passwd: Permission denied (outside the workspace)\n"},
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
	rep := s.Exec("genSymKey -t 31 -s 32 -l while-down")
	assert.Contains(t, rep.Output, "Node id 1 and err state 0x30000085 : HSM CLUSTER ERROR: Server in cluster is unavailable")
	require.Len(t, rep.Calls, 1)
	require.Len(t, rep.Calls[0].Nodes, 3)
	assert.Equal(t, hsm.RCServerUnavailable, rep.Calls[0].Nodes[1].RC)
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
	for _, h := range []string{"524295", "524296"} {
		rep := b.Exec("getKeyInfo -k " + h)
		require.Len(t, rep.Calls, 1, rep.Output)
		assert.Equal(t, hsm.RCSuccess, rep.Calls[0].RC, rep.Output)
	}
	assert.Equal(t, "Command: ", b.Prompt())
}

func TestUndoPutsBackTheSavedStateAndTheSessionKeys(t *testing.T) {
	// A command whose save failed is taken back: the saved state returns,
	// with the session keys as they were before it, and the login stays.
	s := newSeeded(t, 1)
	saved := func() (*hsm.Cluster, map[string][]byte) {
		t.Helper()
		doc, err := s.Snapshot()
		require.NoError(t, err)
		c, files, err := state.Decode(doc)
		require.NoError(t, err)
		return c, files
	}
	c, files := saved()
	keep := s.SessionKeys()
	s.Exec("echo undone > undone.txt")
	require.NoError(t, s.Undo(c, files, keep))
	_, err := s.ReadFile("undone.txt")
	assert.True(t, IsNotExist(err), "files are as saved: %v", err)

	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	require.Contains(t, s.Exec("genSymKey -t 31 -s 16 -sess -l kept-session").Output, "Key Handle: 524295")
	c, files = saved()
	keep = s.SessionKeys()
	require.Contains(t, s.Exec("genSymKey -t 31 -s 32 -l undone-token").Output, "Key Handle: 524296")
	require.Contains(t, s.Exec("genSymKey -t 31 -s 16 -sess -l undone-session").Output, "Key Handle: 524297")
	require.Contains(t, s.Exec("deleteKey -k 524295").Output, "SUCCESS")

	require.NoError(t, s.Undo(c, files, keep))
	assert.Equal(t, "Command: ", s.Prompt(), "the login stays")
	find := func(label string) string { return s.Exec("findKey -l " + label).Output }
	assert.Contains(t, find("kept-session"), "Total number of keys present 1", "a session key deleted by what was undone is back")
	assert.Contains(t, find("undone-token"), "Total number of keys present 0")
	assert.Contains(t, find("undone-session"), "Total number of keys present 0")
	// The saved cursor: the next key takes the first handle that no saved
	// or session key holds.
	assert.Contains(t, s.Exec("genSymKey -t 31 -s 32 -l after").Output, "Key Handle: 524296")
}

// --dir maps folders to real subdirectories, and no path leaves it.
func TestDirFolders(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "ws")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(base, "secret"), []byte("secret\n"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(base, "secret"), filepath.Join(dir, "link")))
	s, err := New(Options{Rand: SeededRand(1), Dir: dir})
	require.NoError(t, err)
	for _, c := range []struct{ in, want string }{
		{"openssl rand -out keys/aes256-forImport.key 32", ""},
		{"mkdir out", ""},
		{"echo hi > out/note", ""},
		{"cat link", "cat: link: Permission denied (outside the workspace)\n"},
		{"cat ../secret", "cat: ../secret: Permission denied (outside the workspace)\n"},
		{"cat /../secret", "cat: /../secret: Permission denied (outside the workspace)\n"},
		{"echo x > link", "sh: link: Permission denied (outside the workspace)\n"},
		{"cp link copied", "cp: cannot stat 'link': Permission denied (outside the workspace)\n"},
		{"ls", "aes256.key\nkeys\nout\nrsa2048.key\nrsa2048.pub\n"},
	} {
		assert.Equal(t, c.want, s.Exec(c.in).Output, c.in)
	}
	b, err := os.ReadFile(filepath.Join(dir, "keys", "aes256-forImport.key"))
	require.NoError(t, err)
	assert.Len(t, b, 32)
	b, err = os.ReadFile(filepath.Join(dir, "out", "note"))
	require.NoError(t, err)
	assert.Equal(t, "hi\n", string(b))
	b, _ = os.ReadFile(filepath.Join(base, "secret"))
	assert.Equal(t, "secret\n", string(b), "untouched through the link")
}

// The panels name the CLI's Ed25519 and ML-DSA keys by their type alone.
func TestSummaryOfEd25519AndMLDSAKeys(t *testing.T) {
	s := newSeeded(t, 1)
	s.Exec("cloudhsm-cli interactive")
	s.Exec("login --username example_user --role crypto-user --password password")
	require.Contains(t, s.Exec("key generate-asymmetric-pair ec --curve ed25519 --public-label edp --private-label edk").Output, `"error_code": 0`)
	require.Contains(t, s.Exec("key generate-asymmetric-pair ml-dsa --mldsa-algorithm ML-DSA-65 --public-label mlp --private-label mlk").Output, `"error_code": 0`)
	got := map[string]string{}
	for _, k := range s.Summary().Keys {
		got[k.Label] = fmt.Sprintf("%s %s %d", k.KeyType, k.Class, k.Bits)
	}
	assert.Equal(t, "EC_EDWARDS public 0", got["edp"])
	assert.Equal(t, "EC_EDWARDS private 0", got["edk"])
	assert.Equal(t, "ML_DSA public 0", got["mlp"])
	assert.Equal(t, "ML_DSA private 0", got["mlk"])
}
