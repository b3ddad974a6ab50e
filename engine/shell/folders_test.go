package shell_test

import (
	"archive/zip"
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/shell"
)

// Folders, with the paths the pages use (exSymKey.md's openssl rand -out
// keys/..., imSymKey.md's getAttribute -out attributes/..., getCert.md's
// /tmp/PO.crt), replayed from the golden testdata/folders.md.
func TestFolders(t *testing.T) {
	s := seeded(t, 1)
	got := golden.Run(t, filepath.Join("testdata", "folders.md"), func(text string) string { return replaySeed(t, s, text) })
	for _, line := range []string{
		"$ pwd\n/\n",
		"Symmetric Key Unwrapped.  Key Handle: 524296",
		"Attributes dumped into attributes/attr_524296 file",
		"$ cat attributes/attr_524296\nOBJ_ATTR_LOCAL\n0x00000000\n",
		"Command: getAttribute -o 524296 -a 355 -out ../outside\n\n\tError: -out: invalid file name \"../outside\": outside the workspace\n",
		"$ cd work/deep\n$ pwd\n/work/deep\n",
		"$ rm keys\nrm: cannot remove 'keys': Is a directory\n",
		"getCert Success",
	} {
		assert.Contains(t, got, line)
	}
	imported, err := s.FS.ReadFile("keys/aes256-forImport.key")
	require.NoError(t, err)
	exported, err := s.FS.ReadFile("/tmp/exported.key")
	require.NoError(t, err)
	assert.Equal(t, imported, exported, "the key went in from a folder and came out to another")
	_, err = s.FS.Stat("work")
	assert.True(t, shell.IsNotExist(err), "rm -r removed the folder")

	// The folders are saved with the workspace and come back.
	saved, err := s.Snapshot()
	require.NoError(t, err)
	again, err := shell.New(shell.Options{State: saved})
	require.NoError(t, err)
	a, _ := s.ListFiles()
	b, _ := again.ListFiles()
	assert.Equal(t, a, b)
	assert.Contains(t, b, shell.FileInfo{Name: "attributes", Dir: true})

	// Completion goes into folders.
	assert.Equal(t, []string{"keys/aes256-forImport.key"}, s.Complete("cat keys/a"))
}

// A folder downloads as a zip archive that keeps its paths.
func TestFolderDownloadIsAZip(t *testing.T) {
	s := seeded(t, 1)
	for _, line := range []string{"mkdir -p keys/empty", "openssl rand -out keys/a.key 32", "echo hi > keys/sub/note"} {
		s.Exec(line)
	}
	data, err := s.ReadFile("keys")
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		got[f.Name] = string(b)
	}
	a, _ := s.ReadFile("keys/a.key")
	assert.Equal(t, map[string]string{"keys/": "", "keys/a.key": string(a), "keys/empty/": "", "keys/sub/": "", "keys/sub/note": "hi\n"}, got)
	again, _ := s.ReadFile("keys")
	assert.Equal(t, data, again, "the same folder, the same bytes")
}

// The cluster mtls pages, replayed from the golden testdata/mtls.md: the
// trust anchors are certificates the host shell's openssl makes, and what
// the cluster keeps of them is saved with the workspace.
func TestMTLSGolden(t *testing.T) {
	s := seeded(t, 1)
	got := golden.Run(t, filepath.Join("testdata", "mtls.md"), func(text string) string { return replaySeed(t, s, text) })
	assert.Contains(t, got, `"message": "Trust anchor with reference 0x01 deregistered successfully"`)
	assert.Contains(t, got, `"message": "Mtls enforcement level set to Cluster successfully"`)
	for _, n := range s.Cluster.Nodes {
		assert.Empty(t, n.TrustAnchors, "node %d: both deregistered", n.ID)
	}
	assert.Equal(t, "none", s.Cluster.MTLSLevel())
}

