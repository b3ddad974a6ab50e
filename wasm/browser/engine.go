package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
	"github.com/hsmsim/hsmsim/engine/transcript"
)

// Error kinds, as the worker sees them in error.kind.
const (
	kindDamaged  = "damaged"
	kindTooNew   = "too-new"
	kindClosed   = "closed"
	kindInvalid  = "invalid"
	kindInternal = "internal"
)

// engineError is an error with the kind the worker acts on.
type engineError struct {
	Kind string
	Err  error
}

func (e *engineError) Error() string { return e.Err.Error() }
func (e *engineError) Unwrap() error { return e.Err }

func errorKind(err error) string {
	var ee *engineError
	if errors.As(err, &ee) {
		return ee.Kind
	}
	return kindInternal
}

// loadError classifies a failure to read saved state.
func loadError(err error) error {
	if errors.Is(err, state.ErrTooNew) {
		return &engineError{kindTooNew, err}
	}
	return &engineError{kindDamaged, err}
}

func invalid(format string, a ...any) error {
	return &engineError{kindInvalid, fmt.Errorf(format, a...)}
}

var errClosed = &engineError{kindClosed, errors.New("no workspace is open")}

// delta is what a commit writes: records to put and record keys to delete.
type delta struct {
	Puts map[string][]byte
	Dels []string
}

// execResult is the answer to one line.
type execResult struct {
	shell.Reply
	// Masked is the line as history keeps it: passwords replaced by
	// ********, a hidden answer wholly (engine/transcript's rules, the same
	// the API applies to shared history).
	Masked string `json:"masked"`
	// EngineMs is the time the engine spent on the line, without the
	// worker's messaging and storage, for the benchmarks.
	EngineMs float64 `json:"engineMs"`
	delta    *delta
}

// opened describes a workspace just opened.
type opened struct {
	Prompt string `json:"prompt"`
	Mode   string `json:"mode"`
	// Rewrite says the records were of an older schema (without
	// checksums): the worker stores the workspace's records (the
	// "records" call) in place of them.
	Rewrite bool `json:"rewrite,omitempty"`
}

// engine is one workspace's session and what was last saved of it. The
// worker calls it one operation at a time; the mutex makes that so even
// if a caller forgot.
type engine struct {
	mu   sync.Mutex
	sess *shell.Session
	tr   *state.Tracker
	// unseeded is the randomness of a session without a seed; nil means
	// crypto/rand. In the browser it also generates RSA keys with
	// WebCrypto (see webcrypto_js.go).
	unseeded io.Reader
	// before holds the session keys as they were before the last command
	// that could change the workspace, for rollback.
	before shell.SessionKeys
}

// defaultRecords is the default cluster in record form, for a new or reset
// workspace.
func defaultRecords() (map[string][]byte, error) {
	c, files, err := scenario.Default()
	if err != nil {
		return nil, err
	}
	return sealed(state.Records(c, files))
}

// sealed is a workspace's records (state.Records) as the browser stores
// them: each with its checksum (state.SealRecord, schema
// state.RecordSchema).
func sealed(recs map[string][]byte, err error) (map[string][]byte, error) {
	if err != nil {
		return nil, err
	}
	return state.SealRecords(recs), nil
}

// fromStored is state.FromStoredRecords (passed in as read: this package
// cannot name the cluster's type) with the garbage collector held off.
// Nearly everything reading a workspace allocates stays (the keys, their
// material), so a collection while a large one is read marks it for little
// to free, and the write barriers it turns on slow every store; in js/wasm
// under Node that was some 30 % of a first (cold) read of 3,300 keys. The
// collector is back as it was when the reading ends.
func fromStored[C any](read func(map[string][]byte, int) (C, map[string][]byte, error), recs map[string][]byte, schema int) (C, map[string][]byte, error) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return read(recs, schema)
}

