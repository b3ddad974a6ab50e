package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/state"
)

// The kill tests run hsmsim on a state file, kill it with SIGKILL at a
// random moment while it makes and deletes keys, and check after every
// kill that each command whose answer had been printed is in the file: a
// key whose handle was shown exists (unless its deletion was shown too),
// and a key whose deletion was shown is gone. They run for a few seconds;
// HSMSIM_SOAK (a duration, as `make soak` sets it) runs them longer.

func killBudget() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("HSMSIM_SOAK")); err == nil && d > 0 {
		return d
	}
	return 3 * time.Second
}

var (
	ackKey    = regexp.MustCompile(`^Symmetric Key Created\.  Key Handle: (\d+)$`)
	deleteCmd = regexp.MustCompile(`Command: deleteKey -k (\d+)$`)
)

// acks reads the complete lines of a transcript: the handles whose
// creation and whose deletion were acknowledged.
func acks(out string) (made, deleted []uint64) {
	out = strings.ReplaceAll(out, "\r", "")
	lines := strings.Split(out, "\n")
	lines = lines[:len(lines)-1] // the last one is not complete
	var pending uint64
	for _, l := range lines {
		if m := ackKey.FindStringSubmatch(l); m != nil {
			h, _ := strconv.ParseUint(m[1], 10, 64)
			made = append(made, h)
		}
		if m := deleteCmd.FindStringSubmatch(l); m != nil {
			pending, _ = strconv.ParseUint(m[1], 10, 64)
		}
		if strings.HasPrefix(l, "Cfm3DeleteKey returned: 0x00") && pending != 0 {
			deleted = append(deleted, pending)
			pending = 0
		}
	}
	return made, deleted
}

// labelled lists the handles of the keys the test made ("k-" labels) that
// the state file holds, opening it as the next run will.
func labelled(t *testing.T, path string) []uint64 {
	t.Helper()
	j, c, _, err := state.OpenJournal(path)
	require.NoError(t, err)
	defer j.Close()
	if c == nil {
		return nil
	}
	var out []uint64
	for h, o := range c.Nodes[0].Objects {
		if strings.HasPrefix(o.Label, "k-") {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

// killScript is the commands of one run: log in, then make keys and delete
// some of those that exist.
func killScript(rng *rand.Rand, alive []uint64, n int) string {
	var b strings.Builder
	b.WriteString("key_mgmt_util\nloginHSM -u CU -s example_user -p password\n")
	for i := range n {
		if len(alive) > 0 && rng.IntN(3) == 0 {
			k := rng.IntN(len(alive))
			fmt.Fprintf(&b, "deleteKey -k %d\n", alive[k])
			alive = slices.Delete(slices.Clone(alive), k, k+1)
			continue
		}
		fmt.Fprintf(&b, "genSymKey -t 31 -s 16 -l k-%d\n", i)
	}
	return b.String()
}

// killLoop runs start (which begins one hsmsim run on path feeding it a
// script, and returns its output so far and a kill) until the budget is
// spent, checking the file after each kill.
func killLoop(t *testing.T, start func(t *testing.T, path, script string) (func() string, func())) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ws.json")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	end := time.Now().Add(killBudget())
	kills, acked := 0, 0
	for kills < 3 || time.Now().Before(end) {
		alive := labelled(t, path)
		output, kill := start(t, path, killScript(rng, alive, 40))
		// Kill after a random number of answers, or before any.
		want := rng.IntN(6)
		deadline := time.Now().Add(waitLimit)
		for {
			made, deleted := acks(output())
			if len(made)+len(deleted) >= want {
				break
			}
			require.True(t, time.Now().Before(deadline), "no answers from hsmsim:\n%s", output())
			time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
		}
		kill()
		kills++
		made, deleted := acks(output())
		acked += len(made) + len(deleted)
		now := labelled(t, path)
		for _, h := range made {
			if !slices.Contains(deleted, h) {
				require.Contains(t, now, h, "key %d was acknowledged, then lost by kill %d", h, kills)
			}
		}
		for _, h := range deleted {
			require.NotContains(t, now, h, "the deletion of key %d was acknowledged, then undone by kill %d", h, kills)
		}
		for _, e := range mustReadDir(t, dir) {
			require.False(t, strings.Contains(e, ".tmp-") && !strings.HasPrefix(e, ".ws.json"), "stray file %s", e)
		}
	}
	// Leftover temporaries a kill left are cleared by the next open.
	labelled(t, path)
	for _, e := range mustReadDir(t, dir) {
		require.NotContains(t, e, ".tmp-", "a temporary file is left after opening")
	}
	t.Logf("%d kills, %d acknowledged commands, none lost", kills, acked)
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// collector gathers a process's output as it comes.
type collector struct {
	mu sync.Mutex
	b  strings.Builder
}

func (c *collector) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.Write(p)
}

func (c *collector) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.b.String()
}

func TestKillPipedScriptLosesNoAcknowledgedCommand(t *testing.T) {
	killLoop(t, func(t *testing.T, path, script string) (func() string, func()) {
		cmd := command(t, "--state", path)
		cmd.Stdin = strings.NewReader(script)
		out := &collector{}
		cmd.Stdout = out
		cmd.Stderr = io.Discard
		require.NoError(t, cmd.Start())
		return out.String, func() { cmd.Process.Kill(); cmd.Wait() }
	})
}

func TestKillTerminalLosesNoAcknowledgedCommand(t *testing.T) {
	killLoop(t, func(t *testing.T, path, script string) (func() string, func()) {
		cmd := command(t, "--state", path)
		ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
		require.NoError(t, err)
		out := &collector{}
		done := make(chan struct{})
		go func() { io.Copy(out, ptmx); close(done) }()
		go func() {
			// Typed a line at a time, as a person (or a paste) would.
			w := bufio.NewWriter(ptmx)
			for _, l := range strings.SplitAfter(script, "\n") {
				w.WriteString(strings.TrimSuffix(l, "\n") + "\r")
				w.Flush()
			}
		}()
		return out.String, func() {
			cmd.Process.Kill()
			cmd.Wait()
			ptmx.Close()
			<-done
		}
	})
}

// Two processes on one state file: the second is refused at once, with a
// message naming the file, and the first one's work is whole.
func TestSecondProcessOnAStateFileIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ws.json")
	first := command(t, "--state", path)
	stdin, err := first.StdinPipe()
	require.NoError(t, err)
	out := &collector{}
	first.Stdout = out
	require.NoError(t, first.Start())
	defer first.Process.Kill()
	io.WriteString(stdin, "key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 16 -l k-first\n")
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(out.String(), "Key Handle: 524295") {
		require.True(t, time.Now().Before(deadline), "the first process did not answer:\n%s", out.String())
		time.Sleep(5 * time.Millisecond)
	}

	second := command(t, "--state", path)
	second.Stdin = strings.NewReader("key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 16 -l k-second\n")
	var errOut collector
	second.Stderr = &errOut
	second.Stdout = io.Discard
	err = second.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 1, ee.ExitCode())
	require.Equal(t, "hsmsim: "+path+" is in use by another hsmsim (it holds the lock "+path+".lock); close that one first, or use another --state file\n", errOut.String())

	io.WriteString(stdin, "genSymKey -t 31 -s 16 -l k-first2\n")
	stdin.Close()
	require.NoError(t, first.Wait())
	require.Equal(t, []uint64{524295, 524296}, labelled(t, path))
}
