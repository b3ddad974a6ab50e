package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// srvSnapshot is the state document of a workspace that made a key.
func srvSnapshot(t *testing.T) []byte {
	t.Helper()
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(3)})
	require.NoError(t, err)
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l shared", "exit"} {
		s.Exec(l)
	}
	b, err := s.Snapshot()
	require.NoError(t, err)
	return b
}

func srvShareBody(t *testing.T, stateJSON json.RawMessage, history []string) string {
	t.Helper()
	b, err := json.Marshal(ShareRequest{State: stateJSON, History: history})
	require.NoError(t, err)
	return string(b)
}

// srvCreate posts a share and returns its id.
func srvCreate(t *testing.T, h http.Handler, body string) string {
	t.Helper()
	rec := srvDo(t, h, http.MethodPost, "/api/share", body)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	var r ShareResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &r))
	require.True(t, ValidID(r.ID), r.ID)
	assert.Equal(t, "/api/share/"+r.ID, rec.Header().Get("Location"))
	assert.Empty(t, rec.Header().Get("Access-Control-Allow-Origin"), "only /api/run is open to other sites")
	return r.ID
}

func TestShareRoundTrip(t *testing.T) {
	store := NewMemStore()
	h := New(Options{Store: store})
	snap := srvSnapshot(t)
	history := []string{
		"key_mgmt_util",
		"loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l shared",
		"exit",
		"cloudhsm_mgmt_util",
		"loginHSM CO admin password",
		"createUser CU bob 'bob secret'",
		"changePswd CU bob -hpswd",
	}
	id := srvCreate(t, h, srvShareBody(t, snap, history))
	assert.Equal(t, 1, store.Len())

	rec := srvDo(t, h, http.MethodGet, "/api/share/"+id, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Header().Get("Cache-Control"), "private")
	var doc ShareDoc
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, ShareFormat, doc.Format)
	assert.Equal(t, 1, doc.Version)
	assert.JSONEq(t, string(snap), string(doc.State), "the state comes back as it was sent")
	assert.Equal(t, []string{
		"key_mgmt_util",
		"loginHSM -u CU -s example_user -p ********",
		"genSymKey -t 31 -s 32 -l shared",
		"exit",
		"cloudhsm_mgmt_util",
		"loginHSM CO admin ********",
		"createUser CU bob ********",
		"changePswd CU bob -hpswd",
	}, doc.History)
	assert.NotContains(t, rec.Body.String(), "bob secret")

	// The shared state loads into a new workspace with the key in it.
	s, err := shell.New(shell.Options{State: doc.State})
	require.NoError(t, err)
	var labels []string
	for _, k := range s.Summary().Keys {
		labels = append(labels, k.Label)
	}
	assert.Contains(t, labels, "shared")

	head := srvDo(t, h, http.MethodHead, "/api/share/"+id, "")
	assert.Equal(t, http.StatusOK, head.Code)
}

func TestShareStateAsString(t *testing.T) {
	h := New(Options{Store: NewMemStore()})
	snap := srvSnapshot(t)
	str, err := json.Marshal(string(snap))
	require.NoError(t, err)
	id := srvCreate(t, h, srvShareBody(t, str, nil))
	rec := srvDo(t, h, http.MethodGet, "/api/share/"+id, "")
	require.Equal(t, http.StatusOK, rec.Code)
	var doc ShareDoc
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.JSONEq(t, string(snap), string(doc.State), "a state sent as a string is stored as JSON")
	assert.Equal(t, []string{}, doc.History)
}

func TestShareIDsDiffer(t *testing.T) {
	h := New(Options{Store: NewMemStore()})
	body := srvShareBody(t, srvSnapshot(t), []string{"ls"})
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		id := srvCreate(t, h, body)
		assert.False(t, seen[id], "ids do not repeat")
		seen[id] = true
	}
}

