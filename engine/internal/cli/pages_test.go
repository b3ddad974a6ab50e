package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
)

// referenceDir is the CloudHSM CLI reference folder.
func referenceDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(golden.ReferenceDir(t), "cloudhsm-cli-docs")
}

var (
	placeholder = regexp.MustCompile(`\{\{[<>]*([A-Za-z_-]+)[<>;]*\}\}`)
	syntaxBlock = regexp.MustCompile("(?s)```\n(aws-cloudhsm > [^\n]*help[^\n]*)\n(.*?)```")
)

// pageHelp reads every "help <command>" block of the pages' Syntax sections.
func pageHelp(t *testing.T, dir string) map[string]string {
	files, err := filepath.Glob(filepath.Join(dir, "cloudhsm_cli-*.md"))
	require.NoError(t, err)
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		s := string(b)
		i := strings.Index(s, "## Syntax")
		if i < 0 {
			continue
		}
		s = s[i:]
		if j := strings.Index(s[3:], "\n## "); j >= 0 {
			s = s[:j+3]
		}
		for _, m := range syntaxBlock.FindAllStringSubmatch(s, -1) {
			words := strings.Fields(strings.TrimPrefix(m[1], "aws-cloudhsm > "))
			// One page writes "key help generate-symmetric generic-secret".
			if len(words) > 1 && words[1] == "help" {
				words[0], words[1] = words[1], words[0]
			}
			if words[0] != "help" {
				continue
			}
			name := strings.Join(words[1:], " ")
			out[name] = normaliseHelp(m[2])
		}
	}
	return out
}

// normaliseHelp turns a page's block into what the tool prints.
func normaliseHelp(body string) string {
	body = placeholder.ReplaceAllString(body, "<$1>")
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n") + "\n"
}

func TestHelpMatchesPages(t *testing.T) {
	pages := pageHelp(t, referenceDir(t))
	require.NotEmpty(t, pages)
	if golden.Updating() {
		names := make([]string, 0, len(pages))
		for n := range pages {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			b.WriteString(sectionMark + n + "\n" + pages[n])
		}
		require.NoError(t, os.WriteFile("help.txt", []byte(b.String()), 0o644))
	}
	got := helpTexts()
	for name, want := range pages {
		require.Equal(t, want, got[name], "help %s", name)
	}
	for name := range got {
		_, ok := pages[name]
		require.True(t, ok, "help.txt has %q, which no page shows", name)
	}
}
