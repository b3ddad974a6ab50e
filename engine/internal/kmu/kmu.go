// Package kmu is key_mgmt_util: a table of commands, each with its help
// text, flags and handler, running against an hsm.Cluster as the user who
// logged in. Handlers record each Cfm call's return code and the HSMs'
// answers as typed calls (tool.Call); text.go turns each into what the real
// tool prints: the "Cfm3... returned: 0x.. : HSM Return: ..." line and the
// per-node "Cluster Error Status" block.
package kmu

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/toolmap"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// Name is the program name.
const Name = "key_mgmt_util"

// Prompt is key_mgmt_util's prompt.
const Prompt = "Command: "

// Tool is one running key_mgmt_util.
type Tool struct {
	Cluster *hsm.Cluster
	FS      vfs.FS
	Rand    io.Reader
	// Session is the login session, nil when logged out.
	Session *hsm.Session

	out     strings.Builder
	calls   []tool.Call
	pending []tool.Node // a status block printed before its call's line
	changed bool
}

// New starts key_mgmt_util on a cluster.
func New(c *hsm.Cluster, fs vfs.FS, rand io.Reader) *Tool {
	return &Tool{Cluster: c, FS: fs, Rand: rand}
}

// Name implements tool.Tool.
func (t *Tool) Name() string { return Name }

// Prompt implements tool.Tool.
func (t *Tool) Prompt() string { return Prompt }

// Command is one entry of the command table. The table is the one source
// of a command's syntax: its -h text, Tab completion, masking and the API's
// limits all read the flags and their kinds.
type Command struct {
	Name string
	// Summary is the line "help" prints for the command.
	Summary string
	// About is the Description section of the -h text.
	About string
	// Params explains the parameters after the Syntax section ("" for
	// none).
	Params string
	// Flags the command takes, in the order of the Syntax section.
	Flags []Flag
	// Indent, when set, is the column of the Syntax section's continuation
	// lines as the command's reference page lays them out; by default they
	// line up under the first flag.
	Indent int
	// BareSyntax marks commands whose syntax is their name alone (no -h
	// line).
	BareSyntax bool
	// NoLogin marks commands that run without a login session: the
	// dispatcher does not ask the access table for them (mayRun).
	NoLogin bool
	// API is the Cfm call whose failure a missing login reports.
	API string
	Run func(t *Tool, a *Args) tool.Result
}

// Flag is one command-line parameter.
type Flag struct {
	Name string // without the dash
	// Kind is what the value holds; tool.Switch flags take no value.
	Kind tool.Kind
	// Arg is the value's placeholder in the Syntax section ("<key-type>").
	Arg      string
	Required bool
	// Syntax, when set, is the flag's whole entry in the Syntax section
	// instead of "-name Arg" (bracketed when optional).
	Syntax string
	// NoSyntax leaves the flag out of the Syntax section (another flag's
	// entry shows it: "{ -p | -hpswd } <password>").
	NoSyntax bool
	// Values lists what the parameter takes when that is a short list of
	// its own (the mechanisms of wrapKey -m); nil means those of its kind.
	Values []tool.Choice
}

// syntaxEntry is the flag's text in the Syntax section.
func (f Flag) syntaxEntry() string {
	if f.Syntax != "" {
		return f.Syntax
	}
	s := "-" + f.Name
	if f.Arg != "" {
		s += " " + f.Arg
	}
	if !f.Required {
		s = "[" + s + "]"
	}
	return s
}

