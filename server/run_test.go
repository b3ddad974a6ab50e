//go:debug cryptocustomrand=1

package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// srvDo sends one request to h and returns the recorded answer.
func srvDo(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	var req *http.Request
	if rd != nil {
		req = httptest.NewRequest(method, path, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// srvRunBody encodes a /api/run request.
func srvRunBody(t *testing.T, script string, seed *uint64, scen string) string {
	t.Helper()
	b, err := json.Marshal(RunRequest{Script: script, Seed: seed, Scenario: scen})
	require.NoError(t, err)
	return string(b)
}

func srvSeed(n uint64) *uint64 { return &n }

// srvRunResp decodes a /api/run answer.
func srvRunResp(t *testing.T, rec *httptest.ResponseRecorder) RunResponse {
	t.Helper()
	var r RunResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r), rec.Body.String())
	return r
}

// srvErr decodes an error answer and checks its status.
func srvErr(t *testing.T, rec *httptest.ResponseRecorder, status int) string {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), rec.Body.String())
	require.NotEmpty(t, e.Error)
	return e.Error
}

const srvScript = `key_mgmt_util
loginHSM -u CU -s example_user -p password
genSymKey -t 31 -s 32 -l apiKey
exit
ls
`

func TestRunSuccess(t *testing.T) {
	h := New(Options{})
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, srvScript, srvSeed(7), ""))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
	r := srvRunResp(t, rec)
	assert.Empty(t, r.Error)
	require.Len(t, r.Lines, 5)
	assert.Equal(t, RunLine{Prompt: shell.HostPrompt, Input: "key_mgmt_util", Output: r.Lines[0].Output}, r.Lines[0])
	assert.Equal(t, "Command: ", r.Lines[1].Prompt)
	assert.Equal(t, "loginHSM -u CU -s example_user -p password", r.Lines[1].Input, "a password typed on the line is the caller's own and comes back as sent")
	assert.Contains(t, r.Lines[1].Output, "HSM Return: SUCCESS")
	assert.Contains(t, r.Lines[2].Output, "Symmetric Key Created.  Key Handle: ")
	assert.Equal(t, "Command: ", r.Lines[3].Prompt)
	assert.Equal(t, shell.HostPrompt, r.Lines[4].Prompt)
	assert.Contains(t, r.Lines[4].Output, "rsa2048.pub")

	assert.Equal(t, "host", r.Summary.Mode)
	var labels []string
	for _, k := range r.Summary.Keys {
		labels = append(labels, k.Label)
	}
	assert.Contains(t, labels, "apiKey")
	assert.Len(t, r.Summary.Nodes, 3)
}

func TestRunHiddenAnswerIsMasked(t *testing.T) {
	h := New(Options{})
	script := "key_mgmt_util\nloginHSM -u CU -s example_user -hpswd\npassword\nlistUsers\n"
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(1), ""))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	r := srvRunResp(t, rec)
	require.Len(t, r.Lines, 4)
	assert.NotEqual(t, "Command: ", r.Lines[2].Prompt, "the answer is typed at the tool's question")
	assert.Equal(t, shell.Masked, r.Lines[2].Input)
	assert.Contains(t, r.Lines[2].Output, "HSM Return: SUCCESS")
	assert.Equal(t, "listUsers", r.Lines[3].Input, "only the hidden answer is masked")
	assert.NotContains(t, rec.Body.String(), `"password"`)
}

func TestRunDeterministicForASeed(t *testing.T) {
	h := New(Options{})
	script := "openssl rand -hex 16\nkey_mgmt_util\nloginHSM -u CU -s example_user -p password\n" +
		"genRSAKeyPair -m 2048 -e 65537 -l pair\ngenSymKey -t 31 -s 16 -l sym\nexit\n"
	first := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(42), ""))
	require.Equal(t, http.StatusOK, first.Code, first.Body.String())
	second := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(42), ""))
	require.Equal(t, http.StatusOK, second.Code)
	assert.Equal(t, first.Body.String(), second.Body.String(), "same script and seed give the same JSON")

	other := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, srvSeed(43), ""))
	require.Equal(t, http.StatusOK, other.Code)
	assert.NotEqual(t, first.Body.String(), other.Body.String(), "another seed gives other random bytes")
	a, b := srvRunResp(t, first), srvRunResp(t, other)
	assert.NotEqual(t, a.Lines[0].Output, b.Lines[0].Output)
	assert.Len(t, strings.TrimSpace(a.Lines[0].Output), 32)
}

