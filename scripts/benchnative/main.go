//go:debug cryptocustomrand=1

// Command benchnative is the native half of make bench (scripts/bench.sh):
//
//	benchnative rsa [-seed N] [-n2048 N] [-n4096 N]
//	    times genRSAKeyPair through the same engine API the browser worker
//	    uses (shell.Session.Exec), with the same seed and the same lines as
//	    the browser benchmark, so both generate the very same keys; prints
//	    JSON {"rsa2048Ms": [...], "rsa4096Ms": [...]}.
//	benchnative fixture FILE
//	    writes a state document whose HSMs hold 3,299 keys each (one short
//	    of the 3,300-key limit, so a benchmark can add one and delete it
//	    again), for the browser's reload and commit benchmarks.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchnative rsa [-seed N] [-n2048 N] [-n4096 N] | benchnative fixture FILE")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "rsa":
		err = rsaBench(os.Args[2:])
	case "fixture":
		if len(os.Args) != 3 {
			err = fmt.Errorf("usage: benchnative fixture FILE")
		} else {
			err = fixture(os.Args[2])
		}
	default:
		err = fmt.Errorf("unknown benchmark %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchnative:", err)
		os.Exit(1)
	}
}

// rsaLines are the lines the browser benchmark types too, in order.
func rsaLines(n2048, n4096 int) []string {
	lines := []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password"}
	for i := 0; i < n2048; i++ {
		lines = append(lines, fmt.Sprintf("genRSAKeyPair -m 2048 -e 65537 -l bench2048-%d", i))
	}
	for i := 0; i < n4096; i++ {
		lines = append(lines, fmt.Sprintf("genRSAKeyPair -m 4096 -e 65537 -l bench4096-%d", i))
	}
	return lines
}

func rsaBench(args []string) error {
	fs := flag.NewFlagSet("rsa", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "seed of the session's randomness")
	n2048 := fs.Int("n2048", 10, "RSA-2048 keys to generate")
	n4096 := fs.Int("n4096", 4, "RSA-4096 keys to generate")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(*seed)})
	if err != nil {
		return err
	}
	out := map[string][]float64{"rsa2048Ms": {}, "rsa4096Ms": {}}
	for _, line := range rsaLines(*n2048, *n4096) {
		start := time.Now()
		r := s.Exec(line)
		ms := float64(time.Since(start).Microseconds()) / 1000
		switch {
		case strings.Contains(line, "-m 2048"):
			out["rsa2048Ms"] = append(out["rsa2048Ms"], ms)
		case strings.Contains(line, "-m 4096"):
			out["rsa4096Ms"] = append(out["rsa4096Ms"], ms)
		}
		if strings.HasPrefix(line, "genRSAKeyPair") && !strings.Contains(r.Output, "returned: 0x00") {
			return fmt.Errorf("%s failed:\n%s", line, r.Output)
		}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// fixture fills the default cluster up to 3,299 keys per HSM with copies of
// keys example_user made (AES, RSA-2048 and EC pairs), so that its records
// have the sizes real keys have.
func fixture(path string) error {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(3300)})
	if err != nil {
		return err
	}
	var made []uint64
	for _, line := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l tmpl-aes", "genRSAKeyPair -m 2048 -e 65537 -l tmpl-rsa", "genECCKeyPair -i 2 -l tmpl-ec"} {
		r := s.Exec(line)
		made = append(made, r.Touched...)
	}
	s.Exec("exit")
	c := s.Cluster
	if err := c.FillWithCopies(made, c.KeyLimit()-1, func(i int) string { return fmt.Sprintf("bulk-%d", i) }); err != nil {
		return err
	}
	doc, err := state.Encode(c, s.Files())
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d keys per HSM, %d bytes\n", path, c.CountObjects(), len(doc))
	return nil
}
