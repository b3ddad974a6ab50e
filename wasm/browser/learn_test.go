package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
	"github.com/hsmsim/hsmsim/engine/tour"
	"github.com/hsmsim/hsmsim/engine/transcript"
)

// learnOpen opens a workspace on a built-in scenario with a seed.
func learnOpen(t *testing.T, scen, seed string) *engine {
	t.Helper()
	recs, err := scenarioRecords(scen)
	require.NoError(t, err)
	e := &engine{}
	_, err = e.open(recs, state.RecordSchema, seed)
	require.NoError(t, err)
	return e
}

func learnExec(t *testing.T, e *engine, lines ...string) string {
	t.Helper()
	var out strings.Builder
	for _, l := range lines {
		r, err := e.exec(l)
		require.NoError(t, err, l)
		out.WriteString(r.Output)
	}
	return out.String()
}

func TestLearnScenariosListDefaultFirst(t *testing.T) {
	list, err := scenarios()
	require.NoError(t, err)
	require.NotEmpty(t, list)
	assert.Equal(t, "default", list[0].Name)
	names := map[string]string{}
	for _, s := range list {
		names[s.Name] = s.Title
		assert.NotEmpty(t, s.Description, s.Name)
	}
	assert.Equal(t, "Two crypto users sharing a key", names["shared-key"])
	assert.Equal(t, "One HSM out of sync", names["out-of-sync"])
	assert.Equal(t, "An uninitialised cluster", names["uninitialised"])
}

func TestLearnScenarioRecordsOpenAsThatCluster(t *testing.T) {
	e := learnOpen(t, "shared-key", "1")
	out := learnExec(t, e, "key_mgmt_util", "loginHSM -u CU -s alice -p password", "getKeyInfo -k 524288")
	assert.Contains(t, out, "Owned by user 3")
	assert.Regexp(t, `also, shared to following 1 user\(s\):\n\s*4\n`, out)

	e = learnOpen(t, "uninitialised", "")
	sum, err := e.summary()
	require.NoError(t, err)
	assert.Len(t, sum.Nodes, 1)

	e = learnOpen(t, "out-of-sync", "1")
	assert.Contains(t, learnExec(t, e, "cluster status"), "out of sync")

	_, err = scenarioRecords("no-such")
	assert.Equal(t, kindInvalid, errorKind(err))
	assert.ErrorContains(t, err, `unknown scenario "no-such" (known: default, `)
	def, err := scenarioRecords("")
	require.NoError(t, err)
	want, err := defaultRecords()
	require.NoError(t, err)
	assert.Equal(t, want, def, `"" is the default cluster`)
}