// MFA as its pages do it, replayed from the golden testdata/mfa.md: the
// tokens are signed in the host shell ("!" at the prompt that waits for
// them) with base64 and openssl pkeyutl, and put back with echo.
func TestMFAGolden(t *testing.T) {
	s := seeded(t, 1)
	got := golden.Run(t, filepath.Join("testdata", "mfa.md"), func(text string) string { return replaySeed(t, s, text) })
	assert.Contains(t, got, "\"strategy\": \"token-sign\"")
	assert.Contains(t, got, "Enter signed token file path (press enter if same as the unsigned token file):\n{\n  \"error_code\": 0,\n  \"data\": {\n    \"username\": \"test_user\"", "test_user logged in with MFA")
	for _, n := range s.Cluster.Nodes {
		u := n.FindUser("test_user")
		assert.True(t, u.HasMFA(), "node %d", n.ID)
		assert.Equal(t, u.MFAPubKey, u.QuorumPubKey, "node %d: --change-quorum", n.ID)
		assert.True(t, n.FindUser("cu1").HasMFA(), "node %d", n.ID)
	}
}

// base64 encodes and decodes files as coreutils does, and the "!" lines at
// a waiting MFA prompt run in the host shell but start no tool.
func TestBase64AndTheSecondTerminal(t *testing.T) {
	s := seeded(t, 1)
	for _, step := range [][2]string{
		{"echo hello > h.txt", ""},
		{"base64 h.txt", "aGVsbG8K\n"},
		{"base64 -w 4 h.txt", "aGVs\nbG8K\n"},
		{"base64 -w0 h.txt > h.b64", ""},
		{"cat h.b64", "aGVsbG8K\n"},
		{"base64 -d h.b64 > back.txt", ""},
		{"cat back.txt", "hello\n"},
		{"base64 -d h.b64", "base64: 6 bytes of binary output are not shown on this console; write them to a file with > FILE\n"},
		{"base64 -d h.txt", "base64: invalid input\n"},
		{"base64 missing", "base64: missing: No such file or directory\n"},
		{"base64 -w x h.txt", "base64: invalid wrap size: 'x'\n"},
		{"base64", "base64: there is no standard input in the simulator; name the file\nusage: base64 [-d] [-w COLS] FILE [> OUT]\n"},
		{"base64 -q h.txt", "base64: invalid option -- 'q'\nusage: base64 [-d] [-w COLS] FILE [> OUT]\n"},
		{"base64 h.txt back.txt", "base64: extra operand 'back.txt'\nusage: base64 [-d] [-w COLS] FILE [> OUT]\n"},
	} {
		assert.Equal(t, step[1], s.Exec(step[0]).Output, step[0])
	}

	s.Exec("cloudhsm-cli interactive")
	s.Exec("login --username admin --role admin --password password")
	rep := s.Exec("user change-mfa token-sign --username admin --role admin --change-password password --token t.json")
	require.True(t, rep.Asking)
	prompt := rep.Prompt
	rep = s.Exec("!ls t.json")
	assert.Equal(t, "t.json\n", rep.Output)
	assert.Equal(t, prompt, rep.Prompt, "asked again")
	rep = s.Exec("!key_mgmt_util")
	assert.Equal(t, "sh: key_mgmt_util: not while cloudhsm-cli waits for an answer (answer it, or press Ctrl-C)\n", rep.Output)
	assert.Equal(t, "cloudhsm-cli", s.Mode())
	assert.Equal(t, prompt, rep.Prompt)
	rep = s.Exec("!exit")
	assert.False(t, rep.Exit)
	assert.Equal(t, prompt, rep.Prompt)
	// Not signed: the command ends and the CLI prompt is back.
	rep = s.Exec("")
	assert.Contains(t, rep.Output, "holds a token that is not signed")
	assert.Equal(t, "aws-cloudhsm > ", rep.Prompt)
	// "!" is a plain answer where the question is not the second
	// terminal's (a password).
	rep = s.Exec("user change-password --username admin --role admin")
	require.True(t, rep.Asking)
	rep = s.Exec("!ls")
	assert.Equal(t, "Confirm password:", rep.Prompt)
}