func TestRunScenario(t *testing.T) {
	h := New(Options{})
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, "ls\n", nil, "uninitialised"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	r := srvRunResp(t, rec)
	require.Len(t, r.Lines, 1)
	assert.Empty(t, r.Summary.Keys)

	msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, "ls", nil, "no-such-cluster")), http.StatusBadRequest)
	assert.Contains(t, msg, `unknown scenario "no-such-cluster"`)
	assert.Contains(t, msg, "default")
}

func TestRunBadRequests(t *testing.T) {
	h := New(Options{})
	cases := []struct {
		name, body, want string
	}{
		{"not JSON", "key_mgmt_util", "not valid JSON"},
		{"empty body", "", "empty"},
		{"unknown field", `{"script":"ls","seeds":3}`, `unknown field "seeds"`},
		{"wrong type", `{"script":"ls","seed":"abc"}`, "not valid JSON"},
		{"negative seed", `{"script":"ls","seed":-1}`, "not valid JSON"},
		{"trailing data", `{"script":"ls"} {}`, "after the JSON object"},
		{"no script", `{}`, "script is empty"},
		{"blank script", `{"script":"\n"}`, "script is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/run", c.body), http.StatusBadRequest)
			assert.Contains(t, msg, c.want)
		})
	}
}

func TestRunLimits(t *testing.T) {
	h := New(Options{})

	t.Run("body size", func(t *testing.T) {
		big := srvRunBody(t, strings.Repeat("ls ", DefaultMaxRunBody/3+1), nil, "")
		msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/run", big), http.StatusRequestEntityTooLarge)
		assert.Contains(t, msg, "more than")
	})
	t.Run("body size without Content-Length", func(t *testing.T) {
		big := srvRunBody(t, strings.Repeat("ls ", DefaultMaxRunBody/3+1), nil, "")
		req := httptest.NewRequest(http.MethodPost, "/api/run", struct{ *strings.Reader }{strings.NewReader(big)})
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		srvErr(t, rec, http.StatusRequestEntityTooLarge)
	})
	t.Run("lines", func(t *testing.T) {
		script := strings.Repeat("ls\n", DefaultMaxLines+1)
		msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, nil, "")), http.StatusRequestEntityTooLarge)
		assert.Contains(t, msg, "201 lines, more than the 200 allowed")
		ok := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, strings.Repeat("ls\n", DefaultMaxLines), nil, ""))
		assert.Equal(t, http.StatusOK, ok.Code)
	})
	for _, line := range []string{
		"genRSAKeyPair -m 4096 -e 65537 -l big",
		"genRSAKeyPair -m 2048 -e 65537 -l big -m 3072",
		"genRSAKeyPair -m 0x1000 -e 65537 -l big",
		"/opt/cloudhsm/bin/key_mgmt_util singlecmd loginHSM -u CU -s example_user -p password genRSAKeyPair -m 4096 -e 65537 -l big",
		"openssl genrsa -out big.pem 4096",
		"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out big.pem",
	} {
		t.Run("RSA size "+line, func(t *testing.T) {
			script := "key_mgmt_util\nloginHSM -u CU -s example_user -p password\n" + line + "\n"
			msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, nil, "")), http.StatusUnprocessableEntity)
			assert.Contains(t, msg, "line 3")
			assert.Contains(t, msg, "at most 2048 bits")
		})
	}
	t.Run("RSA sizes that pass the check", func(t *testing.T) {
		for _, line := range []string{
			"genRSAKeyPair -m 2048 -e 65537 -l ok wrapKey -k 1 -w 2 -m 4096",
			"openssl genrsa -primes 4096",
			"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256",
			"genDSAKeyPair -m 2048 -l dsa",
		} {
			assert.Empty(t, h.checkRSA([]string{line}), line)
		}
	})
	t.Run("RSA count", func(t *testing.T) {
		script := strings.Repeat("genRSAKeyPair -m 2048 -e 65537 -l k\n", DefaultMaxRSAKeys) + "openssl genrsa 2048\n"
		msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, script, nil, "")), http.StatusUnprocessableEntity)
		assert.Contains(t, msg, "generates 9 RSA keys")
	})
}

