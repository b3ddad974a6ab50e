// Package transcript turns a session into text for people and back into a
// check: Markdown in the style of the AWS docs (prompts and output in code
// blocks, passwords masked), a replayable script, and the replay that tells
// a documentation site where its examples no longer match the simulator.
package transcript

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// Meta is what a replay needs to reproduce a transcript: the seed of its
// randomness and the scenario it started from.
type Meta struct {
	Seed     *uint64
	Scenario string
}

// headerSettings finds the HTML comment that carries Meta at the top of a
// Markdown transcript (Markdown renderers do not show it) and returns its
// settings: the first match of
//
//	<!--\s*hsmsim((?:\s+[a-z]+=[A-Za-z0-9_.-]+)*)\s*-->
//
// and its submatch, as the regular expression that was used here finds
// them (markdown_test.go checks it), without linking package regexp.
func headerSettings(md string) (string, bool) {
	for from := 0; ; {
		i := strings.Index(md[from:], "<!--")
		if i < 0 {
			return "", false
		}
		i += from
		j := skip(md, i+4, isSpace)
		if strings.HasPrefix(md[j:], "hsmsim") {
			start := j + len("hsmsim")
			if end, ok := headerRest(md, start); ok {
				return md[start:end], true
			}
		}
		from = i + 1
	}
}

// headerRest matches (?:\s+[a-z]+=[A-Za-z0-9_.-]+)*\s*--> at md[p:] and
// returns where the repetition ended. The repetition is greedy; a value
// can give back bytes to the closing "-->" (its '-' is a value byte too),
// longest value first, as the regular expression's backtracking does.
func headerRest(md string, p int) (int, bool) {
	if q := skip(md, p, isSpace); q > p {
		k := skip(md, q, func(c byte) bool { return c >= 'a' && c <= 'z' })
		if k > q && k < len(md) && md[k] == '=' {
			v := skip(md, k+1, isValueByte)
			if v > k+1 {
				if end, ok := headerRest(md, v); ok {
					return end, true
				}
				// A shorter value is followed by a value byte: only the
				// closing "-->" can follow it.
				for e := v - 1; e > k+1; e-- {
					if strings.HasPrefix(md[e:], "-->") {
						return e, true
					}
				}
			}
		}
	}
	if strings.HasPrefix(md[skip(md, p, isSpace):], "-->") {
		return p, true
	}
	return 0, false
}

// isSpace is \s: [\t\n\f\r ].
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isValueByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

// skip returns the end of the run of bytes from i that ok accepts.
func skip(s string, i int, ok func(byte) bool) int {
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}

func (m Meta) comment() string {
	var parts []string
	if m.Seed != nil {
		parts = append(parts, "seed="+strconv.FormatUint(*m.Seed, 10))
	}
	if m.Scenario != "" {
		parts = append(parts, "scenario="+m.Scenario)
	}
	if len(parts) == 0 {
		return "<!-- hsmsim -->"
	}
	return "<!-- hsmsim " + strings.Join(parts, " ") + " -->"
}

// Markdown renders steps as the docs print a session: a code block per tool
// session (a new block starts whenever the host shell's prompt comes back),
// every password masked.
func Markdown(steps []shell.Step, m Meta) string {
	var b strings.Builder
	b.WriteString(m.comment())
	b.WriteString("\n\n")
	open := false
	for i, st := range steps {
		if !open || st.Prompt == shell.HostPrompt && i > 0 && steps[i-1].Prompt != shell.HostPrompt {
			if open {
				b.WriteString("```\n\n")
			}
			b.WriteString("```\n")
			open = true
		}
		st.Input = MaskLine(st.Input)
		b.WriteString(st.String())
	}
	if open {
		b.WriteString("```\n")
	}
	return b.String()
}

// Script renders the lines typed, one per line, passwords masked: hsmsim
// run replays it (with --password for the masked ones).
func Script(steps []shell.Step) string {
	var b strings.Builder
	for _, st := range steps {
		b.WriteString(MaskLine(st.Input))
		b.WriteString("\n")
	}
	return b.String()
}

// ParseMarkdown extracts the Meta and the text of every fenced code block
// (the blocks joined in order, as one session).
func ParseMarkdown(md string) (Meta, string, error) {
	var m Meta
	if settings, ok := headerSettings(md); ok {
		for _, kv := range strings.Fields(settings) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "seed":
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					return m, "", fmt.Errorf("transcript header: bad seed %q", v)
				}
				m.Seed = &n
			case "scenario":
				m.Scenario = v
			default:
				return m, "", fmt.Errorf("transcript header: unknown setting %q", k)
			}
		}
	}
	var body strings.Builder
	in := false
	for _, line := range strings.SplitAfter(md, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			in = !in
			continue
		}
		if in {
			if !strings.HasSuffix(line, "\n") {
				line += "\n"
			}
			body.WriteString(line)
		}
	}
	if in {
		return m, "", fmt.Errorf("transcript: a code block is not closed")
	}
	return m, body.String(), nil
}
