// Package shell is the host shell around the CloudHSM tools: the "$" prompt
// where a learner starts key_mgmt_util or cloudhsm_mgmt_util, looks at the
// files the tools wrote, runs the part of openssl the docs use beside them,
// and takes HSMs offline to see a cluster drift. A Session is the whole
// simulated machine: the native hsmsim tool, the browser worker and the HTTP
// API all drive one through Exec.
package shell

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/cmu"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/state"
)

// HostPrompt is the host shell's prompt.
const HostPrompt = "$ "

// Options configure a new Session.
type Options struct {
	// Rand is the source of all randomness; nil means crypto/rand. A seeded
	// source makes a run reproducible byte for byte.
	Rand io.Reader
	// Scenario names the built-in scenario to start from ("" = default).
	Scenario string
	// State, when set, is a saved workspace to resume instead.
	State []byte
	// Dir, when set, keeps the tools' files in a real directory.
	Dir string
	// Cluster and Files, when Cluster is set, are a workspace already
	// decoded (from the browser's records), taken as they are.
	Cluster *hsm.Cluster
	Files   map[string][]byte
	// MaxOutput, when positive, bounds what one line may print: a longer
	// output is cut and its Reply is marked Cut (the API's limit).
	MaxOutput int
}

// Session is one simulated machine: a cluster, its files, and whatever
// tool is running.
type Session struct {
	Cluster *hsm.Cluster
	FS      vfs.FS
	Rand    io.Reader

	// cwd is the host shell's working folder (canonical, "" for /); a new
	// session starts at the root, where the workspace's files are.
	cwd string

	tool tool.Tool
	ask  *tool.Question

	maxOutput int
	// ctx is the context of the line running now (see ExecContext), and
	// interrupted the reason the session's randomness refused to go on.
	ctx         context.Context
	interrupted error
	// env holds the host shell's exported variables (CLOUDHSM_ROLE and
	// CLOUDHSM_PIN for CloudHSM CLI's single command mode); like a real
	// shell's, it lasts as long as the session.
	env map[string]string
	// sk is the copy of the session keys SessionKeys hands out.
	sk sessionKeyCache
	// sum is the last Summary and what it was made from.
	sum summaryCache
}

// New starts a session.
func New(opt Options) (*Session, error) {
	s := &Session{maxOutput: opt.MaxOutput}
	src := opt.Rand
	if src == nil {
		src = rand.Reader
	}
	s.Rand = interruptible{s: s, r: src}
	var files map[string][]byte
	var err error
	switch {
	case opt.Cluster != nil:
		if err = state.Check(opt.Cluster); err == nil {
			s.Cluster, files = opt.Cluster, opt.Files
		}
	case opt.State != nil:
		s.Cluster, files, err = state.Decode(opt.State)
	default:
		name := opt.Scenario
		if name == "" {
			name = "default"
		}
		var sc *scenario.Scenario
		if sc, err = scenario.Builtin(name); err == nil {
			s.Cluster, files, err = sc.Build()
		}
	}
	if err != nil {
		return nil, err
	}
	if opt.Dir != "" {
		s.FS = vfs.Dir{Root: opt.Dir}
		if opt.State == nil {
			// A fresh workspace brings its starting files into the directory,
			// without overwriting what is already there.
			for name, data := range files {
				if _, err := s.FS.ReadFile(name); vfs.IsNotExist(err) {
					if err := s.FS.WriteFile(name, data); err != nil {
						return nil, err
					}
				}
			}
		}
	} else {
		m := vfs.NewMem()
		if err := m.Restore(files); err != nil {
			return nil, err
		}
		s.FS = m
	}
	return s, nil
}

