package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// srvSite writes a small built site into a temporary directory.
func srvSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html":     "<!doctype html><title>hsmsim</title>",
		"app.js":         "export {};",
		"style.css":      "body{}",
		"wasm_exec.js":   "globalThis.Go = class {};",
		"engine.wasm":    "\x00asm raw",
		"engine.wasm.br": "brotli bytes",
		"engine.wasm.gz": "gzip bytes",
		"app.js.gz":      "gzipped js",
		".secret":        "hidden",
		"data.bin":       "\x01\x02",
		"sub/index.html": "<p>sub</p>",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func srvGet(t *testing.T, h http.Handler, method, target string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestServeContentTypesAndSecurityHeaders(t *testing.T) {
	h := siteHandler(srvSite(t))
	for _, tc := range []struct{ path, ctype, body string }{
		{"/", "text/html; charset=utf-8", "<!doctype html><title>hsmsim</title>"},
		{"/index.html", "text/html; charset=utf-8", "<!doctype html><title>hsmsim</title>"},
		{"/app.js", "text/javascript; charset=utf-8", "export {};"},
		{"/wasm_exec.js", "text/javascript; charset=utf-8", "globalThis.Go = class {};"},
		{"/style.css", "text/css; charset=utf-8", "body{}"},
		{"/engine.wasm", "application/wasm", "\x00asm raw"},
		{"/data.bin", "application/octet-stream", "\x01\x02"},
		{"/sub/", "text/html; charset=utf-8", "<p>sub</p>"},
	} {
		rec := srvGet(t, h, "GET", tc.path, nil)
		assert.Equal(t, 200, rec.Code, tc.path)
		assert.Equal(t, tc.ctype, rec.Header().Get("Content-Type"), tc.path)
		assert.Equal(t, tc.body, rec.Body.String(), tc.path)
		assert.Empty(t, rec.Header().Get("Content-Encoding"), tc.path)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), tc.path)
		csp := rec.Header().Get("Content-Security-Policy")
		assert.Contains(t, csp, "script-src 'self' 'wasm-unsafe-eval'", tc.path)
		assert.Contains(t, csp, "default-src 'self'", tc.path)
		assert.NotContains(t, csp, "unsafe-inline", tc.path)
	}
}

func TestServePrecompressed(t *testing.T) {
	h := siteHandler(srvSite(t))
	for _, tc := range []struct{ accept, enc, body string }{
		{"gzip, deflate, br, zstd", "br", "brotli bytes"},
		{"br;q=1.0, gzip;q=0.5", "br", "brotli bytes"},
		{"gzip", "gzip", "gzip bytes"},
		{"br;q=0, gzip", "gzip", "gzip bytes"},
		{"*", "br", "brotli bytes"},
		{"identity", "", "\x00asm raw"},
		{"", "", "\x00asm raw"},
	} {
		rec := srvGet(t, h, "GET", "/engine.wasm", map[string]string{"Accept-Encoding": tc.accept})
		assert.Equal(t, 200, rec.Code, tc.accept)
		assert.Equal(t, tc.enc, rec.Header().Get("Content-Encoding"), tc.accept)
		assert.Equal(t, "application/wasm", rec.Header().Get("Content-Type"), "the type is the file's, not the encoding's")
		assert.Equal(t, "Accept-Encoding", rec.Header().Get("Vary"), tc.accept)
		assert.Equal(t, tc.body, rec.Body.String(), tc.accept)
	}
	rec := srvGet(t, h, "GET", "/app.js", map[string]string{"Accept-Encoding": "br, gzip"})
	assert.Equal(t, "gzip", rec.Header().Get("Content-Encoding"), "only the copies that exist are used")
	assert.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
	rec = srvGet(t, h, "GET", "/style.css", map[string]string{"Accept-Encoding": "br, gzip"})
	assert.Empty(t, rec.Header().Get("Vary"), "nothing varies without a compressed copy")
}

func TestServeRevalidatesWithETag(t *testing.T) {
	h := siteHandler(srvSite(t))
	first := srvGet(t, h, "GET", "/engine.wasm", map[string]string{"Accept-Encoding": "br"})
	etag := first.Header().Get("ETag")
	require.NotEmpty(t, etag)
	assert.Equal(t, "no-cache", first.Header().Get("Cache-Control"))
	gz := srvGet(t, h, "GET", "/engine.wasm", map[string]string{"Accept-Encoding": "gzip"})
	assert.NotEqual(t, etag, gz.Header().Get("ETag"), "each encoding has its own tag")
	again := srvGet(t, h, "GET", "/engine.wasm", map[string]string{"Accept-Encoding": "br", "If-None-Match": etag})
	assert.Equal(t, http.StatusNotModified, again.Code)
	assert.Empty(t, again.Body.String())
}

