package cli

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The regular expressions the help-text scanners stand for: the scanners
// must find exactly what these find.
var (
	reOptionLine   = regexp.MustCompile(`^\s{1,8}(?:-([a-zA-Z]), )?--([a-z0-9-]+)(?: (\[)?<([A-Za-z_-]+)>(\.\.\.)?\]?(\.\.\.)?)?`)
	reDefaultValue = regexp.MustCompile(`\[default: ([^\]]+)\]`)
	reInlineValues = regexp.MustCompile(`\[possible values: ([^\]]+)\]`)
	reListedValue  = regexp.MustCompile(`^\s+- ([a-z0-9-]+)(?::|\s*$)`)
	reUsageFlag    = regexp.MustCompile(`--([a-z0-9-]+)`)
	reUsageGroup   = regexp.MustCompile(`<(--[^|]+(?:\|--[^|>]+(?:<[A-Z_a-z]+>)?[^|>]*)+)>?`)
	reUsageOptDel  = regexp.MustCompile(`\[--[a-z0-9-]+(?: <[A-Za-z_]+>)?\]`)
	rePlaceholders = regexp.MustCompile(`\[?<[A-Za-z_]+>(\.\.\.)?\]?(\.\.\.)?`)
)

// parseSpecRegexp is parseSpec as it was written with regular expressions.
func parseSpecRegexp(help string) *spec {
	sp := &spec{flags: map[string]*flagSpec{}}
	lines := strings.Split(help, "\n")
	var last *flagSpec
	inOptions := false
	for i, l := range lines {
		head := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(head, "Usage:") || strings.HasPrefix(head, "USAGE:"):
			u := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(head, "Usage:"), "USAGE:"))
			if u == "" && i+1 < len(lines) {
				u = strings.TrimSpace(lines[i+1])
			}
			sp.usage = u
			continue
		case head == "Options:" || head == "OPTIONS:":
			inOptions = true
			continue
		case head == "Commands:":
			inOptions = false
		}
		if !inOptions {
			continue
		}
		if m := reOptionLine.FindStringSubmatch(l); m != nil {
			f := &flagSpec{name: m[2], short: m[1], value: m[4], multi: m[5] != "" || m[6] != "" || m[3] != ""}
			if f.name == "help" {
				last = nil
				continue
			}
			if _, dup := sp.flags[f.name]; !dup {
				sp.order = append(sp.order, f.name)
			}
			sp.flags[f.name] = f
			last = f
			// A one-line option keeps its description on the same line.
			l = l[len(m[0]):]
		}
		if last == nil {
			continue
		}
		if m := reDefaultValue.FindStringSubmatch(l); m != nil {
			last.def = m[1]
		}
		if m := reInlineValues.FindStringSubmatch(l); m != nil {
			for _, v := range strings.Split(m[1], ",") {
				last.choices = append(last.choices, strings.TrimSpace(v))
			}
		}
		if m := reListedValue.FindStringSubmatch(l); m != nil && !strings.Contains(l, "=") {
			last.choices = append(last.choices, m[1])
		}
	}
	u := sp.usage
	for _, g := range reUsageGroup.FindAllStringSubmatch(u, -1) {
		var names []string
		for _, m := range reUsageFlag.FindAllStringSubmatch(g[1], -1) {
			names = append(names, m[1])
		}
		sp.groups = append(sp.groups, names)
	}
	u = reUsageGroup.ReplaceAllString(u, "")
	u = reUsageOptDel.ReplaceAllString(u, "")
	u = rePlaceholders.ReplaceAllString(u, "")
	for _, m := range reUsageFlag.FindAllStringSubmatch(u, -1) {
		if f := sp.flags[m[1]]; f != nil {
			f.required = true
		}
	}
	return sp
}