// Reply is the answer to one line.
type Reply struct {
	Output string `json:"output"`
	// Prompt is what to show before the next line.
	Prompt string `json:"prompt"`
	// Asking is set when the prompt is a question that the next line
	// answers; Secret when that answer must not be echoed or kept in
	// history (a password).
	Asking bool `json:"asking,omitempty"`
	Secret bool `json:"secret,omitempty"`
	// Changed reports that the state changed and must be saved.
	Changed bool `json:"changed,omitempty"`
	// Exit reports that the host shell itself was asked to end.
	Exit bool `json:"exit,omitempty"`
	// Interrupted reports that the line was stopped while it ran (see
	// ExecContext); Cut that its output passed Options.MaxOutput and was cut.
	Interrupted bool `json:"interrupted,omitempty"`
	Cut         bool `json:"cut,omitempty"`
	// Mode is "host", "key_mgmt_util" or "cloudhsm_mgmt_util".
	Mode string `json:"mode"`
	// Touched lists, in ascending order, the keys the line created or
	// changed that still exist, so the page can highlight them. It comes
	// from the cluster's record of its changes (hsm.Cluster.ChangesSince),
	// not from the tools.
	Touched []uint64 `json:"touched,omitempty"`
	// Calls is what the line asked of the HSMs and what each answered:
	// the return codes, handles and values of Output, as data (the tour's
	// explanations read them here, not from the text).
	Calls []Call `json:"calls,omitempty"`
}

// Call is one request a tool made of the HSMs and their answers.
type Call = tool.Call

// Prompt is the prompt currently shown.
func (s *Session) Prompt() string {
	if s.ask != nil {
		return s.ask.Prompt
	}
	if s.tool != nil {
		return s.tool.Prompt()
	}
	return HostPrompt
}

// Mode names the program that reads the next line.
func (s *Session) Mode() string {
	if s.tool != nil {
		return s.tool.Name()
	}
	return "host"
}

// loginTool is implemented by tools that log in to the HSMs.
type loginTool interface{ LoginSession() *hsm.Session }

// Login is the login session of the running tool, nil when no tool runs or
// nobody is logged in.
func (s *Session) Login() *hsm.Session {
	if lt, ok := s.tool.(loginTool); ok {
		return lt.LoginSession()
	}
	return nil
}

// Pending reports whether a question waits for an answer.
func (s *Session) Pending() bool { return s.ask != nil }

// PendingSecret reports whether the question waiting is for a secret.
func (s *Session) PendingSecret() bool { return s.ask != nil && s.ask.Secret }

// Exec runs one typed line and answers with its output and the next prompt.
func (s *Session) Exec(line string) Reply {
	line = strings.TrimRight(line, "\r\n")
	mark := s.Cluster.Mark()
	var r tool.Result
	switch {
	case s.ask != nil && s.ask.Shell && strings.HasPrefix(line, "!"):
		r = s.escape(s.ask, line[1:])
	case s.ask != nil:
		q := s.ask
		s.ask = nil
		r = q.Answer(line)
	case s.tool != nil:
		r = s.tool.Exec(line)
	default:
		r = s.host(line)
	}
	return s.finish(r, mark)
}

// escape runs a host shell line while question q waits (Question.Shell):
// the second terminal of the pages, where the user reads and signs the file
// the tool wrote. The tools do not start there: the first one is still
// waiting for its answer.
func (s *Session) escape(q *tool.Question, line string) tool.Result {
	words, _ := cmdline.Split(line)
	if len(words) > 0 && words[0] == "sudo" {
		words = words[1:]
	}
	if len(words) > 0 {
		name := words[0]
		if alias, ok := hostAliases[name]; ok {
			name = alias
		}
		switch name {
		case "key_mgmt_util", "cloudhsm_mgmt_util", "cloudhsm-cli", "exit":
			return tool.Result{Output: fmt.Sprintf("sh: %s: not while %s waits for an answer (answer it, or press Ctrl-C)\n", words[0], s.Mode()), Ask: q}
		}
	}
	r := s.host(line)
	r.Exit, r.Ask = false, q
	return r
}