func TestServeRefusesWhatIsNotTheSite(t *testing.T) {
	dir := srvSite(t)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.txt"), []byte("no"), 0o644))
	h := siteHandler(dir)
	for _, p := range []string{"/.secret", "/missing.js", "/sub", "/../outside.txt", "/%2e%2e/outside.txt"} {
		rec := srvGet(t, h, "GET", p, nil)
		assert.Equal(t, 404, rec.Code, p)
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), p)
	}
	rec := srvGet(t, h, "POST", "/index.html", nil)
	assert.Equal(t, 405, rec.Code)
	assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
	rec = srvGet(t, h, "HEAD", "/engine.wasm", nil)
	assert.Equal(t, 200, rec.Code)
	assert.Empty(t, rec.Body.String())
}

// srvBuffer is a bytes.Buffer safe to read while the server writes.
type srvBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *srvBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *srvBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServePrintsURLAndStops(t *testing.T) {
	dir := srvSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out srvBuffer
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, "127.0.0.1:0", dir, &out) }()
	re := regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)
	var url string
	require.Eventually(t, func() bool { url = re.FindString(out.String()); return url != "" }, 5*time.Second, 10*time.Millisecond)
	req, err := http.NewRequest("GET", url+"engine.wasm", nil)
	require.NoError(t, err)
	req.Header.Set("Accept-Encoding", "br")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "application/wasm", resp.Header.Get("Content-Type"))
	assert.Equal(t, "br", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, "brotli bytes", string(body))
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not stop")
	}
}

func TestServeFlagsAndMissingSite(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 2, run([]string{"serve", "--bogus"}, strings.NewReader(""), &out, &errOut))
	assert.Contains(t, errOut.String(), "usage: hsmsim serve")
	errOut.Reset()
	assert.Equal(t, 2, run([]string{"serve", "extra"}, strings.NewReader(""), &out, &errOut))
	assert.Contains(t, errOut.String(), `unexpected argument "extra"`)
	errOut.Reset()
	assert.Equal(t, 1, run([]string{"serve", "--root", t.TempDir(), "--addr", "127.0.0.1:0"}, strings.NewReader(""), &out, &errOut))
	assert.Contains(t, errOut.String(), "build the site first (make site)")
}

func TestServeMountsTheAPIAndFramesOnlyTheEmbedPage(t *testing.T) {
	dir := srvSite(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "embed.html"), []byte("<!doctype html><title>embed</title>"), 0o644))
	h := siteAndAPI(dir, nil)

	req := httptest.NewRequest(http.MethodPost, "/api/run", strings.NewReader(`{"script":"key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 32 -l k\n","seed":1}`))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), "Key Handle: 524295")
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))

	rec = srvGet(t, h, http.MethodGet, "/", nil)
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'")
	rec = srvGet(t, h, http.MethodGet, "/embed.html", nil)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors *")
	assert.Empty(t, rec.Header().Get("X-Frame-Options"))
}

func TestServeCutsOffATrickledBody(t *testing.T) {
	old := readTimeout
	readTimeout = 300 * time.Millisecond
	defer func() { readTimeout = old }()
	dir := srvSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out srvBuffer
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, "127.0.0.1:0", dir, &out) }()
	re := regexp.MustCompile(`127\.0\.0\.1:\d+`)
	var addr string
	require.Eventually(t, func() bool { addr = re.FindString(out.String()); return addr != "" }, 5*time.Second, 10*time.Millisecond)

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /api/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	// The rest of the body never comes: the server must give up on its
	// own and close the connection (the client's own deadline only keeps
	// a broken server from hanging the test).
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept waiting for a body that never came")
	}
	cancel()
	<-done
}

func TestServeAllowsThePagesInlineCodeByHash(t *testing.T) {
	dir := srvSite(t)
	page := filepath.Join(dir, "index.html")
	require.NoError(t, os.WriteFile(page, []byte("<!doctype html><style>body{}</style><script>alert(1)</script>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "embed.html"), []byte("<!doctype html><script>a()</script>"), 0o644))
	h := siteAndAPI(dir, nil)
	// openssl dgst -sha256 -binary | base64 of alert(1), a() and body{}.
	const alert, call, body = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='", "'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='", "'sha256-fJgEClQWV1hGkK4qHMO0KotTsVnMYMXTq7/suurGyUo='"
	for _, p := range []string{"/", "/embed.html", "/app.js"} {
		csp := srvGet(t, h, http.MethodGet, p, nil).Header().Get("Content-Security-Policy")
		assert.Contains(t, csp, "script-src 'self' 'wasm-unsafe-eval' "+alert+" "+call+"; style-src 'self' "+body+";", p)
		assert.NotContains(t, csp, "unsafe-inline", p)
	}
	// The site rebuilt while served: the policy is the new pages'.
	require.NoError(t, os.WriteFile(page, []byte("<!doctype html><script>a()</script><!-- more -->"), 0o644))
	csp := srvGet(t, h, http.MethodGet, "/", nil).Header().Get("Content-Security-Policy")
	assert.Contains(t, csp, "script-src 'self' 'wasm-unsafe-eval' "+call+"; style-src 'self'; ")
}
