package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModuleRootHoldsGoMod(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "module github.com/hsmsim/hsmsim\n")
}

// fakeT records how a test ended.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Fatal(args ...any)     { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true }
func (f *fakeT) Skip(args ...any)      { f.skipped = true }

func TestMissingFailsInCIAndSkipsElsewhere(t *testing.T) {
	t.Setenv("CI", "true")
	ci := &fakeT{}
	Missing(ci, "no openssl")
	assert.True(t, ci.failed)
	assert.False(t, ci.skipped)

	t.Setenv("CI", "")
	dev := &fakeT{}
	Missing(dev, "no openssl")
	assert.False(t, dev.failed)
	assert.True(t, dev.skipped)
}

func TestReferenceDirMissing(t *testing.T) {
	t.Setenv(ReferenceEnv, filepath.Join(t.TempDir(), "none"))
	t.Setenv("CI", "1")
	ci := &fakeT{}
	ReferenceDir(ci)
	assert.True(t, ci.failed)
}

// Every test that needs openssl asks OpenSSL, so none of them skips in CI.
func TestOpenSSLIsLookedUpHereOnly(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == filepath.Join(root, "engine", "internal", "testenv") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `LookPath("openssl")`) {
			rel, _ := filepath.Rel(root, p)
			t.Errorf("%s looks openssl up itself; testenv.OpenSSL fails in CI instead of skipping", rel)
		}
		return nil
	})
	require.NoError(t, err)
}