// Help is what "<command> -h" prints: the description, the Syntax section
// built from the flags, and the parameters' explanations.
func (c *Command) Help() string {
	var b strings.Builder
	b.WriteString("\nDescription\n===========\n" + c.About + "\n\n")
	if c.BareSyntax {
		b.WriteString("Syntax: " + c.Name + "\n")
	} else {
		b.WriteString("Syntax: " + c.Name + " -h\n        " + c.Name)
		indent := c.Indent
		if indent == 0 {
			indent = len("        ") + len(c.Name) + 1
		}
		first := true
		for _, f := range c.Flags {
			if f.NoSyntax {
				continue
			}
			if first {
				b.WriteString(" " + f.syntaxEntry())
				first = false
			} else {
				b.WriteString("\n" + strings.Repeat(" ", indent) + f.syntaxEntry())
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if c.Params != "" {
		b.WriteString(c.Params + "\n\n")
	}
	return b.String()
}

// flag finds one of the command's flags by name (without the dash).
func (c *Command) flag(name string) (Flag, bool) {
	for _, f := range c.Flags {
		if f.Name == name {
			return f, true
		}
	}
	return Flag{}, false
}

var commands = map[string]*Command{}

// register adds a command to the table; each command file registers its own.
func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("kmu: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// Commands lists the command names in alphabetical order.
func Commands() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns a command by name.
func Lookup(name string) *Command { return commands[name] }

// lookupFold finds a command by its name in any case.
func lookupFold(name string) *Command {
	if c := commands[name]; c != nil {
		return c
	}
	for n, c := range commands {
		if strings.EqualFold(n, name) {
			return c
		}
	}
	return nil
}

// IsCommandFold reports whether name is a command's name in any case.
func IsCommandFold(name string) bool { return lookupFold(name) != nil }

// Inspect reads a line's words without running them: words[0] names a
// command (in any case: masking must not miss "LOGINHSM"), and kinds says
// what each word after it is by the command's flags — tool.Literal for a
// flag, the flag's kind for its value and for a "-flag=value" word (the
// value after "="). It stops at the first word, not a flag's value, that
// names another command (the next command of a singlecmd line) and returns
// where that is; ok is false when words[0] is no command.
func Inspect(words []string) (kinds []tool.Kind, end int, ok bool) {
	if len(words) == 0 {
		return nil, 0, false
	}
	c := lookupFold(words[0])
	if c == nil {
		return nil, 0, false
	}
	for i := 1; i < len(words); i++ {
		w := words[i]
		if lookupFold(w) != nil {
			return kinds, i, true
		}
		name, _, inline := strings.Cut(strings.TrimPrefix(w, "-"), "=")
		f, known := c.flag(name)
		switch {
		case !strings.HasPrefix(w, "-") || !known:
			kinds = append(kinds, tool.Text)
		case inline:
			kinds = append(kinds, f.Kind)
		case f.Kind.TakesValue() && i+1 < len(words):
			kinds = append(kinds, tool.Literal, f.Kind)
			i++
		default:
			kinds = append(kinds, tool.Literal)
		}
	}
	return kinds, len(words), true
}

// Exec runs one line.
func (t *Tool) Exec(line string) tool.Result {
	words, err := cmdline.Split(line)
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("\n\tError: %v\n\n", err)}
	}
	if len(words) == 0 {
		return tool.Result{}
	}
	c := commands[words[0]]
	if c == nil {
		return tool.Result{Output: fmt.Sprintf("\n\tError: Invalid Command: %s\n\tType \"help\" to list the available commands.\n\n", words[0]) +
			toolmap.HintForCLI(Name, strings.Join(words, " "))}
	}
	return t.run(c, words[1:])
}

func (t *Tool) run(c *Command, words []string) tool.Result {
	for _, w := range words {
		if w == "-h" {
			return tool.Result{Output: c.Help()}
		}
	}
	a, err := parseArgs(c, words)
	if err != nil {
		return t.usage(c, err)
	}
	return t.runArgs(c, a)
}

// askPassword is the prompt for a password the line does not give.
const askPassword = "Enter password: "

// runArgs runs a parsed command line. A secret given as the mask history
// shows it in ("-p ********", a recalled line) is asked for instead, as
// -hpswd asks, so the mask is never sent as the password.
func (t *Tool) runArgs(c *Command, a *Args) tool.Result {
	for _, f := range c.Flags {
		if f.Kind == tool.Secret && a.Has(f.Name) && a.Str(f.Name) == tool.Masked && !a.answered[f.Name] {
			name := f.Name
			return tool.Result{Ask: &tool.Question{Prompt: askPassword, Secret: true, Answer: func(pw string) tool.Result {
				a.values[name] = pw
				a.answered[name] = true
				return t.runArgs(c, a)
			}}}
		}
	}
	if rc := t.mayRun(c); rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return t.flush()
	}
	res := c.Run(t, a)
	return tool.Merge(t.flush(), res)
}

// flush returns what the handler printed and resets the buffer.
func (t *Tool) flush() tool.Result {
	if t.pending != nil {
		// A status block no call line followed: it is a call of its own.
		t.calls = append(t.calls, tool.Call{Nodes: t.pending, RC: firstRC(t.pending)})
	}
	r := tool.Result{Output: t.out.String(), Calls: t.calls, Changed: t.changed}
	t.out.Reset()
	t.calls, t.pending = nil, nil
	t.changed = false
	return r
}

// Close logs out, which destroys the session's session keys.
func (t *Tool) Close() tool.Result {
	if t.Session != nil {
		t.Cluster.Logout(t.Session)
		t.Session = nil
		return tool.Result{Changed: true}
	}
	return tool.Result{}
}

// Complete says what the word being typed is: a command name, a flag, or
// the value of a flag, read from the command table.
func (t *Tool) Complete(line string) tool.Slot {
	words, word, err := cmdline.SplitTyping(line)
	if err != nil {
		return tool.Slot{None: true}
	}
	return CompleteWords(words, word)
}

// CompleteWords says what word is after the words of a key_mgmt_util line
// (also the line of a singlecmd): the command name when words is empty,
// else a flag of the command or a flag's value.
func CompleteWords(words []string, word string) tool.Slot {
	if len(words) == 0 {
		return tool.Slot{Kind: tool.Literal, Choices: tool.Words(Commands()...), Word: word}
	}
	c := commands[words[0]]
	if c == nil {
		return tool.Slot{None: true}
	}
	given := map[string]bool{}
	args := words[1:]
	for i := 0; i < len(args); i++ {
		f, ok := c.flag(strings.TrimPrefix(args[i], "-"))
		if !ok || !strings.HasPrefix(args[i], "-") {
			continue
		}
		given[f.Name] = true
		if !f.Kind.TakesValue() {
			continue
		}
		if i == len(args)-1 {
			return tool.Slot{Kind: f.Kind, Choices: f.choices(), Word: word}
		}
		i++
	}
	flags := []string{"-h"}
	for _, f := range c.Flags {
		if !given[f.Name] {
			flags = append(flags, "-"+f.Name)
		}
	}
	return tool.Slot{Kind: tool.Literal, Choices: tool.Words(flags...), Word: word}
}

// printf writes to the command's output.
func (t *Tool) printf(format string, args ...any) { fmt.Fprintf(&t.out, format, args...) }

// returned records a Cfm call's return code and prints the line every
// Cfm call ends with.
func (t *Tool) returned(api string, rc hsm.RC) { t.returnedText(api, rc, returnedLine(api, rc)) }

// returnedText records a call whose return the tool prints in a form of its
// own (verify's ERR_BAD_PKCS_DATA, getCert).
func (t *Tool) returnedText(api string, rc hsm.RC, text string) {
	t.calls = append(t.calls, tool.Call{API: api, RC: rc, Nodes: t.pending})
	t.pending = nil
	t.out.WriteString(text)
}

// clusterStatus records each HSM's answer and prints the per-node block
// under header ("Cluster Error Status" after key commands, "Cluster
// Status" after login and logout). The answers belong to the call whose
// line was printed last, or, before any, to the next one (findKey prints
// its block first).
func (t *Tool) clusterStatus(header string, st hsm.Status) {
	nodes := tool.NodesOf(st)
	if nodes == nil {
		nodes = []tool.Node{}
	}
	if k := len(t.calls); k > 0 && t.calls[k-1].Nodes == nil {
		t.calls[k-1].Nodes = nodes
	} else {
		t.pending = append(t.pending, nodes...)
	}
	t.out.WriteString(statusBlock(header, st))
}

// found records the keys the last call made or found.
func (t *Tool) found(hs ...uint64) {
	if k := len(t.calls); k > 0 {
		t.calls[k-1].Handles = append(t.calls[k-1].Handles, hs...)
	}
}

// value records what the last call read back.
func (t *Tool) value(v *tool.Value) {
	if k := len(t.calls); k > 0 {
		t.calls[k-1].Value = v
	}
}

// LoginSession is the logged-in session, nil when logged out.
func (t *Tool) LoginSession() *hsm.Session { return t.Session }
