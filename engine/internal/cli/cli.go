// Package cli is CloudHSM CLI (cloudhsm-cli, Client SDK 5) on the simulated
// cluster: the same keys, users and HSMs that key_mgmt_util and
// cloudhsm_mgmt_util see, answered as the CLI answers, in JSON. Each
// command is a path of words ("key generate-symmetric aes") with a handler;
// its options come from its help text (help.txt, from the reference pages).
package cli

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/toolmap"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// Name is the program name.
const Name = "cloudhsm-cli"

// Prompt is the interactive prompt.
const Prompt = "aws-cloudhsm > "

// Tool is one running CloudHSM CLI.
type Tool struct {
	Cluster *hsm.Cluster
	FS      vfs.FS
	Rand    io.Reader
	Session *hsm.Session
	// role is the role the user logged in as ("admin", "crypto-user").
	role string
	// note gathers, while a line runs, what its typed call reports.
	note callNote
}

// New starts CloudHSM CLI on a cluster.
func New(c *hsm.Cluster, fs vfs.FS, rand io.Reader) *Tool {
	return &Tool{Cluster: c, FS: fs, Rand: rand}
}

// Name implements tool.Tool.
func (t *Tool) Name() string { return Name }

// Prompt implements tool.Tool.
func (t *Tool) Prompt() string { return Prompt }

// LoginSession is the logged-in session, nil when logged out.
func (t *Tool) LoginSession() *hsm.Session { return t.Session }

// command is one leaf of the command tree.
type command struct {
	path string // "key generate-symmetric aes"
	// login is the role the command needs: "" (none), "any", "crypto-user"
	// or "admin".
	login string
	run   func(t *Tool, a *args) result
}

// result is what a handler answers: the data of a success, or an error,
// or a question whose answer finishes the command. rc is the HSMs' code of
// an error they answered (rcFail).
type result struct {
	data any
	err  *cliError
	ask  *tool.Question
	rc   hsm.RC
}

func ok(data any) result { return result{data: data} }

var commands = map[string]*command{}

// register adds a command; the package's init functions register them
// all, before anything can ask for the list.
func register(c *command) {
	if _, dup := commands[c.path]; dup {
		panic("cli: duplicate command " + c.path)
	}
	if commandsListed.Load() {
		panic("cli: command " + c.path + " registered after the commands were listed")
	}
	commands[c.path] = c
}

// commandsListed is set once sortedCommands has made the list, which a
// later register would leave out.
var commandsListed atomic.Bool

