//go:build js && wasm

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The learning functions through the JavaScript interface the worker
// uses: scenario records open, the tour judges, a checkpoint comes back as
// records, transcripts come out as bytes.
func TestBridgeLearnFunctions(t *testing.T) {
	api, _ := brAPI(t)
	var list []scenarioInfo
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "scenarios"), "")), &list))
	assert.Equal(t, "default", list[0].Name)

	recs := brOK(t, api, "scenarioRecords", "shared-key")
	assert.Contains(t, brKeys(t, recs), "k/524288")
	brOK(t, api, "open", recs, "3")
	brOK(t, api, "exec", "key_mgmt_util")
	brOK(t, api, "exec", "loginHSM -u CU -s example_user -p password")

	marks := brString(t, brOK(t, api, "tourMark"), "")
	cp := brOK(t, api, "checkpoint")
	out := brReply(t, brOK(t, api, "exec", "genSymKey -t 31 -s 32 -l k")).Output
	require.Contains(t, out, "Key Handle: 524291")
	var st []struct {
		ID   string `json:"id"`
		Done bool   `json:"done"`
	}
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "tourStatus", marks, "gen-aes"), "")), &st))
	assert.Equal(t, "gen-aes", st[0].ID)
	assert.True(t, st[0].Done)

	back := brOK(t, api, "restore", cp)
	assert.Equal(t, "Command: ", brString(t, back, "prompt"))
	restored, err := back.Get("records")
	require.NoError(t, err)
	assert.NotContains(t, brKeys(t, restored), "k/524291")

	var ex []struct{ Code string }
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "tourExplain", `[{"api":"Cfm3DeleteKey","rc":198}]`), "")), &ex))
	assert.Equal(t, "0xc6", ex[0].Code)

	steps := `[{"prompt":"$ ","input":"key_mgmt_util","output":""},{"prompt":"Command: ","input":"loginHSM -u CU -s example_user -p password","output":"ok\n"}]`
	md, err := bytesOf(brOK(t, api, "transcriptMarkdown", steps, "3", "shared-key"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(md), "<!-- hsmsim seed=3 scenario=shared-key -->\n"), string(md))
	assert.Contains(t, string(md), "-p ********\nok\n")
	sc, err := bytesOf(brOK(t, api, "transcriptScript", steps))
	require.NoError(t, err)
	assert.Equal(t, "key_mgmt_util\nloginHSM -u CU -s example_user -p ********\n", string(sc))

	for _, c := range []struct {
		name string
		args []any
	}{
		{"scenarioRecords", []any{"nope"}},
		{"tourStatus", []any{"{"}},
		{"restore", []any{"not bytes"}},
		{"transcriptMarkdown", []any{"[]", "x"}},
		{"transcriptScript", []any{42}},
	} {
		_, e := brCall(t, api, c.name, c.args...)
		kind, msg := brKind(t, e)
		assert.Equal(t, kindInvalid, kind, "%s %v: %s", c.name, c.args, msg)
	}
}
