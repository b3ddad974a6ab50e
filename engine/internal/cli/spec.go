package cli

import (
	"regexp"
	"strings"
)

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

var (
	optionLine   = regexp.MustCompile(`^\s{1,8}(?:-([a-zA-Z]), )?--([a-z0-9-]+)(?: (\[)?<([A-Za-z_-]+)>(\.\.\.)?\]?(\.\.\.)?)?`)
	defaultValue = regexp.MustCompile(`\[default: ([^\]]+)\]`)
	inlineValues = regexp.MustCompile(`\[possible values: ([^\]]+)\]`)
	listedValue  = regexp.MustCompile(`^\s+- ([a-z0-9-]+)(?::|\s*$)`)
	usageFlag    = regexp.MustCompile(`--([a-z0-9-]+)`)
	usageGroup   = regexp.MustCompile(`<(--[^|]+(?:\|--[^|>]+(?:<[A-Z_a-z]+>)?[^|>]*)+)>?`)
	usageOptDel  = regexp.MustCompile(`\[--[a-z0-9-]+(?: <[A-Za-z_]+>)?\]`)
	placeholders = regexp.MustCompile(`\[?<[A-Za-z_]+>(\.\.\.)?\]?(\.\.\.)?`)
)

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
		if m := optionLine.FindStringSubmatch(l); m != nil {
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
		if m := defaultValue.FindStringSubmatch(l); m != nil {
			last.def = m[1]
		}
		if m := inlineValues.FindStringSubmatch(l); m != nil {
			for _, v := range strings.Split(m[1], ",") {
				last.choices = append(last.choices, strings.TrimSpace(v))
			}
		}
		if m := listedValue.FindStringSubmatch(l); m != nil && !strings.Contains(l, "=") {
			last.choices = append(last.choices, m[1])
		}
	}
	u := sp.usage
	for _, g := range usageGroup.FindAllStringSubmatch(u, -1) {
		var names []string
		for _, m := range usageFlag.FindAllStringSubmatch(g[1], -1) {
			names = append(names, m[1])
		}
		sp.groups = append(sp.groups, names)
	}
	u = usageGroup.ReplaceAllString(u, "")
	u = usageOptDel.ReplaceAllString(u, "")
	u = placeholders.ReplaceAllString(u, "")
	for _, m := range usageFlag.FindAllStringSubmatch(u, -1) {
		if f := sp.flags[m[1]]; f != nil {
			f.required = true
		}
	}
	return sp
}