// open starts a session on saved records of a record schema. seed, when
// not empty, makes the session's randomness reproducible (the page's
// ?seed=N).
func (e *engine) open(recs map[string][]byte, schema int, seed string) (opened, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	// Whatever was open ends here, also when the new workspace cannot be
	// read: no command may run on the one the user left.
	e.sess, e.tr = nil, nil
	var r io.Reader
	if seed != "" {
		var n uint64
		if _, err := fmt.Sscan(seed, &n); err != nil {
			return opened{}, invalid("seed must be a non-negative integer, not %q", seed)
		}
		r = shell.SeededRand(n)
	}
	c, files, err := fromStored(state.FromStoredRecords, recs, schema)
	if err != nil {
		return opened{}, loadError(err)
	}
	if r == nil {
		r = e.unseeded
	}
	if r == nil {
		r = rand.Reader
	}
	// The decoded records go in as they are: shell.New(Options{State})
	// would encode and decode the whole cluster once more, which doubles
	// the time to open 3,300 keys.
	sess, err := shell.New(shell.Options{Cluster: c, Files: files, Rand: r})
	if err != nil {
		return opened{}, loadError(err)
	}
	e.sess = sess
	e.tr = state.NewTracker(c, files)
	return opened{Prompt: e.sess.Prompt(), Mode: e.sess.Mode(), Rewrite: schema < state.RecordSchema}, nil
}

// records is the open workspace in record form (sealed), for the worker to
// store in place of records of an older schema.
func (e *engine) records() (map[string][]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	recs, err := state.Records(e.sess.Cluster, e.sess.Files())
	if derr := e.damaged(); derr != nil {
		return nil, derr
	}
	return sealed(recs, err)
}

// reload adopts another tab's newer records, keeping this tab's login and
// session keys.
func (e *engine) reload(recs map[string][]byte, schema int) (opened, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return opened{}, errClosed
	}
	c, files, err := fromStored(state.FromStoredRecords, recs, schema)
	if err != nil {
		return opened{}, loadError(err)
	}
	if err := e.sess.ReloadState(c, files); err != nil {
		return opened{}, loadError(err)
	}
	e.tr = state.NewTracker(e.sess.Cluster, e.sess.Files())
	return opened{Prompt: e.sess.Prompt(), Mode: e.sess.Mode(), Rewrite: schema < state.RecordSchema}, nil
}

// rollback takes back the last command, whose change could not be saved:
// the workspace becomes recs (of a record schema), what the store still
// holds, and the session
// keys what they were before the command; the login and the tool stay.
// Nothing the command did is left for a later command to build on.
func (e *engine) rollback(recs map[string][]byte, schema int) (opened, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return opened{}, errClosed
	}
	c, files, err := fromStored(state.FromStoredRecords, recs, schema)
	if err != nil {
		return opened{}, loadError(err)
	}
	if err := e.sess.Undo(c, files, e.before); err != nil {
		return opened{}, loadError(err)
	}
	e.before = shell.SessionKeys{}
	e.tr = state.NewTracker(e.sess.Cluster, e.sess.Files())
	return opened{Prompt: e.sess.Prompt(), Mode: e.sess.Mode(), Rewrite: schema < state.RecordSchema}, nil
}

// exec runs one line; when the state changed, the result holds the records
// to commit before the reply reaches the user.
func (e *engine) exec(line string) (execResult, error) {
	masked := ""
	res, err := e.run(func(s *shell.Session) shell.Reply {
		st, rep := s.Step(line)
		masked = transcript.MaskLine(st.Input)
		return rep
	})
	res.Masked = masked
	return res, err
}

// interrupt is Ctrl-C: a pending question is dropped.
func (e *engine) interrupt() (execResult, error) {
	return e.run((*shell.Session).Interrupt)
}

func (e *engine) run(f func(*shell.Session) shell.Reply) (execResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return execResult{}, errClosed
	}
	start := time.Now()
	e.before = e.sess.SessionKeys()
	res := execResult{Reply: f(e.sess)}
	if err := e.damaged(); err != nil {
		return execResult{}, err
	}
	if res.Changed {
		d, err := e.delta()
		if err != nil {
			return execResult{}, err
		}
		res.delta = d
	}
	res.EngineMs = float64(time.Since(start).Microseconds()) / 1000
	return res, nil
}

func (e *engine) delta() (*delta, error) {
	puts, dels, err := e.tr.Delta(e.sess.Cluster, e.sess.Files())
	if err != nil {
		return nil, err
	}
	return &delta{Puts: state.SealRecords(puts), Dels: dels}, nil
}

