package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
)

// cliGolden replays testdata/<name>.md on tl: each line after the prompt
// is typed (on one line, as the pages' "\" continuations join), what the
// tool prints follows it. Logins give --password, so no question is asked.
func cliGolden(t *testing.T, name string, tl *Tool) string {
	t.Helper()
	return golden.Run(t, filepath.Join("testdata", name+".md"), func(transcript string) string {
		var out strings.Builder
		for _, line := range strings.SplitAfter(transcript, "\n") {
			cmd, typed := strings.CutPrefix(strings.TrimSuffix(line, "\n"), Prompt)
			if !typed {
				continue
			}
			out.WriteString(Prompt + cmd + "\n")
			out.WriteString(run(t, tl, cmd))
		}
		return out.String()
	})
}

func TestEd25519Golden(t *testing.T) {
	tl := testTool(t)
	require.NoError(t, tl.FS.WriteFile("data.txt", []byte("abc")))
	cliGolden(t, "ed25519", tl)
}

func TestEd25519phGolden(t *testing.T) {
	tl := testTool(t)
	require.NoError(t, tl.FS.WriteFile("data.txt", []byte("abc")))
	cliGolden(t, "ed25519ph", tl)
}

func TestMLDSAGolden(t *testing.T) {
	tl := testTool(t)
	require.NoError(t, tl.FS.WriteFile("/tmp/data.bin", []byte("abc123")))
	cliGolden(t, "mldsa", tl)
}
