package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

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
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{in, stdout}, shell.HostPrompt)
	t.AutoCompleteCallback = func(line string, pos int, key rune) (string, int, bool) {
		if key != '\t' || pos != len(line) {
			return "", 0, false
		}
		cands := ws.sess.Complete(line)
		if len(cands) == 0 {
			return "", 0, false
		}
		cut := strings.LastIndexAny(line, " ") + 1
		if len(cands) == 1 {
			nl := line[:cut] + cands[0] + " "
			return nl, len(nl), true
		}
		fmt.Fprintf(t, "\r\n%s\r\n", strings.Join(cands, "  "))
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
			fmt.Fprint(t, strings.ReplaceAll(rep.Output, "\n", "\r\n"))
			if rep.Changed {
				if err := ws.save(); err != nil {
					fmt.Fprintf(t, "hsmsim: cannot save: %v\r\n", err)
					return 1
				}
			}
			return 0
		}
		rep := ws.sess.Exec(line)
		secret = rep.Secret
		fmt.Fprint(t, strings.ReplaceAll(rep.Output, "\n", "\r\n"))
		if rep.Changed {
			if err := ws.save(); err != nil {
				fmt.Fprintf(t, "hsmsim: cannot save the state: %v\r\n", err)
			}
		}
		if rep.Exit {
			return 0
		}
	}
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
// typed at a prompt) is not echoed.
func (ws *workspace) script(in io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	for sc.Scan() {
		step, rep := ws.sess.Step(sc.Text())
		w.WriteString(step.String())
		if rep.Changed {
			if err := ws.save(); err != nil {
				w.Flush()
				fmt.Fprintf(stderr, "hsmsim: cannot save the state: %v\n", err)
				return 1
			}
		}
		if rep.Exit {
			return 0
		}
	}
	rep := ws.sess.Close()
	w.WriteString(rep.Output)
	if rep.Changed {
		if err := ws.save(); err != nil {
			w.Flush()
			fmt.Fprintf(stderr, "hsmsim: cannot save the state: %v\n", err)
			return 1
		}
	}
	return 0
}