// saved records that the worker committed the last delta.
func (e *engine) saved() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tr != nil {
		e.tr.Saved()
	}
}

func (e *engine) complete(line string) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	out := e.sess.Complete(line)
	if err := e.damaged(); err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// completions are complete's candidates with what each means, for a list
// ("355  OBJ_ATTR_LOCAL").
func (e *engine) completions(line string) ([]shell.Completion, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	out := e.sess.Completions(line)
	if err := e.damaged(); err != nil {
		return nil, err
	}
	if out == nil {
		out = []shell.Completion{}
	}
	return out, nil
}

func (e *engine) summary() (shell.Summary, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return shell.Summary{}, errClosed
	}
	e.decodeAll()
	sum := e.sess.Summary()
	return sum, e.damaged()
}

// summaryJSON is summary as the worker hands it to the page: the panels ask
// it after every command, and while nothing changed it is the encoding
// made last time (shell.Session.SummaryJSON).
func (e *engine) summaryJSON() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return "", errClosed
	}
	e.decodeAll()
	j, err := e.sess.SummaryJSON()
	if derr := e.damaged(); derr != nil {
		return "", derr
	}
	return j, err
}

// decodeAll decodes the key records not decoded yet with the garbage
// collector held off, as fromStored reads them: the panels' summary looks
// at every key, and the page asks for it as soon as a workspace is open,
// so that is where a large workspace's records are decoded. Nearly all
// the decoding allocates stays; under Node a first summary of 3,300 keys
// took 0.7 s with the collector held off against 1.1 s with it running.
func (e *engine) decodeAll() {
	if e.sess.Cluster.Undecoded() == 0 {
		return
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	// A damaged record is told by damaged, after the call.
	_ = e.sess.Cluster.DecodeAll()
}

// damaged ends the session when a key record decoded since the workspace
// was read turned out damaged (hsm.Cluster.Damaged, which a full read on
// open would have refused the workspace for): what the call saw was not
// the workspace, so its answer is withheld and nothing is saved, and the
// worker marks the workspace damaged, as when opening refuses it.
func (e *engine) damaged() error {
	if e.sess == nil {
		return nil
	}
	err := e.sess.Cluster.Damaged()
	if err == nil {
		return nil
	}
	e.sess, e.tr = nil, nil
	return &engineError{kindDamaged, err}
}

func (e *engine) listFiles() ([]shell.FileInfo, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	fs, err := e.sess.ListFiles()
	if fs == nil {
		fs = []shell.FileInfo{}
	}
	return fs, err
}

func (e *engine) readFile(name string) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	b, err := e.sess.ReadFile(name)
	if err != nil {
		return nil, invalid("%s", fileError(name, err))
	}
	return b, nil
}

// writeFile stores an uploaded file and returns what to commit.
func (e *engine) writeFile(name string, data []byte) (*delta, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	e.before = e.sess.SessionKeys()
	if err := e.sess.WriteFile(name, data); err != nil {
		return nil, invalid("%s", fileError(name, err))
	}
	return e.delta()
}

func (e *engine) removeFile(name string) (*delta, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	e.before = e.sess.SessionKeys()
	if err := e.sess.RemoveFile(name); err != nil {
		return nil, invalid("%s", fileError(name, err))
	}
	return e.delta()
}

func fileError(name string, err error) string {
	if shell.IsNotExist(err) {
		return fmt.Sprintf("%s: no such file", name)
	}
	return err.Error()
}

func (e *engine) snapshot() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	doc, err := e.sess.Snapshot()
	if derr := e.damaged(); derr != nil {
		return nil, derr
	}
	return doc, err
}

// memStats are the Go heap figures the benchmarks report.
type memStats struct {
	HeapAlloc uint64 `json:"heapAlloc"`
	HeapSys   uint64 `json:"heapSys"`
	Sys       uint64 `json:"sys"`
	NumGC     uint32 `json:"numGC"`
}

func memory() memStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memStats{HeapAlloc: m.HeapAlloc, HeapSys: m.HeapSys, Sys: m.Sys, NumGC: m.NumGC}
}

