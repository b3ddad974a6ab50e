package kmu

import (
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// returnedLine is how key_mgmt_util prints a call's return code:
// "Cfm3GenerateSymmetricKey returned: 0x00 : HSM Return: SUCCESS".
func returnedLine(api string, rc hsm.RC) string {
	return fmt.Sprintf("%s returned: 0x%02x : %s\n", api, uint32(rc), rc)
}

// statusBlock is how key_mgmt_util prints each HSM's answer, under a
// header ("Cluster Error Status", "Cluster Status").
func statusBlock(header string, st hsm.Status) string {
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, ns := range st {
		fmt.Fprintf(&b, "Node id %d and err state 0x%08x : %s\n", ns.Node, uint32(ns.RC), ns.RC)
	}
	return b.String()
}

// firstRC is the first failure among nodes, or success.
func firstRC(nodes []tool.Node) hsm.RC {
	for _, n := range nodes {
		if n.RC != hsm.RCSuccess {
			return n.RC
		}
	}
	return hsm.RCSuccess
}
