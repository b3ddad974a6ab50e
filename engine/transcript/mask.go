package transcript

import (
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/kmu"
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

// MaskLine hides the passwords a history line holds:
//   - loginHSM -p PASSWORD (key_mgmt_util, also inside "singlecmd" lines);
//   - loginHSM TYPE NAME PASSWORD, createUser TYPE NAME PASSWORD and
//     changePswd TYPE NAME PASSWORD (cloudhsm_mgmt_util);
//   - --password PASSWORD (CloudHSM CLI style);
//   - pass:PHRASE and openssl's -k PHRASE.
//
// Everything else is kept byte for byte. The rules look at words, not at
// which tool would read the line, so a line typed at the wrong prompt is
// masked as well: better a hidden word too many than a password in a link.
func MaskLine(line string) string {
	sp := splitSpans(line)
	hide := map[int]string{}
	openssl := false
	for i, s := range sp {
		switch s.word {
		case "openssl":
			openssl = true
		case "loginHSM":
			if i+1 < len(sp) && !strings.HasPrefix(sp[i+1].word, "-") {
				maskPositional(sp, i+3, hide)
				continue
			}
			for j := i + 1; j < len(sp); j++ {
				if j > i+1 && kmu.Lookup(sp[j].word) != nil {
					break
				}
				if sp[j].word == "-p" && j+1 < len(sp) {
					hide[j+1] = Mask
				}
			}
		case "createUser", "changePswd":
			maskPositional(sp, i+3, hide)
		case "--password", "-password":
			if i+1 < len(sp) {
				hide[i+1] = Mask
			}
		case "-k":
			if openssl && i+1 < len(sp) {
				hide[i+1] = Mask
			}
		}
		if strings.HasPrefix(s.word, "pass:") {
			hide[i] = "pass:" + Mask
		}
	}
	if len(hide) == 0 {
		return line
	}
	var b strings.Builder
	last := 0
	for i, s := range sp {
		if m, ok := hide[i]; ok {
			b.WriteString(line[last:s.start])
			b.WriteString(m)
			last = s.end
		}
	}
	b.WriteString(line[last:])
	return b.String()
}

// maskPositional hides the word at i, the password of the cloudhsm_mgmt_util
// form COMMAND TYPE NAME PASSWORD, unless it is -hpswd (the tool then asks
// for it, and the answer never reaches the history).
func maskPositional(sp []span, i int, hide map[int]string) {
	if i < len(sp) && sp[i].word != "-hpswd" && sp[i].word != "-2fa" {
		hide[i] = Mask
	}
}

// MaskHistory masks every line of a history.
func MaskHistory(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = MaskLine(l)
	}
	return out
}
