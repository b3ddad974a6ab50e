package transcript

import (
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// Mismatch is one step whose output differs from the transcript's.
type Mismatch struct {
	// Line is the 1-based line of the code-block text where the step's
	// input is.
	Line     int
	Input    string
	Expected string
	Actual   string
}

// Diff shows the two outputs line by line, "-" for the transcript's and "+"
// for the simulator's, with the lines they share as context.
func (m Mismatch) Diff() string {
	exp := strings.Split(strings.TrimSuffix(m.Expected, "\n"), "\n")
	act := strings.Split(strings.TrimSuffix(m.Actual, "\n"), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "line %d: %s\n", m.Line, m.Input)
	n := max(len(exp), len(act))
	for i := 0; i < n; i++ {
		var e, a string
		if i < len(exp) {
			e = exp[i]
		}
		if i < len(act) {
			a = act[i]
		}
		switch {
		case i < len(exp) && i < len(act) && e == a:
			b.WriteString("  " + e + "\n")
		default:
			if i < len(exp) {
				b.WriteString("- " + e + "\n")
			}
			if i < len(act) {
				b.WriteString("+ " + a + "\n")
			}
		}
	}
	return b.String()
}

// Check replays the text of a transcript's code blocks on s and reports
// the steps whose output differs. It reads the transcript the way the
// session runs: after each step it knows the prompt that comes next, so the
// next line that starts with that prompt holds the next input, and
// everything before it is the expected output. A masked input (********) is
// replaced by password; a hidden answer (a prompt with nothing after it) is
// answered with password too.
func Check(s *shell.Session, text, password string) ([]Mismatch, int, error) {
	_, bad, steps, err := replay(s, text, password)
	return bad, steps, err
}

// Replay runs the inputs of a transcript's text on s, read as Check reads
// them, and returns the transcript the session prints for them: each input
// line as the text has it, then the session's output.
func Replay(s *shell.Session, text, password string) (string, error) {
	printed, _, _, err := replay(s, text, password)
	return printed, err
}

func replay(s *shell.Session, text, password string) (string, []Mismatch, int, error) {
	var printed strings.Builder
	lines := strings.SplitAfter(text, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	var out []Mismatch
	steps := 0
	i := 0
	for i < len(lines) {
		prompt := s.Prompt()
		line := strings.TrimSuffix(lines[i], "\n")
		if !strings.HasPrefix(line, prompt) {
			return printed.String(), out, steps, fmt.Errorf("line %d: expected the prompt %q, found %q", i+1, prompt, line)
		}
		input := strings.TrimPrefix(line, prompt)
		secret := s.PendingSecret() && input == ""
		typed := strings.ReplaceAll(input, Mask, password)
		if secret {
			typed = password
		}
		rep := s.Exec(typed)
		steps++
		printed.WriteString(line + "\n" + rep.Output)
		// The expected output runs to the next line that starts with the
		// prompt the session shows now.
		j := i + 1
		for j < len(lines) && !strings.HasPrefix(lines[j], rep.Prompt) {
			j++
		}
		expected := strings.Join(lines[i+1:j], "")
		if rep.Prompt != "" && j < len(lines) && expected != rep.Output {
			// The next prompt may also occur inside the output; prefer the
			// split where the output matches.
			if k := i + 1 + strings.Count(rep.Output, "\n"); k < len(lines) && strings.Join(lines[i+1:k], "") == rep.Output && strings.HasPrefix(lines[k], rep.Prompt) {
				j, expected = k, rep.Output
			}
		}
		if expected != rep.Output {
			out = append(out, Mismatch{Line: i + 1, Input: input, Expected: expected, Actual: rep.Output})
		}
		i = j
	}
	return printed.String(), out, steps, nil
}
