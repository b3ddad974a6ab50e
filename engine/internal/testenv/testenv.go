// Package testenv gives tests what they take from the machine — the openssl
// binary, the reference pages beside the repository — and decides once what
// a test does when one is missing: it fails when the environment variable
// CI is set (CI installs openssl and clones the pages, so a missing one is
// a broken CI, not a reason to pass) and is skipped with a message
// otherwise, on a developer's machine.
package testenv

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Missing ends the test for want of something the machine lacks: a failure
// in CI, a skip elsewhere.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
		return
	}
	t.Skip(msg)
}

// OpenSSL is the path of the openssl binary. "make test" installs Debian's
// openssl package when it is missing. Under js/wasm, which starts no
// processes, the test is skipped: the native run of the same test is the
// one that talks to OpenSSL.
func OpenSSL(t testing.TB) string {
	t.Helper()
	if runtime.GOOS == "js" {
		t.Skip("js/wasm starts no processes; the native run of this test uses openssl")
		return ""
	}
	path, err := exec.LookPath("openssl")
	if err != nil {
		Missing(t, "openssl is not on PATH (apt-get install openssl)")
	}
	return path
}

// ModuleRoot is the directory of the go.mod above the working directory
// (a test runs in its package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = up
	}
}

// ReferenceEnv names a reference folder to use instead of the one beside
// the module root.
const ReferenceEnv = "HSMSIM_REFERENCE"

// ReferenceDir is the folder of reference pages: shared/reference beside
// the module root (where CI clones it), or the folder $HSMSIM_REFERENCE
// names.
func ReferenceDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(ReferenceEnv)
	if dir == "" {
		root, err := ModuleRoot()
		if err != nil {
			t.Fatalf("testenv: %v", err)
		}
		dir = filepath.Join(root, "..", "shared", "reference")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		Missing(t, "the reference pages are not at "+dir+" (clone them beside the repository as shared/reference, or set "+ReferenceEnv+")")
	}
	return dir
}
