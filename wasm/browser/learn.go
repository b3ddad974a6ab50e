package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
	"github.com/hsmsim/hsmsim/engine/tour"
	"github.com/hsmsim/hsmsim/engine/transcript"
)

// The operations of the learning side of the site: the guided tour, the
// scenarios a workspace or an embed starts from, and transcripts of a
// session. They live apart from engine.go's workspace operations and are
// plain Go here, so their tests run natively; learn_js.go hands them to
// JavaScript.

// scenarioInfo describes a built-in scenario for a chooser.
type scenarioInfo struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// scenarios lists the built-in scenarios, default first.
func scenarios() ([]scenarioInfo, error) {
	names := scenario.Names()
	if i := slices.Index(names, "default"); i > 0 {
		names = append([]string{"default"}, slices.Delete(names, i, i+1)...)
	}
	out := make([]scenarioInfo, 0, len(names))
	for _, n := range names {
		sc, err := scenario.Builtin(n)
		if err != nil {
			return nil, err
		}
		out = append(out, scenarioInfo{Name: n, Title: sc.Title, Description: sc.Description})
	}
	return out, nil
}

// scenarioRecords builds a built-in scenario in record form, for a new
// workspace or an embed that starts from it. "" is the default cluster.
func scenarioRecords(name string) (map[string][]byte, error) {
	if name == "" {
		name = "default"
	}
	if !slices.Contains(scenario.Names(), name) {
		return nil, invalid("unknown scenario %q (known: %s)", name, strings.Join(scenario.Names(), ", "))
	}
	sc, err := scenario.Builtin(name)
	if err != nil {
		return nil, invalid("%v", err)
	}
	c, files, err := sc.Build()
	if err != nil {
		return nil, err
	}
	return sealed(state.Records(c, files))
}

// tourSteps is the first tour, in order.
func tourSteps() []tour.Step { return tour.Steps() }

// tourTours is every tour with its steps, the first tour first.
func tourTours() []tour.Tour { return tour.Tours() }

// parseCalls reads the JSON of a reply's "calls" ("" is none).
func parseCalls(calls string) ([]shell.Call, error) {
	var cs []shell.Call
	if calls != "" {
		if len(calls) > maxCalls {
			return nil, invalid("calls are longer than %d bytes", maxCalls)
		}
		if err := json.Unmarshal([]byte(calls), &cs); err != nil {
			return nil, invalid("calls must be the JSON of a reply's calls: %v", err)
		}
	}
	return cs, nil
}

// tourExplain explains the return codes of a reply's calls (the JSON of
// its "calls"); never nil, so the page always gets a list.
func tourExplain(calls string) ([]tour.Explanation, error) {
	cs, err := parseCalls(calls)
	if err != nil {
		return nil, err
	}
	out := tour.Explain(cs)
	if out == nil {
		out = []tour.Explanation{}
	}
	return out, nil
}

// tourNotes says what a reply's calls show (the key references of
// CloudHSM CLI's keys as handles); never nil.
func tourNotes(calls string) ([]string, error) {
	cs, err := parseCalls(calls)
	if err != nil {
		return nil, err
	}
	out := tour.Notes(cs)
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// maxCalls bounds the calls JSON tourExplain reads.
const maxCalls = 1 << 20

// tourMark records the state a step starts from.
func (e *engine) tourMark() (tour.Marks, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return tour.Marks{}, errClosed
	}
	m := tour.Mark(e.sess)
	return m, e.damaged()
}

// maxMarks bounds the marks the page hands back, which it keeps and could
// have been altered in storage.
const maxMarks = 1 << 20

// tourStatus judges every step against marks (JSON of tour.Marks), or only
// the step named, which is all the panel needs after each command.
func (e *engine) tourStatus(marksJSON, step string) ([]tour.Status, error) {
	return e.tourStatusAfter(marksJSON, step, "")
}

