// Command inline puts the files a built page marks with data-inline in the
// page itself: <script src="F" data-inline ...></script> becomes
// <script ...>F's text</script> and <link rel="stylesheet" href="F"
// data-inline> becomes <style>F's text</style>. The console's first prompt
// (boot.js) then runs as soon as the page is parsed up to it, without
// waiting for more files: a classic script waits for the stylesheets
// linked before it, so the page's stylesheet comes inline too. The files
// stay separate in web/ (readable, testable, and the unbuilt page works
// with them as links); a file no page of the site refers to any more is
// removed from the build. The site's Content-Security-Policy allows what is
// inline by hash, computed from the pages written here
// (server.SiteInline).
//
// Usage: go run ./scripts/inline DIR PAGE...   (pages relative to DIR)
package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: inline DIR PAGE...")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "inline:", err)
		os.Exit(1)
	}
}

var (
	markedTag = regexp.MustCompile(`(?i)<(script|link)\b([^>]*\sdata-inline(?:[\s=/][^>]*)?)>(</script>)?`)
	attr      = regexp.MustCompile(`(?i)\s+([a-z-]+)(?:\s*=\s*"([^"]*)")?`)
)

// run inlines what the pages mark and removes the files inlined that no
// page under dir still names.
func run(dir string, pages []string) error {
	inlined := map[string]bool{}
	for _, p := range pages {
		file := filepath.Join(dir, filepath.FromSlash(p))
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		out, names, err := inlinePage(b, func(name string) ([]byte, error) {
			return os.ReadFile(filepath.Join(filepath.Dir(file), filepath.FromSlash(name)))
		})
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, n := range names {
			inlined[filepath.Join(filepath.Dir(file), filepath.FromSlash(n))] = true
		}
		if err := os.WriteFile(file, out, 0o644); err != nil {
			return err
		}
	}
	var all [][]byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		all = append(all, b)
		return err
	})
	if err != nil {
		return err
	}
	for f := range inlined {
		used := false
		for _, b := range all {
			used = used || bytes.Contains(b, []byte(`"`+filepath.Base(f)+`"`))
		}
		if !used {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// inlinePage returns page with its marked elements inline (read reads a
// file the page names) and the names of the files put in.
func inlinePage(page []byte, read func(string) ([]byte, error)) ([]byte, []string, error) {
	var names []string
	var failed error
	out := markedTag.ReplaceAllFunc(page, func(tag []byte) []byte {
		if failed != nil {
			return tag
		}
		m := markedTag.FindSubmatch(tag)
		kind := strings.ToLower(string(m[1]))
		var keep []string
		var src, rel string
		for _, a := range attr.FindAllSubmatch(m[2], -1) {
			name, value := strings.ToLower(string(a[1])), string(a[2])
			switch {
			case name == "data-inline":
			case kind == "script" && name == "src", kind == "link" && name == "href":
				src = value
			case kind == "link" && name == "rel":
				rel = value
			default:
				keep = append(keep, string(a[0]))
			}
		}
		switch {
		case src == "" || strings.Contains(src, ":") || strings.HasPrefix(src, "/"):
			failed = fmt.Errorf("%s: data-inline needs a file of the site's beside the page", tag)
		case kind == "script" && len(m[3]) == 0:
			failed = fmt.Errorf("%s: a script to inline is empty (<script ...></script>)", tag)
		case kind == "link" && (rel != "stylesheet" || len(keep) > 0):
			failed = fmt.Errorf("%s: only a plain stylesheet link is inlined", tag)
		}
		if failed != nil {
			return tag
		}
		text, err := read(src)
		if err != nil {
			failed = err
			return tag
		}
		names = append(names, src)
		if kind == "link" {
			if bytes.Contains(bytes.ToLower(text), []byte("</style")) {
				failed = fmt.Errorf("%s holds </style and cannot be inline", src)
				return tag
			}
			return []byte("<style>" + string(text) + "</style>")
		}
		if lower := bytes.ToLower(text); bytes.Contains(lower, []byte("</script")) || bytes.Contains(lower, []byte("<!--")) {
			failed = fmt.Errorf("%s holds </script or <!-- and cannot be inline", src)
			return tag
		}
		return []byte("<script" + strings.Join(keep, "") + ">" + string(text) + "</script>")
	})
	return out, names, failed
}
