// Command wasmsize prints where the bytes of a Go WebAssembly module go:
// the code section's function bodies summed by package group (the Go
// runtime, fmt and reflection, crypto, each of the engine's packages, …),
// the data section and the other sections, raw and compressed with brotli.
//
// It needs the function names, which `-ldflags=-s` strips: give it a
// build of the same code without -s (GOOS=js GOARCH=wasm go build
// -trimpath -o engine-named.wasm ./wasm/browser). Its sizes are those of
// the module with the name section dropped, which is the stripped build
// byte for byte; -check FILE verifies that against the shipped module.
//
// Each group's brotli figure is its bytes compressed on their own (quality
// -q, window 24), so the groups' figures add up to a little more than the
// whole module's; they say what a group costs the download, roughly.
//
// Usage:
//
//	go run ./scripts/wasmsize [-q 11] [-top 25] [-check engine.wasm] [-json out.json] [-update BENCHMARKS.md] engine-named.wasm
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

func main() {
	quality := flag.Int("q", 11, "brotli quality of the per-group figures (0 to skip brotli)")
	top := flag.Int("top", 25, "how many of the largest functions and init functions to list")
	check := flag.String("check", "", "a stripped build (-ldflags='-s -w') that must be this module without its names")
	jsonOut := flag.String("json", "", "also write the figures as JSON to this file")
	update := flag.String("update", "", "replace the part between the size markers of this Markdown file with the table")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: wasmsize [flags] MODULE.wasm (a build with its name section)")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *quality, *top, *check, *jsonOut, *update, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wasmsize:", err)
		os.Exit(1)
	}
}

// Row is one line of the breakdown.
type Row struct {
	Group  string `json:"group"`
	Funcs  int    `json:"funcs,omitempty"`
	Raw    int    `json:"raw"`
	Brotli int    `json:"brotli,omitempty"`
}

// Report is the whole breakdown.
type Report struct {
	Raw      int   `json:"raw"`
	Brotli   int   `json:"brotli,omitempty"`
	Code     int   `json:"code"`
	Groups   []Row `json:"groups"`
	Packages []Row `json:"packages"`
	Largest  []Row `json:"largestFuncs"`
	Inits    []Row `json:"largestInits"`
}

func run(path string, quality, top int, check, jsonOut, update string, out io.Writer) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m, err := Parse(b)
	if err != nil {
		return err
	}
	named := 0
	for _, f := range m.Funcs {
		if f.Name != "" {
			named++
		}
	}
	if len(m.Funcs) > 0 && named == 0 {
		return errors.New(path + " has no function names (built with -ldflags=-s?): build it without -s")
	}
	stripped := Strip(b, m)
	if check != "" {
		want, err := os.ReadFile(check)
		if err != nil {
			return err
		}
		wm, err := Parse(want)
		if err != nil {
			return fmt.Errorf("%s: %w", check, err)
		}
		if !sameCode(stripped, want, wm) {
			return fmt.Errorf("%s without its names is not %s: not the same build", path, check)
		}
	}
	r := breakdown(b, m, stripped, quality, top)
	writeText(out, r, quality > 0)
	if jsonOut != "" {
		j, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(jsonOut, append(j, '\n'), 0o644); err != nil {
			return err
		}
	}
	if update != "" {
		return updateMarkdown(update, r, quality > 0)
	}
	return nil
}

// sameCode reports whether two modules are the same but for their build
// ids (which differ between a build with names and one without).
func sameCode(a, b []byte, bm *Module) bool {
	am, err := Parse(a)
	if err != nil || len(am.Sections) != len(bm.Sections) {
		return false
	}
	for i, s := range am.Sections {
		t := bm.Sections[i]
		if s.ID != t.ID || s.Name != t.Name || s.Size != t.Size {
			return false
		}
		if s.Name != "go:buildid" && !bytes.Equal(a[s.Offset:s.Offset+s.Size], b[t.Offset:t.Offset+t.Size]) {
			return false
		}
	}
	return true
}

// packageOf returns the package a function of the name section belongs
// to, as an import path ("runtime" for the linker's own functions). The
// linker writes symbol names with every character but letters, digits,
// '_' and '.' replaced by '_' (cmd/link/internal/wasm), so a path's '/'
// reads '_': the path is what comes before the first '.' (after a module
// path's domain), with '_' read back as '/' — which holds for every
// package of this build (none has '_' in its path).
func packageOf(name string) string {
	pkg, _ := splitName(name)
	return pkg
}

