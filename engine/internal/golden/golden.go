// Package golden is the one harness for the simulator's golden transcripts:
// every tool's tests keep what a learner sees in testdata/*.md files of one
// format, replay them with Run, and rewrite them with one flag, -update.
//
// # The format
//
// A golden is a Markdown transcript, the project's own format (package
// transcript writes it, and "hsmsim run --check" replays it): prose, then the
// transcript in fenced code blocks whose texts, joined in order, are the
// session exactly as printed — each input after its prompt, the answers to
// questions after the question, the output byte for byte. The Markdown
// transcript was chosen over testscript/txtar because a golden is then the
// same kind of file the product already reads, writes and checks: one
// format for the downloads of the playground, the examples of a docs site
// and the tests; it renders on a code host the way the AWS pages print a
// session, which is what a reviewer reads it against; and it costs no
// dependency. testscript's strength, a small shell language with its own
// commands, is the part the transcripts do not need: the session's own
// prompts already say where an input is.
//
// A golden that reproduces a reference page names it on a line of its own
// in the prose,
//
//	page: cloudhsm-docs/key_mgmt_util-genSymKey.md
//
// (the path is under the reference folder), and marks the blocks whose every
// line it takes from that page with the page in the block's info string:
//
//	```page cloudhsm-docs/key_mgmt_util-genSymKey.md
//	Command: genSymKey -t 31 -s 32 -l aes256
//	...
//	```
//
// A block without an info string is the simulator's own: a step no page
// shows, or shows differently. The lines of a page block must occur, in
// order, among the lines of the page's code examples (leading and trailing
// spaces aside, empty lines not compared; a page of plain text, as the seed
// walkthrough is, is example throughout). Only two differences are
// allowed, and each is written in the info string after the page:
//
//	handle=524295:262177   the page shows handle 262177 where the golden shows 524295
//	random=REGEXP          what REGEXP matches is random bytes (key material,
//	                       signatures); it matches on both sides, the bytes may differ
//
// This package's own test checks every golden of the module with
// CheckPages, reading the named pages from the reference folder
// (testenv.ReferenceDir: shared/reference beside the module root, or the
// folder HSMSIM_REFERENCE names). Where the folder is missing the check
// fails when the environment variable CI is set and is skipped with a
// message otherwise.
//
// # Updating
//
// "make goldens" runs, with -update, the tests of every package that
// replays goldens ("go test ./engine/internal/kmu -update" does one
// package; the flag is defined only where this package is imported). It
// rewrites the goldens from what the code prints now: the prose and the
// info strings stay, the new text is spread over the same blocks (each
// block starts again at a line equal to its old first line, the one
// nearest to where it was). A regenerated golden is
// a claim about the real tools: read its diff against the pages it names
// (and, for blocks of the simulator's own, against the command's reference
// page) before committing it; the page check only covers the page blocks.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts (testdata/*.md) from the current output; read each against its reference page before committing")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// fence opens and closes a block; a transcript line cannot start with it.
const fence = "```"

// File is a golden transcript: the prose around it and its blocks.
type File struct {
	Path string
	// Pages are the reference pages the prose names ("page: PATH" lines).
	Pages []string
	// Blocks are the fenced code blocks, in order.
	Blocks []Block
	// prose[i] is the text before the content of Blocks[i], up to and
	// with its opening fence; prose[len(Blocks)] follows the last block,
	// from its closing fence.
	prose []string
}

// Block is one fenced code block of a golden.
type Block struct {
	// Line is the 1-based line of the block's opening fence.
	Line int
	// Info is the opening fence's info string.
	Info string
	// Page is the reference page the block's lines are from ("" for a block
	// of the simulator's own), and Norms the differences the page may show.
	Page  string
	Norms []Norm
	// Text is the block's content, every line ending in a newline.
	Text string
}

// Norm is one allowed difference between a page block and its page.
type Norm struct {
	// Handle: the page shows Page where the golden shows Golden.
	Golden, Page string
	// Random, when set, matches random bytes on both sides.
	Random *regexp.Regexp
}

var pageLine = regexp.MustCompile(`^page:\s+(\S+)\s*$`)

