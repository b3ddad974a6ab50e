package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// migrateScript prints a key_mgmt_util / cloudhsm_mgmt_util script
// rewritten into CloudHSM CLI commands, for the cluster the common flags
// open (user ids become its user names).
func migrateScript(args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("hsmsim migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	commonFlags(fs, &c)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: hsmsim migrate [flags] FILE")
		return 2
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	if len(b) > MaxLine*16 {
		fmt.Fprintf(stderr, "hsmsim: %s is larger than %d bytes\n", fs.Arg(0), MaxLine*16)
		return 1
	}
	ws, err := open(c, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hsmsim: %v\n", err)
		return 1
	}
	defer ws.close()
	fmt.Fprint(stdout, shell.Migrate(ws.sess, string(b)))
	return 0
}