// Interrupt drops a pending question, as Ctrl-C does at a (y/n) prompt:
// nothing it asked about happens.
func (s *Session) Interrupt() Reply {
	s.ask = nil
	return s.finish(tool.Result{}, s.Cluster.Mark())
}

// finish turns a tool's result into the reply. What the line changed in the
// cluster since mark decides, with the files the tool reports writing,
// whether the state must be saved, and which keys the page highlights.
func (s *Session) finish(r tool.Result, mark hsm.Mark) Reply {
	exitHost := false
	if r.Exit {
		if s.tool != nil {
			s.tool = nil
		} else {
			exitHost = true
		}
	}
	s.ask = r.Ask
	ch := s.Cluster.ChangesSince(mark)
	rep := Reply{Output: r.Output, Changed: r.Changed || !ch.Empty(), Touched: s.present(ch.Keys), Calls: r.Calls, Exit: exitHost}
	rep.Prompt = s.Prompt()
	rep.Mode = s.Mode()
	if s.ask != nil {
		rep.Asking, rep.Secret = true, s.ask.Secret
	}
	s.capOutput(&rep)
	return rep
}

// Close ends the running tool as quitting it would (session keys go).
func (s *Session) Close() Reply {
	s.ask = nil
	mark := s.Cluster.Mark()
	var r tool.Result
	if s.tool != nil {
		r = s.tool.Close()
		s.tool = nil
	}
	return s.finish(r, mark)
}

// present keeps the handles that name a key on some node.
func (s *Session) present(hs []uint64) []uint64 {
	var out []uint64
	for _, h := range hs {
		for _, n := range s.Cluster.Nodes {
			if n.Has(h) {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// Snapshot encodes the workspace for saving. With a real directory the files
// are not part of it.
func (s *Session) Snapshot() ([]byte, error) {
	var files map[string][]byte
	if m, ok := s.FS.(*vfs.Mem); ok {
		files = m.Snapshot()
	}
	return state.Encode(s.Cluster, files)
}

// startKMU starts key_mgmt_util. Its "singlecmd" form runs the commands
// that follow on one line (loginHSM ... then one command) and returns.
func (s *Session) startKMU(args []string) tool.Result {
	t := kmu.New(s.Cluster, s.wd(), s.Rand)
	if len(args) > 0 && args[0] == "singlecmd" {
		return s.singleCmd(t, args[1:])
	}
	if len(args) > 0 {
		return tool.Result{Output: fmt.Sprintf("key_mgmt_util: unexpected argument %q (start it with no arguments, or with singlecmd)\n", args[0])}
	}
	s.tool = t
	return tool.Result{}
}

// singleCmd splits "loginHSM -u CU -s u -p pw genSymKey ..." at each word
// that names a command and runs the commands in turn, then logs out.
func (s *Session) singleCmd(t *kmu.Tool, words []string) tool.Result {
	var cmds [][]string
	for _, w := range words {
		if kmu.Lookup(w) != nil || len(cmds) == 0 {
			cmds = append(cmds, nil)
		}
		cmds[len(cmds)-1] = append(cmds[len(cmds)-1], w)
	}
	var r tool.Result
	for _, c := range cmds {
		var q []string
		for _, w := range c {
			q = append(q, cmdline.Quote(w))
		}
		r = tool.Merge(r, t.Exec(strings.Join(q, " ")))
		if r.Ask != nil {
			r.Ask = nil
			r.Output += "\nsinglecmd cannot answer questions; give the password with -p (not -hpswd, nor the mask " + Masked + " history shows)\n"
			break
		}
	}
	r = tool.Merge(r, t.Close())
	r.Exit = false
	return r
}

func (s *Session) startCMU(args []string) tool.Result {
	if len(args) > 1 {
		return tool.Result{Output: "usage: cloudhsm_mgmt_util [config-file]\n"}
	}
	t := cmu.New(s.Cluster, s.wd(), s.Rand)
	s.tool = t
	return tool.Result{Output: t.Banner()}
}