// Parse reads a golden's text.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	var prose, body strings.Builder
	in := false
	var cur Block
	lines := strings.SplitAfter(string(data), "\n")
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		return nil, fmt.Errorf("%s: the last line has no newline", path)
	}
	for i, l := range lines {
		if l == "" {
			continue
		}
		line := strings.TrimSuffix(l, "\n")
		if strings.HasPrefix(line, fence) {
			prose.WriteString(l)
			if in {
				cur.Text = body.String()
				if cur.Text == "" {
					return nil, fmt.Errorf("%s:%d: the block is empty", path, cur.Line)
				}
				f.Blocks = append(f.Blocks, cur)
				body.Reset()
				in = false
				continue
			}
			f.prose = append(f.prose, prose.String())
			prose.Reset()
			b, err := parseInfo(strings.TrimSpace(line[len(fence):]))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
			}
			b.Line = i + 1
			cur = b
			in = true
			continue
		}
		if in {
			body.WriteString(l)
			continue
		}
		prose.WriteString(l)
		if m := pageLine.FindStringSubmatch(line); m != nil {
			f.Pages = append(f.Pages, m[1])
		}
	}
	if in {
		return nil, fmt.Errorf("%s:%d: the block is not closed", path, cur.Line)
	}
	f.prose = append(f.prose, prose.String())
	for i, b := range f.Blocks {
		if b.Page == "" {
			continue
		}
		named := false
		for _, p := range f.Pages {
			named = named || p == b.Page
		}
		if !named {
			return nil, fmt.Errorf("%s:%d: the block is from %s, which the prose does not name (add a line \"page: %s\")", path, f.Blocks[i].Line, b.Page, b.Page)
		}
	}
	for _, p := range f.Pages {
		used := false
		for _, b := range f.Blocks {
			used = used || b.Page == p
		}
		if !used {
			return nil, fmt.Errorf("%s: names page %s but no block is from it", path, p)
		}
	}
	return f, nil
}

// parseInfo reads a block's info string: empty, or "page PATH NORM...".
func parseInfo(info string) (Block, error) {
	b := Block{Info: info}
	if info == "" {
		return b, nil
	}
	words := strings.Fields(info)
	if words[0] != "page" || len(words) < 2 {
		return b, fmt.Errorf("block info %q: want nothing, or \"page PATH\" and its normalisations", info)
	}
	b.Page = words[1]
	for _, w := range words[2:] {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "handle":
			g, p, ok := strings.Cut(v, ":")
			_, e1 := strconv.ParseUint(g, 10, 64)
			_, e2 := strconv.ParseUint(p, 10, 64)
			if !ok || e1 != nil || e2 != nil {
				return b, fmt.Errorf("block info %q: handle=GOLDEN:PAGE takes two numbers", info)
			}
			b.Norms = append(b.Norms, Norm{Golden: g, Page: p})
		case "random":
			re, err := regexp.Compile(v)
			if err != nil || v == "" {
				return b, fmt.Errorf("block info %q: random=REGEXP: %v", info, err)
			}
			b.Norms = append(b.Norms, Norm{Random: re})
		default:
			return b, fmt.Errorf("block info %q: unknown normalisation %q (handle=GOLDEN:PAGE or random=REGEXP)", info, w)
		}
	}
	return b, nil
}

// Transcript is the session the golden holds: its blocks' texts joined.
func (f *File) Transcript() string {
	var b strings.Builder
	for _, bl := range f.Blocks {
		b.WriteString(bl.Text)
	}
	return b.String()
}

