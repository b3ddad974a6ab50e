package shell

import "strings"

// Masked stands in for an answer typed at a hidden prompt.
const Masked = "********"

// Step is one line of a run: the prompt it was typed at, what was typed
// (masked when it answered a hidden prompt), and what came back.
type Step struct {
	Prompt string `json:"prompt"`
	Input  string `json:"input"`
	Output string `json:"output"`
}

// Step runs one line and records it as a transcript step.
func (s *Session) Step(line string) (Step, Reply) {
	st := Step{Prompt: s.Prompt(), Input: line}
	if s.ask != nil && s.ask.Secret {
		st.Input = Masked
	}
	rep := s.Exec(line)
	st.Output = rep.Output
	return st, rep
}

// String renders the step as the docs print a session: the input after its
// prompt (nothing for a hidden answer), then the output.
func (st Step) String() string {
	in := st.Input
	if in == Masked {
		in = ""
	}
	return st.Prompt + in + "\n" + st.Output
}

// Transcript renders steps one after another.
func Transcript(steps []Step) string {
	var b strings.Builder
	for _, st := range steps {
		b.WriteString(st.String())
	}
	return b.String()
}
