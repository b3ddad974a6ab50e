package main

import (
	"bytes"
	"io"
	"sync"
	"unicode/utf8"
)

// validUTF8 passes on what a terminal sends with every byte that is not
// part of valid UTF-8 dropped. golang.org/x/term's line reader stops at an
// invalid byte without consuming it, so a single "\xff" typed at the prompt
// would leave it waiting for ever, deaf even to Ctrl-C and Ctrl-D. A
// sequence cut at the end of one read is kept for the next.
type validUTF8 struct {
	r    io.Reader
	pend []byte // the start of a sequence whose last bytes are still to come
}

func (v *validUTF8) Read(p []byte) (int, error) {
	if len(p) <= utf8.UTFMax {
		// Too small to hold a pending sequence and a new byte: never the
		// case for the terminal's reads, which ask for 256 bytes.
		return 0, io.ErrShortBuffer
	}
	tmp := make([]byte, len(p)-len(v.pend))
	for {
		n, err := v.r.Read(tmp)
		data := append(v.pend, tmp[:n]...)
		v.pend = nil
		out := 0
		for i := 0; i < len(data); {
			c := data[i]
			if c < utf8.RuneSelf {
				p[out] = c
				out++
				i++
				continue
			}
			if !utf8.FullRune(data[i:]) {
				if err == nil {
					v.pend = append([]byte(nil), data[i:]...)
				}
				break
			}
			r, l := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && l == 1 {
				i++
				continue
			}
			out += copy(p[out:], data[i:i+l])
			i += l
		}
		if out > 0 || err != nil {
			return out, err
		}
	}
}

// ctrlC is the byte a terminal in raw mode sends for Ctrl-C.
const ctrlC = 3

// keyboard reads the terminal on its own goroutine, so that Ctrl-C typed
// while a command runs reaches the command (to stop an 8192-bit key
// generation, say) instead of waiting behind it. Outside a command every
// byte goes to the line reader as typed; during one, Ctrl-C calls the
// command's cancel and what else is typed waits for the next prompt. A
// Ctrl-C typed after Enter but before the command started counts too.
type keyboard struct {
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte // read from the terminal, not yet given to the line reader
	err    error  // the terminal's read error, after buf
	cancel func() // set while a command runs
}

func newKeyboard(r io.Reader) *keyboard {
	k := &keyboard{}
	k.cond = sync.NewCond(&k.mu)
	go func() {
		chunk := make([]byte, 256)
		for {
			n, err := r.Read(chunk)
			k.mu.Lock()
			for _, c := range chunk[:n] {
				if c == ctrlC && k.cancel != nil {
					k.cancel()
					continue
				}
				k.buf = append(k.buf, c)
			}
			if err != nil {
				k.err = err
			}
			k.cond.Broadcast()
			k.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return k
}

// running sets (or, with nil, clears) the cancel of the command that runs.
func (k *keyboard) running(cancel func()) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.cancel = cancel
	if cancel == nil {
		return
	}
	if i := bytes.IndexByte(k.buf, ctrlC); i >= 0 {
		k.buf = append(k.buf[:i], k.buf[i+1:]...)
		cancel()
	}
}

func (k *keyboard) Read(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for len(k.buf) == 0 && k.err == nil {
		k.cond.Wait()
	}
	if len(k.buf) == 0 {
		return 0, k.err
	}
	n := copy(p, k.buf)
	k.buf = k.buf[n:]
	return n, nil
}
