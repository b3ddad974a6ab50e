package cmu

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// command is one entry of the command table.
type command struct {
	name string
	// summary is the line "help" prints for the command.
	summary string
	// syntax lines, as the reference page shows them.
	syntax []string
	// about is the description "help <command>" prints.
	about string
	// min and max bound the number of arguments.
	min, max int
	run      func(t *Tool, args []string) tool.Result
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

// usage prints a problem with the arguments and the command's syntax.
func (c *command) usage(problem string) tool.Result {
	var b strings.Builder
	fmt.Fprintf(&b, "Error: %s\n", problem)
	c.writeSyntax(&b)
	return tool.Result{Output: b.String()}
}

func (c *command) writeSyntax(b *strings.Builder) {
	for i, s := range c.syntax {
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
		max:     1,
		run:     help,
	})
	register(&command{
		name:    "quit",
		summary: "Quits cloudhsm_mgmt_util",
		syntax:  []string{"quit"},
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
