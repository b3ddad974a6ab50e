package cli

import (
	_ "embed"
	"strings"
	"sync"
)

// helpFile holds the reference pages' "help <command>" output, one section
// per command (see pages_test.go, which checks it against the pages and
// rewrites it with -update). It is both what help prints and where each
// command's options come from (spec.go), so syntax and help cannot disagree.
//
//go:embed help.txt
var helpFile string

const sectionMark = "=== "

var (
	helpOnce sync.Once
	helps    map[string]string
)

// helpTexts splits helpFile into its sections, on first use.
func helpTexts() map[string]string {
	helpOnce.Do(func() {
		helps = map[string]string{}
		for _, sec := range strings.Split(helpFile, "\n"+sectionMark) {
			sec = strings.TrimPrefix(sec, sectionMark)
			name, body, ok := strings.Cut(sec, "\n")
			if ok && name != "" {
				helps[name] = strings.TrimRight(body, "\n") + "\n"
			}
		}
	})
	return helps
}
