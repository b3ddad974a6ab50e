package cmu

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// Each command that runs on the servers is one call with each server's
// answer, in the order of the lines it printed; its code is the first
// failure.
func TestCMUCallsCarryEachServersAnswer(t *testing.T) {
	e := cmuNewEnv(t, "default")
	e.c.Node(1).Up = false
	out, calls := cmuCalls(t, e.tl, "loginHSM CU alice password")
	require.Len(t, calls, 1, out)
	assert.Equal(t, tool.Call{API: "loginHSM", RC: hsm.RCServerUnavailable, Nodes: []tool.Node{
		{Node: 0}, {Node: 1, RC: hsm.RCServerUnavailable}, {Node: 2},
	}}, calls[0])

	out, calls = cmuCalls(t, e.tl, "shareKey 524288 3 1")
	require.Len(t, calls, 1, out)
	assert.Equal(t, "shareKey", calls[0].API)
	assert.Equal(t, hsm.RCServerUnavailable, calls[0].RC)
	assert.Equal(t, []tool.Node{{Node: 0}, {Node: 1, RC: hsm.RCServerUnavailable}, {Node: 2}}, calls[0].Nodes)

	out, calls = cmuCalls(t, e.tl, "getKeyInfo 524288")
	require.Len(t, calls, 1, out)
	got := calls[0].Nodes
	require.Len(t, got, 3)
	assert.Equal(t, &tool.KeyInfo{Token: true, Owner: 4, Shared: []int{3}}, got[0].Value.KeyInfo)
	assert.Nil(t, got[1].Value, "the server that is down read nothing")
	assert.Equal(t, got[0].Value, got[2].Value)

	// A client-side error reaches no server: no call.
	out, calls = cmuCalls(t, e.tl, "getKeyInfo x")
	assert.Empty(t, calls, out)

	e.c.Node(1).Up = true
	cmuRun(t, e.tl, "logoutHSM")
	cmuRun(t, e.tl, "loginHSM CO admin password")
	_, calls = cmuCalls(t, e.tl, "server 0", "syncKey 524288 1")
	require.Len(t, calls, 1)
	assert.Equal(t, "syncKey", calls[0].API)
	assert.Equal(t, hsm.RCSuccess, calls[0].RC)
	assert.Equal(t, []uint64{524288}, calls[0].Handles)
	_, calls = cmuCalls(t, e.tl, "syncUser 99 1")
	require.Len(t, calls, 1)
	assert.Equal(t, tool.Call{API: "syncUser", RC: hsm.RCUserNotFound, Nodes: []tool.Node{{Node: 0, RC: hsm.RCUserNotFound}}}, calls[0])
}
