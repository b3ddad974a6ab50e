package cli

import "strings"

// The scanners of a command's help text. Each does what one regular
// expression did before (quoted above it, with the match it stands for);
// spec_test.go checks them against those expressions, on every help text
// and under fuzzing. They are written out so that the engine links no
// regexp package (and no Unicode tables) and compiles nothing at start.

// isSpace is \s: [\t\n\f\r ].
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

func isLetter(c byte) bool { return isLower(c) || c >= 'A' && c <= 'Z' }

// isFlagChar is [a-z0-9-].
func isFlagChar(c byte) bool { return isLower(c) || c >= '0' && c <= '9' || c == '-' }

// isPlaceholderChar is [A-Za-z_].
func isPlaceholderChar(c byte) bool { return isLetter(c) || c == '_' }

// scanRun returns the end of the longest run of bytes from i that ok accepts.
func scanRun(s string, i int, ok func(byte) bool) int {
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}

// optionMatch is an option line's match: its length and the submatches of
//
//	^\s{1,8}(?:-([a-zA-Z]), )?--([a-z0-9-]+)(?: (\[)?<([A-Za-z_-]+)>(\.\.\.)?\]?(\.\.\.)?)?
type optionMatch struct {
	n                                  int
	short, name, bracket, value, dots1 string
	dots2                              string
}

func matchOptionLine(l string) (optionMatch, bool) {
	var m optionMatch
	i := scanRun(l, 0, isSpace)
	if i < 1 || i > 8 {
		return m, false
	}
	if i+4 <= len(l) && l[i] == '-' && isLetter(l[i+1]) && l[i+2:i+4] == ", " {
		m.short = l[i+1 : i+2]
		i += 4
	}
	if !strings.HasPrefix(l[i:], "--") {
		return m, false
	}
	end := scanRun(l, i+2, isFlagChar)
	if end == i+2 {
		return m, false
	}
	m.name = l[i+2 : end]
	i = end
	m.n = i
	// The optional value: " [<VALUE>...]...".
	j := i
	if j >= len(l) || l[j] != ' ' {
		return m, true
	}
	j++
	bracket := ""
	if j < len(l) && l[j] == '[' {
		bracket = "["
		j++
	}
	if j >= len(l) || l[j] != '<' {
		return m, true
	}
	vend := scanRun(l, j+1, func(c byte) bool { return isPlaceholderChar(c) || c == '-' })
	if vend == j+1 || vend >= len(l) || l[vend] != '>' {
		return m, true
	}
	m.bracket, m.value = bracket, l[j+1:vend]
	j = vend + 1
	if strings.HasPrefix(l[j:], "...") {
		m.dots1 = "..."
		j += 3
	}
	if j < len(l) && l[j] == ']' {
		j++
	}
	if strings.HasPrefix(l[j:], "...") {
		m.dots2 = "..."
		j += 3
	}
	m.n = j
	return m, true
}

// bracketed returns the first "[prefix…]" of l, as `\[prefix([^\]]+)\]`
// finds it ("[default: " and "[possible values: ").
func bracketed(l, prefix string) (string, bool) {
	open := "[" + prefix
	for from := 0; ; {
		i := strings.Index(l[from:], open)
		if i < 0 {
			return "", false
		}
		start := from + i + len(open)
		if end := strings.IndexByte(l[start:], ']'); end > 0 {
			return l[start : start+end], true
		}
		from += i + 1
	}
}

// matchListedValue is `^\s+- ([a-z0-9-]+)(?::|\s*$)`: a value listed under an
// option, one to a line.
func matchListedValue(l string) (string, bool) {
	i := scanRun(l, 0, isSpace)
	if i == 0 || !strings.HasPrefix(l[i:], "- ") {
		return "", false
	}
	i += 2
	end := scanRun(l, i, isFlagChar)
	if end == i {
		return "", false
	}
	if end < len(l) && l[end] == ':' || scanRun(l, end, isSpace) == len(l) {
		return l[i:end], true
	}
	return "", false
}

// usageFlags is every `--([a-z0-9-]+)` of s, in order.
func usageFlags(s string) []string {
	var out []string
	for i := 0; i+2 < len(s); {
		if s[i] == '-' && s[i+1] == '-' && isFlagChar(s[i+2]) {
			end := scanRun(s, i+2, isFlagChar)
			out = append(out, s[i+2:end])
			i = end
			continue
		}
		i++
	}
	return out
}

// matchUsageGroup matches at s[i:]
//
//	<(--[^|]+(?:\|--[^|>]+(?:<[A-Z_a-z]+>)?[^|>]*)+)>?
//
// a group of which one flag is required, returning the end of the match
// and of its submatch.
func matchUsageGroup(s string, i int) (end, sub int, ok bool) {
	if !strings.HasPrefix(s[i:], "<--") {
		return 0, 0, false
	}
	// --[^|]+ runs to the first '|', which must follow at least one byte.
	bar := strings.IndexByte(s[i+3:], '|')
	if bar <= 0 {
		return 0, 0, false
	}
	j := i + 3 + bar
	// Then one or more |--[^|>]+ (the greedy path: [^|>]+ leaves neither
	// the optional <…> nor [^|>]* anything).
	n := 0
	for strings.HasPrefix(s[j:], "|--") {
		k := scanRun(s, j+3, func(c byte) bool { return c != '|' && c != '>' })
		if k == j+3 {
			break
		}
		j = k
		n++
	}
	if n == 0 {
		return 0, 0, false
	}
	sub = j
	if j < len(s) && s[j] == '>' {
		j++
	}
	return j, sub, true
}

// usageGroups returns the submatches of every group of s (see
// matchUsageGroup) and s without them.
func usageGroups(s string) ([]string, string) {
	var groups []string
	var rest strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if end, sub, ok := matchUsageGroup(s, i); ok {
			groups = append(groups, s[i+1:sub])
			rest.WriteString(s[last:i])
			i, last = end, end
			continue
		}
		i++
	}
	rest.WriteString(s[last:])
	return groups, rest.String()
}

// removeOptionalFlags drops every `\[--[a-z0-9-]+(?: <[A-Za-z_]+>)?\]` of
// s: an optional flag, with its value.
func removeOptionalFlags(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "[--") {
			j := scanRun(s, i+3, isFlagChar)
			if j > i+3 {
				if strings.HasPrefix(s[j:], " <") {
					if k := scanRun(s, j+2, isPlaceholderChar); k > j+2 && k < len(s) && s[k] == '>' {
						j = k + 1
					}
				}
				if j < len(s) && s[j] == ']' {
					b.WriteString(s[last:i])
					i, last = j+1, j+1
					continue
				}
			}
		}
		i++
	}
	b.WriteString(s[last:])
	return b.String()
}

// removePlaceholders drops every `\[?<[A-Za-z_]+>(\.\.\.)?\]?(\.\.\.)?`
// of s: a value's placeholder.
func removePlaceholders(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		j := i
		if s[j] == '[' {
			j++
		}
		if j < len(s) && s[j] == '<' {
			if k := scanRun(s, j+1, isPlaceholderChar); k > j+1 && k < len(s) && s[k] == '>' {
				k++
				if strings.HasPrefix(s[k:], "...") {
					k += 3
				}
				if k < len(s) && s[k] == ']' {
					k++
				}
				if strings.HasPrefix(s[k:], "...") {
					k += 3
				}
				b.WriteString(s[last:i])
				i, last = k, k
				continue
			}
		}
		i++
	}
	b.WriteString(s[last:])
	return b.String()
}