// splitName returns the package of a function (see packageOf) and the
// rest of its name after the package and its dot.
func splitName(name string) (pkg, rest string) {
	for _, p := range []string{"type_.eq.", "type_.hash."} {
		if strings.HasPrefix(name, p) {
			name = strings.TrimLeft(name[len(p):], "_")
			if strings.IndexByte(name, '.') < 0 {
				return "runtime", name
			}
		}
	}
	if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "type_") || strings.HasPrefix(name, "go.") {
		return "runtime", name
	}
	start := 0
	if strings.HasPrefix(name, "vendor_") {
		start = len("vendor_")
	}
	// A module path starts with a domain: skip its dot.
	if seg, _, ok := strings.Cut(name[start:], "_"); ok && isDomain(seg) {
		start += len(seg)
	}
	dot := strings.IndexByte(name[start:], '.')
	if dot < 0 {
		return "runtime", name
	}
	return strings.ReplaceAll(name[:start+dot], "_", "/"), name[start+dot+1:]
}

// isDomain reports whether the first element of an import path is a
// domain name (as module paths start): lower-case labels and a top-level
// domain of the module hosts.
func isDomain(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 {
		return false
	}
	switch s[i+1:] {
	case "com", "org", "in", "net", "io", "dev":
	default:
		return false
	}
	for _, c := range s[:i] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

const module = "github.com/hsmsim/hsmsim/"

// groupOf puts a package in its line of the breakdown.
func groupOf(pkg string) string {
	under := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(pkg, module):
		return pkg[len(module):]
	case pkg == "main":
		return "main (wasm/browser)"
	case under("github.com/hack-pad/safejs", "github.com/hack/pad/safejs"):
		return "safejs"
	case under("crypto/x509", "net", "vendor/golang.org/x/net", "internal/nettrace", "internal/singleflight"):
		return "crypto/x509 + net"
	case under("math/big", "crypto/internal/boring/bbig"):
		return "math/big"
	case under("crypto", "vendor/golang.org/x/crypto", "encoding/asn1"):
		return "crypto/* (+ encoding/asn1)"
	case under("regexp", "unicode"):
		return "regexp + unicode"
	case under("fmt", "reflect", "encoding/json", "internal/fmtsort", "strconv", "internal/strconv"):
		return "fmt + reflect + encoding/json + strconv"
	case under("runtime", "internal", "sync", "syscall", "os", "time", "errors", "io", "weak", "unique", "iter", "math/bits", "context"):
		return "Go runtime (+ os, time, sync, syscall/js)"
	case !strings.Contains(pkg, "."):
		return "rest of the standard library"
	}
	return "other modules"
}

func breakdown(b []byte, m *Module, stripped []byte, quality, top int) Report {
	r := Report{Raw: len(stripped)}
	code := map[string]*Row{}
	pkgs := map[string]*Row{}
	bodies := map[string]*bytes.Buffer{}
	var codeSec Section
	for _, s := range m.Sections {
		if s.ID == 10 {
			codeSec = s
		}
	}
	off := codeSec.Offset
	// The code section's own header (its count) is not any function's.
	if len(m.Funcs) > 0 {
		off = codeSec.Offset + codeSec.Size
		for _, f := range m.Funcs {
			off -= f.Size
		}
	}
	var all []Row
	for _, f := range m.Funcs {
		pkg := packageOf(f.Name)
		g := groupOf(pkg)
		for _, t := range []struct {
			m map[string]*Row
			k string
		}{{code, g}, {pkgs, pkg}} {
			row := t.m[t.k]
			if row == nil {
				row = &Row{Group: t.k}
				t.m[t.k] = row
			}
			row.Funcs++
			row.Raw += f.Size
		}
		if bodies[g] == nil {
			bodies[g] = &bytes.Buffer{}
		}
		bodies[g].Write(b[off : off+f.Size])
		off += f.Size
		r.Code += f.Size
		all = append(all, Row{Group: f.Name, Raw: f.Size})
	}
	rows := make([]*Row, 0, len(code)+3)
	for _, row := range code {
		rows = append(rows, row)
	}
	sortRows(rows)
	other := &Row{Group: "other sections (types, imports, globals, exports, …)"}
	otherBytes := &bytes.Buffer{}
	bodies[other.Group] = otherBytes
	var data, elem *Row
	for _, s := range m.Sections {
		contents := b[s.Offset : s.Offset+s.Size]
		switch s.ID {
		case 0:
			continue
		case 10:
			other.Raw += s.Header + s.Size - r.Code
			continue
		case 11:
			data = &Row{Group: "data section (read-only data, type and function tables)", Raw: s.Header + s.Size}
			bodies[data.Group] = bytes.NewBuffer(contents)
			continue
		case 9:
			elem = &Row{Group: "element section (the indirect function table)", Raw: s.Header + s.Size}
			bodies[elem.Group] = bytes.NewBuffer(contents)
			continue
		}
		other.Raw += s.Header + s.Size
		otherBytes.Write(contents)
	}
	other.Raw += 8
	for _, row := range []*Row{data, elem} {
		if row != nil {
			rows = append(rows, row)
		}
	}
	rows = append(rows, other)
	if quality > 0 {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 2)
		for _, row := range rows {
			buf := bodies[row.Group]
			if buf == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				row.Brotli = brotliSize(buf.Bytes(), quality)
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r.Brotli = brotliSize(stripped, quality)
		}()
		wg.Wait()
	}
	for _, row := range rows {
		r.Groups = append(r.Groups, *row)
	}
	prow := make([]*Row, 0, len(pkgs))
	for _, row := range pkgs {
		prow = append(prow, row)
	}
	sortRows(prow)
	for _, row := range prow {
		r.Packages = append(r.Packages, *row)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Raw > all[j].Raw })
	for _, f := range all {
		if len(r.Largest) < top {
			r.Largest = append(r.Largest, f)
		}
		if isInit(f.Group) && len(r.Inits) < top {
			r.Inits = append(r.Inits, f)
		}
	}
	return r
}