// sortedCommands is every command path in order, sorted on first use (the
// tour asks for it for every call it explains, and help for every listing)
// rather than at each call or at start.
var sortedCommands = sync.OnceValue(func() []string {
	commandsListed.Store(true)
	out := make([]string, 0, len(commands))
	for p := range commands {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
})

// Commands lists every command path in order. The slice is shared by every
// caller (clipped, so an append makes a copy): read it, do not change it.
func Commands() []string { return slices.Clip(sortedCommands()) }

// about is the one-line description of a command path: a leaf's first help
// line, or a family's from families.
func about(path string) string {
	if s, ok := families[path]; ok {
		return s
	}
	h := helpTexts()[path]
	line, _, _ := strings.Cut(h, "\n")
	if strings.HasPrefix(line, "Usage") {
		return ""
	}
	return line
}

// families describes the commands that only group others, in the words of
// their pages (cloudhsm_cli-reference.md).
var families = map[string]string{
	"cluster":                       "Cluster related commands",
	"cluster mtls":                  "Manage mutual TLS trust anchors and enforcement",
	"crypto":                        "Cryptographic operations",
	"crypto sign":                   "Generate a signature with a private key",
	"crypto verify":                 "Verify a signature with a public key",
	"key":                           "Key management commands",
	"key generate-asymmetric-pair":  "Generate an asymmetric key pair",
	"key generate-symmetric":        "Generate a symmetric key",
	"key import":                    "Import a key",
	"key unwrap":                    "Unwrap a key",
	"key wrap":                      "Wrap a key",
	"quorum":                        "Quorum related commands",
	"quorum token-sign":             "Token-sign quorum strategy commands",
	"user":                          "User management commands",
	"user change-mfa":               "Change a user's Mfa Strategy",
	"user change-quorum":            "Change a user's quorum strategy",
	"user change-quorum token-sign": "Token-sign quorum strategy",
	"help":                          "Print this message or the help of the given subcommand(s)",
	"quit":                          "Quit the CLI",
}

// children lists the next words after prefix ("" for the top level).
func children(prefix string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	for _, p := range Commands() {
		rest := p
		if prefix != "" {
			if !strings.HasPrefix(p, prefix+" ") {
				continue
			}
			rest = p[len(prefix)+1:]
		}
		w, _, _ := strings.Cut(rest, " ")
		add(w)
	}
	// login and user change-mfa are commands and families at once.
	if prefix == "" {
		for f := range families {
			if !strings.Contains(f, " ") {
				add(f)
			}
		}
	}
	sort.Strings(out)
	return out
}

// isFamily reports whether path groups other commands.
func isFamily(path string) bool {
	for _, p := range Commands() {
		if strings.HasPrefix(p, path+" ") {
			return true
		}
	}
	return false
}

// familyHelp is what "help key" prints: the commands of a family.
func familyHelp(path string) string {
	var b strings.Builder
	if a := about(path); a != "" {
		b.WriteString(a + "\n\n")
	}
	name := path
	if name == "" {
		name = Name
	}
	fmt.Fprintf(&b, "Usage: %s <COMMAND>\n\nCommands:\n", name)
	kids := children(path)
	if path != "" {
		kids = append(kids, "help")
	}
	width := 4
	for _, k := range kids {
		width = max(width, len(k))
	}
	for _, k := range kids {
		full := strings.TrimSpace(path + " " + k)
		if k == "help" {
			full = "help"
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, k, about(full))
	}
	b.WriteString("\nOptions:\n  -h, --help  Print help\n")
	return b.String()
}

// Exec runs one line.
func (t *Tool) Exec(line string) tool.Result {
	words, err := cmdline.Split(line)
	if err != nil {
		return tool.Result{Output: reply(1, "Invalid input: "+err.Error())}
	}
	if len(words) == 0 {
		return tool.Result{}
	}
	return t.run(words)
}

// run finds the longest command path the words start with and runs it.
func (t *Tool) run(words []string) tool.Result {
	t.note = callNote{}
	switch words[0] {
	case "quit", "exit":
		if len(words) == 1 {
			return tool.Merge(t.Close(), tool.Result{Exit: true})
		}
	case "help":
		return tool.Result{Output: t.help(words[1:])}
	case "login":
		if r, ok := t.runLoginMFA(words[1:]); ok {
			return r
		}
	}
	path, n := "", 0
	for i := range words {
		p := strings.Join(words[:i+1], " ")
		if commands[p] != nil || isFamily(p) {
			path, n = p, i+1
		} else {
			break
		}
	}
	if path == "" {
		return tool.Result{Output: unknownCommand(words[0], "") + toolmap.HintForSDK3(words[0])}
	}
	c := commands[path]
	rest := words[n:]
	if c == nil {
		// A family: "key" alone, "key --help", "key frobnicate".
		if len(rest) == 0 || rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help" {
			// A family with a page of its own (user change-mfa) prints it.
			if h, ok := helpTexts()[path]; ok {
				return tool.Result{Output: h}
			}
			return tool.Result{Output: familyHelp(path)}
		}
		return tool.Result{Output: unknownCommand(rest[0], path)}
	}
	sp := specOf(path)
	a, err := parseArgs(sp, rest)
	if err == errHelp {
		return tool.Result{Output: helpTexts()[path]}
	}
	if err != nil {
		return tool.Result{Output: err.Error()}
	}
	a.finish = func(r result) tool.Result { return t.finish(path, r) }
	if e := t.checkLogin(c); e != nil {
		r := t.finish(path, result{err: e, rc: t.refusal(c)})
		r.Changed = false
		return r
	}
	return t.finish(path, c.run(t, a))
}

