package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&command{path: "login", run: login})
	register(&command{path: "logout", login: "any", run: logout})
	register(&command{path: "user list", login: "any", run: userList})
	register(&command{path: "user create", login: "admin", run: userCreate})
	register(&command{path: "user delete", login: "admin", run: userDelete})
	register(&command{path: "user change-password", login: "any", run: userChangePassword})
}

// Roles as the CLI names them, against the roles of the SDK 3 tools:
// admin is a crypto officer (the primary one too), crypto-user a CU.
func cliRole(r hsm.Role) string {
	switch r {
	case hsm.RoleCO, hsm.RolePCO:
		return "admin"
	case hsm.RoleCU:
		return "crypto-user"
	case hsm.RoleAU:
		return "internal(APPLIANCE_USER)"
	case hsm.RolePRECO:
		return "unactivated-admin"
	}
	return strings.ToLower(string(r))
}

func hsmRole(role string) hsm.Role {
	if role == "admin" {
		return hsm.RoleCO
	}
	return hsm.RoleCU
}

func (t *Tool) nodeIDs() []int {
	ids := make([]int, len(t.Cluster.Nodes))
	for i, n := range t.Cluster.Nodes {
		ids[i] = n.ID
	}
	return ids
}

// withPassword runs then with the password given by flag, or asks for it
// (twice when confirm is set) as the CLI does when the flag is left out.
func withPassword(a *args, flag string, confirm bool, then func(pw string) result) result {
	// A recalled line carries the mask where the password was: ask for it.
	if a.has(flag) && a.get(flag) != tool.Masked {
		return then(a.get(flag))
	}
	return result{ask: &tool.Question{Prompt: "Enter password:", Secret: true, Answer: func(pw string) tool.Result {
		if !confirm {
			return a.finish(then(pw))
		}
		return tool.Result{Ask: &tool.Question{Prompt: "Confirm password:", Secret: true, Answer: func(again string) tool.Result {
			if again != pw {
				return a.finish(fail(msgPasswordsDiffer))
			}
			return a.finish(then(pw))
		}}}
	}}}
}

func userData(name, role string) obj {
	return obj{{"username", strings.ToLower(name)}, {"role", role}}
}

func login(t *Tool, a *args) result {
	if hsm.Check(t.Session, hsm.OpLogin, nil) != hsm.RCSuccess {
		return fail(msgAlreadyLoggedIn)
	}
	name, role := a.get("username"), a.get("role")
	return withPassword(a, "password", false, func(pw string) result {
		s, st := t.Cluster.Login(hsmRole(role), name, pw, t.nodeIDs())
		t.note.status(st)
		if s == nil {
			return rcFail(st.First())
		}
		t.Session, t.role = s, role
		return ok(userData(s.User, role))
	})
}

func logout(t *Tool, a *args) result {
	t.Cluster.Logout(t.Session)
	t.Session, t.role = nil, ""
	return ok("Logout successful")
}

// clusterUser is one user as the whole cluster has it: the copy of the
// first node that has it, and whether every node agrees.
type clusterUser struct {
	u    *hsm.User
	full bool
}

func (t *Tool) users() []clusterUser {
	byID := map[int]*clusterUser{}
	var ids []int
	for _, n := range t.Cluster.Nodes {
		for _, u := range n.Users {
			if byID[u.ID] == nil {
				byID[u.ID] = &clusterUser{u: u, full: true}
				ids = append(ids, u.ID)
			}
		}
	}
	for _, id := range ids {
		cu := byID[id]
		for _, n := range t.Cluster.Nodes {
			v := n.User(id)
			if v == nil || v.Name != cu.u.Name || v.Type != cu.u.Type || v.PasswordHash != cu.u.PasswordHash || v.MFAPubKey != cu.u.MFAPubKey {
				cu.full = false
			}
		}
	}
	sort.Ints(ids)
	out := make([]clusterUser, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byID[id])
	}
	return out
}

func coverage(full bool) string {
	if full {
		return "full"
	}
	return "partial"
}