// isInit reports whether a function runs when the program starts: a
// package's initialisation (the init the compiler makes from
// package-level variables, the init functions, the initialisation of
// package-level maps), not the closures made there, which run later.
func isInit(name string) bool {
	_, rest := splitName(name)
	rest = strings.TrimPrefix(rest, "map.")
	if rest == "init" {
		return true
	}
	n, ok := strings.CutPrefix(rest, "init.")
	return ok && n != "" && strings.Trim(n, "0123456789") == ""
}

func sortRows(rows []*Row) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Raw != rows[j].Raw {
			return rows[i].Raw > rows[j].Raw
		}
		return rows[i].Group < rows[j].Group
	})
}

func brotliSize(b []byte, quality int) int {
	var buf bytes.Buffer
	w := brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: quality, LGWin: 24})
	w.Write(b)
	w.Close()
	return buf.Len()
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1e3) }

func mb(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// table is the groups as a Markdown table.
func table(r Report, withBrotli bool) string {
	var sb strings.Builder
	if withBrotli {
		fmt.Fprintf(&sb, "engine.wasm: %s raw, %s brotli; code %s raw in %d functions.\n\n", mb(r.Raw), mb(r.Brotli), mb(r.Code), countFuncs(r))
		sb.WriteString("| group | functions | raw | brotli (alone) |\n|---|---|---|---|\n")
	} else {
		fmt.Fprintf(&sb, "engine.wasm: %s raw; code %s raw in %d functions.\n\n", mb(r.Raw), mb(r.Code), countFuncs(r))
		sb.WriteString("| group | functions | raw |\n|---|---|---|\n")
	}
	for _, g := range r.Groups {
		funcs := ""
		if g.Funcs > 0 {
			funcs = fmt.Sprint(g.Funcs)
		}
		if withBrotli {
			fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", g.Group, funcs, kb(g.Raw), kb(g.Brotli))
		} else {
			fmt.Fprintf(&sb, "| %s | %s | %s |\n", g.Group, funcs, kb(g.Raw))
		}
	}
	return sb.String()
}

func countFuncs(r Report) int {
	n := 0
	for _, g := range r.Groups {
		n += g.Funcs
	}
	return n
}

func writeText(w io.Writer, r Report, withBrotli bool) {
	fmt.Fprint(w, table(r, withBrotli))
	fmt.Fprintln(w, "\nlargest packages (code, raw):")
	for i, p := range r.Packages {
		if i == 40 {
			break
		}
		fmt.Fprintf(w, "  %9d  %5d funcs  %s\n", p.Raw, p.Funcs, p.Group)
	}
	fmt.Fprintln(w, "\nlargest functions:")
	for _, f := range r.Largest {
		fmt.Fprintf(w, "  %9d  %s\n", f.Raw, f.Group)
	}
	fmt.Fprintln(w, "\nlargest init functions:")
	for _, f := range r.Inits {
		fmt.Fprintf(w, "  %9d  %s\n", f.Raw, f.Group)
	}
}

const (
	beginMarker = "<!-- size:begin -->"
	endMarker   = "<!-- size:end -->"
)

// updateMarkdown replaces what is between the size markers of a Markdown
// file with the groups' table.
func updateMarkdown(path string, r Report, withBrotli bool) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(doc)
	i := strings.Index(s, beginMarker)
	j := strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s part to replace", path, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + table(r, withBrotli) + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