// runLoginMFA runs "login [OPTIONS] mfa-token-sign [OPTIONS]": the word
// mfa-token-sign, where an option of login's could stand, starts the
// subcommand, and each part is read against its own help (login's options
// before it, --token after it). ok is false when the line has no such word.
func (t *Tool) runLoginMFA(rest []string) (tool.Result, bool) {
	parent, sub := specOf("login"), specOf("login mfa-token-sign")
	k := -1
	for i := 0; i < len(rest); i++ {
		if rest[i] == "mfa-token-sign" {
			k = i
			break
		}
		if f := parent.flags[strings.TrimPrefix(rest[i], "--")]; f != nil && f.value != "" && !strings.Contains(rest[i], "=") {
			i++ // its value
		}
	}
	if k < 0 {
		return tool.Result{}, false
	}
	sa, err := parseArgs(sub, rest[k+1:])
	if err == errHelp {
		return tool.Result{Output: helpTexts()["login mfa-token-sign"]}, true
	}
	if err != nil {
		return tool.Result{Output: err.Error()}, true
	}
	pa, err := parseArgs(parent, rest[:k])
	if err == errHelp {
		return tool.Result{Output: helpTexts()["login"]}, true
	}
	if err != nil {
		return tool.Result{Output: err.Error()}, true
	}
	for name, v := range sa.values {
		pa.values[name] = v
	}
	const path = "login mfa-token-sign"
	c := commands[path]
	pa.finish = func(r result) tool.Result { return t.finish(path, r) }
	if e := t.checkLogin(c); e != nil {
		r := t.finish(path, result{err: e, rc: t.refusal(c)})
		r.Changed = false
		return r, true
	}
	return t.finish(path, c.run(t, pa)), true
}

// finish prints a handler's result with its typed call, or asks its
// question (whose answer finishes through args.finish: see withPassword).
func (t *Tool) finish(path string, r result) tool.Result {
	if r.ask != nil {
		return tool.Result{Ask: r.ask}
	}
	call := t.note.call(path, r)
	if r.err != nil {
		return tool.Result{Output: reply(r.err.code, r.err.msg), Changed: true, Calls: []tool.Call{call}}
	}
	return tool.Result{Output: reply(0, r.data), Changed: true, Calls: []tool.Call{call}}
}

// help answers "help [command words]".
func (t *Tool) help(words []string) string {
	path := strings.Join(words, " ")
	if path == "" {
		return familyHelp("")
	}
	if h, ok := helpTexts()[path]; ok {
		return h
	}
	if isFamily(path) {
		return familyHelp(path)
	}
	return unknownCommand(words[len(words)-1], strings.Join(words[:len(words)-1], " "))
}

// unknownCommand is the parser's answer to a word that is no command.
func unknownCommand(word, family string) string {
	usage := family
	if usage == "" {
		usage = Name
	}
	return (&usageError{msg: fmt.Sprintf("unrecognized subcommand '%s'", word), usage: usage + " <COMMAND>"}).Error()
}

var specs = map[string]*spec{}

// specOf parses a command's help text once, when it is first used.
func specOf(path string) *spec {
	if sp, ok := specs[path]; ok {
		return sp
	}
	sp := parseSpec(helpTexts()[path])
	for _, g := range impliedGroups[path] {
		for _, n := range g {
			sp.flags[n].required = false
		}
		sp.groups = append(sp.groups, g)
	}
	specs[path] = sp
	return sp
}

// Close logs out, which destroys the session's session keys.
func (t *Tool) Close() tool.Result {
	if t.Session != nil {
		t.Cluster.Logout(t.Session)
		t.Session, t.role = nil, ""
		return tool.Result{Changed: true}
	}
	return tool.Result{}
}

// Complete says what the word being typed is: a command word, an option of
// the command, or an option's value (a user name, a file, a filter, one of
// its possible values).
func (t *Tool) Complete(line string) tool.Slot {
	words, last, err := cmdline.SplitTyping(line)
	if err != nil {
		return tool.Slot{None: true}
	}
	helping := len(words) > 0 && words[0] == "help"
	if helping {
		words = words[1:]
	}
	if len(words) > 0 && words[0] == "login" && !helping {
		return completeLogin(words[1:], last)
	}
	path := strings.Join(words, " ")
	if commands[path] == nil && (path == "" || isFamily(path)) || helping && isFamily(path) {
		return tool.Slot{Kind: tool.Literal, Choices: tool.Words(children(path)...), Word: last}
	}
	for i := len(words); i > 0; i-- {
		p := strings.Join(words[:i], " ")
		if commands[p] == nil {
			continue
		}
		return completeOption(specOf(p), words[i:], last)
	}
	return tool.Slot{None: true}
}

