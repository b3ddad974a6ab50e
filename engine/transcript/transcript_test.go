package transcript

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
)

func session(t *testing.T, seed uint64) *shell.Session {
	t.Helper()
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(seed)})
	require.NoError(t, err)
	return s
}

var lines = []string{
	"key_mgmt_util",
	"loginHSM -u CU -s example_user -p password",
	"genSymKey -t 31 -s 32 -l aes256",
	"loginHSM -u CU -s alice -hpswd",
	"password",
	"exit",
	"cloudhsm_mgmt_util",
	"loginHSM CU example_user password",
	"shareKey 524295 4 1",
	"y",
	"quit",
	"ls",
}

func record(t *testing.T, seed uint64) []shell.Step {
	s := session(t, seed)
	var steps []shell.Step
	for _, l := range lines {
		st, _ := s.Step(l)
		steps = append(steps, st)
	}
	return steps
}

func TestMarkdownMasksAndReplays(t *testing.T) {
	seed := uint64(42)
	md := Markdown(record(t, seed), Meta{Seed: &seed})
	assert.True(t, strings.HasPrefix(md, "<!-- hsmsim seed=42 -->\n\n```\n$ key_mgmt_util\nCommand: loginHSM -u CU -s example_user -p ********\n"), md)
	assert.Contains(t, md, "aws-cloudhsm>loginHSM CU example_user ********\n")
	assert.Contains(t, md, "Enter password: \n")
	assert.NotContains(t, md, " password\n")
	assert.Equal(t, 6, strings.Count(md, "```\n"), "three blocks: key_mgmt_util, cloudhsm_mgmt_util, the host again")

	m, text, err := ParseMarkdown(md)
	require.NoError(t, err)
	require.NotNil(t, m.Seed)
	bad, steps, err := Check(session(t, *m.Seed), text, "password")
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Equal(t, len(lines), steps)
}

func TestCheckReportsATamperedTranscript(t *testing.T) {
	seed := uint64(42)
	md := Markdown(record(t, seed), Meta{Seed: &seed})
	md = strings.Replace(md, "Symmetric Key Created.  Key Handle: 524295", "Symmetric Key Created.  Key Handle: 6", 1)
	_, text, err := ParseMarkdown(md)
	require.NoError(t, err)
	bad, _, err := Check(session(t, seed), text, "password")
	require.NoError(t, err)
	require.Len(t, bad, 1)
	assert.Equal(t, "genSymKey -t 31 -s 32 -l aes256", bad[0].Input)
	d := bad[0].Diff()
	assert.Contains(t, d, "- Symmetric Key Created.  Key Handle: 6\n+ Symmetric Key Created.  Key Handle: 524295\n")
}

func TestScriptMasksPasswords(t *testing.T) {
	sc := Script(record(t, 1))
	assert.Contains(t, sc, "loginHSM -u CU -s example_user -p ********\n")
	assert.Contains(t, sc, "loginHSM CU example_user ********\n")
}

func TestParseMarkdownErrors(t *testing.T) {
	_, _, err := ParseMarkdown("<!-- hsmsim seed=x -->\n")
	assert.Error(t, err)
	_, _, err = ParseMarkdown("<!-- hsmsim colour=red -->\n")
	assert.Error(t, err)
	_, _, err = ParseMarkdown("```\n$ ls\n")
	assert.Error(t, err)
	_, text, err := ParseMarkdown("# Title\n\nSome prose.\n\n```\n$ ls\n```\n")
	require.NoError(t, err)
	assert.Equal(t, "$ ls\n", text)
	_, _, err = Check(session(t, 1), "Command: ls\n", "password")
	assert.ErrorContains(t, err, `expected the prompt "$ "`)
}

func FuzzParseMarkdown(f *testing.F) {
	f.Add("<!-- hsmsim seed=1 scenario=default -->\n```\n$ ls\n```\n")
	f.Add("```")
	f.Fuzz(func(t *testing.T, md string) {
		_, text, err := ParseMarkdown(md)
		if err != nil {
			return
		}
		// Replaying arbitrary text must never panic.
		s, _ := shell.New(shell.Options{Rand: shell.SeededRand(1)})
		_, _, _ = Check(s, text, "password")
	})
}