func TestShareErrors(t *testing.T) {
	h := New(Options{Store: NewMemStore(), MaxShareBody: 64 << 10})
	snap := srvSnapshot(t)

	msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", `{"history":["ls"]}`), http.StatusBadRequest)
	assert.Contains(t, msg, `"state" is missing`)
	srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", `{"state":`), http.StatusBadRequest)
	srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", `{"state":{},"extra":1}`), http.StatusBadRequest)

	msg = srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", `{"state":{"format":"something-else","version":1}}`), http.StatusUnprocessableEntity)
	assert.Contains(t, msg, "not a workspace")
	msg = srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", `{"state":"not json at all"}`), http.StatusUnprocessableEntity)
	assert.Contains(t, msg, "not a workspace")
	broken := strings.Replace(string(snap), `"version":1`, `"version":99`, 1)
	msg = srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", srvShareBody(t, json.RawMessage(broken), nil)), http.StatusUnprocessableEntity)
	assert.Contains(t, msg, "newer version")

	big := srvShareBody(t, snap, []string{strings.Repeat("x", 64<<10)})
	srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", big), http.StatusRequestEntityTooLarge)

	many := srvShareBody(t, snap, make([]string, MaxHistory+1))
	msg = srvErr(t, srvDo(t, New(Options{Store: NewMemStore()}), http.MethodPost, "/api/share", many), http.StatusRequestEntityTooLarge)
	assert.Contains(t, msg, "history")

	rec := srvDo(t, h, http.MethodGet, "/api/share", "")
	srvErr(t, rec, http.StatusMethodNotAllowed)
	assert.Equal(t, "POST", rec.Header().Get("Allow"))
	rec = srvDo(t, h, http.MethodDelete, "/api/share/AAAAAAAAAAAA", "")
	srvErr(t, rec, http.StatusMethodNotAllowed)
	assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
}

func TestShareNotFound(t *testing.T) {
	h := New(Options{Store: NewMemStore()})
	for _, id := range []string{"AAAAAAAAAAAA", "short", "..%2F..%2Fetc", "", "AAAAAAAAAAA-", "AAAAAAAAAAAAA"} {
		msg := srvErr(t, srvDo(t, h, http.MethodGet, "/api/share/"+id, ""), http.StatusNotFound)
		assert.Contains(t, msg, "no share with id")
	}
}

func TestShareWithoutStore(t *testing.T) {
	h := New(Options{})
	msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", srvShareBody(t, srvSnapshot(t), nil)), http.StatusServiceUnavailable)
	assert.Contains(t, msg, "keeps no shares")
	srvErr(t, srvDo(t, h, http.MethodGet, "/api/share/AAAAAAAAAAAA", ""), http.StatusServiceUnavailable)
}

// srvBrokenStore fails every call, or panics.
type srvBrokenStore struct{ panics bool }

func (s srvBrokenStore) Put(context.Context, string, []byte) error {
	if s.panics {
		panic("store exploded")
	}
	return errors.New("disk full")
}

func (s srvBrokenStore) Get(context.Context, string) ([]byte, error) {
	if s.panics {
		panic("store exploded")
	}
	return nil, errors.New("disk unreadable")
}

func TestShareStoreFailures(t *testing.T) {
	h := New(Options{Store: srvBrokenStore{}})
	msg := srvErr(t, srvDo(t, h, http.MethodPost, "/api/share", srvShareBody(t, srvSnapshot(t), nil)), http.StatusInternalServerError)
	assert.Contains(t, msg, "disk full")
	msg = srvErr(t, srvDo(t, h, http.MethodGet, "/api/share/AAAAAAAAAAAA", ""), http.StatusInternalServerError)
	assert.Contains(t, msg, "disk unreadable")

	p := New(Options{Store: srvBrokenStore{panics: true}})
	rec := srvDo(t, p, http.MethodGet, "/api/share/AAAAAAAAAAAA", "")
	msg = srvErr(t, rec, http.StatusInternalServerError)
	assert.Contains(t, msg, "store exploded")
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
}

func TestNewID(t *testing.T) {
	id, err := NewID(nil)
	require.NoError(t, err)
	assert.True(t, ValidID(id))
	// Bytes of 248 and above are skipped, so a reader of only those cannot
	// make an id; a short reader is an error, not a weak id.
	_, err = NewID(strings.NewReader(strings.Repeat("\xff", 100)))
	assert.Error(t, err)
	id, err = NewID(strings.NewReader(strings.Repeat("\x00\xf8", 12)))
	require.NoError(t, err)
	assert.Equal(t, "000000000000", id)
	assert.False(t, ValidID("00000000000/"))
}

func TestDirStoreServesShares(t *testing.T) {
	st, err := NewDirStore(t.TempDir())
	require.NoError(t, err)
	h := New(Options{Store: st})
	id := srvCreate(t, h, srvShareBody(t, srvSnapshot(t), []string{"loginHSM -u CU -s u -p pw"}))
	rec := srvDo(t, h, http.MethodGet, "/api/share/"+id, "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"loginHSM -u CU -s u -p ********"`)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/share/ZZZZZZZZZZZZ", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}
