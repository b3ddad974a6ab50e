package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// Welcome is printed when the interactive shell starts.
const Welcome = `hsmsim — an AWS CloudHSM cluster, simulated. Three HSMs, real keys, the real tools' output.

Users: admin (CO), example_user and alice (CU) — password 'password'; app_user (AU).
Try:   key_mgmt_util
       loginHSM -u CU -s example_user -p password
       genSymKey -t 31 -s 32 -l aes256
Type help here, or help inside a tool. Ctrl-D leaves.
`

// repl runs the interactive shell on a terminal, with line editing,
// history and completion.
func (ws *workspace) repl(in *os.File, stdout, stderr io.Writer) int {
	old, err := term.MakeRaw(int(in.Fd()))
	if err != nil {
		return ws.script(in, stdout, stderr)
	}
	defer term.Restore(int(in.Fd()), old)
	kb := newKeyboard(&validUTF8{r: in})
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{kb, stdout}, shell.HostPrompt)
	t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
		if key != '\t' || pos != len(line) {
			return "", 0, false
		}
		comps := ws.sess.Completions(line)
		if len(comps) == 0 {
			return "", 0, false
		}
		cands := make([]string, len(comps))
		for i, c := range comps {
			cands[i] = c.Value
		}
		cut := strings.LastIndexAny(line, " ") + 1
		if len(cands) == 1 {
			nl := line[:cut] + cands[0] + " "
			return nl, len(nl), true
		}
		fmt.Fprintf(t, "\r\n%s", completionList(comps))
		common := commonPrefix(cands)
		nl := line[:cut] + common
		return nl, len(nl), true
	}
	fmt.Fprint(t, strings.ReplaceAll(Welcome, "\n", "\r\n"))
	secret := false
	for {
		t.SetPrompt(ws.sess.Prompt())
		var line string
		var err error
		if secret {
			line, err = t.ReadPassword(ws.sess.Prompt())
		} else {
			line, err = t.ReadLine()
		}
		if err == term.ErrPasteIndicator {
			err = nil
		}
		if err != nil {
			rep := ws.sess.Close()
			if rep.Changed {
				if err := ws.save(); err != nil {
					fmt.Fprintf(t, "hsmsim: cannot save: %v\r\n", err)
					return 1
				}
			}
			fmt.Fprint(t, strings.ReplaceAll(rep.Output, "\n", "\r\n"))
			return 0
		}
		ctx, cancel := context.WithCancel(context.Background())
		kb.running(cancel)
		rep := ws.sess.ExecContext(ctx, line)
		kb.running(nil)
		cancel()
		secret = rep.Secret
		// Save, then answer: what the command printed is shown once its
		// change is on disk, so nothing the user saw confirmed is lost.
		var serr error
		if rep.Changed {
			serr = ws.save()
		}
		fmt.Fprint(t, strings.ReplaceAll(rep.Output, "\n", "\r\n"))
		if serr != nil {
			fmt.Fprintf(t, "hsmsim: cannot save the state: %v\r\n", serr)
		}
		if rep.Exit {
			return 0
		}
	}
}

// completionList lays candidates out for the terminal: on one line when
// they are bare words, one a line with their meaning when they have one
// ("355  OBJ_ATTR_LOCAL").
func completionList(cs []shell.Completion) string {
	width, noted := 0, false
	for _, c := range cs {
		width = max(width, len(c.Value))
		noted = noted || c.Note != ""
	}
	var b strings.Builder
	if !noted {
		for i, c := range cs {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c.Value)
		}
		b.WriteString("\r\n")
		return b.String()
	}
	for _, c := range cs {
		fmt.Fprintf(&b, "%-*s  %s\r\n", width, c.Value, c.Note)
	}
	return b.String()
}

func commonPrefix(xs []string) string {
	p := xs[0]
	for _, x := range xs[1:] {
		for !strings.HasPrefix(x, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}

// script runs lines from a non-terminal stdin and prints a transcript: each
// line after its prompt, as the docs show them. A hidden answer (a password
// typed at a prompt) is not echoed. Each line's change is saved before its
// output is written. Ctrl-C (SIGINT) stops the line that runs and ends the
// script with status 130; a line longer than MaxLine ends it with an error.
func (ws *workspace) script(in io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	intr := newInterrupts()
	defer intr.stop()
	n := 0
	for sc.Scan() {
		n++
		ctx, cancel := intr.command()
		step, rep := ws.sess.StepContext(ctx, sc.Text())
		cancel()
		if rep.Changed {
			if err := ws.save(); err != nil {
				w.Flush()
				fmt.Fprintf(stderr, "hsmsim: cannot save the state: %v\n", err)
				return 1
			}
		}
		w.WriteString(step.String())
		// Each answer goes out as soon as it is saved, so what a reader
		// of the transcript saw is on disk, whenever the process stops.
		w.Flush()
		if rep.Exit {
			return 0
		}
		if intr.interrupted() {
			w.Flush()
			return 130
		}
	}
	if err := sc.Err(); err != nil {
		w.Flush()
		if errors.Is(err, bufio.ErrTooLong) {
			fmt.Fprintf(stderr, "hsmsim: line %d is longer than %d bytes; the script stops there\n", n+1, MaxLine)
		} else {
			fmt.Fprintf(stderr, "hsmsim: cannot read the script: %v\n", err)
		}
		ws.closeAndSave(w, stderr)
		return 1
	}
	if ws.closeAndSave(w, stderr) != nil {
		return 1
	}
	return 0
}

// closeAndSave ends the running tool as quitting it does and saves what
// that changed.
func (ws *workspace) closeAndSave(w *bufio.Writer, stderr io.Writer) error {
	rep := ws.sess.Close()
	if rep.Changed {
		if err := ws.save(); err != nil {
			w.Flush()
			fmt.Fprintf(stderr, "hsmsim: cannot save the state: %v\n", err)
			return err
		}
	}
	w.WriteString(rep.Output)
	return nil
}

// MaxLine bounds one line of a script.
const MaxLine = 1 << 20

// interrupts turns SIGINT into the cancel of the line that runs.
type interrupts struct {
	ch   chan os.Signal
	mu   sync.Mutex
	stop func()
	hit  bool
	cur  context.CancelFunc
}

func newInterrupts() *interrupts {
	in := &interrupts{ch: make(chan os.Signal, 1)}
	signal.Notify(in.ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-in.ch:
				in.mu.Lock()
				in.hit = true
				if in.cur != nil {
					in.cur()
				}
				in.mu.Unlock()
			case <-done:
				return
			}
		}
	}()
	in.stop = func() { signal.Stop(in.ch); close(done) }
	return in
}

// command is the context of the next line.
func (in *interrupts) command() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	in.mu.Lock()
	in.cur = cancel
	if in.hit {
		cancel()
	}
	in.mu.Unlock()
	return ctx, func() {
		in.mu.Lock()
		in.cur = nil
		in.mu.Unlock()
		cancel()
	}
}

func (in *interrupts) interrupted() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.hit
}
