// Package cmdline splits a typed line into words the way the shells in front
// of the CloudHSM tools do: blanks separate words, single and double quotes
// group, a backslash escapes the next character.
package cmdline

import (
	"errors"
	"strings"
)

// MaxLine bounds a command line; anything longer is refused before parsing.
const MaxLine = 64 << 10

// ErrUnterminated is returned for a quote that is never closed.
var ErrUnterminated = errors.New("unterminated quoted string")

// Split breaks line into words.
func Split(line string) ([]string, error) {
	if len(line) > MaxLine {
		return nil, errors.New("line too long")
	}
	var words []string
	var cur strings.Builder
	inWord := false
	quote := rune(0)
	escaped := false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped = true
			inWord = true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote = r
			inWord = true
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, ErrUnterminated
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// Quote returns s quoted so that Split gives it back as one word.
func Quote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\r\n'\"\\") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// SplitTyping splits a line being typed for completion: the words before
// the one being typed, and that word ("" after a trailing blank).
func SplitTyping(line string) (words []string, word string, err error) {
	words, err = Split(line)
	if err != nil {
		return nil, "", err
	}
	if len(words) > 0 && !strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\t") {
		word, words = words[len(words)-1], words[:len(words)-1]
	}
	return words, word, nil
}