// checkScanners compares every scanner with its expression on s.
func checkScanners(t *testing.T, s string) {
	t.Helper()
	m, ok := matchOptionLine(s)
	if rm := reOptionLine.FindStringSubmatch(s); (rm != nil) != ok {
		t.Errorf("option line %q: scanner %v, regexp %q", s, ok, rm)
	} else if ok {
		got := []string{s[:m.n], m.short, m.name, m.bracket, m.value, m.dots1, m.dots2}
		if !reflect.DeepEqual(got, rm) {
			t.Errorf("option line %q: scanner %q, regexp %q", s, got, rm)
		}
	}
	for prefix, re := range map[string]*regexp.Regexp{"default: ": reDefaultValue, "possible values: ": reInlineValues} {
		v, ok := bracketed(s, prefix)
		rm := re.FindStringSubmatch(s)
		if (rm != nil) != ok || ok && v != rm[1] {
			t.Errorf("[%s…] in %q: scanner %q %v, regexp %q", prefix, s, v, ok, rm)
		}
	}
	v, ok := matchListedValue(s)
	if rm := reListedValue.FindStringSubmatch(s); (rm != nil) != ok || ok && v != rm[1] {
		t.Errorf("listed value %q: scanner %q %v, regexp %q", s, v, ok, rm)
	}
	var flags []string
	for _, m := range reUsageFlag.FindAllStringSubmatch(s, -1) {
		flags = append(flags, m[1])
	}
	if got := usageFlags(s); !reflect.DeepEqual(got, flags) {
		t.Errorf("flags of %q: scanner %q, regexp %q", s, got, flags)
	}
	var groups []string
	for _, m := range reUsageGroup.FindAllStringSubmatch(s, -1) {
		groups = append(groups, m[1])
	}
	g, rest := usageGroups(s)
	if !reflect.DeepEqual(g, groups) || rest != reUsageGroup.ReplaceAllString(s, "") {
		t.Errorf("groups of %q: scanner %q %q, regexp %q %q", s, g, rest, groups, reUsageGroup.ReplaceAllString(s, ""))
	}
	if got, want := removeOptionalFlags(s), reUsageOptDel.ReplaceAllString(s, ""); got != want {
		t.Errorf("optional flags of %q: scanner %q, regexp %q", s, got, want)
	}
	if got, want := removePlaceholders(s), rePlaceholders.ReplaceAllString(s, ""); got != want {
		t.Errorf("placeholders of %q: scanner %q, regexp %q", s, got, want)
	}
}

// TestSpecScannersOnEveryHelpText runs the scanners over every line of
// every command's help text and reads every command's spec both ways.
func TestSpecScannersOnEveryHelpText(t *testing.T) {
	texts := helpTexts()
	if len(texts) < 20 {
		t.Fatalf("only %d help texts", len(texts))
	}
	for path, text := range texts {
		for _, l := range strings.Split(text, "\n") {
			checkScanners(t, l)
		}
		if got, want := parseSpec(text), parseSpecRegexp(text); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: spec %+v, with the regexps %+v", path, got, want)
		}
	}
}

func TestSpecScannersCorners(t *testing.T) {
	for _, s := range []string{
		"", " ", "  --", "  --a", "         --long", "\t-k, --key-reference <KEY_REFERENCE>", "  -k, --", "  -k --x",
		"  --attributes [<KEY_ATTRIBUTES>...]...", "  --x <V>...]...", "  --x [<V>", "  --x <>", "  --x <V", "  --x -<V>",
		"[default: ]", "[default: a] [default: b]", "[default: x", "[default: [default: y]", "[possible values: a, b]",
		"  - aes", "  - aes: x", "  - aes  ", "  - aes x", " - ", "-- a", "---x", "--a--b", "--",
		"<--a|--b>", "<--a <A>|--b <B>>", "<--a|--b|--c> <--d|--e>", "<--a|-->", "<--a|--|--b>", "<--|--b>", "<--a>|--b",
		"[--a] [--b <B>] [--c <c d>] [--d <D>", "[<X>]... <Y>... [<Z>...] <a b> <>", "[[<X>]", "<--a <K> b>|--c>",
		"\xff--a\xfe<--b|--c\xff>", "Usage: key list [OPTIONS] <--a|--b <B>> --c <C> [--d <D>]",
	} {
		checkScanners(t, s)
	}
}

func FuzzSpecScanners(f *testing.F) {
	for _, text := range helpTexts() {
		for _, l := range strings.Split(text, "\n") {
			if strings.TrimSpace(l) != "" {
				f.Add(l)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkScanners(t, s)
	})
}

func FuzzParseSpec(f *testing.F) {
	for _, text := range helpTexts() {
		f.Add(text)
		break
	}
	f.Add("Usage: x <--a|--b> --c <C>\n\nOptions:\n  -c, --c <C>  the c [default: 1]\n  --a\n  --b [possible values: x, y]\n      - z\n")
	f.Fuzz(func(t *testing.T, text string) {
		if got, want := parseSpec(text), parseSpecRegexp(text); !reflect.DeepEqual(got, want) {
			t.Errorf("spec %+v, with the regexps %+v", got, want)
		}
	})
}