func userList(t *Tool, a *args) result {
	list := []any{}
	// The appliance user comes last, as both pages that list it show it
	// (user list, getting started), after the users made since.
	users := t.users()
	sort.SliceStable(users, func(i, j int) bool { return users[i].u.Type != hsm.RoleAU && users[j].u.Type == hsm.RoleAU })
	var typed []*hsm.User
	for _, cu := range users {
		typed = append(typed, cu.u)
		mfa := []any{}
		if cu.u.HasMFA() {
			mfa = append(mfa, obj{{"strategy", "token-sign"}, {"status", "enabled"}})
		}
		list = append(list, obj{
			{"username", strings.ToLower(cu.u.Name)},
			{"role", cliRole(cu.u.Type)},
			{"locked", boolString(cu.u.Locked())},
			{"mfa", mfa},
			{"cluster-coverage", coverage(cu.full)},
		})
	}
	t.note.value = &tool.Value{Users: tool.UsersOf(typed)}
	return ok(obj{{"users", list}})
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// perNode runs fn on every node and answers the first failure, or success
// when every node that answers took the change.
func (t *Tool) perNode(fn func(node int) hsm.RC) hsm.RC {
	first := hsm.RCSuccess
	done := 0
	var st hsm.Status
	defer func() { t.note.status(st) }()
	for _, n := range t.Cluster.Nodes {
		if !n.Up {
			st = append(st, hsm.NodeStatus{Node: n.ID, RC: hsm.RCServerUnavailable})
			continue
		}
		rc := fn(n.ID)
		st = append(st, hsm.NodeStatus{Node: n.ID, RC: rc})
		if rc == hsm.RCSuccess {
			done++
		} else if first == hsm.RCSuccess {
			first = rc
		}
	}
	if done == 0 && first == hsm.RCSuccess {
		return hsm.RCServerUnavailable
	}
	return first
}

func userCreate(t *Tool, a *args) result {
	name, role := strings.ToLower(a.get("username")), a.get("role")
	if err := hsm.ValidateUserName(name); err != nil {
		return fail("Invalid username: " + err.Error())
	}
	return withPassword(a, "password", true, func(pw string) result {
		if err := hsm.ValidatePassword(pw); err != nil {
			return fail("Invalid password: " + err.Error())
		}
		if e := t.approve(a, hsm.ServiceUserMgmt); e != nil {
			return result{err: e}
		}
		id := t.Cluster.NextUserID()
		rc := t.perNode(func(node int) hsm.RC {
			return t.Cluster.CreateUserOn(t.Session, node, id, hsmRole(role), name, pw)
		})
		if rc != hsm.RCSuccess {
			return rcFail(rc)
		}
		t.Cluster.UseToken(t.Session, hsm.ServiceUserMgmt)
		return ok(userData(name, role))
	})
}

func userDelete(t *Tool, a *args) result {
	name, role := a.get("username"), a.get("role")
	if e := t.approve(a, hsm.ServiceUserMgmt); e != nil {
		return result{err: e}
	}
	rc := t.perNode(func(node int) hsm.RC {
		_, rc := t.Cluster.DeleteUserOn(t.Session, node, hsmRole(role), name)
		return rc
	})
	if rc == hsm.RCSuccess {
		t.Cluster.UseToken(t.Session, hsm.ServiceUserMgmt)
	}
	if rc == hsm.RCUserNotFound {
		return fail("The user does not exist")
	}
	if rc != hsm.RCSuccess {
		return rcFail(rc)
	}
	return ok(userData(name, role))
}

func userChangePassword(t *Tool, a *args) result {
	name, role := a.get("username"), a.get("role")
	// --deregister-mfa and --deregister-quorum take a value: true removes
	// the key (docs/simulator-choices.md).
	dereg := map[string]bool{}
	for _, f := range []string{"deregister-mfa", "deregister-quorum"} {
		if !a.has(f) {
			continue
		}
		switch strings.ToLower(a.get(f)) {
		case "true":
			dereg[f] = true
		case "false":
		default:
			return fail(fmt.Sprintf("Invalid value %q for --%s: give true or false", a.get(f), f))
		}
	}
	return withPassword(a, "password", true, func(pw string) result {
		if err := hsm.ValidatePassword(pw); err != nil {
			return fail("Invalid password: " + err.Error())
		}
		if e := t.approve(a, hsm.ServiceUserMgmt); e != nil {
			return result{err: e}
		}
		rc := t.perNode(func(node int) hsm.RC {
			_, rc := t.Cluster.ChangePasswordOn(t.Session, node, hsmRole(role), name, pw)
			if rc == hsm.RCSuccess && (dereg["deregister-mfa"] || dereg["deregister-quorum"]) {
				rc = t.Cluster.DeregisterKeysOn(t.Session, node, hsmRole(role), name, dereg["deregister-mfa"], dereg["deregister-quorum"])
			}
			return rc
		})
		if rc == hsm.RCSuccess {
			t.Cluster.UseToken(t.Session, hsm.ServiceUserMgmt)
		}
		if rc == hsm.RCUserNotFound {
			return fail("The user does not exist")
		}
		if rc != hsm.RCSuccess {
			return rcFail(rc)
		}
		return ok(userData(name, role))
	})
}
