// Package cmu is cloudhsm_mgmt_util, the SDK 3 tool crypto officers use to
// manage HSM users and crypto users use to share keys.
//
// Unlike key_mgmt_util, which talks to the cluster through the client
// daemon, cloudhsm_mgmt_util connects to every HSM on its own: each command
// runs on each connected server in turn and prints one result line per
// server ("shareKey success on server 0(10.0.2.9)"). AWS does not copy
// users between HSMs, so a server that was down or answered with an error
// keeps its old state until the command is repeated there (server mode) or
// syncUser/syncKey copies the missing user or key. That is how the HSMs of
// a cluster drift apart, and this package is where a learner sees it.
//
// Commands take positional arguments in the order of their reference page
// (cloudhsm_mgmt_util-<command>.md). Commands that change users, keys or
// quorum settings first print the CAUTION block of the seed walkthrough and
// ask "Do you want to continue(y/n)?"; the answer is the next line typed.
package cmu

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
const Name = "cloudhsm_mgmt_util"

// Prompt is the prompt in global mode (getting-started.md: "The prompt
// changes to aws-cloudhsm>"); the transcripts show no space after it.
const Prompt = "aws-cloudhsm>"

// Port is the port cloudhsm_mgmt_util connects to on each HSM.
const Port = 2225

// caution is the warning printed before a command that changes an HSM, as
// the seed walkthrough prints it (the seed wins over the longer form of the
// reference pages).
const caution = `****CAUTION****
This is a CRITICAL operation, should be done on all nodes in the
cluster. Cav server does NOT synchronize these changes with the
nodes on which this operation is not executed or failed, please
ensure this operation is executed on all nodes in the cluster.
*********
`

// Questions the tool asks.
const (
	askContinue   = "Do you want to continue(y/n)?"
	askPassword   = "Enter password:"
	askRetryAbort = "Retry/Ignore/Abort?(R/I/A):"
	askRollback   = "Retry/rollBack/Ignore?(R/B/I):"
)

// Tool is one running cloudhsm_mgmt_util.
type Tool struct {
	Cluster *hsm.Cluster
	FS      vfs.FS
	Rand    io.Reader
	// Session is the logged-in user, nil when logged out.
	Session *hsm.Session

	// loggedIn holds the servers the session is logged in to: a server
	// that was down at login, or went down since, is not.
	loggedIn map[int]bool
	// connected holds the servers the tool connected to when it started
	// (Banner): the ones that were up. Commands go to these only, so with
	// an HSM away a command runs "on 2 nodes", as the pages' transcripts of
	// smaller clusters show; a server that goes down later stays counted
	// and fails on its line.
	connected map[int]bool
	// server is the server of server mode, -1 in global mode.
	server int
	e2e    bool
}

var _ tool.Tool = (*Tool)(nil)

// New starts cloudhsm_mgmt_util on a cluster.
func New(c *hsm.Cluster, fs vfs.FS, rand io.Reader) *Tool {
	t := &Tool{Cluster: c, FS: fs, Rand: rand, loggedIn: map[int]bool{}, connected: map[int]bool{}, server: -1}
	for _, n := range c.Nodes {
		if n.Up {
			t.connected[n.ID] = true
		}
	}
	return t
}

// Name implements tool.Tool.
func (t *Tool) Name() string { return Name }

// LoginSession is the logged-in session, nil when logged out.
func (t *Tool) LoginSession() *hsm.Session { return t.Session }

// Prompt implements tool.Tool: "aws-cloudhsm>" in global mode, "server0>"
// in server mode on server 0 (server.md, getCert.md).
func (t *Tool) Prompt() string {
	if t.server >= 0 {
		return fmt.Sprintf("server%d>", t.server)
	}
	return Prompt
}

// Banner is what the tool prints when it starts and connects to the
// servers of its configuration file (getting-started.md). A server that is
// down cannot be connected to.
func (t *Tool) Banner() string {
	var b strings.Builder
	b.WriteString("Connecting to the server(s), it may take time\ndepending on the server(s) load, please wait...\n")
	for _, n := range t.Cluster.Nodes {
		fmt.Fprintf(&b, "\nConnecting to server '%s': hostname '%s', port %d...\n", n.Addr, n.Addr, Port)
		if n.Up {
			fmt.Fprintf(&b, "Connected to server '%s': hostname '%s', port %d.\n", n.Addr, n.Addr, Port)
		} else {
			fmt.Fprintf(&b, "Failed to connect to server '%s': hostname '%s', port %d.\n", n.Addr, n.Addr, Port)
		}
	}
	return b.String()
}

// Exec implements tool.Tool.
func (t *Tool) Exec(line string) tool.Result {
	words, err := cmdline.Split(line)
	if err != nil {
		return errorf("%v", err)
	}
	if len(words) == 0 {
		return tool.Result{}
	}
	if words[0] == "exit" && t.server >= 0 {
		if len(words) > 1 {
			return errorf("exit takes no arguments")
		}
		t.server = -1
		return tool.Result{}
	}
	if words[0] == "exit" && len(words) == 1 {
		// Outside server mode, exit ends the tool as quit does.
		return quit(t, nil)
	}
	c, err := lookup(words[0])
	if err != nil {
		return tool.Result{Output: err.Error() + toolmap.HintForCLI(Name, strings.Join(words, " "))}
	}
	args := words[1:]
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") && c.name != "help" {
		return tool.Result{Output: c.helpText()}
	}
	if lo, hi := c.argCount(); len(args) < lo || len(args) > hi {
		return c.usage("Invalid number of arguments")
	}
	return c.run(t, args)
}

