package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A 100-byte script whose output would be 100 MB is answered 413 after the
// first line that prints more than a line may, with the lines before it.
func TestRunCapsOneLinesOutput(t *testing.T) {
	h := New(Options{})
	script := "openssl rand -hex -out h 1048576\ncat" + strings.Repeat(" h", 50) + "\n"
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(1), ""))
	msg := srvErr(t, rec, http.StatusRequestEntityTooLarge)
	assert.Contains(t, msg, "line 2 (cat h h h")
	assert.Contains(t, msg, "printed more than the 1048576 bytes a line may print")
	r := srvRunResp(t, rec)
	require.Len(t, r.Lines, 1, "the line that printed too much is not in the answer")
	assert.Equal(t, "openssl rand -hex -out h 1048576", r.Lines[0].Input)
	assert.Less(t, rec.Body.Len(), 64<<10)
}

// Lines each under the per-line limit still cannot make the answer larger
// than the reply limit.
func TestRunCapsTheWholeAnswer(t *testing.T) {
	h := New(Options{})
	script := "openssl rand -hex -out h 300000\n" + strings.Repeat("cat h\n", 10)
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(1), ""))
	msg := srvErr(t, rec, http.StatusRequestEntityTooLarge)
	// Each cat prints 600,001 bytes: three fit in 2 MiB, the fourth does not.
	assert.Contains(t, msg, "the answer would be more than the 2097152 bytes allowed after line 5 of 11")
	r := srvRunResp(t, rec)
	assert.Len(t, r.Lines, 4)
	assert.LessOrEqual(t, rec.Body.Len(), DefaultMaxReply)
}

// An xxd of a large file stops at the line limit instead of building the
// whole dump (a 4 MiB file is a 17 MB dump).
func TestRunCapsAHexDump(t *testing.T) {
	h := New(Options{MaxOutput: 4096})
	script := "openssl rand -out b 1048576\nxxd b\n"
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(1), ""))
	msg := srvErr(t, rec, http.StatusRequestEntityTooLarge)
	assert.Contains(t, msg, "line 2 (xxd b) printed more than the 4096 bytes")
}

// The time budget stops a line while it runs: an 8192-bit RSA key takes
// tens of seconds, and the answer comes when the budget is spent. The
// clock moves a second each time it is read: the start and the check
// before the line leave the 3 s budget unspent, and the checks inside key
// generation spend it.
func TestRunTimeBudgetStopsALineWhileItRuns(t *testing.T) {
	clk := &srvClock{now: time.Unix(1700000000, 0)}
	h := New(Options{RunTimeout: 3 * time.Second, Clock: clk.read, MaxRSABits: 8192})
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, "openssl genrsa -out k.pem 8192\nls\n", nil, ""))
	msg := srvErr(t, rec, http.StatusServiceUnavailable)
	assert.Contains(t, msg, "during line 1 of 2 (openssl genrsa -out k.pem 8192), which was stopped")
	r := srvRunResp(t, rec)
	assert.Empty(t, r.Lines)
}

func TestShareTakesOnlyJSON(t *testing.T) {
	store := NewMemStore()
	h := New(Options{Store: store})
	body := srvShareBody(t, srvSnapshot(t), []string{"ls"})
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"} {
		req := srvRequest(http.MethodPost, "/api/share", body, ct)
		rec := srvServe(h, req)
		msg := srvErr(t, rec, http.StatusUnsupportedMediaType)
		assert.Contains(t, msg, "Content-Type: application/json", ct)
	}
	assert.Equal(t, 0, store.Len(), "nothing was stored")
	rec := srvServe(h, srvRequest(http.MethodPost, "/api/share", body, "application/json; charset=utf-8"))
	assert.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
}

func srvRequest(method, path, body, contentType string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func srvServe(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