// srvClock is a clock that moves a second each time it is read.
type srvClock struct{ now time.Time }

func (c *srvClock) read() time.Time {
	c.now = c.now.Add(time.Second)
	return c.now
}

func TestRunTimeBudget(t *testing.T) {
	clk := &srvClock{now: time.Unix(1700000000, 0)}
	h := New(Options{RunTimeout: 3 * time.Second, Clock: clk.read})
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, "ls\necho one\necho two\necho three\necho four\n", nil, ""))
	msg := srvErr(t, rec, http.StatusServiceUnavailable)
	// The clock reads 1 s at the start and 1 s more before each line, so
	// the fourth line finds the 3 s budget spent.
	assert.Contains(t, msg, "time budget after 3 of 5 lines")
	r := srvRunResp(t, rec)
	require.Len(t, r.Lines, 3, "the lines done before the deadline come back")
	assert.Equal(t, "ls", r.Lines[0].Input)
	assert.Equal(t, "echo one", r.Lines[1].Input)
	assert.Equal(t, "one\n", r.Lines[1].Output)
	assert.Equal(t, "echo two", r.Lines[2].Input)
	assert.Len(t, r.Summary.Nodes, 3)
}

func TestRunStopsAtExit(t *testing.T) {
	h := New(Options{})
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, "echo a\nexit\necho b\n", nil, ""))
	require.Equal(t, http.StatusOK, rec.Code)
	r := srvRunResp(t, rec)
	require.Len(t, r.Lines, 2)
	assert.Equal(t, "exit", r.Lines[1].Input)
}

func TestRunMethodsAndCORS(t *testing.T) {
	h := New(Options{})
	rec := srvDo(t, h, http.MethodGet, "/api/run", "")
	msg := srvErr(t, rec, http.StatusMethodNotAllowed)
	assert.Contains(t, msg, "GET /api/run is not allowed")
	assert.Equal(t, "POST, OPTIONS", rec.Header().Get("Allow"))
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))

	req := httptest.NewRequest(http.MethodOptions, "/api/run", nil)
	req.Header.Set("Origin", "https://docs.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type")
	pre := httptest.NewRecorder()
	h.ServeHTTP(pre, req)
	assert.Equal(t, http.StatusNoContent, pre.Code)
	assert.Equal(t, "*", pre.Header().Get("Access-Control-Allow-Origin"))
	assert.Contains(t, pre.Header().Get("Access-Control-Allow-Methods"), "POST")
	assert.Equal(t, "Content-Type", pre.Header().Get("Access-Control-Allow-Headers"))
	assert.Empty(t, pre.Body.String())
}

func TestScriptLines(t *testing.T) {
	assert.Nil(t, scriptLines(""))
	assert.Nil(t, scriptLines("\n"))
	assert.Equal(t, []string{"a", "", "b"}, scriptLines("a\r\n\r\nb\r\n"))
	assert.Equal(t, []string{"a", "b"}, scriptLines("a\nb"))
}

func TestRunOutputIsNotHTMLEscaped(t *testing.T) {
	h := New(Options{})
	rec := srvDo(t, h, http.MethodPost, "/api/run", srvRunBody(t, "echo '<a&b>'\n", nil, ""))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.True(t, bytes.Contains(rec.Body.Bytes(), []byte(`<a&b>`)), rec.Body.String())
}