// backupFormat names a backup file: the workspace's state document, as
// hsmsim --state writes it, with the workspace's name and command history.
const backupFormat = "hsmsim-backup"

// backupVersion is the backup layout this code writes and reads.
const backupVersion = 1

type backup struct {
	Format    string          `json:"format"`
	Version   int             `json:"version"`
	Workspace string          `json:"workspace"`
	Exported  string          `json:"exported,omitempty"`
	History   []string        `json:"history"`
	Skipped   []string        `json:"skipped,omitempty"`
	State     json.RawMessage `json:"state"`
}

// maxHistory bounds the history a backup carries.
const maxHistory = 10000

// exportBackup writes a backup file of the open workspace.
func (e *engine) exportBackup(name string, history []string) ([]byte, error) {
	doc, err := e.snapshot()
	if err != nil {
		return nil, err
	}
	return encodeBackup(name, history, doc, nil)
}

func encodeBackup(name string, history []string, doc []byte, skipped []string) ([]byte, error) {
	if history == nil {
		history = []string{}
	}
	if len(history) > maxHistory {
		history = history[len(history)-maxHistory:]
	}
	return json.MarshalIndent(backup{Format: backupFormat, Version: backupVersion, Workspace: name,
		Exported: time.Now().UTC().Format(time.RFC3339), History: history, Skipped: skipped, State: doc}, "", " ")
}

// importBackup checks a backup file, or a bare state document (what
// hsmsim --state keeps natively), and returns it in record form.
func importBackup(b []byte) (name string, history []string, recs map[string][]byte, err error) {
	if len(b) > state.MaxSize+1<<20 {
		return "", nil, nil, invalid("the file is %d bytes, more than a backup can be", len(b))
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return "", nil, nil, invalid("this is not a hsmsim backup: %v", err)
	}
	doc := b
	switch head.Format {
	case state.Format:
	case backupFormat:
		if head.Version > backupVersion {
			return "", nil, nil, &engineError{kindTooNew, fmt.Errorf("backup version %d: %w (this one reads up to %d)", head.Version, state.ErrTooNew, backupVersion)}
		}
		var bk backup
		if err := json.Unmarshal(b, &bk); err != nil {
			return "", nil, nil, invalid("the backup is damaged: %v", err)
		}
		if len(bk.History) > maxHistory {
			return "", nil, nil, invalid("the backup is damaged: %d history lines, more than %d", len(bk.History), maxHistory)
		}
		name, history, doc = strings.TrimSpace(bk.Workspace), bk.History, bk.State
	default:
		return "", nil, nil, invalid("this is not a hsmsim backup (format %q)", head.Format)
	}
	c, files, err := state.Decode(doc)
	if err != nil {
		if errors.Is(err, state.ErrTooNew) {
			return "", nil, nil, &engineError{kindTooNew, err}
		}
		return "", nil, nil, invalid("the backup's workspace is damaged: %v", err)
	}
	recs, err = sealed(state.Records(c, files))
	if err != nil {
		return "", nil, nil, err
	}
	if history == nil {
		history = []string{}
	}
	return name, history, recs, nil
}

// salvage makes a backup of what can be read of damaged records of a
// record schema: every record that matches its checksum and decodes on its
// own, and the list of those left out.
func salvage(name string, history []string, recs map[string][]byte, schema int, undecodable []string) ([]byte, []string, error) {
	payloads, mismatched, err := state.OpenRecords(recs, schema)
	if errors.Is(err, state.ErrTooNew) || (err != nil && payloads == nil) {
		return nil, nil, loadError(err)
	}
	c, files, skipped, err := state.Salvage(payloads)
	if err != nil {
		return nil, nil, loadError(err)
	}
	// Records that do not match their checksum, or whose stored value was
	// not even bytes, are left out too.
	skipped = append(skipped, mismatched...)
	skipped = append(skipped, undecodable...)
	slices.Sort(skipped)
	doc, err := state.Encode(c, files)
	if err != nil {
		return nil, nil, err
	}
	b, err := encodeBackup(name, history, doc, skipped)
	return b, skipped, err
}
