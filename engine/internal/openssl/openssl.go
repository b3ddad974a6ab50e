// Package openssl is the small part of the openssl command line that the
// AWS CloudHSM pages use next to key_mgmt_util and cloudhsm_mgmt_util:
// random key files, RSA and EC key pairs, public-key export, digests and
// signatures, raw-key AES encryption. It behaves like OpenSSL 3.0 (flag
// names, file formats, messages) and its files are real: the openssl
// binary reads what it writes and the other way round.
//
// It is a subset and says so: commands and options it does not implement
// are refused with a message naming the simulator, never imitated. There
// is no terminal behind it, so pass phrases come only from pass:<phrase>
// arguments, there is no standard input, and binary output meant for the
// console is replaced by a note.
//
// All randomness comes from the caller's reader, so a seeded reader makes
// every key, IV and signature reproducible. Output files are written only
// after a command has fully succeeded.
package openssl

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// subsetNames lists the supported commands in the order the version line
// and the refusal message name them.
var subsetNames = []string{"rand", "genrsa", "genpkey", "ecparam", "rsa", "pkey", "ec", "dgst", "pkeyutl", "enc", "req", "version"}

// versionLine is what `openssl version` prints: it must not be mistaken
// for a real OpenSSL build.
var versionLine = "OpenSSL 3.0 subset (hsmsim): " + strings.Join(subsetNames, ", ")

// maxOutput bounds what one command may produce (random bytes, files), far
// below what would strain the browser's storage.
const maxOutput = 1 << 20

// ctx is one command run: console output, pending file writes and the
// random source.
type ctx struct {
	cmd     string
	fs      vfs.FS
	rand    io.Reader
	out     strings.Builder
	writes  []pendingWrite
	written map[string]bool
}

type pendingWrite struct {
	name string
	data []byte
}

// errFailed ends a command whose error lines have already been printed.
var errFailed = errors.New("openssl: command failed")

// Run executes `openssl <args...>` against the workspace files. It returns
// what OpenSSL would print on stdout/stderr (combined, in order) and
// whether it changed files.
func Run(args []string, fs vfs.FS, rand io.Reader) (output string, changed bool) {
	c := &ctx{fs: fs, rand: rand, written: map[string]bool{}}
	if len(args) == 0 {
		return "openssl: give a command; the hsmsim simulator's openssl subset supports: " + strings.Join(subsetNames, ", ") + "\n", false
	}
	c.cmd = args[0]
	run, ok := commands()[c.cmd]
	if !ok {
		return fmt.Sprintf("openssl: '%s' is not part of the hsmsim simulator's openssl subset (supported: %s)\n",
			c.cmd, strings.Join(subsetNames, ", ")), false
	}
	if err := c.safeRun(run, args[1:]); err == nil {
		_ = c.commit() // a failed write has printed its message
	}
	return c.out.String(), len(c.written) > 0
}

// safeRun runs a command and turns an unexpected panic into an error
// message, so a bug can never take the simulator down.
func (c *ctx) safeRun(run func(*ctx, []string) error, args []string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.printf("%s: internal error in the hsmsim simulator: %v\n", c.cmd, r)
			err = errFailed
		}
	}()
	return run(c, args)
}

func commands() map[string]func(*ctx, []string) error {
	return map[string]func(*ctx, []string) error{
		"rand":    runRand,
		"genrsa":  runGenRSA,
		"genpkey": runGenPkey,
		"ecparam": runECParam,
		"rsa":     runRSA,
		"pkey":    runPkey,
		"ec":      runEC,
		"dgst":    runDgst,
		"pkeyutl": runPkeyutl,
		"enc":     runEnc,
		"req":     runReq,
		"version": runVersion,
	}
}

func (c *ctx) printf(format string, a ...any) { fmt.Fprintf(&c.out, format, a...) }

