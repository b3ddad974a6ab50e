package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Default limits. They keep one /api/run request well inside a paid
// Worker's CPU allowance (see docs/api.md) and a share small enough that
// storing and loading it stays cheap.
const (
	DefaultMaxRunBody   = 64 << 10
	DefaultMaxLines     = 200
	DefaultMaxRSABits   = 2048
	DefaultMaxRSAKeys   = 8
	DefaultRunTimeout   = 10 * time.Second
	DefaultMaxShareBody = 2 << 20
	// DefaultMaxOutput bounds what one line of a script may print, and
	// DefaultMaxReply the whole /api/run answer.
	DefaultMaxOutput = 1 << 20
	DefaultMaxReply  = 2 << 20
)

// Options configure a Handler. Zero values take the defaults above.
type Options struct {
	// Store keeps shares; nil answers the share endpoints with 503, so a
	// page falls back to a link that carries the workspace itself.
	Store Store
	// MaxRunBody bounds the /api/run request body in bytes.
	MaxRunBody int64
	// MaxLines bounds the lines of one script.
	MaxLines int
	// MaxRSABits is the largest RSA modulus a script may generate.
	MaxRSABits int
	// MaxRSAKeys bounds the RSA key generations of one script: they are
	// the only commands that take long, and a deadline alone cannot stop
	// them in a Worker (see RunTimeout).
	MaxRSAKeys int
	// RunTimeout is the time budget of one script, checked between lines
	// and, through the context of the running line, inside long operations
	// such as key generation. In a Worker the clocks stand still while code
	// runs, so there the line and RSA limits are what bound the work.
	RunTimeout time.Duration
	// MaxOutput bounds what one line may print, MaxReply the whole encoded
	// /api/run answer; past either the answer is 413.
	MaxOutput int
	MaxReply  int
	// MaxShareBody bounds the /api/share request body in bytes.
	MaxShareBody int64
	// Clock returns the time; nil means time.Now. Tests move it by hand.
	Clock func() time.Time
	// IDRand is the randomness of share ids; nil means crypto/rand.
	IDRand io.Reader
}

// Handler serves /api/...; see the package documentation.
type Handler struct {
	opt Options
}

// New returns the API handler.
func New(opt Options) *Handler {
	if opt.MaxRunBody <= 0 {
		opt.MaxRunBody = DefaultMaxRunBody
	}
	if opt.MaxLines <= 0 {
		opt.MaxLines = DefaultMaxLines
	}
	if opt.MaxRSABits <= 0 {
		opt.MaxRSABits = DefaultMaxRSABits
	}
	if opt.MaxRSAKeys <= 0 {
		opt.MaxRSAKeys = DefaultMaxRSAKeys
	}
	if opt.RunTimeout <= 0 {
		opt.RunTimeout = DefaultRunTimeout
	}
	if opt.MaxShareBody <= 0 {
		opt.MaxShareBody = DefaultMaxShareBody
	}
	if opt.MaxOutput <= 0 {
		opt.MaxOutput = DefaultMaxOutput
	}
	if opt.MaxReply <= 0 {
		opt.MaxReply = DefaultMaxReply
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	return &Handler{opt: opt}
}

// ServeHTTP routes a request. Paths outside /api/ answer 404, so the
// handler can also be mounted at / by a server that has nothing else.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header(), r.URL.Path, PoliciesFor(Inline{}))
	w.Header().Set("Cache-Control", "no-store")
	defer func() {
		// The engine must not panic; if it ever does, the caller still gets
		// an answer in the API's form and the server goes on.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("internal error: %v", v))
		}
	}()
	p := r.URL.Path
	switch {
	case p == "/api/run":
		h.routeRun(w, r)
	case p == "/api/share":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, r, "POST")
			return
		}
		h.createShare(w, r)
	case strings.HasPrefix(p, "/api/share/"):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, r, "GET, HEAD")
			return
		}
		h.getShare(w, r, strings.TrimPrefix(p, "/api/share/"))
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("no API endpoint %s (there are POST /api/run, POST /api/share and GET /api/share/{id})", p))
	}
}

// routeRun handles CORS for /api/run, the one endpoint other sites may
// call from a browser: a script runs on a throw-away cluster and touches
// nothing of the caller's.
func (h *Handler) routeRun(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", "*")
	switch r.Method {
	case http.MethodOptions:
		hd.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
		hd.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		h.run(w, r)
	default:
		methodNotAllowed(w, r, "POST, OPTIONS")
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s is not allowed (use %s)", r.Method, r.URL.Path, allow))
}

// errorBody is every error answer: {"error": "..."}, plus the lines already
// run when a script stops at its time limit.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// writeJSON answers v as compact JSON. HTML escaping is off: the output of
// the tools holds "<" and ">" that curl users should see as typed, and the
// Content-Type and nosniff keep browsers from reading it as HTML.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = fmt.Appendf(nil, "{\"error\":%q}\n", "cannot encode the answer: "+err.Error())
	}
	writeRaw(w, status, body)
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// readBody reads at most limit bytes of the request body. A longer body
// answers 413 before any of it is parsed.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is %d bytes, more than the %d allowed", r.ContentLength, limit))
		return nil, false
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is more than the %d bytes allowed", limit))
		return nil, false
	case err != nil:
		writeError(w, http.StatusBadRequest, "cannot read the request body: "+err.Error())
		return nil, false
	}
	return b, true
}

// decodeStrict parses a JSON body into v, refusing unknown fields (a typo
// such as "seeds" would otherwise be ignored without a word) and trailing
// data.
func decodeStrict(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return errors.New("the request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("the request body is not valid JSON for this endpoint: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the request body has data after the JSON object")
	}
	return nil
}
