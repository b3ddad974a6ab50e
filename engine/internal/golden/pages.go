package golden

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ReferenceEnv names a reference folder to use instead of the one beside
// the module root.
const ReferenceEnv = "HSMSIM_REFERENCE"

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

// ReferenceDir is the folder of reference pages: $HSMSIM_REFERENCE, or
// shared/reference beside the module root (where CI clones it). Where it is
// missing, the test fails when CI is set and is skipped otherwise.
func ReferenceDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(ReferenceEnv)
	if dir == "" {
		root, err := ModuleRoot()
		if err != nil {
			t.Fatalf("golden: %v", err)
		}
		dir = filepath.Join(root, "..", "shared", "reference")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		msg := fmt.Sprintf("the reference pages are not at %s (clone them beside the repository as shared/reference, or set %s)", dir, ReferenceEnv)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// PageLines are the lines of a page's examples, spaces trimmed at both
// ends. For a Markdown page (name ends in .md) they are the lines between
// ``` fences (a fence may be indented, as in a list); a page of plain text
// (the seed walkthrough, whose fences were damaged in conversion) is all
// example.
func PageLines(name, page string) []string {
	var out []string
	md := strings.HasSuffix(name, ".md")
	in := false
	for _, l := range strings.Split(page, "\n") {
		s := strings.TrimSpace(l)
		if md && strings.HasPrefix(s, fence) {
			in = !in
			continue
		}
		if in || !md {
			out = append(out, s)
		}
	}
	return out
}

// randomMark stands for what a random= normalisation matched.
const randomMark = "\x00random\x00"

// normalise applies a block's normalisations to one of its lines (golden
// true) or to a line of its page.
func normalise(line string, norms []Norm, golden bool) string {
	line = strings.TrimSpace(line)
	for _, n := range norms {
		switch {
		case n.Random != nil:
			line = n.Random.ReplaceAllLiteralString(line, randomMark)
		case golden:
			line = regexp.MustCompile(`\b`+regexp.QuoteMeta(n.Golden)+`\b`).ReplaceAllLiteralString(line, n.Page)
		}
	}
	return line
}

// CheckBlock reports the first line of a page block that is not, in order,
// among the page's example lines: its 1-based line in the block and the
// line, or 0 when every line is the page's. Empty lines are not compared.
func CheckBlock(b Block, page string) (int, string) {
	var lines []string
	for _, l := range PageLines(b.Page, page) {
		lines = append(lines, normalise(l, b.Norms, false))
	}
	j := 0
	for i, l := range strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n") {
		want := normalise(l, b.Norms, true)
		if want == "" {
			continue
		}
		for j < len(lines) && lines[j] != want {
			j++
		}
		if j == len(lines) {
			return i + 1, l
		}
		j++
	}
	return 0, ""
}

// CheckPages checks every page block of f against its page in the
// reference folder ref.
func CheckPages(t testing.TB, f *File, ref string) {
	t.Helper()
	for _, b := range f.Blocks {
		if b.Page == "" {
			continue
		}
		if filepath.IsAbs(b.Page) || strings.Contains(b.Page, "..") {
			t.Errorf("%s:%d: the page %q must be a path inside the reference folder", f.Path, b.Line, b.Page)
			continue
		}
		data, err := os.ReadFile(filepath.Join(ref, filepath.FromSlash(b.Page)))
		if err != nil {
			t.Errorf("%s:%d: %v", f.Path, b.Line, err)
			continue
		}
		if n, l := CheckBlock(b, string(data)); n > 0 {
			t.Errorf("%s:%d: %q is not on %s (after the block's earlier lines, with its normalisations %q)", f.Path, b.Line+n, l, b.Page, b.Info)
		}
	}
}
