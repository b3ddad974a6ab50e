package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hsmsim/hsmsim/engine/transcript"
)

// runScript is "hsmsim run FILE": the script's lines through the shell, with
// the transcript on stdout; "hsmsim run --check FILE.md" replays a Markdown
// transcript and fails, with a diff, where the output differs.
func runScript(args []string, stdout, stderr io.Writer) int {
	var c config
	var check bool
	var password string
	fs := flag.NewFlagSet("hsmsim run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &c)
	fs.BoolVar(&check, "check", false, "replay a Markdown transcript and report where the output differs")
	fs.StringVar(&password, "password", "password", "what masked passwords (********) stand for")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: hsmsim run [--check] [flags] FILE")
		return 2
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	if check {
		return checkTranscript(c, fs.Arg(0), string(b), password, stdout, stderr)
	}
	ws, err := open(c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	defer ws.close()
	var in strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		in.WriteString(strings.ReplaceAll(sc.Text(), transcript.Mask, password) + "\n")
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "hsmsim: %s: line %d is longer than %d bytes; nothing was run\n", fs.Arg(0), n+1, MaxLine)
		return 1
	}
	return ws.script(strings.NewReader(in.String()), stdout, stderr)
}

func checkTranscript(c config, name, md, password string, stdout, stderr io.Writer) int {
	meta, text, err := transcript.ParseMarkdown(md)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %s: %v\n", name, err)
		return 1
	}
	// The transcript's own header wins over flags, so a docs page checks
	// the same way everywhere.
	if meta.Seed != nil {
		c.seed, c.seeded = *meta.Seed, true
	}
	if meta.Scenario != "" {
		c.scenario = meta.Scenario
	}
	c.statePath = ""
	ws, err := open(c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	bad, steps, err := transcript.Check(ws.sess, text, password)
	for _, m := range bad {
		fmt.Fprintf(stdout, "%s: %s\n", name, m.Diff())
	}
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %s: %v\n", name, err)
		return 1
	}
	if len(bad) > 0 {
		fmt.Fprintf(stdout, "%s: %d of %d steps differ\n", name, len(bad), steps)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d steps, output matches\n", name, steps)
	return 0
}
