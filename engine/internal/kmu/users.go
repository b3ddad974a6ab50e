package kmu

import (
	"github.com/hsmsim/hsmsim/engine/internal/format"
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

func listUsers(t *Tool, a *Args) tool.Result {
	users := tool.UsersOf(t.Cluster.Users())
	t.printf("%s", format.Users(format.KeyMgmtUtil, users))
	t.returned("Cfm3ListUsers", hsm.RCSuccess)
	t.value(&tool.Value{Users: users})
	return tool.Result{}
}
