package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
)

func hsmsim(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestScriptPrintsATranscript(t *testing.T) {
	out, _, code := hsmsim(t, "key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 32 -l aes256\n", "--seed", "1")
	require.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "$ key_mgmt_util\nCommand: loginHSM -u CU -s example_user -p password\nCfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS\n"), out)
	assert.Contains(t, out, "Command: genSymKey -t 31 -s 32 -l aes256\nCfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS\nSymmetric Key Created.  Key Handle: 524295\n")
}

func TestStateKeepsTokenKeysAndDropsSessionKeys(t *testing.T) {
	st := filepath.Join(t.TempDir(), "ws.json")
	_, _, code := hsmsim(t, "key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 32 -l kept\ngenSymKey -t 31 -s 16 -sess -l gone\n", "--state", st, "--seed", "1")
	require.Equal(t, 0, code)
	out, _, code := hsmsim(t, "key_mgmt_util\nloginHSM -u CU -s example_user -p password\nfindKey -l kept\nfindKey -l gone\n", "--state", st)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "Command: findKey -l kept\nTotal number of keys present 1\n")
	assert.Contains(t, out, "Command: findKey -l gone\nTotal number of keys present 0\n")
}

func TestDamagedOrNewerStateIsRefusedAndLeftAlone(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"damaged.json": `{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[`,
		"newer.json":   `{"format":"hsmsim-workspace","version":99}`,
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		_, stderr, code := hsmsim(t, "ls\n", "--state", p)
		assert.Equal(t, 1, code, name)
		assert.Contains(t, stderr, "left untouched", name)
		after, _ := os.ReadFile(p)
		assert.Equal(t, content, string(after), name)
	}
	_, stderr, _ := hsmsim(t, "", "--state", filepath.Join(dir, "newer.json"))
	assert.Contains(t, stderr, "newer version of hsmsim")
}

func TestSeedIsReproducible(t *testing.T) {
	script := "key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenRSAKeyPair -m 2048 -e 65537 -l r\nexportPubKey -k 524294 -out r.pub\nexit\ncat r.pub\n"
	a, _, _ := hsmsim(t, script, "--seed", "42")
	b, _, _ := hsmsim(t, script, "--seed", "42")
	c, _, _ := hsmsim(t, script, "--seed", "43")
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

func TestFreshClusterHasOnlyThePrecryptoOfficer(t *testing.T) {
	out, _, code := hsmsim(t, "cloudhsm_mgmt_util\nlistUsers\n", "--fresh")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "PRECO")
	assert.NotContains(t, out, "example_user")
}

func TestDirKeepsFilesOnDisk(t *testing.T) {
	dir := t.TempDir()
	_, _, code := hsmsim(t, "openssl rand -out r.bin 16\n", "--dir", dir)
	require.Equal(t, 0, code)
	b, err := os.ReadFile(filepath.Join(dir, "r.bin"))
	require.NoError(t, err)
	assert.Len(t, b, 16)
	_, err = os.Stat(filepath.Join(dir, "rsa2048.key"))
	assert.NoError(t, err, "a fresh workspace brings its files")
}

// --dir maps folders to real subdirectories; no path, and no symbolic
// link, reaches outside it.
func TestDirFoldersStayInside(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "ws")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(base, "secret"), []byte("secret\n"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(base, "secret"), filepath.Join(dir, "link")))
	require.NoError(t, os.Symlink(base, filepath.Join(dir, "up")))
	script := "openssl rand -out keys/r.bin 16\nmkdir -p a/b\ncd a/b\npwd\necho hi > note\ncd /\n" +
		"cat link\ncat up/secret\ncat ../secret\necho x > up/new\nls\n"
	out, _, code := hsmsim(t, script, "--dir", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "/a/b\n")
	for _, refused := range []string{"cat: link: ", "cat: up/secret: ", "cat: ../secret: ", "sh: up/new: "} {
		assert.Contains(t, out, refused+"Permission denied (outside the workspace)\n")
	}
	assert.NotContains(t, out, "secret\n$")
	b, err := os.ReadFile(filepath.Join(dir, "keys", "r.bin"))
	require.NoError(t, err)
	assert.Len(t, b, 16)
	b, err = os.ReadFile(filepath.Join(dir, "a", "b", "note"))
	require.NoError(t, err)
	assert.Equal(t, "hi\n", string(b))
	_, err = os.Stat(filepath.Join(base, "new"))
	assert.True(t, os.IsNotExist(err), "nothing written outside")
}

func TestBadFlags(t *testing.T) {
	_, _, code := hsmsim(t, "", "--bogus")
	assert.Equal(t, 2, code)
	_, stderr, code := hsmsim(t, "", "--seed", "x")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "seed must be")
	_, stderr, code = hsmsim(t, "", "--scenario", "nope")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "unknown scenario")
}

func TestRunCheckReplaysMarkdown(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.txt")
	require.NoError(t, os.WriteFile(script, []byte("key_mgmt_util\nloginHSM -u CU -s example_user -p ********\ngenSymKey -t 31 -s 32 -l aes256\n"), 0o600))
	out, _, code := hsmsim(t, "", "run", "--seed", "5", script)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "Key Handle: 524295")

	md := "# Make a key\n\n<!-- hsmsim seed=5 -->\n\n```\n" + out + "```\n"
	good := filepath.Join(dir, "good.md")
	require.NoError(t, os.WriteFile(good, []byte(md), 0o600))
	res, _, code := hsmsim(t, "", "run", "--check", good)
	assert.Equal(t, 0, code, res)
	assert.Contains(t, res, "3 steps, output matches")

	bad := filepath.Join(dir, "bad.md")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(md, "524295", "6", 1)), 0o600))
	res, _, code = hsmsim(t, "", "run", "--check", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, res, "- Symmetric Key Created.  Key Handle: 6\n+ Symmetric Key Created.  Key Handle: 524295")
	assert.Contains(t, res, "1 of 3 steps differ")
}

func TestCompletionList(t *testing.T) {
	assert.Equal(t, "genSymKey  genRSAKeyPair\r\n", completionList([]shell.Completion{{Value: "genSymKey"}, {Value: "genRSAKeyPair"}}))
	assert.Equal(t, "2   NID_X9_62_prime256v1\r\n13  NID_secp224r1\r\n",
		completionList([]shell.Completion{{Value: "2", Note: "NID_X9_62_prime256v1"}, {Value: "13", Note: "NID_secp224r1"}}))
}
