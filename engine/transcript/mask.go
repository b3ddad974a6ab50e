package transcript

import (
	"strings"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// Mask replaces a password in shared history and in hidden answers: the
// same mark the transcripts of every front end use.
const Mask = shell.Masked

// span is one word of a line and where it sits, so a password can be
// replaced without touching the rest of what the user typed.
type span struct {
	start, end int
	word       string
}

// splitSpans breaks a line into words the way engine/cmdline does (blanks
// separate, quotes group, backslash escapes), keeping each word's byte
// range. An unterminated quote ends the line's last word instead of
// failing: a line the shell refused may still hold a password.
func splitSpans(line string) []span {
	var out []span
	var cur strings.Builder
	start, inWord, escaped := 0, false, false
	quote := rune(0)
	for i, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			if !inWord {
				start, inWord = i, true
			}
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			if !inWord {
				start, inWord = i, true
			}
			quote = r
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			if inWord {
				out = append(out, span{start, i, cur.String()})
				cur.Reset()
				inWord = false
			}
		default:
			if !inWord {
				start, inWord = i, true
			}
			cur.WriteRune(r)
		}
	}
	if inWord {
		out = append(out, span{start, len(line), cur.String()})
	}
	return out
}

// MaskLine hides the secrets a history line holds, as the command tables
// of the tools name them (shell.Inspect): the password of key_mgmt_util's
// loginHSM -p (also -p=PW, also inside a singlecmd line), the password
// argument of cloudhsm_mgmt_util's loginHSM, createUser and changePswd,
// openssl's pass phrases (pass:PHRASE, enc -k), and --password. Commands are
// recognised in any case and whatever the prompt: better a hidden word too
// many than a password in a link. Everything else is kept byte for byte.
func MaskLine(line string) string {
	sp := splitSpans(line)
	words := make([]string, len(sp))
	for i, s := range sp {
		words[i] = s.word
	}
	info := shell.Inspect(words)
	if len(info.Secrets) == 0 {
		return line
	}
	var b strings.Builder
	last := 0
	for _, sec := range info.Secrets {
		s := sp[sec.Word]
		b.WriteString(line[last:s.start])
		b.WriteString(s.word[:sec.Offset])
		b.WriteString(Mask)
		last = s.end
	}
	b.WriteString(line[last:])
	return b.String()
}

// MaskHistory masks every line of a history. A line that makes a tool ask
// for a hidden answer (loginHSM ... -hpswd) is followed by that answer when
// the history holds every line typed, as an API client sends it: the next
// line is then masked whole, unless it reads as a command of the tools or
// the host shell (a history kept by the playground leaves hidden answers
// out).
func MaskHistory(lines []string) []string {
	out := make([]string, len(lines))
	asked := false
	for i, l := range lines {
		if asked && !shell.IsCommandLine(l) {
			out[i] = Mask
			asked = false
			continue
		}
		out[i] = MaskLine(l)
		asked = shell.InspectLine(l).AsksSecret
	}
	return out
}
