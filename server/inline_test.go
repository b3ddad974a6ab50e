package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hashes computed outside Go (openssl dgst -sha256 -binary | base64).
const (
	alertHash = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='" // alert(1)
	bodyHash  = "'sha256-fJgEClQWV1hGkK4qHMO0KotTsVnMYMXTq7/suurGyUo='" // body{}
	callHash  = "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='" // a()
)

func TestPageInlineHashesWhatTheBrowserRunsInline(t *testing.T) {
	page := `<!doctype html><head><script>alert(1)</script><style>body{}</style>
<script src="x.js"></script><script type="module" src="m.js"></script>
<!-- <script>not(run)</script> -->
<script type="text/plain">shown as text</script><script type="application/json">{}</script>
</head><body><SCRIPT data-x="1" type="module">a()</SCRIPT ><script>alert(1)</script></body>`
	in := PageInline([]byte(page))
	assert.Equal(t, []string{alertHash, callHash}, in.Scripts, "each runnable inline script once, sorted")
	assert.Equal(t, []string{bodyHash}, in.Styles)
	assert.Equal(t, alertHash, HashSource([]byte("alert(1)")))
	assert.Empty(t, PageInline([]byte(`<script src="a.js"></script><link rel="stylesheet" href="s.css">`)).Scripts)
}

func TestSiteInlineReadsEveryPage(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<script>alert(1)</script>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "p.HTML"), []byte("<style>body{}</style><script>a()</script>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.js"), []byte("<script>not(a page)</script>"), 0o644))
	in, err := SiteInline(dir)
	require.NoError(t, err)
	assert.Equal(t, Inline{Scripts: []string{alertHash, callHash}, Styles: []string{bodyHash}}, in)
	_, err = SiteInline(filepath.Join(dir, "missing"))
	assert.Error(t, err)
}

func TestPoliciesAllowTheInlineCodeByHashOnly(t *testing.T) {
	in := Inline{Scripts: []string{alertHash, callHash}, Styles: []string{bodyHash}}
	p := PoliciesFor(in)
	for _, csp := range []string{p.Site, p.Embed} {
		assert.Contains(t, csp, "; script-src 'self' 'wasm-unsafe-eval' "+alertHash+" "+callHash+"; ")
		assert.Contains(t, csp, "; style-src 'self' "+bodyHash+"; ")
		assert.NotContains(t, csp, "unsafe-inline")
		assert.NotContains(t, csp, "unsafe-hashes", "style attributes stay refused")
	}
	assert.True(t, strings.HasSuffix(p.Site, "frame-ancestors 'none'"))
	assert.True(t, strings.HasSuffix(p.Embed, "frame-ancestors *"))
	assert.Equal(t, Policies{Site: SiteCSP, Embed: EmbedCSP}, PoliciesFor(Inline{}))
	assert.Contains(t, SiteCSP, "; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; ")

	// hsmsim serve asks for the site's inline code at each request.
	calls := 0
	h := SecurityHeaders(func() Inline { calls++; return in }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	assert.Equal(t, p.Site, srvDo(t, h, http.MethodGet, "/", "").Header().Get("Content-Security-Policy"))
	assert.Equal(t, p.Embed, srvDo(t, h, http.MethodGet, "/embed", "").Header().Get("Content-Security-Policy"))
	assert.Equal(t, APICSP, srvDo(t, h, http.MethodGet, "/api/run", "").Header().Get("Content-Security-Policy"))
	assert.Equal(t, 3, calls)

	f := CloudflareHeaders(in)
	assert.Contains(t, f, "/*\n  Content-Security-Policy: "+p.Site+"\n")
	assert.Contains(t, f, "\n/embed.html\n  ! Content-Security-Policy\n  ! X-Frame-Options\n  Content-Security-Policy: "+p.Embed+"\n")
}

func FuzzPageInline(f *testing.F) {
	f.Add([]byte(`<script>alert(1)</script><style>body{}</style><!-- <script>x</script> -->`))
	f.Add([]byte(`<script type="text/plain">a</script><script src=x></script><script`))
	f.Fuzz(func(t *testing.T, page []byte) {
		in := PageInline(page)
		for _, s := range append(in.Scripts, in.Styles...) {
			if !strings.HasPrefix(s, "'sha256-") || !strings.HasSuffix(s, "='") || len(s) != 53 {
				t.Fatalf("not a hash source: %q", s)
			}
		}
	})
}
