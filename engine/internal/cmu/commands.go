package cmu

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// command is one entry of the command table. Its parameters are the one
// source of its syntax (help and usage errors), of how many arguments it
// takes, of Tab completion and of which argument is a password to mask.
type command struct {
	name string
	// summary is the line "help" prints for the command.
	summary string
	// params are the arguments in the order of the reference page.
	params []param
	// syntax, when set, replaces the syntax line made from params (help
	// shows two forms).
	syntax []string
	// about is the description "help <command>" prints.
	about string
	run   func(t *Tool, args []string) tool.Result
}

// param is one positional argument, or an optional group of words.
type param struct {
	// syntax is the argument's text in the syntax line, as the page
	// writes it ("<key handle>", "[<output file>]").
	syntax string
	kind   tool.Kind
	// optional arguments may be left out; a Literal one is recognised by
	// its word (getKeyInfo's -k).
	optional bool
	// words is how many words the argument takes (0 means 1): "-2fa
	// <path>" takes 2.
	words int
	// values lists what the argument takes when that is a short list of
	// its own.
	values []tool.Choice
}

// arg is a required argument of one word.
func arg(syntax string, kind tool.Kind) param { return param{syntax: syntax, kind: kind} }

// twoFactorParam is the optional "-2fa <path>" of the user commands.
var twoFactorParam = param{syntax: "[-2fa </path/to/authdata>]", kind: tool.File, optional: true, words: 2}

func (p param) n() int { return max(p.words, 1) }

// literal is the fixed word an argument starts with, "" for none.
func (p param) literal() string {
	switch {
	case p.kind == tool.Literal && !strings.HasPrefix(p.syntax, "<"):
		return p.syntax
	case p.words > 1:
		return strings.Fields(strings.Trim(p.syntax, "[]"))[0]
	}
	return ""
}

// argCount is the number of arguments the command takes, at least and at
// most.
func (c *command) argCount() (lo, hi int) {
	for _, p := range c.params {
		if !p.optional {
			lo += p.n()
		}
		hi += p.n()
	}
	return lo, hi
}

// syntaxLines are the command's forms, as help and usage errors print them.
func (c *command) syntaxLines() []string {
	if c.syntax != nil {
		return c.syntax
	}
	line := c.name
	for _, p := range c.params {
		line += " " + p.syntax
	}
	return []string{line}
}

// argKinds says which parameter each of the arguments fills, and the kind
// of each word: a Literal for the fixed word of a group, the group's kind
// for its value. Words past the last parameter get Text.
func (c *command) argKinds(args []string) []tool.Kind {
	out := make([]tool.Kind, 0, len(args))
	pi := 0
	for i := 0; i < len(args); {
		for pi < len(c.params) && c.params[pi].optional && c.params[pi].literal() != "" && args[i] != c.params[pi].literal() {
			pi++
		}
		if pi >= len(c.params) {
			out = append(out, tool.Text)
			i++
			continue
		}
		p := c.params[pi]
		pi++
		if p.literal() != "" {
			out = append(out, tool.Literal)
			i++
			for k := 1; k < p.n() && i < len(args); k++ {
				out = append(out, p.kind)
				i++
			}
			continue
		}
		out = append(out, p.kind)
		i++
	}
	return out
}

// next says what the word after args is: the literal words that may come
// there (an optional group's fixed word) and the parameter it fills, if
// any.
func (c *command) next(args []string) (literals []string, p *param) {
	pi := 0
	for i := 0; i < len(args); {
		for pi < len(c.params) && c.params[pi].optional && c.params[pi].literal() != "" && args[i] != c.params[pi].literal() {
			pi++
		}
		if pi >= len(c.params) {
			return nil, nil
		}
		q := c.params[pi]
		if q.literal() != "" && i+q.n() > len(args) {
			// The group's value is the word being typed.
			return nil, &q
		}
		if q.literal() != "" && q.n() == 1 {
			i++
			pi++
			continue
		}
		i += q.n()
		pi++
	}
	for ; pi < len(c.params); pi++ {
		q := c.params[pi]
		if q.literal() != "" {
			literals = append(literals, q.literal())
			if q.optional {
				continue
			}
			return literals, nil
		}
		return literals, &q
	}
	return literals, nil
}

var commands = map[string]*command{}

// register adds a command; each file registers its own from init.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cmu: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// commandNames lists the commands in alphabetical order.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// lookup finds a command by its name or by "enough of the name to
// distinguish it from the names of other cloudhsm_mgmt_util commands"
// (reference.md: listUsers or listU).
func lookup(word string) (*command, error) {
	if c := commands[word]; c != nil {
		return c, nil
	}
	var hits []string
	for _, n := range commandNames() {
		if strings.HasPrefix(n, word) {
			hits = append(hits, n)
		}
	}
	switch len(hits) {
	case 1:
		return commands[hits[0]], nil
	case 0:
		return nil, fmt.Errorf("Error: Invalid command: %s\nType \"help\" to list the available commands.\n", word)
	}
	return nil, fmt.Errorf("Error: Ambiguous command: %s (%s)\n", word, strings.Join(hits, ", "))
}

