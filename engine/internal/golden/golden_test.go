package golden

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

const sample = "# A golden\n\npage: docs/page.md\n\n```\n$ key_mgmt_util\n```\n\nFrom the page:\n\n```page docs/page.md handle=524295:262177\nCommand: genSymKey -t 31 -s 32 -l aes256\nSymmetric Key Created.  Key Handle: 524295\n```\n\n```\nCommand: exit\n```\n"

const samplePage = "Generate a key.\n\n   ```\n   Command: genSymKey -t 31 -s 32 -l aes256\n   Cfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS\n\n   Symmetric Key Created.  Key Handle: 262177\n   ```\n"

func TestParseJoinsTheBlocks(t *testing.T) {
	f, err := Parse("x.md", []byte(sample))
	require.NoError(t, err)
	assert.Equal(t, []string{"docs/page.md"}, f.Pages)
	require.Len(t, f.Blocks, 3)
	assert.Equal(t, "$ key_mgmt_util\nCommand: genSymKey -t 31 -s 32 -l aes256\nSymmetric Key Created.  Key Handle: 524295\nCommand: exit\n", f.Transcript())
	assert.Equal(t, "docs/page.md", f.Blocks[1].Page)
	assert.Equal(t, 11, f.Blocks[1].Line)
	assert.Equal(t, []Norm{{Golden: "524295", Page: "262177"}}, f.Blocks[1].Norms)
	assert.Equal(t, "", f.Blocks[2].Page)
}

func TestRewriteKeepsProseAndBlocks(t *testing.T) {
	f, err := Parse("x.md", []byte(sample))
	require.NoError(t, err)
	same, err := f.Rewrite(f.Transcript())
	require.NoError(t, err)
	assert.Equal(t, sample, string(same))

	// A line more in the first block and a changed handle: the blocks still
	// start where they started.
	text := "$ key_mgmt_util\nnew line\nCommand: genSymKey -t 31 -s 32 -l aes256\nSymmetric Key Created.  Key Handle: 6\nCommand: exit\n"
	out, err := f.Rewrite(text)
	require.NoError(t, err)
	g, err := Parse("x.md", out)
	require.NoError(t, err)
	assert.Equal(t, text, g.Transcript())
	assert.Equal(t, "$ key_mgmt_util\nnew line\n", g.Blocks[0].Text)
	assert.Equal(t, "Command: exit\n", g.Blocks[2].Text)
	assert.Equal(t, f.Blocks[1].Info, g.Blocks[1].Info)

	// Transcript lines map to the file's lines.
	assert.Equal(t, 6, f.FileLine(1))
	assert.Equal(t, 12, f.FileLine(2))
	assert.Equal(t, 17, f.FileLine(4))

	_, err = f.Rewrite("$ key_mgmt_util\nCommand: exit\n")
	assert.ErrorContains(t, err, "no longer in the transcript")
	_, err = f.Rewrite("$ key_mgmt_util\n```\n")
	assert.ErrorContains(t, err, "would end its block")
	_, err = f.Rewrite("no newline")
	assert.ErrorContains(t, err, "newline")
}

func TestParseRefusesWhatItCannotHold(t *testing.T) {
	for name, text := range map[string]string{
		"unclosed":        "```\nCommand: exit\n",
		"page not named":  "```page seed/page.txt\nCommand: exit\n```\n",
		"page unused":     "page: seed/page.txt\n```\nCommand: exit\n```\n",
		"unknown info":    "```go\nx\n```\n",
		"bad handle":      "page: a.md\n```page a.md handle=1\nx\n```\n",
		"bad random":      "page: a.md\n```page a.md random=(\nx\n```\n",
		"unknown norm":    "page: a.md\n```page a.md spaces\nx\n```\n",
		"no last newline": "```\nx\n```",
	} {
		_, err := Parse("x.md", []byte(text))
		assert.Error(t, err, name)
	}
}

