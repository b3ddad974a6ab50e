package main

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func files(m map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := m[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
}

func TestInlinePage(t *testing.T) {
	read := files(map[string]string{"a.js": "var a = 1;\n", "s.css": "body{}\n"})
	out, names, err := inlinePage([]byte(`<head><script src="a.js" data-inline></script>
<link rel="stylesheet" href="s.css" data-inline><link rel="stylesheet" href="other.css">
<script src="b.js"></script></head><body><div id="c"></div>
<script src="a.js" data-inline data-console="c" data-unless="tool lines"></script>
<script type="module" src="app.js"></script></body>`), read)
	require.NoError(t, err)
	assert.Equal(t, `<head><script>var a = 1;
</script>
<style>body{}
</style><link rel="stylesheet" href="other.css">
<script src="b.js"></script></head><body><div id="c"></div>
<script data-console="c" data-unless="tool lines">var a = 1;
</script>
<script type="module" src="app.js"></script></body>`, string(out))
	assert.Equal(t, []string{"a.js", "s.css", "a.js"}, names)

	for page, want := range map[string]string{
		`<script src="missing.js" data-inline></script>`:                 "file does not exist",
		`<script src="https://cdn.example/x.js" data-inline></script>`:   "a file of the site's",
		`<script src="/a.js" data-inline></script>`:                      "a file of the site's",
		`<script data-inline>x()</script>`:                               "a file of the site's",
		`<script src="a.js" data-inline>`:                                "is empty",
		`<link rel="preload" href="s.css" data-inline>`:                  "plain stylesheet",
		`<link rel="stylesheet" media="print" href="s.css" data-inline>`: "plain stylesheet",
		`<script src="end.js" data-inline></script>`:                     "cannot be inline",
		`<script src="comment.js" data-inline></script>`:                 "cannot be inline",
		`<link rel="stylesheet" href="end.css" data-inline>`:             "cannot be inline",
	} {
		_, _, err := inlinePage([]byte(page), files(map[string]string{
			"a.js": "a()", "s.css": "body{}", "end.js": "x = '</SCRIPT>'", "comment.js": "x = '<!--'", "end.css": "a::after{content:'</style>'}",
		}))
		if assert.Error(t, err, page) {
			assert.Contains(t, err.Error(), want, page)
		}
	}
}

// directive returns the source list of a CSP directive.
func directive(csp, name string) []string {
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && f[0] == name {
			return f[1:]
		}
	}
	return nil
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// The site's pages as the build makes them: every inline script and style
// element is allowed by the policy the page is served with, hashed here
// from the built bytes; the files inlined no page needs are gone, the
// others stay.
func TestTheSitesPagesRunUnderTheirPolicy(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"index.html", "embed.html", "demo.html", "theme.js", "boot.js", "style.css", "embed.css"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "web", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	require.NoError(t, run(dir, []string{"index.html", "embed.html"}))
	for _, f := range []string{"theme.js", "boot.js", "style.css"} {
		assert.NoFileExists(t, filepath.Join(dir, f), "inline in every page that used it")
	}
	assert.FileExists(t, filepath.Join(dir, "embed.css"), "demo.html links it")

	in, err := server.SiteInline(dir)
	require.NoError(t, err)
	pol := server.PoliciesFor(in)
	element := regexp.MustCompile(`(?s)<(script|style)([^>]*)>(.*?)</(?:script|style)>`)
	for page, csp := range map[string]string{"index.html": pol.Site, "embed.html": pol.Embed, "demo.html": pol.Site} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		require.NoError(t, err)
		assert.Empty(t, markedTag.FindAll(b, -1), "%s: an element left to inline", page)
		scripts, styles := 0, 0
		for _, m := range element.FindAllSubmatch(b, -1) {
			attrs, text := string(m[2]), m[3]
			switch {
			case string(m[1]) == "style":
				styles++
				assert.Contains(t, directive(csp, "style-src"), hash(text), "%s: a style element its policy refuses", page)
			case strings.Contains(attrs, "src="), strings.Contains(attrs, `type="text/plain"`):
			default:
				scripts++
				assert.Contains(t, directive(csp, "script-src"), hash(text), "%s: an inline script its policy refuses", page)
			}
		}
		switch page {
		case "index.html":
			assert.Equal(t, [2]int{2, 1}, [2]int{scripts, styles}, "theme.js and boot.js, style.css")
		case "embed.html":
			assert.Equal(t, [2]int{1, 1}, [2]int{scripts, styles}, "boot.js, embed.css")
		}
	}
	theme, err := os.ReadFile(filepath.Join("..", "..", "web", "theme.js"))
	require.NoError(t, err)
	assert.Contains(t, directive(pol.Site, "script-src"), hash(theme), "the script is the file, byte for byte")
}

func FuzzInlinePage(f *testing.F) {
	f.Add([]byte(`<script src="a.js" data-inline data-x="1"></script><link rel="stylesheet" href="s.css" data-inline>`))
	f.Add([]byte(`<link data-inline><script data-inline src=a.js></script><script src="a.js" data-inline-not></script>`))
	f.Fuzz(func(t *testing.T, page []byte) {
		out, names, err := inlinePage(page, files(map[string]string{"a.js": "a()", "s.css": "body{}"}))
		if err != nil {
			return
		}
		if n := len(markedTag.FindAll(page, -1)); len(names) != n {
			t.Fatalf("%d files put in for %d marked elements: %q", len(names), n, out)
		}
		if len(names) == 0 && string(out) != string(page) {
			t.Fatalf("a page with nothing to inline changed: %q", out)
		}
	})
}
