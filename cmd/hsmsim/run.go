package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// runScript is "hsmsim run FILE": the script's lines through the shell, with
// the transcript on stdout.
func runScript(args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("hsmsim run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: hsmsim run [flags] FILE")
		return 2
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	defer f.Close()
	ws, err := open(c)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	return ws.script(f, stdout, stderr)
}
