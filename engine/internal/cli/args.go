package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// args are a command line's options after the command's words, checked
// against its spec.
type args struct {
	values map[string][]string
	sp     *spec
	// finish prints a result of the command, for an answer to a question
	// that comes after the command returned (withPassword).
	finish func(result) tool.Result
}

func (a *args) has(name string) bool { _, ok := a.values[name]; return ok }

// get is a single-valued option's value, or its default, or "".
func (a *args) get(name string) string {
	if v := a.values[name]; len(v) > 0 {
		return v[0]
	}
	if f := a.sp.flags[name]; f != nil {
		return f.def
	}
	return ""
}

func (a *args) list(name string) []string { return a.values[name] }

// usageError is the text a malformed command line answers, worded as
// CloudHSM CLI's argument parser words it (docs/simulator-choices.md).
type usageError struct{ msg, usage string }

func (e *usageError) Error() string {
	var b strings.Builder
	b.WriteString("error: " + e.msg + "\n\n")
	if e.usage != "" {
		b.WriteString("Usage: " + e.usage + "\n\n")
	}
	b.WriteString("For more information, try '--help'.\n")
	return b.String()
}

// errHelp asks for the command's help (-h or --help anywhere).
var errHelp = fmt.Errorf("help")

// parseArgs reads words against sp.
func parseArgs(sp *spec, words []string) (*args, error) {
	a := &args{values: map[string][]string{}, sp: sp}
	fail := func(format string, v ...any) error {
		return &usageError{msg: fmt.Sprintf(format, v...), usage: sp.usage}
	}
	for _, w := range words {
		if w == "-h" || w == "--help" {
			return nil, errHelp
		}
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		var f *flagSpec
		inline, hasInline := "", false
		switch {
		case strings.HasPrefix(w, "--") && len(w) > 2:
			name := w[2:]
			name, inline, hasInline = strings.Cut(name, "=")
			f = sp.flags[name]
		case len(w) == 2 && w[0] == '-' && w[1] != '-':
			for _, n := range sp.order {
				if sp.flags[n].short == w[1:] {
					f = sp.flags[n]
				}
			}
		}
		if f == nil {
			return nil, fail("unexpected argument '%s' found", w)
		}
		if _, dup := a.values[f.name]; dup {
			return nil, fail("the argument '%s' cannot be used multiple times", f.display())
		}
		if f.value == "" {
			if hasInline {
				return nil, fail("unexpected value '%s' for '%s' found; no more were expected", inline, f.display())
			}
			a.values[f.name] = nil
			continue
		}
		var vals []string
		if hasInline {
			vals = append(vals, inline)
		}
		for (len(vals) == 0 || f.multi) && i+1 < len(words) && !isOption(sp, words[i+1]) {
			i++
			vals = append(vals, words[i])
		}
		if len(vals) == 0 {
			return nil, fail("a value is required for '%s' but none was supplied", f.display())
		}
		if f.choices != nil {
			for _, v := range vals {
				if !slices.Contains(f.choices, v) {
					return nil, fail("invalid value '%s' for '%s'\n  [possible values: %s]", v, f.display(), strings.Join(f.choices, ", "))
				}
			}
		}
		a.values[f.name] = vals
	}
	var missing []string
	for _, n := range sp.order {
		if f := sp.flags[n]; f.required && !a.has(n) {
			missing = append(missing, "  "+f.display())
		}
	}
	for _, g := range sp.groups {
		var given, shown []string
		for _, n := range g {
			if f := sp.flags[n]; f != nil {
				shown = append(shown, f.display())
				if a.has(n) {
					given = append(given, f.display())
				}
			}
		}
		switch {
		case len(given) == 0:
			missing = append(missing, "  <"+strings.Join(shown, "|")+">")
		case len(given) > 1:
			return nil, fail("the argument '%s' cannot be used with '%s'", given[0], given[1])
		}
	}
	if missing != nil {
		return nil, fail("the following required arguments were not provided:\n%s", strings.Join(missing, "\n"))
	}
	return a, nil
}

// isOption reports whether w starts another option, which ends a list of
// values. A negative number or a lone "-" is a value.
func isOption(sp *spec, w string) bool {
	if strings.HasPrefix(w, "--") {
		return true
	}
	if len(w) == 2 && w[0] == '-' {
		for _, f := range sp.flags {
			if f.short == w[1:] {
				return true
			}
		}
		return w == "-h"
	}
	return false
}
