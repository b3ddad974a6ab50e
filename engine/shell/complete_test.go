package shell_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/shell"
)

// replayTabs replays a session in which a line ending in "<Tab>" asks for
// the completions of what precedes it: they follow, one a line, each with
// what it means. Other lines at the prompt are run.
func replayTabs(s *shell.Session, text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		p := s.Prompt()
		in, ok := strings.CutPrefix(line, p)
		if !ok {
			continue
		}
		if typed, tab := strings.CutSuffix(in, "<Tab>"); tab {
			b.WriteString(p + in + "\n")
			for _, c := range s.Completions(typed) {
				b.WriteString(strings.TrimRight(fmt.Sprintf("  %-12s %s", c.Value, c.Note), " ") + "\n")
			}
			continue
		}
		b.WriteString(p + in + "\n" + s.Exec(in).Output)
	}
	return b.String()
}

// Tab completion knows the tools: after each flag or argument it offers
// what the command tables say goes there (attribute ids with their names,
// the command's mechanisms, curve ids, key types, user ids, handles,
// files, servers), in both tools and in a singlecmd line.
func TestCompletionKnowsTheTools(t *testing.T) {
	s := seeded(t, 1)
	golden.Run(t, filepath.Join("testdata", "complete.md"), func(text string) string { return replayTabs(s, text) })
}
