package kmu

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// requireOK runs line and requires, from the result's calls rather than
// the text, that it called the HSMs and every call returned success; with
// api, that the last call was that Cfm call.
func requireOK(t *testing.T, tl *Tool, line string, api ...string) tool.Result {
	t.Helper()
	r := tl.Exec(line)
	require.NotEmpty(t, r.Calls, "%s: %s", line, r.Output)
	for _, c := range r.Calls {
		require.Equal(t, hsm.RCSuccess, c.RC, "%s: %s returned %s: %s", line, c.API, c.RC, r.Output)
	}
	if len(api) > 0 {
		require.Equal(t, api[0], r.Calls[len(r.Calls)-1].API, "%s: %s", line, r.Output)
	}
	return r
}

// lastRC is the return code of the last call line made.
func lastRC(t *testing.T, r tool.Result) hsm.RC {
	t.Helper()
	require.NotEmpty(t, r.Calls, r.Output)
	return r.Calls[len(r.Calls)-1].RC
}

// The calls of a result are the text's return codes as data: each Cfm
// call with its code, the per-node block with the call it follows (or, for
// findKey, precedes), the handles made and the values read.
func TestCallsCarryWhatTheTextSays(t *testing.T) {
	e := ioNew(t).login(t)
	r := requireOK(t, e.tl, "genSymKey -t 31 -s 16 -l calls", "Cfm3GenerateSymmetricKey")
	require.Len(t, r.Calls, 1)
	c := r.Calls[0]
	require.Len(t, c.Handles, 1)
	assert.Contains(t, r.Output, "Key Handle: "+itoa(c.Handles[0])+"\n")
	assert.Equal(t, []tool.Node{{Node: 0}, {Node: 1}, {Node: 2}}, c.Nodes)

	r = e.tl.Exec("findKey -l calls")
	require.Len(t, r.Calls, 1)
	assert.Equal(t, "Cfm3FindKey", r.Calls[0].API)
	assert.Len(t, r.Calls[0].Nodes, 3, "the block printed before the call's line is the call's")
	assert.Equal(t, c.Handles, r.Calls[0].Handles)

	r = e.tl.Exec("deleteKey -k 524291")
	assert.Equal(t, hsm.RCKeyAccessDenied, lastRC(t, r))
	assert.Equal(t, "Cfm3DeleteKey", r.Calls[0].API)

	r = e.tl.Exec("loginHSM -u CU -s alice -p password")
	assert.Equal(t, hsm.RCAlreadyLoggedIn, lastRC(t, r))
	assert.Empty(t, r.Calls[0].Nodes)

	r = e.tl.Exec("logoutHSM")
	assert.Equal(t, hsm.RCSuccess, lastRC(t, r))
	assert.Len(t, r.Calls[0].Nodes, 3, "the Cluster Status block")
	r = e.tl.Exec("findKey")
	assert.Equal(t, hsm.RCNotLoggedIn, lastRC(t, r), "no login: the command's API answers")
	assert.Equal(t, "Cfm3FindKey", r.Calls[0].API)

	e.c.Node(1).Up = false
	e.login(t)
	r = e.tl.Exec("genSymKey -t 31 -s 16 -l drift")
	assert.Equal(t, hsm.RCSuccess, lastRC(t, r))
	assert.Equal(t, hsm.RCServerUnavailable, r.Calls[0].Nodes[1].RC)
}

func itoa(h uint64) string { return sprintf("%d", h) }