// lookupFold is lookup in any case, for readers of lines that must not
// miss a command (masking "LOGINHSM" or "loginh").
func lookupFold(word string) *command {
	if c, err := lookup(word); err == nil {
		return c
	}
	var hit *command
	for _, n := range commandNames() {
		if strings.EqualFold(n, word) {
			return commands[n]
		}
		if len(word) <= len(n) && strings.EqualFold(n[:len(word)], word) {
			if hit != nil {
				return nil
			}
			hit = commands[n]
		}
	}
	return hit
}

// IsNameFold reports whether word is a command's whole name, in any case.
func IsNameFold(word string) bool {
	for n := range commands {
		if strings.EqualFold(n, word) {
			return true
		}
	}
	return false
}

// Inspect reads a line's words without running them: words[0] names a
// command (in any case, or enough of the name to tell it apart), and kinds
// says what each argument after it is by the command's parameters. ok is
// false when words[0] is no command.
func Inspect(words []string) (kinds []tool.Kind, ok bool) {
	if len(words) == 0 || words[0] == "" {
		return nil, false
	}
	c := lookupFold(words[0])
	if c == nil {
		return nil, false
	}
	return c.argKinds(words[1:]), true
}

// usage prints a problem with the arguments and the command's syntax.
func (c *command) usage(problem string) tool.Result {
	var b strings.Builder
	fmt.Fprintf(&b, "Error: %s\n", problem)
	c.writeSyntax(&b)
	return tool.Result{Output: b.String()}
}

func (c *command) writeSyntax(b *strings.Builder) {
	for i, s := range c.syntaxLines() {
		if i == 0 {
			fmt.Fprintf(b, "Syntax: %s\n", s)
		} else {
			fmt.Fprintf(b, "        %s\n", s)
		}
	}
}

// helpText is what "help <command>" prints.
func (c *command) helpText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Description\n===========\n%s\n", strings.TrimSpace(c.about))
	c.writeSyntax(&b)
	return b.String()
}

func init() {
	register(&command{
		name:    "help",
		summary: "Lists the commands, or shows the syntax of one",
		syntax:  []string{"help", "help <command-name>"},
		about:   "Lists the cloudhsm_mgmt_util commands, or shows how to use one of them.",
		params:  []param{{syntax: "<command-name>", kind: tool.Literal, optional: true}},
		run:     help,
	})
	register(&command{
		name:    "quit",
		summary: "Quits cloudhsm_mgmt_util",
		about:   "Logs out and exits cloudhsm_mgmt_util. Quorum tokens end with the login.",
		run:     quit,
	})
}

// helpGroups orders the command list of "help".
var helpGroups = []struct {
	title string
	names []string
}{
	{"Connection and Mode Commands", []string{"enable_e2e", "server", "info", "getHSMInfo", "getCert", "help", "quit"}},
	{"User Commands", []string{"loginHSM", "logoutHSM", "listUsers", "createUser", "deleteUser", "changePswd", "syncUser"}},
	{"Key Commands", []string{"shareKey", "getKeyInfo", "findAllKeys", "getAttribute", "setAttribute", "listAttributes", "syncKey"}},
	{"Quorum (M of N) Commands", []string{"registerQuorumPubKey", "getToken", "approveToken", "listTokens", "delToken", "getMValue", "setMValue"}},
}

func help(t *Tool, args []string) tool.Result {
	if len(args) == 1 {
		c, err := lookup(args[0])
		if err != nil {
			return tool.Result{Output: err.Error()}
		}
		return tool.Result{Output: c.helpText()}
	}
	var b strings.Builder
	b.WriteString("Help Commands Available:\nSyntax: help <command-name>\n")
	fmt.Fprintf(&b, "%-22s%s\n%-22s%s\n", "Command", "Description", "=======", "===========")
	for _, g := range helpGroups {
		fmt.Fprintf(&b, "%s:\n", g.title)
		for _, n := range g.names {
			fmt.Fprintf(&b, "%-22s%s\n", n, commands[n].summary)
		}
	}
	if t.server >= 0 {
		fmt.Fprintf(&b, "Server Mode:\n%-22s%s\n", "exit", "Leaves server mode")
	}
	return tool.Result{Output: b.String()}
}

func quit(t *Tool, args []string) tool.Result {
	r := t.Close()
	r.Exit = true
	return r
}

// Commands lists the command names in alphabetical order.
func Commands() []string { return commandNames() }
