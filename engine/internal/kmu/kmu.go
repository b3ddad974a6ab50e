// Package kmu is key_mgmt_util: a table of commands, each with its help
// text, flags and handler, running against an hsm.Cluster as the user who
// logged in. Handlers print what the real tool prints: the
// "Cfm3... returned: 0x.. : HSM Return: ..." line and the per-node
// "Cluster Error Status" block.
package kmu

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
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
	changed bool
	touched []uint64
}

// New starts key_mgmt_util on a cluster.
func New(c *hsm.Cluster, fs vfs.FS, rand io.Reader) *Tool {
	return &Tool{Cluster: c, FS: fs, Rand: rand}
}

// Name implements tool.Tool.
func (t *Tool) Name() string { return Name }

// Prompt implements tool.Tool.
func (t *Tool) Prompt() string { return Prompt }

// Command is one entry of the command table.
type Command struct {
	Name string
	// Summary is the line "help" prints for the command.
	Summary string
	// Help is what "<command> -h" prints.
	Help string
	// Flags the command takes; a command with Raw set parses its own words.
	Flags []Flag
	// NoLogin marks commands that run without a login session: the
	// dispatcher does not ask the access table for them (mayRun).
	NoLogin bool
	// API is the Cfm call whose failure a missing login reports.
	API string
	Run func(t *Tool, a *Args) tool.Result
}

// Flag is one command-line parameter.
type Flag struct {
	Name     string // without the dash
	Value    bool   // takes a value
	Required bool
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
		return tool.Result{Output: fmt.Sprintf("\n\tError: Invalid Command: %s\n\tType \"help\" to list the available commands.\n\n", words[0])}
	}
	return t.run(c, words[1:])
}

func (t *Tool) run(c *Command, words []string) tool.Result {
	for _, w := range words {
		if w == "-h" {
			return tool.Result{Output: c.Help}
		}
	}
	a, err := parseArgs(c, words)
	if err != nil {
		return t.usage(c, err)
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
	r := tool.Result{Output: t.out.String(), Changed: t.changed, Touched: t.touched}
	t.out.Reset()
	t.changed = false
	t.touched = nil
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

// Complete offers command names for the first word and flags after it.
func (t *Tool) Complete(line string) []string {
	words, err := cmdline.Split(line)
	if err != nil {
		return nil
	}
	trailing := strings.HasSuffix(line, " ") || line == ""
	if len(words) == 0 || len(words) == 1 && !trailing {
		prefix := ""
		if len(words) == 1 {
			prefix = words[0]
		}
		var out []string
		for _, n := range Commands() {
			if strings.HasPrefix(n, prefix) {
				out = append(out, n)
			}
		}
		return out
	}
	c := commands[words[0]]
	if c == nil {
		return nil
	}
	last := ""
	if !trailing {
		last = words[len(words)-1]
	}
	var out []string
	for _, f := range append([]Flag{{Name: "h"}}, c.Flags...) {
		if strings.HasPrefix("-"+f.Name, last) {
			out = append(out, "-"+f.Name)
		}
	}
	return out
}

// printf writes to the command's output.
func (t *Tool) printf(format string, args ...any) { fmt.Fprintf(&t.out, format, args...) }

// returned prints the line every Cfm call ends with.
func (t *Tool) returned(api string, rc hsm.RC) {
	t.printf("%s returned: 0x%02x : %s\n", api, uint32(rc), rc)
}

// clusterStatus prints the per-node block under header ("Cluster Error
// Status" after key commands, "Cluster Status" after login and logout).
func (t *Tool) clusterStatus(header string, st hsm.Status) {
	t.printf("%s\n", header)
	for _, ns := range st {
		t.printf("Node id %d and err state 0x%08x : %s\n", ns.Node, uint32(ns.RC), ns.RC)
	}
}

// touch records a handle the command created or changed.
func (t *Tool) touch(hs ...uint64) {
	t.touched = append(t.touched, hs...)
	t.changed = true
}

// LoginSession is the logged-in session, nil when logged out.
func (t *Tool) LoginSession() *hsm.Session { return t.Session }