func TestLearnTourMarkAndStatusFollowTheCluster(t *testing.T) {
	e := learnOpen(t, "default", "1")
	steps := tourSteps()
	require.Len(t, steps, len(tour.Steps()))
	b, err := json.Marshal(steps[1])
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"gen-aes","title":"Generate a 256-bit AES key","tool":"key_mgmt_util",
		"why":"`+steps[1].Why+`","commands":["genSymKey -t 31 -s 32 -l aes256"]}`, string(b))

	learnExec(t, e, "key_mgmt_util", "loginHSM -u CU -s example_user -p password")
	m, err := e.tourMark()
	require.NoError(t, err)
	mj, err := json.Marshal(m)
	require.NoError(t, err)
	st, err := e.tourStatus(string(mj), "")
	require.NoError(t, err)
	assert.Equal(t, tour.Status{ID: "login", Done: true}, st[0])
	assert.Equal(t, tour.Status{ID: "gen-aes", Done: false}, st[1])

	// The learner's own variant: other flags, other order, other label.
	learnExec(t, e, "genSymKey -l mine -s 32 -t 31")
	st, err = e.tourStatus(string(mj), "")
	require.NoError(t, err)
	assert.True(t, st[1].Done)

	one, err := e.tourStatus(string(mj), "gen-aes")
	require.NoError(t, err)
	assert.Equal(t, []tour.Status{{ID: "gen-aes", Done: true}}, one)
	_, err = e.tourStatus(string(mj), "no-such-step")
	assert.Equal(t, kindInvalid, errorKind(err))

	_, err = e.tourStatus("{not json", "")
	assert.Equal(t, kindInvalid, errorKind(err))
	_, err = e.tourStatus(strings.Repeat(" ", maxMarks+1), "")
	assert.Equal(t, kindInvalid, errorKind(err))
	_, err = (&engine{}).tourStatus("{}", "")
	assert.ErrorIs(t, err, errClosed)
	_, err = (&engine{}).tourMark()
	assert.ErrorIs(t, err, errClosed)
}

func TestLearnTourExplainIsAlwaysAList(t *testing.T) {
	e, err := tourExplain("")
	require.NoError(t, err)
	assert.Equal(t, []tour.Explanation{}, e)
	e, err = tourExplain(`[{"api":"Cfm3GenerateSymmetricKey","rc":0}]`)
	require.NoError(t, err)
	assert.Equal(t, []tour.Explanation{}, e)
	e, err = tourExplain(`[{"api":"Cfm3ExportWrappedKey","rc":198}]`)
	require.NoError(t, err)
	require.Len(t, e, 1)
	assert.Equal(t, "0xc6", e[0].Code)
	_, err = tourExplain("{not json")
	assert.Equal(t, kindInvalid, errorKind(err))
}

// The page hands back the calls of a reply as the engine sent them.
func TestLearnTourExplainReadsAReplysCalls(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(5)})
	require.NoError(t, err)
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	b, err := json.Marshal(s.Exec("deleteKey -k 524291"))
	require.NoError(t, err)
	var reply struct{ Calls json.RawMessage }
	require.NoError(t, json.Unmarshal(b, &reply))
	e, err := tourExplain(string(reply.Calls))
	require.NoError(t, err)
	require.Len(t, e, 1)
	assert.Equal(t, "0xc6", e[0].Code)
}

// A checkpoint taken at a step's start, then changes, then restore: the
// cluster and the files are back, the tool and its login stay, the session
// key made before the checkpoint stays and the one made after goes.
func TestLearnRestorePutsTheStepBackKeepingTheLogin(t *testing.T) {
	e := learnOpen(t, "default", "1")
	learnExec(t, e, "key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 16 -sess -l wrap")
	cp, err := e.checkpoint()
	require.NoError(t, err)
	before, err := e.snapshot()
	require.NoError(t, err)

	out := learnExec(t, e, "genSymKey -t 31 -s 32 -l aes256", "genSymKey -t 31 -s 16 -sess -l later",
		"exSymKey -k 524296 -out k.exp -w 524295")
	require.Contains(t, out, "Key Handle: 524296")
	_, err = e.readFile("k.exp")
	require.NoError(t, err)

	recs, op, err := e.restore(cp)
	require.NoError(t, err)
	assert.Equal(t, opened{Prompt: "Command: ", Mode: "key_mgmt_util"}, op)
	after, err := e.snapshot()
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after))
	_, err = e.readFile("k.exp")
	assert.Error(t, err, "the exported file is gone")

	// The records are the whole restored workspace, and nothing is left
	// over for the next command to write.
	c, files, err := state.FromRecords(brPayloads(t, recs))
	require.NoError(t, err)
	doc, err := state.Encode(c, files)
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(doc))
	d, err := e.delta()
	require.NoError(t, err)
	assert.Equal(t, []string{state.MetaKey}, slices.Collect(maps.Keys(d.Puts)), "only the meta record, which every save writes")
	assert.Empty(t, d.Dels)

	// Still logged in; the early session key is there, the later one not,
	// and the step's own command gives the same handle again.
	out = learnExec(t, e, "findKey -l wrap", "findKey -l later", "genSymKey -t 31 -s 32 -l aes256")
	assert.Contains(t, out, "Total number of keys present 1\n")
	assert.Contains(t, out, "Total number of keys present 0\n")
	assert.Contains(t, out, "Key Handle: 524296")
}

func TestLearnRestoreRefusesBadInputAndChangesNothing(t *testing.T) {
	e := learnOpen(t, "default", "1")
	learnExec(t, e, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l aes256")
	before, err := e.snapshot()
	require.NoError(t, err)
	for _, bad := range []string{"", "{}", `{"format":"hsmsim-checkpoint","version":1,"state":{"format":"x"}}`, "\x00\x01"} {
		_, _, err := e.restore([]byte(bad))
		assert.Equal(t, kindInvalid, errorKind(err), bad)
	}
	_, _, err = e.restore([]byte(`{"format":"hsmsim-checkpoint","version":9}`))
	assert.Equal(t, kindTooNew, errorKind(err))
	after, err := e.snapshot()
	require.NoError(t, err)
	assert.JSONEq(t, string(before), string(after))
	_, _, err = (&engine{}).restore([]byte(`{}`))
	assert.Error(t, err)
	_, err = (&engine{}).checkpoint()
	assert.ErrorIs(t, err, errClosed)
}

// learnSteps runs lines on a fresh shell the way the console records them.
func learnSteps(t *testing.T, scen string, seed uint64, lines ...string) []shell.Step {
	t.Helper()
	s, err := shell.New(shell.Options{Scenario: scen, Rand: shell.SeededRand(seed)})
	require.NoError(t, err)
	var out []shell.Step
	for _, l := range lines {
		st, _ := s.Step(l)
		out = append(out, st)
	}
	return out
}

func TestLearnTranscriptMarkdownReplaysWithItsSeedAndScenario(t *testing.T) {
	steps := learnSteps(t, "shared-key", 7, "key_mgmt_util", "loginHSM -u CU -s alice -hpswd", "password",
		"genSymKey -t 31 -s 32 -l aes256", "getKeyInfo -k 524288", "exit")
	js, err := json.Marshal(steps)
	require.NoError(t, err)
	md, err := transcriptMarkdown(string(js), "7", "shared-key")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(md, "<!-- hsmsim seed=7 scenario=shared-key -->\n\n```\n$ key_mgmt_util\n"), md)
	assert.NotContains(t, md, "password\n")

	meta, text, err := transcript.ParseMarkdown(md)
	require.NoError(t, err)
	require.NotNil(t, meta.Seed)
	s, err := shell.New(shell.Options{Scenario: meta.Scenario, Rand: shell.SeededRand(*meta.Seed)})
	require.NoError(t, err)
	bad, n, err := transcript.Check(s, text, "password")
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Equal(t, len(steps), n)

	md, err = transcriptMarkdown("[]", "", "")
	require.NoError(t, err)
	assert.Equal(t, "<!-- hsmsim -->\n\n", md)
	for _, c := range []struct{ steps, seed, scen string }{
		{"{", "", ""}, {`[{"prompt":1}]`, "", ""}, {"[]", "-1", ""}, {"[]", "x", ""}, {"[]", "", "nope"}, {"[]", "", "a b"},
	} {
		_, err := transcriptMarkdown(c.steps, c.seed, c.scen)
		assert.Equal(t, kindInvalid, errorKind(err), c)
	}
	_, err = transcriptMarkdown("["+strings.Repeat(`{},`, maxTranscriptSteps)+"{}]", "", "")
	assert.Equal(t, kindInvalid, errorKind(err))
}

