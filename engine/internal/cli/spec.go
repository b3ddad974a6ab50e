package cli

import "strings"

// A spec is what a command accepts, read from its help text: every option
// line of "Options:" gives a flag (whether it takes a value, or a list of
// values), the Usage line says which flags are required and which belong to
// a group of which exactly one is needed (<--data-path <P>|--data <D>>),
// and "possible values" lists restrict a flag's values. Reading the syntax
// from the same text help prints keeps the two from disagreeing.
type spec struct {
	usage  string // the Usage line(s), as printed in errors
	flags  map[string]*flagSpec
	order  []string   // flags in the help's order
	groups [][]string // required one-of groups
}

type flagSpec struct {
	name     string // without the dashes
	short    string // one letter, or ""
	value    string // placeholder, "" for a switch
	multi    bool   // takes a space separated list of values
	required bool
	choices  []string // possible values, if listed
	def      string   // [default: …]
}

// display is how errors name a flag: "--label <LABEL>".
func (f *flagSpec) display() string {
	switch {
	case f.value == "":
		return "--" + f.name
	case f.multi:
		return "--" + f.name + " [<" + f.value + ">...]"
	}
	return "--" + f.name + " <" + f.value + ">"
}

// parseSpec reads a command's help text.
func parseSpec(help string) *spec {
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
		if m, ok := matchOptionLine(l); ok {
			f := &flagSpec{name: m.name, short: m.short, value: m.value, multi: m.dots1 != "" || m.dots2 != "" || m.bracket != ""}
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
			l = l[m.n:]
		}
		if last == nil {
			continue
		}
		if v, ok := bracketed(l, "default: "); ok {
			last.def = v
		}
		if vs, ok := bracketed(l, "possible values: "); ok {
			for _, v := range strings.Split(vs, ",") {
				last.choices = append(last.choices, strings.TrimSpace(v))
			}
		}
		if v, ok := matchListedValue(l); ok && !strings.Contains(l, "=") {
			last.choices = append(last.choices, v)
		}
	}
	groups, u := usageGroups(sp.usage)
	for _, g := range groups {
		sp.groups = append(sp.groups, usageFlags(g))
	}
	u = removeOptionalFlags(u)
	u = removePlaceholders(u)
	for _, name := range usageFlags(u) {
		if f := sp.flags[name]; f != nil {
			f.required = true
		}
	}
	return sp
}

// impliedGroups are the one-of groups the ML-DSA pages' examples use and
// their Usage lines leave out: the data comes from --data or --data-path,
// the signature from --signature or --signature-path (the verify page's
// Usage line requires --signature; its third example gives
// --signature-path alone). Each needs exactly one, as the other sign and
// verify commands' groups do (docs/simulator-choices.md).
var impliedGroups = map[string][][]string{
	"crypto sign ml-dsa":   {{"data", "data-path"}},
	"crypto verify ml-dsa": {{"data", "data-path"}, {"signature-path", "signature"}},
}
