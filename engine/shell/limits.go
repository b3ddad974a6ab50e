package shell

import (
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// ErrInterrupted is what the randomness of a session answers once the
// context of the running command is done: every long operation of the engine
// (RSA and DSA key generation, prime searches) reads randomness as it goes,
// so cancelling the context stops it within one candidate.
var ErrInterrupted = errors.New("interrupted")

// interruptible is the session's randomness: the source it was given,
// refused once the running command's context is done.
type interruptible struct {
	s *Session
	r io.Reader
}

func (ir interruptible) Read(p []byte) (int, error) {
	if ctx := ir.s.ctx; ctx != nil && ctx.Err() != nil {
		ir.s.interrupted = ctx.Err()
		return 0, ErrInterrupted
	}
	return ir.r.Read(p)
}

// ExecContext is Exec with a context that can stop the line while it runs:
// Ctrl-C natively, a time budget in the API. A line stopped that way answers
// Interrupted, with what it printed replaced by one line saying so.
func (s *Session) ExecContext(ctx context.Context, line string) Reply {
	s.ctx, s.interrupted = ctx, nil
	defer func() { s.ctx, s.interrupted = nil, nil }()
	rep := s.Exec(line)
	if s.interrupted != nil {
		rep.Interrupted = true
		if errors.Is(s.interrupted, context.DeadlineExceeded) {
			rep.Output = "hsmsim: the command ran out of time and was stopped\n"
		} else {
			rep.Output = "^C\nhsmsim: interrupted\n"
		}
	}
	return rep
}

// StepContext is Step with a context, as ExecContext.
func (s *Session) StepContext(ctx context.Context, line string) (Step, Reply) {
	st := Step{Prompt: s.Prompt(), Input: line}
	if s.ask != nil && s.ask.Secret {
		st.Input = Masked
	}
	rep := s.ExecContext(ctx, line)
	st.Output = rep.Output
	return st, rep
}

// outputFull reports whether a command building its output in b has
// already passed the session's output limit, so it can stop early instead
// of building megabytes only to have them cut.
func (s *Session) outputFull(b *strings.Builder) bool {
	return s.maxOutput > 0 && b.Len() > s.maxOutput
}

// capOutput cuts a reply's output at the session's limit, on a character
// boundary, and marks it Cut.
func (s *Session) capOutput(rep *Reply) {
	if s.maxOutput <= 0 || len(rep.Output) <= s.maxOutput {
		return
	}
	out := rep.Output[:s.maxOutput]
	for len(out) > 0 && !utf8.ValidString(out[len(out)-min(len(out), utf8.UTFMax):]) {
		out = out[:len(out)-1]
	}
	rep.Output, rep.Cut = out, true
}
