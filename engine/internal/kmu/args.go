package kmu

import (
	"fmt"
	"strconv"
	"strings"
)

// Args are the parsed parameters of one command line.
type Args struct {
	values map[string]string
	set    map[string]bool
	// answered holds the secrets typed at a prompt: taken as typed, even
	// when that is the mask.
	answered map[string]bool
}

// parseArgs reads "-flag value" pairs and bare "-flag" switches against the
// command's flag table. Unknown flags, missing values and missing required
// flags are errors; a flag given twice keeps its last value, as getopt-style
// tools do.
func parseArgs(c *Command, words []string) (*Args, error) {
	a := &Args{values: map[string]string{}, set: map[string]bool{}, answered: map[string]bool{}}
	flags := map[string]Flag{}
	for _, f := range c.Flags {
		flags[f.Name] = f
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || len(w) < 2 {
			return nil, fmt.Errorf("unexpected argument %q", w)
		}
		f, ok := flags[w[1:]]
		if !ok {
			return nil, fmt.Errorf("unknown parameter %s", w)
		}
		a.set[f.Name] = true
		if f.Kind.TakesValue() {
			if i+1 >= len(words) {
				return nil, fmt.Errorf("parameter %s needs a value", w)
			}
			i++
			a.values[f.Name] = words[i]
		}
	}
	var missing []string
	for _, f := range c.Flags {
		if f.Required && !a.set[f.Name] {
			missing = append(missing, "-"+f.Name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required parameter(s) %s", strings.Join(missing, ", "))
	}
	return a, nil
}

// Has reports whether the flag was given.
func (a *Args) Has(name string) bool { return a.set[name] }

// Str returns the flag's value, or "" when absent.
func (a *Args) Str(name string) string { return a.values[name] }

// Int parses the flag's value as a decimal (or 0x hexadecimal) integer.
func (a *Args) Int(name string, def int) (int, error) {
	s, ok := a.values[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || n < -1<<31 || n > 1<<31-1 {
		return 0, fmt.Errorf("invalid value %q for -%s: not a number", s, name)
	}
	return int(n), nil
}

// Handle parses a key handle.
func (a *Args) Handle(name string) (uint64, error) {
	s := a.values[name]
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid key handle %q for -%s", s, name)
	}
	return n, nil
}

// Users parses a comma-separated list of user ids (-u 4,5).
func (a *Args) Users(name string) ([]int, error) {
	s, ok := a.values[name]
	if !ok {
		return nil, nil
	}
	var ids []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("invalid user id %q in -%s", p, name)
		}
		for _, id := range ids {
			if id == n {
				return nil, fmt.Errorf("user id %d given twice in -%s", n, name)
			}
		}
		ids = append(ids, n)
	}
	return ids, nil
}