func TestCheckBlockAgainstThePage(t *testing.T) {
	f, err := Parse("x.md", []byte(sample))
	require.NoError(t, err)
	n, l := CheckBlock(f.Blocks[1], samplePage)
	assert.Equal(t, 0, n, l)

	// Without the handle normalisation the handle is not the page's.
	b := f.Blocks[1]
	b.Norms = nil
	n, l = CheckBlock(b, samplePage)
	assert.Equal(t, 2, n)
	assert.Equal(t, "Symmetric Key Created.  Key Handle: 524295", l)

	// Order matters, and lines outside the examples do not count.
	b.Text = "Symmetric Key Created.  Key Handle: 262177\nCommand: genSymKey -t 31 -s 32 -l aes256\n"
	n, _ = CheckBlock(b, samplePage)
	assert.Equal(t, 2, n)
	b.Text = "Generate a key.\n"
	n, _ = CheckBlock(b, samplePage)
	assert.Equal(t, 1, n)

	// Random bytes match random bytes.
	b.Page = "a.md"
	b.Text = "Key: 0a0b0c\n"
	b.Norms = []Norm{{Random: regexp.MustCompile(`[0-9a-f]{6}`)}}
	n, _ = CheckBlock(b, "```\nKey: 99ff00\n```\n")
	assert.Equal(t, 0, n)
	n, _ = CheckBlock(b, "```\nKey: 99ff\n```\n")
	assert.Equal(t, 1, n)

	// A page of plain text is all example.
	b.Page = "seed/page.txt"
	n, _ = CheckBlock(b, "Key: 99ff00\n")
	assert.Equal(t, 0, n)
}

func TestDiffShowsEachChangeWithContext(t *testing.T) {
	d := Diff("a\nb\nc\nd\n", "a\nb\nX\nd\n")
	assert.Equal(t, "@@ golden line 1 @@\n  a\n  b\n- c\n+ X\n  d\n  \n", d)

	// Two changes far apart are two hunks; the lines between are not shown.
	want := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n"
	got := "1\n3\n4\n5\n6\n7\n8\n9\n10\n11\nnew\n12\n"
	assert.Equal(t, "@@ golden line 1 @@\n  1\n- 2\n  3\n  4\n  5\n"+
		"@@ golden line 9 @@\n  9\n  10\n  11\n+ new\n  12\n  \n", Diff(want, got))
	assert.Equal(t, "", Diff(want, want))
}

// goldens lists every golden transcript in the module: the .md files of
// testdata folders.
func goldens(t *testing.T) (root string, paths []string) {
	t.Helper()
	root, err := testenv.ModuleRoot()
	require.NoError(t, err)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && filepath.Base(filepath.Dir(p)) == "testdata" && strings.HasSuffix(p, ".md") {
			paths = append(paths, p)
		}
		return nil
	})
	require.NoError(t, err)
	return root, paths
}

// Every golden parses, and every line it takes from a reference page is on
// that page.
func TestGoldensAgreeWithTheirPages(t *testing.T) {
	root, paths := goldens(t)
	require.NotEmpty(t, paths)
	var files []*File
	for _, p := range paths {
		f, err := Load(p)
		if !assert.NoError(t, err) {
			continue
		}
		files = append(files, f)
	}
	ref := testenv.ReferenceDir(t)
	for _, f := range files {
		rel, _ := filepath.Rel(root, f.Path)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) { CheckPages(t, f, ref) })
	}
}

// One harness: no test keeps a golden of another format or its own update
// flag.
func TestOneHarness(t *testing.T) {
	root, err := testenv.ModuleRoot()
	require.NoError(t, err)
	ownFlag := regexp.MustCompile(`flag\.(Bool|BoolVar)\([^)]*"update`)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		if !d.IsDir() && strings.HasSuffix(p, ".golden") {
			t.Errorf("%s: a golden of another format; goldens are testdata/*.md replayed with golden.Run", rel)
		}
		if !d.IsDir() && strings.HasSuffix(p, "_test.go") && filepath.Dir(p) != filepath.Join(root, "engine", "internal", "golden") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if ownFlag.Match(b) {
				t.Errorf("%s: declares its own update flag; golden.Run's -update is the one", rel)
			}
		}
		return nil
	})
	require.NoError(t, err)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("page: a.md\n```page a.md random=[0-9a-f]+ handle=1:2\nx\n```\n"))
	f.Add([]byte("```\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse("f.md", data)
		if err != nil {
			return
		}
		// What parses rewrites to itself.
		out, err := g.Rewrite(g.Transcript())
		if err != nil {
			return
		}
		if string(out) != string(data) {
			t.Fatalf("rewrite changed the file:\n%q\n%q", data, out)
		}
		for _, b := range g.Blocks {
			CheckBlock(b, string(data))
		}
	})
}
