//go:debug cryptocustomrand=1

// Command hsmsim is the native face of the simulator: an interactive shell
// with key_mgmt_util and cloudhsm_mgmt_util, a script runner that prints a
// transcript, and a local server for the playground.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// config is what the common flags say.
type config struct {
	statePath string
	dir       string
	seed      uint64
	seeded    bool
	fresh     bool
	scenario  string
}

func commonFlags(fs *flag.FlagSet, c *config) {
	fs.StringVar(&c.statePath, "state", "", "keep the cluster and its files in `FILE` between runs")
	fs.StringVar(&c.dir, "dir", "", "keep the tools' files in the real directory `DIR` instead of in the state")
	fs.Func("seed", "make the run reproducible: derive all randomness from `N`", func(s string) error {
		_, err := fmt.Sscan(s, &c.seed)
		c.seeded = err == nil
		if err != nil {
			return errors.New("seed must be a non-negative integer")
		}
		return nil
	})
	fs.BoolVar(&c.fresh, "fresh", false, "start an uninitialised cluster (only the precrypto officer)")
	fs.StringVar(&c.scenario, "scenario", "", "start from the built-in scenario `NAME`")
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "run":
			return runScript(args[1:], stdout, stderr)
		case "serve":
			return serve(args[1:], stdout, stderr)
		case "migrate":
			return migrateScript(args[1:], stdout, stderr)
		case "help", "-h", "--help":
			usage(stdout)
			return 0
		}
	}
	var c config
	fs := flag.NewFlagSet("hsmsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	commonFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hsmsim: unexpected argument %q\n", fs.Arg(0))
		usage(stderr)
		return 2
	}
	ws, err := open(c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	defer ws.close()
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return ws.repl(f, stdout, stderr)
	}
	return ws.script(stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `hsmsim: an AWS CloudHSM cluster, simulated.

Usage:
  hsmsim [flags]                 interactive shell; with a script on stdin, print its transcript
  hsmsim run [flags] FILE        run a script (one line per command) and print its transcript
  hsmsim run --check FILE.md     replay a Markdown transcript; fail with a diff where the output differs
  hsmsim migrate [flags] FILE    rewrite a key_mgmt_util / cloudhsm_mgmt_util script into
                                 CloudHSM CLI commands (a comment where there is none)
  hsmsim serve [--addr A] [--root DIR] [--data DIR]
                                 serve the browser playground (make site builds it) and
                                 its API at http://127.0.0.1:8080 or the address A;
                                 shared workspaces are kept in --data

Flags:
  --state FILE     keep the cluster and its files in FILE between runs
  --dir DIR        keep the tools' files in the real directory DIR
  --seed N         derive all randomness from N (reproducible keys, handles and output)
  --fresh          start an uninitialised cluster (only the precrypto officer)
  --scenario NAME  start from a built-in scenario
`)
}

// workspace is a shell session and where its state is kept.
type workspace struct {
	sess    *shell.Session
	journal *state.Journal // nil without --state
}

func open(c config, stderr io.Writer) (*workspace, error) {
	opt := shell.Options{Dir: c.dir, Scenario: c.scenario}
	if c.fresh {
		if c.scenario != "" {
			return nil, errors.New("--fresh and --scenario cannot be used together")
		}
		opt.Scenario = "uninitialised"
	}
	if c.seeded {
		opt.Rand = shell.SeededRand(c.seed)
	}
	ws := &workspace{}
	if c.statePath != "" {
		j, cl, files, err := state.OpenJournal(c.statePath)
		if err != nil {
			if errors.Is(err, state.ErrLocked) {
				return nil, err
			}
			return nil, fmt.Errorf("cannot load %s (left untouched): %v", c.statePath, err)
		}
		for _, n := range j.Notes {
			fmt.Fprintf(stderr, "hsmsim: %s\n", n)
		}
		ws.journal = j
		if cl != nil {
			if c.fresh || c.scenario != "" {
				j.Close()
				return nil, fmt.Errorf("%s already holds a workspace; remove it to start from a scenario", c.statePath)
			}
			opt.Cluster, opt.Files = cl, files
		}
	}
	sess, err := shell.New(opt)
	if err != nil {
		ws.close()
		return nil, err
	}
	ws.sess = sess
	if ws.journal != nil && opt.Cluster == nil {
		if err := ws.journal.Create(sess.Cluster, sess.Files()); err != nil {
			ws.close()
			return nil, err
		}
	}
	return ws, nil
}

// save makes a command's change durable (one journal line natively) before
// its answer is shown. What changed is what the cluster recorded changing.
func (ws *workspace) save() error {
	if ws.journal == nil {
		return nil
	}
	return ws.journal.Save(ws.sess.Cluster, ws.sess.Files())
}

// close folds the journal into the state document, so that after a clean
// exit the file is a whole workspace document again, and releases the lock.
func (ws *workspace) close() {
	if ws.journal == nil {
		return
	}
	if ws.sess != nil && ws.journal.Pending() {
		_ = ws.journal.Compact(ws.sess.Cluster, ws.sess.Files())
	}
	ws.journal.Close()
	ws.journal = nil
}