func TestLearnTranscriptScriptMasksPasswords(t *testing.T) {
	steps := learnSteps(t, "default", 1, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l k")
	js, err := json.Marshal(steps)
	require.NoError(t, err)
	sc, err := transcriptScript(string(js))
	require.NoError(t, err)
	assert.Equal(t, "key_mgmt_util\nloginHSM -u CU -s example_user -p ********\ngenSymKey -t 31 -s 32 -l k\n", sc)
	_, err = transcriptScript("nope")
	assert.Equal(t, kindInvalid, errorKind(err))
}

// The CloudHSM CLI tour's list step is told from the reply's calls, which
// the page hands back as the engine sent them; the notes name handles.
func TestLearnTheCLITourReadsTheReplysCalls(t *testing.T) {
	tours := tourTours()
	require.Len(t, tours, 2)
	assert.Equal(t, "cli", tours[1].ID)
	e := learnOpen(t, "default", "1")
	learnExec(t, e, "cloudhsm-cli interactive", "login --username example_user --role crypto-user --password password",
		"key generate-symmetric aes --label cli-aes256 --key-length-bytes 32")
	m, err := e.tourMark()
	require.NoError(t, err)
	mj, err := json.Marshal(m)
	require.NoError(t, err)
	r, err := e.exec("key list --filter attr.label=cli-aes256")
	require.NoError(t, err)
	calls, err := json.Marshal(r.Calls)
	require.NoError(t, err)
	st, err := e.tourStatusAfter(string(mj), "cli-list", string(calls))
	require.NoError(t, err)
	assert.Equal(t, []tour.Status{{ID: "cli-list", Done: true}}, st)
	st, err = e.tourStatus(string(mj), "cli-list")
	require.NoError(t, err)
	assert.Equal(t, []tour.Status{{ID: "cli-list", Done: false}}, st, "without the reply")
	_, err = e.tourStatusAfter(string(mj), "cli-list", "{not json")
	assert.Equal(t, kindInvalid, errorKind(err))

	notes, err := tourNotes(string(calls))
	require.NoError(t, err)
	assert.Equal(t, []string{"Key reference 0x0000000000080007 is handle 524295 in key_mgmt_util and cloudhsm_mgmt_util."}, notes)
	notes, err = tourNotes("")
	require.NoError(t, err)
	assert.Equal(t, []string{}, notes)
}
