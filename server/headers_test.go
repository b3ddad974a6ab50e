package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAPIHeadersOnEveryAnswer(t *testing.T) {
	h := New(Options{Store: NewMemStore()})
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/api/run", `{"script":"ls"}`},
		{http.MethodPost, "/api/run", `{`},
		{http.MethodGet, "/api/run", ""},
		{http.MethodPost, "/api/share", `{}`},
		{http.MethodGet, "/api/share/AAAAAAAAAAAA", ""},
		{http.MethodGet, "/api/nothing", ""},
		{http.MethodGet, "/", ""},
	} {
		rec := srvDo(t, h, c.method, c.path, c.body)
		hd := rec.Header()
		name := c.method + " " + c.path
		assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"), name)
		assert.Equal(t, "no-referrer", hd.Get("Referrer-Policy"), name)
		assert.Equal(t, "DENY", hd.Get("X-Frame-Options"), name)
		assert.Contains(t, hd.Get("Content-Security-Policy"), "frame-ancestors 'none'", name)
		assert.Equal(t, "no-store", hd.Get("Cache-Control"), name)
		assert.Equal(t, "application/json; charset=utf-8", hd.Get("Content-Type"), name)
		if c.path == "/api/run" {
			assert.Equal(t, "*", hd.Get("Access-Control-Allow-Origin"), name)
		} else {
			assert.Empty(t, hd.Get("Access-Control-Allow-Origin"), name)
		}
	}
	rec := srvDo(t, h, http.MethodGet, "/api/nothing", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "no API endpoint /api/nothing")
}

func TestSecurityHeadersForTheSite(t *testing.T) {
	site := http.NewServeMux()
	site.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html></html>")) })
	site.Handle("/api/", New(Options{}))
	h := SecurityHeaders(func() Inline { return Inline{} }, site)

	for _, p := range []string{"/", "/index.html", "/engine.wasm", "/missing"} {
		rec := srvDo(t, h, http.MethodGet, p, "")
		hd := rec.Header()
		assert.Equal(t, SiteCSP, hd.Get("Content-Security-Policy"), p)
		assert.Equal(t, "DENY", hd.Get("X-Frame-Options"), p)
		assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"), p)
		assert.Equal(t, "no-referrer", hd.Get("Referrer-Policy"), p)
		assert.Empty(t, hd.Get("Access-Control-Allow-Origin"), p)
	}
	for _, p := range []string{"/embed.html", "/embed"} {
		rec := srvDo(t, h, http.MethodGet, p, "")
		hd := rec.Header()
		assert.Equal(t, EmbedCSP, hd.Get("Content-Security-Policy"), p)
		assert.Empty(t, hd.Get("X-Frame-Options"), "the embed page may be framed")
		assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"), p)
	}
	for _, p := range []string{"/embed.js", "/embed.d.ts"} {
		rec := srvDo(t, h, http.MethodGet, p, "")
		hd := rec.Header()
		assert.Equal(t, "*", hd.Get("Access-Control-Allow-Origin"), "other sites load %s as a module", p)
		assert.Equal(t, "cross-origin", hd.Get("Cross-Origin-Resource-Policy"), p)
		assert.Equal(t, SiteCSP, hd.Get("Content-Security-Policy"), p)
		assert.Equal(t, "nosniff", hd.Get("X-Content-Type-Options"), p)
	}
	for _, p := range []string{"/embed.html", "/embed", "/app.js", "/embed-app.js", "/worker.js"} {
		rec := srvDo(t, h, http.MethodGet, p, "")
		assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"), p)
		assert.Empty(t, rec.Header().Get("Cross-Origin-Resource-Policy"), p)
	}
	rec := srvDo(t, h, http.MethodPost, "/api/run", `{"script":"ls"}`)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, APICSP, rec.Header().Get("Content-Security-Policy"))
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))

	assert.Contains(t, SiteCSP, "default-src 'self'")
	assert.Contains(t, SiteCSP, "script-src 'self' 'wasm-unsafe-eval'")
	assert.NotContains(t, SiteCSP, "unsafe-inline")
	assert.True(t, strings.HasSuffix(EmbedCSP, "frame-ancestors *"))
}

func TestCloudflareHeadersFile(t *testing.T) {
	f := CloudflareHeaders(Inline{})
	assert.Contains(t, f, "/*\n  Content-Security-Policy: "+SiteCSP+"\n  X-Frame-Options: DENY\n")
	for _, p := range []string{"/embed.html", "/embed"} {
		assert.Contains(t, f, "\n"+p+"\n  ! Content-Security-Policy\n  ! X-Frame-Options\n  Content-Security-Policy: "+EmbedCSP+"\n")
	}
	for _, p := range []string{"/embed.js", "/embed.d.ts"} {
		assert.Contains(t, f, "\n"+p+"\n  Access-Control-Allow-Origin: *\n  Cross-Origin-Resource-Policy: cross-origin\n")
	}
	assert.NotContains(t, f, "/*\n  Access-Control-Allow-Origin", "only the module files are readable by other sites")
	for _, l := range strings.Split(strings.TrimSpace(f), "\n") {
		assert.LessOrEqual(t, len(l), 2000, "Cloudflare refuses longer _headers lines")
	}
}
