package golden

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

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

// ReferenceDir is the folder of reference pages (testenv.ReferenceDir):
// shared/reference beside the module root, or $HSMSIM_REFERENCE; a failure
// in CI without it, a skip elsewhere.
func ReferenceDir(t testing.TB) string {
	t.Helper()
	return testenv.ReferenceDir(t)
}
