package kmu

import (
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// The configuration commands the real tool's help lists without a page of
// their own: getHSMInfo (its fields are those of cloudhsm_mgmt_util's
// getHSMInfo page), getPartitionInfo and loginStatus. key_mgmt_util's calls
// go to one HSM, the one its login session is attached to (or, logged out,
// the one a login would attach to); each command prints that HSM's fields
// and then its Cfm3 line, as listUsers does.

func init() {
	register(&Command{
		Name:    "getHSMInfo",
		Summary: "Gets the HSM Information",
		API:     "Cfm3GetHSMInfo",
		NoLogin: true,
		Run:     getHSMInfo,
		About: `Gets information about the HSM that key_mgmt_util talks to: its model,
serial number, FIPS state, memory, temperature and the versions of its
hardware and firmware. No login is needed.`,
	})
	register(&Command{
		Name:    "getPartitionInfo",
		Summary: "Gets the Partition Information",
		API:     "Cfm3GetPartitionInfo",
		NoLogin: true,
		Run:     getPartitionInfo,
		About: `Gets information about the partition of the HSM that key_mgmt_util talks
to: its name and serial number, how many users and keys it holds and how
many it can hold, and its FIPS state. No login is needed.`,
	})
	register(&Command{
		Name:    "loginStatus",
		Summary: "Gets the Login Information",
		API:     "Cfm3GetLoginStatus",
		NoLogin: true,
		Run:     loginStatus,
		About: `Tells whether key_mgmt_util is logged in and, when it is, as which user and
on which HSM its session keys live.`,
	})
}

// infoNode is the HSM key_mgmt_util's calls go to: the session's, or the
// highest-numbered HSM that is up (where a login would attach).
func (t *Tool) infoNode() *hsm.Node {
	if t.Session != nil {
		if n := t.Cluster.Node(t.Session.Node); n != nil && n.Up {
			return n
		}
	}
	up := t.Cluster.UpNodes()
	if len(up) == 0 {
		return nil
	}
	return up[len(up)-1]
}

// fields prints "name :value" lines in the column of the getHSMInfo page.
func (t *Tool) fields(fs []hsm.InfoField) {
	for _, f := range fs {
		t.printf("%-21s:%s\n", f.Name, f.Value)
	}
}

func getHSMInfo(t *Tool, a *Args) tool.Result {
	n := t.infoNode()
	if n == nil {
		t.returned("Cfm3GetHSMInfo", hsm.RCServerUnavailable)
		return tool.Result{}
	}
	t.printf("HSM Info of node %d (%s):\n", n.ID, n.Addr)
	t.fields(n.Info())
	t.printf("\n")
	t.returned("Cfm3GetHSMInfo", hsm.RCSuccess)
	return tool.Result{}
}

func getPartitionInfo(t *Tool, a *Args) tool.Result {
	n := t.infoNode()
	if n == nil {
		t.returned("Cfm3GetPartitionInfo", hsm.RCServerUnavailable)
		return tool.Result{}
	}
	t.printf("Partition Info of node %d (%s):\n", n.ID, n.Addr)
	t.fields(n.PartitionInfo())
	t.printf("\n")
	t.returned("Cfm3GetPartitionInfo", hsm.RCSuccess)
	return tool.Result{}
}

func loginStatus(t *Tool, a *Args) tool.Result {
	s := t.Session
	if s == nil {
		t.fields([]hsm.InfoField{{Name: "Login State", Value: "Not logged in"}})
	} else {
		node := strconv.Itoa(s.Node)
		if n := t.Cluster.Node(s.Node); n != nil {
			node += " (" + n.Addr + ")"
		}
		t.fields([]hsm.InfoField{
			{Name: "Login State", Value: "Logged in"},
			{Name: "User Name", Value: s.User},
			{Name: "User Type", Value: string(s.Role)},
			{Name: "User Id", Value: strconv.Itoa(s.UserID)},
			{Name: "Session Node", Value: node},
		})
	}
	t.printf("\n")
	t.returned("Cfm3GetLoginStatus", hsm.RCSuccess)
	return tool.Result{}
}