// Close ends the tool as quit does: it logs out, which ends the session's
// quorum tokens.
func (t *Tool) Close() tool.Result {
	r := tool.Result{Output: "disconnecting from servers, please wait...\n"}
	if t.Session != nil {
		t.endSession()
		r.Changed = true
	}
	t.server = -1
	return r
}

// Complete says what the word being typed is: a command name (also after
// help), or an argument of the command, read from its parameters.
func (t *Tool) Complete(line string) tool.Slot {
	words, word, err := cmdline.SplitTyping(line)
	if err != nil {
		return tool.Slot{None: true}
	}
	if len(words) == 0 {
		names := commandNames()
		if t.server >= 0 {
			names = append(names, "exit")
			sort.Strings(names)
		}
		return tool.Slot{Kind: tool.Literal, Choices: tool.Words(names...), Word: word}
	}
	c, err := lookup(words[0])
	if err != nil {
		return tool.Slot{None: true}
	}
	if c.name == "help" {
		if len(words) == 1 {
			return tool.Slot{Kind: tool.Literal, Choices: tool.Words(commandNames()...), Word: word}
		}
		return tool.Slot{None: true}
	}
	lits, p := c.next(words[1:])
	if lits == nil && p == nil {
		return tool.Slot{None: true}
	}
	slot := tool.Slot{Kind: tool.Literal, Choices: tool.Words(lits...), Word: word}
	if p != nil {
		slot.Kind = p.kind
		slot.Choices = append(slot.Choices, p.choices()...)
	}
	return slot
}

// endSession forgets the login on every server and the tokens that lived
// as long as it.
func (t *Tool) endSession() {
	if t.Session != nil {
		t.Cluster.DropTokens(t.Session.UserID)
	}
	t.Session = nil
	t.loggedIn = map[int]bool{}
}

// targets lists the servers a command goes to: the one of server mode, or
// every server of the configuration.
func (t *Tool) targets() []*hsm.Node {
	if t.server >= 0 {
		if n := t.Cluster.Node(t.server); n != nil {
			return []*hsm.Node{n}
		}
		t.server = -1
	}
	var out []*hsm.Node
	for _, n := range t.Cluster.Nodes {
		if t.connected[n.ID] {
			out = append(out, n)
		}
	}
	return out
}

// reach says whether a command doing op can go to server n now, and asks
// the access table whether the session may do op at all. A server that is
// down has lost its connection, and with it the login on it; the session
// itself ends with logoutHSM or quit. An operation the table keeps from
// sessions not logged in needs the login on that server.
func (t *Tool) reach(n *hsm.Node, op hsm.Op) hsm.RC {
	if !n.Up || !t.connected[n.ID] {
		delete(t.loggedIn, n.ID)
		return hsm.RCServerUnavailable
	}
	if hsm.Check(nil, op, nil) == hsm.RCNotLoggedIn && (t.Session == nil || !t.loggedIn[n.ID]) {
		return hsm.RCNotLoggedIn
	}
	return hsm.Check(t.Session, op, nil)
}

// server names a server the way every result line does: "server 0(10.0.2.9)".
func server(n *hsm.Node) string { return fmt.Sprintf("server %d(%s)", n.ID, n.Addr) }

// errorf is a client-side error: bad input the tool refuses before it
// talks to any server.
func errorf(format string, args ...any) tool.Result {
	return tool.Result{Output: "Error: " + fmt.Sprintf(format, args...) + "\n"}
}

// confirm prints the CAUTION block after pre and asks whether to go on;
// "y" runs then, "n" ends the command, anything else asks again
// (createUser.md: "Invalid option, please type 'y' or 'n'").
func (t *Tool) confirm(pre string, then func() tool.Result) tool.Result {
	return tool.Result{Output: pre + caution, Ask: yesNo(then)}
}

func yesNo(then func() tool.Result) *tool.Question {
	return &tool.Question{Prompt: askContinue, Answer: func(a string) tool.Result {
		switch strings.TrimSpace(a) {
		case "y", "Y":
			return then()
		case "n", "N":
			return tool.Result{}
		}
		return tool.Result{Output: "Invalid option, please type 'y' or 'n'\n", Ask: yesNo(then)}
	}}
}

// withPassword runs then with the password argument, asking for it without
// echo when it is "-hpswd" or the mask history shows in its place (a
// recalled line): the mask is never sent as the password.
func withPassword(arg string, then func(pw string) tool.Result) tool.Result {
	if arg != "-hpswd" && arg != tool.Masked {
		return then(arg)
	}
	return tool.Result{Ask: &tool.Question{Prompt: askPassword, Secret: true, Answer: func(pw string) tool.Result {
		return tool.Merge(tool.Result{Output: "\n"}, then(pw))
	}}}
}

// output sends text to stdout, or to the file the command names instead
// (findAllKeys, getKeyInfo and getAttribute take an optional output file
// and overwrite it without warning).
func (t *Tool) output(b *reply, file string) tool.Result {
	if file == "" {
		return b.result()
	}
	if err := t.FS.WriteFile(file, []byte(b.String())); err != nil {
		r := errorf("cannot write %s: %v", file, err)
		r.Calls = b.calls
		return r
	}
	return tool.Result{Changed: true, Calls: b.calls}
}
