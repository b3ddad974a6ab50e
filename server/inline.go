package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Inline is what a built site's pages carry inline: the CSP hash sources
// ('sha256-...') of their inline scripts and of their <style> elements.
// The build (scripts/inline) puts the scripts that draw the console's first
// prompt, and the stylesheets they wait for, in the pages themselves, so
// that the prompt does not wait for more files to arrive; the policy
// allows exactly those, by hash, and still no 'unsafe-inline'. The hashes
// are computed here, from the built pages' bytes, for hsmsim serve and for
// the Cloudflare _headers file alike (SiteInline).
type Inline struct {
	Scripts []string
	Styles  []string
}

var (
	// An element's start tag, its attributes and its text; the pages are
	// the site's own, and comments are taken out first.
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	inlineTag   = regexp.MustCompile(`(?is)<(script|style)\b([^>]*)>(.*?)</(?:script|style)\s*>`)
	srcAttr     = regexp.MustCompile(`(?i)\bsrc\s*=`)
	typeAttr    = regexp.MustCompile(`(?i)\btype\s*=\s*["']?([^"'\s>]*)`)
)

// HashSource is the CSP source expression that allows an inline script or
// style element whose text is b.
func HashSource(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// PageInline returns the hash sources of the inline scripts (classic or
// module: the types a browser runs) and style elements of one page.
func PageInline(page []byte) Inline {
	page = htmlComment.ReplaceAll(page, nil)
	var in Inline
	for _, m := range inlineTag.FindAllSubmatch(page, -1) {
		name, attrs, text := strings.ToLower(string(m[1])), m[2], m[3]
		if name == "style" {
			in.Styles = append(in.Styles, HashSource(text))
			continue
		}
		if srcAttr.Match(attrs) {
			continue
		}
		if t := typeAttr.FindSubmatch(attrs); t != nil && !runsAsScript(string(t[1])) {
			continue
		}
		in.Scripts = append(in.Scripts, HashSource(text))
	}
	return in.merge(Inline{})
}

// runsAsScript reports whether a script element's type makes it a script
// the browser runs (rather than a data block such as text/plain).
func runsAsScript(t string) bool {
	switch strings.ToLower(t) {
	case "", "module", "text/javascript", "application/javascript":
		return true
	}
	return false
}

// SiteInline returns the hash sources of every page (.html file) under dir.
func SiteInline(dir string) (Inline, error) {
	var in Inline
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".html") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		in = in.merge(PageInline(b))
		return nil
	})
	return in, err
}

// merge returns in and o's sources together, sorted, each once.
func (in Inline) merge(o Inline) Inline {
	return Inline{Scripts: union(in.Scripts, o.Scripts), Styles: union(in.Styles, o.Styles)}
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// sources is " " and the list, or nothing when it is empty.
func sources(list []string) string {
	var b bytes.Buffer
	for _, s := range list {
		b.WriteString(" " + s)
	}
	return b.String()
}
