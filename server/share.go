package server

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/hsmsim/hsmsim/engine/state"
	"github.com/hsmsim/hsmsim/engine/transcript"
)

// ShareFormat names the stored share document.
const ShareFormat = "hsmsim-share"

// MaxHistory bounds the history lines of one share.
const MaxHistory = 10000

// IDLength is the length of a share id: 12 characters of base62 carry
// 71 bits from crypto/rand, so ids cannot be guessed or enumerated, and a
// link stays short.
const IDLength = 12

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ShareRequest is the body of POST /api/share.
type ShareRequest struct {
	// State is a state document (shell.Session.Snapshot), as a JSON value
	// or as a string holding one.
	State json.RawMessage `json:"state"`
	// History is the lines typed, oldest first; passwords are masked
	// before it is stored.
	History []string `json:"history"`
}

// ShareDoc is what GET /api/share/{id} answers.
type ShareDoc struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	State   json.RawMessage `json:"state"`
	History []string        `json:"history"`
}

// ShareResponse is the answer of POST /api/share.
type ShareResponse struct {
	ID string `json:"id"`
}

// ValidID reports whether id has the form of a share id. Anything else is
// answered 404 without asking the store.
func ValidID(id string) bool {
	if len(id) != IDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// NewID draws a share id from r (crypto/rand when nil). Bytes of 248 and
// above are dropped so every character is equally likely.
func NewID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	id := make([]byte, 0, IDLength)
	buf := make([]byte, 2*IDLength)
	for len(id) < IDLength {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("no randomness for a share id: %w", err)
		}
		for _, b := range buf {
			if b < 248 && len(id) < IDLength {
				id = append(id, idAlphabet[b%62])
			}
		}
	}
	return string(id), nil
}

func (h *Handler) createShare(w http.ResponseWriter, r *http.Request) {
	if h.opt.Store == nil {
		writeError(w, http.StatusServiceUnavailable, "this server keeps no shares; put the workspace in the link instead")
		return
	}
	// Only a JSON body: a form or text/plain is what any web page can send
	// without asking (no CORS preflight), and this endpoint is not open to
	// other sites.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("POST /api/share takes a JSON body with Content-Type: application/json (got %q)", r.Header.Get("Content-Type")))
		return
	}
	body, ok := readBody(w, r, h.opt.MaxShareBody)
	if !ok {
		return
	}
	var req ShareRequest
	if err := decodeStrict(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	raw := bytes.TrimSpace(req.State)
	if len(raw) == 0 || string(raw) == "null" {
		writeError(w, http.StatusBadRequest, `"state" is missing: send the workspace's state document`)
		return
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			writeError(w, http.StatusBadRequest, "\"state\" is not a valid JSON string: "+err.Error())
			return
		}
		raw = []byte(s)
	}
	if _, _, err := state.Decode(raw); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "\"state\" is not a workspace hsmsim can load: "+err.Error())
		return
	}
	if len(req.History) > MaxHistory {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("\"history\" has %d lines, more than the %d allowed", len(req.History), MaxHistory))
		return
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "\"state\" is not JSON: "+err.Error())
		return
	}
	hist := transcript.MaskHistory(req.History)
	doc, err := json.Marshal(ShareDoc{Format: ShareFormat, Version: 1, State: compact.Bytes(), History: hist})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot encode the share: "+err.Error())
		return
	}
	id, err := NewID(h.opt.IDRand)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if err := h.opt.Store.Put(r.Context(), id, doc); err != nil {
		writeError(w, http.StatusInternalServerError, "cannot store the share: "+err.Error())
		return
	}
	w.Header().Set("Location", "/api/share/"+id)
	writeJSON(w, http.StatusCreated, ShareResponse{ID: id})
}

func (h *Handler) getShare(w http.ResponseWriter, r *http.Request, id string) {
	if h.opt.Store == nil {
		writeError(w, http.StatusServiceUnavailable, "this server keeps no shares")
		return
	}
	if !ValidID(id) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no share with id %q", id))
		return
	}
	doc, err := h.opt.Store.Get(r.Context(), id)
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no share with id %q", id))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot read the share: "+err.Error())
		return
	}
	// A share never changes, so a browser may keep it; "private" keeps it
	// out of shared caches.
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	writeRaw(w, http.StatusOK, doc)
}