// fail prints lines (each gets a newline) and returns errFailed.
func (c *ctx) fail(lines ...string) error {
	for _, l := range lines {
		c.out.WriteString(l)
		c.out.WriteByte('\n')
	}
	return errFailed
}

// usageFail prints "<cmd>: <msg>" (if any) and the -help hint.
func (c *ctx) usageFail(msg string) error {
	if msg != "" {
		c.printf("%s: %s\n", c.cmd, msg)
	}
	return c.fail(c.cmd + ": Use -help for summary.")
}

// note explains something the simulator does differently from a real
// terminal; it is marked so nobody takes it for OpenSSL's own text.
func (c *ctx) note(format string, a ...any) {
	c.printf("hsmsim: "+format+"\n", a...)
}

// readFile reads a workspace file by the name the user typed.
func (c *ctx) readFile(name string) ([]byte, error) {
	n, err := vfs.CleanName(name)
	if err != nil {
		return nil, err
	}
	return c.fs.ReadFile(n)
}

// readData reads a data file (dgst, pkeyutl -in, enc -in) and prints
// OpenSSL's message when it cannot.
func (c *ctx) readData(name string) ([]byte, error) {
	data, err := c.readFile(name)
	if err != nil {
		c.printf("%s: %s\n", name, fileErrText(err))
		return nil, errFailed
	}
	return data, nil
}

// fileErrText is the reason part of a file error, in the words of the C
// library where there is one.
func fileErrText(err error) string { return vfs.Reason(err) }

// checkOut validates an output file name before any work is done, so that
// a typo does not waste a key generation.
func (c *ctx) checkOut(name string) error {
	if name == "" {
		return nil
	}
	if err := vfs.CheckWritable(c.fs, name); err != nil {
		return c.fail(fmt.Sprintf("Can't open \"%s\" for writing, %s", name, fileErrText(err)))
	}
	return nil
}

// emit sends command output to -out (written when the command succeeds)
// or to the console. Binary data is never printed: the console shows a
// note instead.
func (c *ctx) emit(outFile string, data []byte, binary bool, hint string) {
	if outFile != "" {
		c.queueWrite(outFile, data)
		return
	}
	if binary {
		c.note("%d bytes of binary output are not shown on this console; %s", len(data), hint)
		return
	}
	c.out.Write(data)
}

// queueWrite appends data to the pending content of a file (several
// outputs of one command may go to the same -out file).
func (c *ctx) queueWrite(name string, data []byte) {
	n, err := vfs.CleanName(name)
	if err != nil {
		n = name
	}
	for i := range c.writes {
		if c.writes[i].name == n {
			c.writes[i].data = append(c.writes[i].data, data...)
			return
		}
	}
	c.writes = append(c.writes, pendingWrite{name: n, data: append([]byte(nil), data...)})
}

// commit writes the pending files once the command has succeeded.
func (c *ctx) commit() error {
	for _, w := range c.writes {
		if len(w.data) > vfs.MaxFileSize {
			c.printf("Can't open \"%s\" for writing, file too large (%d bytes, at most %d)\n", w.name, len(w.data), vfs.MaxFileSize)
			return errFailed
		}
	}
	for _, w := range c.writes {
		if err := c.fs.WriteFile(w.name, w.data); err != nil {
			c.printf("Can't open \"%s\" for writing, %v\n", w.name, err)
			return errFailed
		}
		c.written[w.name] = true
	}
	return nil
}

// readRandom fills b from the caller's reader.
func (c *ctx) readRandom(b []byte) error {
	if c.rand == nil {
		return errors.New("no random source")
	}
	_, err := io.ReadFull(c.rand, b)
	return err
}

func runVersion(c *ctx, args []string) error {
	spec := &cmdSpec{
		usage: "version [options]",
		opts: []optDef{
			{"a", flagOpt, "", "Show all data"},
			{"v", flagOpt, "", "Show library version"},
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra parameter error \"" + o.pos[0] + "\"")
	}
	c.printf("%s\n", versionLine)
	return nil
}
