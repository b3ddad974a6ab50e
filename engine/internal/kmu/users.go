package kmu

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name:    "listUsers",
		Summary: "Lists all users of a partition",
		API:     "Cfm3ListUsers",
		Run:     listUsers,
		About:   `Lists the users of the HSMs with their type, id and other attributes.`,
	})
}

// FormatUsers prints the user table as both tools print it.
func FormatUsers(users []*hsm.User) string {
	var b []byte
	b = append(b, []byte(fmt.Sprintf("\tNumber Of Users found %d\n\n", len(users)))...)
	b = append(b, []byte(fmt.Sprintf("\t%-12s%-12s%-16s%-20s%-14s%-24s%s\n", "Index", "User ID", "User Type", "User Name", "MofnPubKey", "LoginFailureCnt", "2FA"))...)
	for i, u := range users {
		b = append(b, []byte(fmt.Sprintf("\t%-5d%13d      %-16s%-20s%8s%16d%17s\n", i+1, u.ID, u.Type, u.Name, yesNo(u.QuorumPubKey != ""), u.FailedLogins, yesNo(u.TwoFA)))...)
	}
	return string(b)
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func listUsers(t *Tool, a *Args) tool.Result {
	t.printf("%s", FormatUsers(t.Cluster.Users()))
	t.returned("Cfm3ListUsers", hsm.RCSuccess)
	return tool.Result{}
}