// completeLogin completes login's options and, among them, the
// subcommand mfa-token-sign; after that word, the subcommand's options.
func completeLogin(rest []string, last string) tool.Slot {
	for i, w := range rest {
		if w == "mfa-token-sign" {
			return completeOption(specOf("login mfa-token-sign"), rest[i+1:], last)
		}
	}
	sl := completeOption(specOf("login"), rest, last)
	if sl.Kind == tool.Literal {
		sl.Choices = append(sl.Choices, tool.Words("mfa-token-sign")...)
	}
	return sl
}

// completeOption completes after a command's words: the value of the option
// the last words left open, or the options not given yet.
func completeOption(sp *spec, rest []string, last string) tool.Slot {
	var open *flagSpec
	given := map[string]bool{}
	for _, w := range rest {
		if f := sp.flags[strings.TrimPrefix(w, "--")]; strings.HasPrefix(w, "--") && f != nil {
			given[f.name] = true
			open = f
			if f.value == "" {
				open = nil
			}
			continue
		}
		if open != nil && !open.multi {
			open = nil
		}
	}
	if open != nil && !strings.HasPrefix(last, "-") {
		return valueSlot(open, last)
	}
	var opts []string
	for _, n := range sp.order {
		if !given[n] || sp.flags[n].multi {
			opts = append(opts, "--"+n)
		}
	}
	return tool.Slot{Kind: tool.Literal, Choices: tool.Words(append(opts, "--help")...), Word: last}
}

// valueSlot is what an option's value is, by its name and placeholder.
func valueSlot(f *flagSpec, last string) tool.Slot {
	switch {
	case f.choices != nil:
		return tool.Slot{Kind: tool.Literal, Choices: tool.Words(f.choices...), Word: last}
	case f.name == "password" || f.name == "change-password":
		return tool.Slot{Kind: tool.Secret, Word: last}
	case f.name == "username" || strings.HasSuffix(f.name, "crypto-users"):
		return tool.Slot{Kind: tool.UserName, Word: last}
	case strings.HasSuffix(f.name, "filter"):
		names := []string{"key-reference=0x"}
		for _, a := range attributeNames {
			names = append(names, "attr."+a+"=")
		}
		return tool.Slot{Kind: tool.Literal, Choices: tool.Words(names...), Word: last}
	case strings.HasSuffix(f.name, "path") || f.name == "token" || f.name == "approval" || f.name == "public-key" || f.name == "signed-token":
		return tool.Slot{Kind: tool.File, Word: last}
	}
	return tool.Slot{Kind: tool.Text, Word: last}
}

// Usage is what cloudhsm-cli prints when started with no arguments.
func Usage() string {
	return "Usage: cloudhsm-cli [OPTIONS] <COMMAND>\n\nCommands:\n  interactive  Start an interactive session\n  <COMMAND>    Run one command (see help); log in with CLOUDHSM_ROLE and CLOUDHSM_PIN=username:password\n"
}

// SingleCommand runs one command the way "cloudhsm-cli COMMAND" does from
// a shell: logged in with role and pin ("username:password") when both are
// set, logged out after.
func (t *Tool) SingleCommand(words []string, role, pin string) tool.Result {
	var out tool.Result
	if role != "" && pin != "" {
		name, pw, _ := strings.Cut(pin, ":")
		if role != "admin" && role != "crypto-user" {
			return tool.Result{Output: reply(1, fmt.Sprintf("Invalid CLOUDHSM_ROLE %q: use admin or crypto-user", role))}
		}
		t.note = callNote{}
		s, st := t.Cluster.Login(hsmRole(role), name, pw, t.nodeIDs())
		if s == nil {
			t.note.status(st)
			return t.finish("login", rcFail(st.First()))
		}
		t.Session, t.role = s, role
		out.Changed = true
	}
	r := t.run(words)
	r.Ask = nil
	out = tool.Merge(out, r)
	out.Exit = false
	return tool.Merge(out, t.Close())
}
