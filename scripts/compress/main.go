// Command compress writes the precompressed copies that hsmsim serve hands
// to browsers: X.br (brotli, best quality) and X.gz (gzip, best
// compression) beside every .wasm, .js, .css, .html and .json file of a
// directory, when the copy is smaller. Brotli is done here in Go
// (github.com/andybalholm/brotli) so that building the site needs nothing
// but the Go toolchain.
//
// Usage: go run ./scripts/compress DIR
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

var compressible = map[string]bool{".wasm": true, ".js": true, ".css": true, ".html": true, ".json": true, ".svg": true}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compress DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "compress:", err)
		os.Exit(1)
	}
}

func run(dir string, out io.Writer) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && compressible[strings.ToLower(filepath.Ext(p))] {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(files))
	lines := make([]string, len(files))
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lines[i], errs[i] = compressFile(f)
		}()
	}
	wg.Wait()
	for i := range files {
		if errs[i] != nil {
			return errs[i]
		}
		fmt.Fprintln(out, lines[i])
	}
	return nil
}

// fresh reports whether both copies exist and are newer than the file, so
// an unchanged engine.wasm is not compressed again (brotli's best quality
// takes tens of seconds on it).
func fresh(p string) bool {
	src, err := os.Stat(p)
	if err != nil {
		return false
	}
	for _, ext := range []string{".br", ".gz"} {
		st, err := os.Stat(p + ext)
		if err != nil || st.ModTime().Before(src.ModTime()) {
			return false
		}
	}
	return true
}

func compressFile(p string) (string, error) {
	if fresh(p) {
		return fmt.Sprintf("%-40s unchanged", filepath.Base(p)), nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	var br bytes.Buffer
	bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24})
	if _, err := bw.Write(data); err != nil {
		return "", err
	}
	if err := bw.Close(); err != nil {
		return "", err
	}
	var gz bytes.Buffer
	gw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := gw.Write(data); err != nil {
		return "", err
	}
	if err := gw.Close(); err != nil {
		return "", err
	}
	for _, c := range []struct {
		ext string
		b   []byte
	}{{".br", br.Bytes()}, {".gz", gz.Bytes()}} {
		if len(c.b) >= len(data) {
			_ = os.Remove(p + c.ext)
			continue
		}
		if err := os.WriteFile(p+c.ext, c.b, 0o644); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%-40s %9d raw %9d gzip %9d brotli", filepath.Base(p), len(data), gz.Len(), br.Len()), nil
}