// Rewrite returns the golden with text as its transcript: the prose and the
// info strings stay, and each block starts again at a line equal to the one
// it started with.
func (f *File) Rewrite(text string) ([]byte, error) {
	if text != "" && !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("%s: the transcript does not end with a newline, which a Markdown block cannot hold", f.Path)
	}
	lines := strings.SplitAfter(text, "\n")
	lines = lines[:len(lines)-1]
	for i, l := range lines {
		if strings.HasPrefix(l, fence) {
			return nil, fmt.Errorf("%s: transcript line %d starts with %s, which would end its block", f.Path, i+1, fence)
		}
	}
	if len(f.Blocks) == 0 {
		return nil, fmt.Errorf("%s: no block to hold the transcript", f.Path)
	}
	// Each block starts again at the occurrence of its first line nearest
	// to where it would start if the block before kept its length.
	starts := []int{0}
	for i, b := range f.Blocks[1:] {
		prev := starts[len(starts)-1]
		want := prev + strings.Count(f.Blocks[i].Text, "\n")
		first, _, _ := strings.Cut(b.Text, "\n")
		at := -1
		for j := prev + 1; j < len(lines); j++ {
			if strings.TrimSuffix(lines[j], "\n") == first && (at < 0 || abs(j-want) < abs(at-want)) {
				at = j
			}
		}
		if at < 0 {
			return nil, fmt.Errorf("%s:%d: the block's first line %q is no longer in the transcript (after the block before): move the blocks by hand", f.Path, b.Line, first)
		}
		starts = append(starts, at)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("%s: the transcript is empty", f.Path)
	}
	var out strings.Builder
	for i := range f.Blocks {
		out.WriteString(f.prose[i])
		end := len(lines)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		out.WriteString(strings.Join(lines[starts[i]:end], ""))
	}
	out.WriteString(f.prose[len(f.Blocks)])
	return []byte(out.String()), nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Load reads and parses a golden file.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Run replays the golden at path: replay gets the transcript the file holds
// (each tool's test reads its inputs from it) and returns the transcript the
// code prints for them, which must equal the file's; with -update the file
// is rewritten with it instead. Run returns what replay returned.
func Run(t testing.TB, path string, replay func(transcript string) string) string {
	t.Helper()
	f, err := Load(path)
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	want := f.Transcript()
	got := replay(want)
	if *update {
		if got != want {
			data, err := f.Rewrite(got)
			if err != nil {
				t.Fatalf("golden: %v", err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatalf("golden: %v", err)
			}
			t.Logf("golden: rewrote %s; read it against its reference pages before committing", path)
		}
		return got
	}
	if got != want {
		t.Errorf("golden %s differs (go test -update rewrites it; then read it against its pages):\n%s", path,
			diff(want, got, func(n int) string { return fmt.Sprintf("%s:%d", path, f.FileLine(n)) }))
	}
	return got
}

// Diff shows how two transcripts differ, line by line: "-" for the
// golden's lines, "+" for the ones printed now, with up to three lines of
// context around each change, each hunk headed by its line in the golden.
func Diff(want, got string) string {
	return diff(want, got, func(n int) string { return fmt.Sprintf("golden line %d", n) })
}

// FileLine is the line of the file that holds line n (1-based) of the
// transcript.
func (f *File) FileLine(n int) int {
	for _, b := range f.Blocks {
		k := strings.Count(b.Text, "\n")
		if n <= k {
			return b.Line + n
		}
		n -= k
	}
	last := f.Blocks[len(f.Blocks)-1]
	return last.Line + strings.Count(last.Text, "\n") + 1
}

func diff(want, got string, where func(int) string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	// The longest common subsequence of lines, from the end.
	lcs := make([][]int32, len(w)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(g)+1)
	}
	for i := len(w) - 1; i >= 0; i-- {
		for j := len(g) - 1; j >= 0; j-- {
			switch {
			case w[i] == g[j]:
				lcs[i][j] = lcs[i+1][j+1] + 1
			case lcs[i+1][j] >= lcs[i][j+1]:
				lcs[i][j] = lcs[i+1][j]
			default:
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	type op struct {
		kind byte // ' ', '-' or '+'
		text string
		line int // line in want
	}
	var ops []op
	i, j := 0, 0
	for i < len(w) || j < len(g) {
		switch {
		case i < len(w) && j < len(g) && w[i] == g[j]:
			ops = append(ops, op{' ', w[i], i + 1})
			i++
			j++
		case i < len(w) && (j == len(g) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', w[i], i + 1})
			i++
		default:
			ops = append(ops, op{'+', g[j], i + 1})
			j++
		}
	}
	const context = 3
	show := make([]bool, len(ops))
	for k, o := range ops {
		if o.kind != ' ' {
			for m := max(0, k-context); m <= min(len(ops)-1, k+context); m++ {
				show[m] = true
			}
		}
	}
	var b strings.Builder
	for k, o := range ops {
		if !show[k] {
			continue
		}
		if k == 0 || !show[k-1] {
			fmt.Fprintf(&b, "@@ %s @@\n", where(o.line))
		}
		b.WriteString(string(o.kind) + " " + o.text + "\n")
	}
	return b.String()
}
