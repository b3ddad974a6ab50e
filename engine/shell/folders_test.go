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
