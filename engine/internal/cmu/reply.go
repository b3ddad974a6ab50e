package cmu

import (
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// reply is a command's answer as it is made: the text cloudhsm_mgmt_util
// prints and, beside it, each server's return code and values as typed
// calls (tool.Call), one per command that ran on the servers.
type reply struct {
	strings.Builder
	calls []tool.Call
}

// answer records server n's answer to cmd. Answers to the same command in
// a row are one call; its code is the first failure.
func (r *reply) answer(cmd string, n int, rc hsm.RC, v *tool.Value) {
	k := len(r.calls)
	if k == 0 || r.calls[k-1].API != cmd {
		r.calls = append(r.calls, tool.Call{API: cmd})
		k++
	}
	c := &r.calls[k-1]
	c.Nodes = append(c.Nodes, tool.Node{Node: n, RC: rc, Value: v})
	if c.RC == hsm.RCSuccess {
		c.RC = rc
	}
}

// returned records a command whose answer names no server (syncKey,
// syncUser, getCert).
func (r *reply) returned(cmd string, rc hsm.RC) {
	r.calls = append(r.calls, tool.Call{API: cmd, RC: rc})
}

// ok records server n's success and prints the per-server success line.
func (r *reply) ok(cmd string, n *hsm.Node) { r.okValue(cmd, n, nil) }

// okValue is ok for a server that also read back a value.
func (r *reply) okValue(cmd string, n *hsm.Node, v *tool.Value) {
	r.answer(cmd, n.ID, hsm.RCSuccess, v)
	fmt.Fprintf(r, "%s success on %s\n", cmd, server(n))
}

// fail records server n's failure and prints it in the form of the quorum
// pages: "deleteUser failed: RET_MXN_AUTH_FAILED" / "deleteUser failed on
// server 0(10.0.2.14)".
func (r *reply) fail(cmd string, n *hsm.Node, rc hsm.RC) {
	r.answer(cmd, n.ID, rc, nil)
	fmt.Fprintf(r, "%s failed: %s\n%s failed on %s\n", cmd, rc.Name(), cmd, server(n))
}

// read records server n's successful answer, with the value it read back
// when there is one; the caller prints the answer.
func (r *reply) read(cmd string, n *hsm.Node, v *tool.Value) {
	r.answer(cmd, n.ID, hsm.RCSuccess, v)
}

// result is the command's result.
func (r *reply) result() tool.Result {
	return tool.Result{Output: r.String(), Calls: r.calls}
}