// tourStatusAfter is tourStatus judged also from the calls of the reply
// just given (the JSON of its "calls"), which a step that changes nothing
// (CloudHSM CLI's key list) is told by. Without a step it judges every
// step of the first tour.
func (e *engine) tourStatusAfter(marksJSON, step, calls string) ([]tour.Status, error) {
	cs, err := parseCalls(calls)
	if err != nil {
		return nil, err
	}
	if len(marksJSON) > maxMarks {
		return nil, invalid("marks are %d bytes, more than %d", len(marksJSON), maxMarks)
	}
	var m tour.Marks
	if err := json.Unmarshal([]byte(marksJSON), &m); err != nil {
		return nil, invalid("marks must be the JSON that tour.mark returned: %v", err)
	}
	var one tour.Step
	if step != "" {
		var ok bool
		if one, ok = tour.Find(step); !ok {
			return nil, invalid("the tour has no step %q", step)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	var out []tour.Status
	if step != "" {
		out = []tour.Status{{ID: one.ID, Done: tour.DoneAfter(one, m, e.sess, cs)}}
	} else {
		out = tour.Tours()[0].StatusOf(m, e.sess, cs)
	}
	if err := e.damaged(); err != nil {
		return nil, err
	}
	return out, nil
}

// checkpointFormat names a step's starting state: the workspace's state
// document and the session keys that existed then.
const checkpointFormat = "hsmsim-checkpoint"

type checkpointDoc struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	State   json.RawMessage `json:"state"`
	// Session lists the handles of the session keys of that moment: a
	// reset keeps those (the import steps use a wrapping key made as a
	// session key in an earlier step) and drops the ones made since.
	Session []uint64 `json:"session"`
}

// checkpoint captures the open workspace, so that a tour step can be put
// back to where it started.
func (e *engine) checkpoint() ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, errClosed
	}
	doc, err := e.sess.Snapshot()
	if derr := e.damaged(); derr != nil {
		return nil, derr
	}
	if err != nil {
		return nil, err
	}
	session := []uint64{}
	seen := map[uint64]bool{}
	for _, n := range e.sess.Cluster.Nodes {
		for h, o := range n.LoadedObjects() {
			if !o.Token && !seen[h] {
				seen[h] = true
				session = append(session, h)
			}
		}
	}
	slices.Sort(session)
	return json.Marshal(checkpointDoc{Format: checkpointFormat, Version: 1, State: doc, Session: session})
}

// restore puts a checkpoint back into the open workspace. The running tool
// and its login stay, as when another tab changes the workspace; session
// keys made after the checkpoint go. It returns the whole workspace in
// record form, for the worker to store in place of the old records.
func (e *engine) restore(b []byte) (map[string][]byte, opened, error) {
	var cp checkpointDoc
	if err := json.Unmarshal(b, &cp); err != nil || cp.Format != checkpointFormat {
		return nil, opened{}, invalid("this is not a step's starting state")
	}
	if cp.Version > 1 {
		return nil, opened{}, &engineError{kindTooNew, fmt.Errorf("starting state version %d: %w", cp.Version, state.ErrTooNew)}
	}
	// Decoded and checked before anything changes.
	c, files, err := state.Decode(cp.State)
	if err != nil {
		return nil, opened{}, invalid("the step's starting state is damaged: %v", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sess == nil {
		return nil, opened{}, errClosed
	}
	recs, err := sealed(state.Records(c, files))
	if err != nil {
		return nil, opened{}, err
	}
	if err := e.sess.ReloadState(c, files); err != nil {
		return nil, opened{}, invalid("the step's starting state is damaged: %v", err)
	}
	keep := map[uint64]bool{}
	for _, h := range cp.Session {
		keep[h] = true
	}
	for _, n := range e.sess.Cluster.Nodes {
		for h, o := range n.LoadedObjects() {
			if !o.Token && !keep[h] {
				e.sess.Cluster.RemoveObject(n.ID, h)
			}
		}
	}
	e.tr = state.NewTracker(e.sess.Cluster, e.sess.Files())
	return recs, opened{Prompt: e.sess.Prompt(), Mode: e.sess.Mode()}, nil
}

// Bounds on a transcript the page hands over.
const (
	maxTranscriptSteps = 20000
	maxTranscriptBytes = 32 << 20
)

// parseSteps reads the console's transcript, [{prompt, input, output}].
func parseSteps(stepsJSON string) ([]shell.Step, error) {
	if len(stepsJSON) > maxTranscriptBytes {
		return nil, invalid("the transcript is %d bytes, more than %d", len(stepsJSON), maxTranscriptBytes)
	}
	var steps []shell.Step
	if err := json.Unmarshal([]byte(stepsJSON), &steps); err != nil {
		return nil, invalid("steps must be a JSON array of {prompt, input, output}: %v", err)
	}
	if len(steps) > maxTranscriptSteps {
		return nil, invalid("the transcript has %d steps, more than %d", len(steps), maxTranscriptSteps)
	}
	return steps, nil
}

// transcriptMarkdown renders a session in the docs' style with the seed and
// scenario it ran with in its header, so hsmsim run --check can replay it.
func transcriptMarkdown(stepsJSON, seed, scenarioName string) (string, error) {
	steps, err := parseSteps(stepsJSON)
	if err != nil {
		return "", err
	}
	var m transcript.Meta
	if seed != "" {
		var n uint64
		if _, err := fmt.Sscan(seed, &n); err != nil {
			return "", invalid("seed must be a non-negative integer, not %q", seed)
		}
		m.Seed = &n
	}
	if scenarioName != "" {
		if !slices.Contains(scenario.Names(), scenarioName) {
			return "", invalid("unknown scenario %q", scenarioName)
		}
		m.Scenario = scenarioName
	}
	return transcript.Markdown(steps, m), nil
}

// transcriptScript renders the lines typed, passwords masked.
func transcriptScript(stepsJSON string) (string, error) {
	steps, err := parseSteps(stepsJSON)
	if err != nil {
		return "", err
	}
	return transcript.Script(steps), nil
}
