package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"
)

// TestMain lets the tests start this package's main as a real process (on
// a pseudo-terminal, or to kill it): the test binary runs main when
// HSMSIM_TEST_MAIN is set.
func TestMain(m *testing.M) {
	if os.Getenv("HSMSIM_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// command is the hsmsim process started with args.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "HSMSIM_TEST_MAIN=1")
	return cmd
}

// terminal is hsmsim running on a pseudo-terminal.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	ptmx *os.File

	mu   sync.Mutex
	out  bytes.Buffer
	seen int // output before this offset was already matched
	done chan struct{}
}

// waitLimit only keeps a broken build from hanging the test run; no test
// depends on how fast anything happens.
const waitLimit = 60 * time.Second

func startTerminal(t *testing.T, args ...string) *terminal {
	t.Helper()
	cmd := command(t, args...)
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	require.NoError(t, err)
	tm := &terminal{t: t, cmd: cmd, ptmx: ptmx, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ptmx.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				close(tm.done)
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		ptmx.Close()
	})
	return tm
}

func (tm *terminal) send(s string) {
	tm.t.Helper()
	_, err := tm.ptmx.Write([]byte(s))
	require.NoError(tm.t, err)
}

// expect waits until the output after the last match holds want.
func (tm *terminal) expect(want string) {
	tm.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		rest := tm.out.String()[tm.seen:]
		tm.mu.Unlock()
		if i := strings.Index(rest, want); i >= 0 {
			tm.seen += i + len(want)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("no %q in the terminal's output:\n%s", want, tm.out.String()[tm.seen:])
}

// exit waits for the process to end and returns its exit code.
func (tm *terminal) exit() int {
	tm.t.Helper()
	ch := make(chan error, 1)
	go func() { ch <- tm.cmd.Wait() }()
	select {
	case <-ch:
		return tm.cmd.ProcessState.ExitCode()
	case <-time.After(waitLimit):
		tm.t.Fatal("hsmsim did not end")
		return -1
	}
}

func TestTerminalDropsInvalidUTF8(t *testing.T) {
	tm := startTerminal(t, "--seed", "1")
	tm.expect("Ctrl-D leaves.")
	tm.expect("$ ")
	tm.send("\xff\xfe\r")
	tm.expect("$ ")
	tm.send("echo caf\xc3\xa9 \xe2\x82 ok\r")
	tm.expect("café  ok\r\n")
	tm.send("\x04")
	require.Equal(t, 0, tm.exit())
}

func TestTerminalCtrlCAfterInvalidBytes(t *testing.T) {
	tm := startTerminal(t)
	tm.expect("$ ")
	tm.send("\xff")
	tm.send("\x03")
	require.Equal(t, 0, tm.exit())
}

// Ctrl-C while an 8192-bit RSA key is generated stops it; the tool goes on.
func TestTerminalCtrlCStopsALongCommand(t *testing.T) {
	tm := startTerminal(t, "--seed", "1")
	tm.expect("$ ")
	tm.send("openssl genrsa -out big.pem 8192\r")
	tm.expect("openssl genrsa -out big.pem 8192\r\n")
	tm.send("\x03")
	tm.expect("hsmsim: interrupted")
	tm.send("ls\r")
	tm.expect("aes256.key")
	tm.send("\x04")
	require.Equal(t, 0, tm.exit())
	require.NotContains(t, tm.out.String(), "big.pem\r\n", "the interrupted command wrote no file")
}

func TestScriptLineOverOneMiBIsAnError(t *testing.T) {
	long := "echo " + strings.Repeat("x", MaxLine) + "\n"
	out, errOut, code := hsmsim(t, "echo before\n"+long+"echo after\n")
	require.Equal(t, 1, code)
	require.Equal(t, "$ echo before\nbefore\n", out)
	require.Equal(t, "hsmsim: line 2 is longer than 1048576 bytes; the script stops there\n", errOut)

	p := filepath.Join(t.TempDir(), "s.txt")
	require.NoError(t, os.WriteFile(p, []byte("echo before\n"+long), 0o600))
	out, errOut, code = hsmsim(t, "", "run", p)
	require.Equal(t, 1, code)
	require.Empty(t, out)
	require.Equal(t, "hsmsim: "+p+": line 2 is longer than 1048576 bytes; nothing was run\n", errOut)
}

// SIGINT stops the line that runs in a piped script and ends the script.
func TestScriptInterruptStopsTheLine(t *testing.T) {
	dir := t.TempDir()
	cmd := command(t, "--dir", dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var out bytes.Buffer
	var mu sync.Mutex
	cmd.Stdout = writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(b) })
	require.NoError(t, cmd.Start())
	defer cmd.Process.Kill()
	_, err = io.WriteString(stdin, "echo started\n")
	require.NoError(t, err)
	deadline := time.Now().Add(waitLimit)
	for {
		mu.Lock()
		ok := strings.Contains(out.String(), "started\n")
		mu.Unlock()
		if ok {
			break
		}
		require.True(t, time.Now().Before(deadline), "the script did not start")
		time.Sleep(5 * time.Millisecond)
	}
	_, err = io.WriteString(stdin, "openssl genrsa -out big.pem 8192\nls\n")
	require.NoError(t, err)
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
	err = cmd.Wait()
	require.Equal(t, 130, cmd.ProcessState.ExitCode(), "%v\n%s", err, out.String())
	require.NoFileExists(t, filepath.Join(dir, "big.pem"))
	require.NotContains(t, out.String(), "$ ls")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
