package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/shell"
)

// RunRequest is the body of POST /api/run.
type RunRequest struct {
	// Script is the lines as typed at the host shell, one per line.
	Script string `json:"script"`
	// Seed, when set, makes the run reproducible: the same script and seed
	// give the same answer byte for byte.
	Seed *uint64 `json:"seed,omitempty"`
	// Scenario names the built-in cluster to start from ("" = default).
	Scenario string `json:"scenario,omitempty"`
}

// RunLine is one line of a transcript: the prompt it was typed at, what
// was typed (a hidden answer shows as shell.Masked), and what it printed. It is the
// transcript step every front end shares.
type RunLine = shell.Step

// RunResponse is the answer of POST /api/run. When a script runs out of
// time, Error says so and Lines holds the lines that ran.
type RunResponse struct {
	Error   string        `json:"error,omitempty"`
	Lines   []RunLine     `json:"lines"`
	Summary shell.Summary `json:"summary"`
}

func (h *Handler) run(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, h.opt.MaxRunBody)
	if !ok {
		return
	}
	var req RunRequest
	if err := decodeStrict(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.Scenario != "" && !slices.Contains(scenario.Names(), req.Scenario) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown scenario %q (known: %s)", req.Scenario, strings.Join(scenario.Names(), ", ")))
		return
	}
	lines := scriptLines(req.Script)
	if len(lines) == 0 {
		writeError(w, http.StatusBadRequest, `the script is empty; send {"script": "key_mgmt_util\n..."}`)
		return
	}
	if len(lines) > h.opt.MaxLines {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the script has %d lines, more than the %d allowed", len(lines), h.opt.MaxLines))
		return
	}
	if msg := h.checkRSA(lines); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}

	opt := shell.Options{Scenario: req.Scenario, MaxOutput: h.opt.MaxOutput}
	if req.Seed != nil {
		opt.Rand = shell.SeededRand(*req.Seed)
	}
	start := h.opt.Clock()
	sess, err := shell.New(opt)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot start the cluster: "+err.Error())
		return
	}
	deadline := start.Add(h.opt.RunTimeout)
	// The context stops a line while it runs (key generation reads
	// randomness as it goes, and the session refuses it once the context
	// is done); the clock check between lines covers the rest. Both read
	// the same clock, so in a Worker, whose clock stands still while code
	// runs, neither trips half way through a line.
	ctx := budget{Context: r.Context(), deadline: deadline, clock: h.opt.Clock}
	resp := RunResponse{Lines: make([]RunLine, 0, len(lines))}
	status := http.StatusOK
	size := 0
	for i, line := range lines {
		if h.opt.Clock().After(deadline) || r.Context().Err() != nil {
			resp.Error = fmt.Sprintf("the script ran out of its %v time budget after %d of %d lines; the lines that ran are in \"lines\"", h.opt.RunTimeout, i, len(lines))
			status = http.StatusServiceUnavailable
			break
		}
		step, rep := sess.StepContext(ctx, line)
		if rep.Interrupted {
			resp.Error = fmt.Sprintf("the script ran out of its %v time budget during line %d of %d (%s), which was stopped; the lines before it are in \"lines\"", h.opt.RunTimeout, i+1, len(lines), step.Input)
			status = http.StatusServiceUnavailable
			break
		}
		if rep.Cut {
			resp.Error = fmt.Sprintf("line %d (%s) printed more than the %d bytes a line may print; the lines before it are in \"lines\"", i+1, step.Input, h.opt.MaxOutput)
			status = http.StatusRequestEntityTooLarge
			break
		}
		size += len(step.Prompt) + len(step.Input) + len(step.Output)
		if size > h.opt.MaxReply {
			resp.Error = fmt.Sprintf("the answer would be more than the %d bytes allowed after line %d of %d; the lines before it are in \"lines\"", h.opt.MaxReply, i+1, len(lines))
			status = http.StatusRequestEntityTooLarge
			break
		}
		resp.Lines = append(resp.Lines, step)
		if rep.Exit {
			break
		}
	}
	resp.Summary = sess.Summary()
	out, err := encodeJSON(resp)
	if err == nil && len(out) > h.opt.MaxReply {
		// Escaping can make the encoded answer larger than the text it
		// holds: the bound is on what is sent.
		resp.Lines = nil
		resp.Error = fmt.Sprintf("the answer would be more than the %d bytes allowed", h.opt.MaxReply)
		status = http.StatusRequestEntityTooLarge
		out, err = encodeJSON(resp)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot encode the answer: "+err.Error())
		return
	}
	writeRaw(w, status, out)
}

// budget is the request's context with the script's deadline read from the
// handler's clock (time.Now, or a test's) each time Err is asked.
type budget struct {
	context.Context
	deadline time.Time
	clock    func() time.Time
}

func (b budget) Err() error {
	if err := b.Context.Err(); err != nil {
		return err
	}
	if b.clock().After(b.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// scriptLines splits a script into lines. A final newline does not start
// another line, and Windows line ends are accepted.
func scriptLines(script string) []string {
	if script == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(script, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines
}

// checkRSA refuses a script that would generate an RSA key larger than
// MaxRSABits, or more RSA keys than MaxRSAKeys, before anything runs: RSA
// key generation is the one command whose cost grows steeply (a 4096-bit
// key takes several times a 2048-bit one). The sizes come from the command
// tables (shell.InspectLine: key_mgmt_util's genRSAKeyPair, also inside a
// singlecmd line, openssl genrsa and genpkey -algorithm RSA), read by words,
// not modes, so the check may refuse a line that would only have printed an
// error; the message says which line.
func (h *Handler) checkRSA(lines []string) string {
	count := 0
	for n, line := range lines {
		for _, bits := range shell.InspectLine(line).RSABits {
			if bits > h.opt.MaxRSABits {
				return fmt.Sprintf("line %d (%s): generating a %d-bit RSA key; the API generates RSA keys of at most %d bits (use the playground in the browser, or hsmsim run, for larger keys)",
					n+1, line, bits, h.opt.MaxRSABits)
			}
			count++
		}
	}
	if count > h.opt.MaxRSAKeys {
		return fmt.Sprintf("the script generates %d RSA keys; the API generates at most %d per request", count, h.opt.MaxRSAKeys)
	}
	return ""
}
