package cmu

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/format"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&command{
		name:    "loginHSM",
		summary: "Logs in to the HSMs",
		about: `Logs in to each connected HSM. Any type of user can log in: PRECO (before
activation), CO, CU or AU. -hpswd asks for the password without showing it.
Five wrong passwords lock the account until a CO resets it with changePswd.`,
		params: []param{arg("<user-type>", tool.UserType), arg("<user-name>", tool.UserName), arg("<password |-hpswd>", tool.Secret), twoFactorParam},
		run:    loginHSM,
	})
	register(&command{
		name:    "logoutHSM",
		summary: "Logs out of the HSMs",
		about:   "Logs out of each HSM you are logged in to. Quorum tokens end with the login.",
		run:     logoutHSM,
	})
	register(&command{
		name:    "listUsers",
		summary: "Lists the users on each HSM",
		about: `Lists the users of each HSM with their id, type, name, whether they
registered a quorum key (MofnPubKey), their failed logins and 2FA. No login
is needed. HSMs do not copy users to each other, so the lists can differ.`,
		run: listUsers,
	})
	register(&command{
		name:    "createUser",
		summary: "Creates a user on the HSMs",
		about: `Creates a crypto officer (CO) or crypto user (CU) on each HSM. Only
crypto officers can run it. Names are at most 31 characters of letters,
digits and '_'; passwords are 7 to 32 characters.`,
		params: []param{arg("<user-type>", tool.UserType), arg("<user-name>", tool.UserName), arg("<password |-hpswd>", tool.Secret), twoFactorParam},
		run:    createUser,
	})
	register(&command{
		name:    "deleteUser",
		summary: "Deletes a user from the HSMs",
		about: `Deletes a CO or CU from each HSM. Only crypto officers can run it. A
crypto user who owns keys cannot be deleted, nor can a user who is logged in.`,
		params: []param{arg("<user-type>", tool.UserType), arg("<user-name>", tool.UserName)},
		run:    deleteUser,
	})
	register(&command{
		name:    "changePswd",
		summary: "Changes a user's password on the HSMs",
		about: `Changes a password on each HSM. Any user can change their own password
(the PRECO's change activates the cluster); crypto officers can also change
the password of another CO or CU, which unlocks a locked account.`,
		params: []param{arg("<user-type>", tool.UserType), arg("<user-name>", tool.UserName), arg("<password |-hpswd>", tool.Secret), twoFactorParam},
		run:    changePswd,
	})
	register(&command{
		name:    "syncUser",
		summary: "Copies a user from this HSM to another (server mode)",
		about: `Copies a user, with its password, from the HSM of server mode to another
HSM. Only crypto officers can run it. Enter server mode on the source HSM
first with "server <server-number>".`,
		params: []param{arg("<user ID>", tool.User), arg("<server ID>", tool.Server)},
		run:    syncUser,
	})
}

// parseUserType reads a user type as typed. cloudhsm_mgmt_util's user
// types are case-sensitive (createUser.md); "preCO" is also accepted.
func parseUserType(s string) (hsm.Role, bool) {
	switch s {
	case "CO", "PCO":
		return hsm.RoleCO, true
	case "CU":
		return hsm.RoleCU, true
	case "AU":
		return hsm.RoleAU, true
	case "PRECO", "preCO":
		return hsm.RolePRECO, true
	}
	return "", false
}

// twoFactor checks the optional "-2fa <path>" of loginHSM, createUser and
// changePswd, which the simulator does not offer.
func twoFactor(c *command, args []string) (tool.Result, bool) {
	switch len(args) {
	case 3:
		return tool.Result{}, true
	case 5:
		if args[3] == "-2fa" {
			return errorf("two-factor authentication (-2fa) is not supported by this simulator"), false
		}
	}
	return c.usage("Invalid arguments"), false
}

func loginHSM(t *Tool, args []string) tool.Result {
	c := commands["loginHSM"]
	if r, ok := twoFactor(c, args); !ok {
		return r
	}
	role, ok := parseUserType(args[0])
	if !ok {
		return errorf("Invalid user type %s (valid: CO, CU, AU, PRECO)", args[0])
	}
	name := args[1]
	return withPassword(args[2], func(pw string) tool.Result { return t.login(role, name, pw) })
}

func (t *Tool) login(role hsm.Role, name, password string) tool.Result {
	var b reply
	if rc := hsm.Check(t.Session, hsm.OpLogin, nil); rc != hsm.RCSuccess {
		for _, n := range t.targets() {
			b.fail("loginHSM", n, rc)
		}
		return tool.Result{Output: b.String(), Calls: b.calls}
	}
	var ids []int
	for _, n := range t.targets() {
		ids = append(ids, n.ID)
	}
	s, st := t.Cluster.Login(role, name, password, ids)
	for _, ns := range st {
		n := t.Cluster.Node(ns.Node)
		if ns.RC == hsm.RCSuccess {
			t.loggedIn[n.ID] = true
			b.ok("loginHSM", n)
		} else {
			b.fail("loginHSM", n, ns.RC)
		}
	}
	if s != nil {
		t.Session = s
	}
	// Failed attempts are counted on the HSMs, so the state changed too.
	return tool.Result{Output: b.String(), Calls: b.calls, Changed: true}
}

func logoutHSM(t *Tool, args []string) tool.Result {
	var b reply
	for _, n := range t.targets() {
		rc := t.reach(n, hsm.OpLoggedIn)
		if rc != hsm.RCSuccess {
			b.fail("logoutHSM", n, rc)
			continue
		}
		delete(t.loggedIn, n.ID)
		b.ok("logoutHSM", n)
	}
	r := tool.Result{Output: b.String(), Calls: b.calls}
	if t.Session != nil && len(t.loggedIn) == 0 {
		t.endSession()
		r.Changed = true
	}
	return r
}

func listUsers(t *Tool, args []string) tool.Result {
	var b reply
	for _, n := range t.targets() {
		if rc := t.reach(n, hsm.OpListUsers); rc != hsm.RCSuccess {
			b.fail("listUsers", n, rc)
			continue
		}
		users := tool.UsersOf(n.Users)
		b.read("listUsers", n, &tool.Value{Users: users})
		fmt.Fprintf(&b, "Users on %s:\n", server(n))
		b.WriteString(format.Users(format.MgmtUtil, users))
	}
	return tool.Result{Output: b.String(), Calls: b.calls}
}

// userOp is a user-management command run server by server. When a server
// fails, the tool asks what to do (quorum-authentication-crypto-officers.md):
// createUser and changePswd ask Retry/Ignore/Abort, deleteUser
// Retry/rollBack/Ignore.
type userOp struct {
	cmd string
	// failed is the second failure line, naming the server.
	failed func(n *hsm.Node) string
	// okLines prints "<cmd> success on server N(...)" lines (deleteUser).
	okLines  bool
	rollback bool // deleteUser's question instead of Retry/Ignore/Abort
	do       func(n *hsm.Node) (undo func(), rc hsm.RC)
	// after runs when the command ends with done servers changed.
	after func(done int)
}

func (t *Tool) runUserOp(op *userOp, nodes []*hsm.Node, i int, undos []func(), done int) tool.Result {
	var b reply
	for ; i < len(nodes); i++ {
		n := nodes[i]
		undo, rc := op.do(n)
		if rc == hsm.RCSuccess {
			done++
			if undo != nil {
				undos = append(undos, undo)
			}
			if op.okLines {
				b.ok(op.cmd, n)
			}
			continue
		}
		b.answer(op.cmd, n.ID, rc, nil)
		fmt.Fprintf(&b, "%s failed: %s\n%s\n", op.cmd, rc.Name(), op.failed(n))
		return tool.Result{Output: b.String(), Calls: b.calls, Changed: done > 0, Ask: t.retry(op, nodes, i, undos, done)}
	}
	if op.after != nil {
		op.after(done)
	}
	return tool.Result{Output: b.String(), Calls: b.calls, Changed: done > 0}
}

func (t *Tool) retry(op *userOp, nodes []*hsm.Node, i int, undos []func(), done int) *tool.Question {
	prompt, valid := askRetryAbort, "'R', 'I' or 'A'"
	if op.rollback {
		prompt, valid = askRollback, "'R', 'B' or 'I'"
	}
	return &tool.Question{Prompt: prompt, Answer: func(a string) tool.Result {
		switch strings.ToUpper(strings.TrimSpace(a)) {
		case "R":
			return t.runUserOp(op, nodes, i, undos, done)
		case "I":
			return t.runUserOp(op, nodes, i+1, undos, done)
		case "A":
			if !op.rollback {
				if op.after != nil {
					op.after(done)
				}
				return tool.Result{Changed: done > 0}
			}
		case "B":
			if op.rollback {
				for j := len(undos) - 1; j >= 0; j-- {
					undos[j]()
				}
				return tool.Result{Changed: done > 0}
			}
		}
		return tool.Result{Output: "Invalid option, please type " + valid + "\n", Ask: t.retry(op, nodes, i, undos, done)}
	}}
}

// reachOp wraps a user operation doing op with the connection, login and
// access checks.
func (t *Tool) reachOp(op hsm.Op, do func(n *hsm.Node) (func(), hsm.RC)) func(n *hsm.Node) (func(), hsm.RC) {
	return func(n *hsm.Node) (func(), hsm.RC) {
		if rc := t.reach(n, op); rc != hsm.RCSuccess {
			return nil, rc
		}
		return do(n)
	}
}

func createUser(t *Tool, args []string) tool.Result {
	c := commands["createUser"]
	if r, ok := twoFactor(c, args); !ok {
		return r
	}
	role, ok := parseUserType(args[0])
	if !ok || !hsm.CreatableRole(role) {
		return errorf("Invalid user type %s (valid: CO, CU)", args[0])
	}
	name := args[1]
	if err := hsm.ValidateUserName(name); err != nil {
		return errorf("Invalid user name %q: %v", name, err)
	}
	return withPassword(args[2], func(pw string) tool.Result {
		if err := hsm.ValidatePassword(pw); err != nil {
			return errorf("Invalid password: %v", err)
		}
		return t.confirm("", func() tool.Result {
			nodes := t.targets()
			id := t.Cluster.NextUserID()
			s := t.Session
			op := &userOp{
				cmd:    "createUser",
				failed: func(n *hsm.Node) string { return fmt.Sprintf("creating user on %s failed", server(n)) },
				do: t.reachOp(hsm.OpManageUsers, func(n *hsm.Node) (func(), hsm.RC) {
					return nil, t.Cluster.CreateUserOn(s, n.ID, id, role, name, pw)
				}),
				after: func(done int) {
					if done > 0 {
						t.Cluster.UseToken(s, hsm.ServiceUserMgmt)
					}
				},
			}
			head := fmt.Sprintf("Creating User %s(%s) on %d nodes\n", name, args[0], len(nodes))
			return tool.Merge(tool.Result{Output: head}, t.runUserOp(op, nodes, 0, nil, 0))
		})
	})
}

func deleteUser(t *Tool, args []string) tool.Result {
	role, ok := parseUserType(args[0])
	if !ok || role != hsm.RoleCO && role != hsm.RoleCU {
		return errorf("Invalid user type %s (valid: CO, CU)", args[0])
	}
	name := args[1]
	if err := hsm.ValidateUserName(name); err != nil {
		return errorf("Invalid user name %q: %v", name, err)
	}
	nodes := t.targets()
	s := t.Session
	op := &userOp{
		cmd:      "deleteUser",
		failed:   func(n *hsm.Node) string { return fmt.Sprintf("deleteUser failed on %s", server(n)) },
		okLines:  true,
		rollback: true,
		do: t.reachOp(hsm.OpManageUsers, func(n *hsm.Node) (func(), hsm.RC) {
			return t.Cluster.DeleteUserOn(s, n.ID, role, name)
		}),
		after: func(done int) {
			if done > 0 {
				t.Cluster.UseToken(s, hsm.ServiceUserMgmt)
			}
		},
	}
	head := fmt.Sprintf("Deleting user %s(%s) on %d nodes\n", name, args[0], len(nodes))
	return tool.Merge(tool.Result{Output: head}, t.runUserOp(op, nodes, 0, nil, 0))
}

func changePswd(t *Tool, args []string) tool.Result {
	c := commands["changePswd"]
	if r, ok := twoFactor(c, args); !ok {
		return r
	}
	role, ok := parseUserType(args[0])
	if !ok {
		return errorf("Invalid user type %s (valid: CO, CU, PCO, PRECO)", args[0])
	}
	name := args[1]
	if err := hsm.ValidateUserName(name); err != nil {
		return errorf("Invalid user name %q: %v", name, err)
	}
	return withPassword(args[2], func(pw string) tool.Result {
		if err := hsm.ValidatePassword(pw); err != nil {
			return errorf("Invalid password: %v", err)
		}
		return t.confirm("", func() tool.Result {
			nodes := t.targets()
			s := t.Session
			self := s != nil && strings.EqualFold(s.User, name)
			op := &userOp{
				cmd:    "changePswd",
				failed: func(n *hsm.Node) string { return fmt.Sprintf("changing password on %s failed", server(n)) },
				do: t.reachOp(hsm.OpChangeOwnPassword, func(n *hsm.Node) (func(), hsm.RC) {
					activated, rc := t.Cluster.ChangePasswordOn(s, n.ID, role, name, pw)
					if activated && self {
						// The precrypto officer is now the primary crypto officer.
						s.Role = hsm.RolePCO
					}
					return nil, rc
				}),
				after: func(done int) {
					if done > 0 && !self {
						t.Cluster.UseToken(s, hsm.ServiceUserMgmt)
					}
				},
			}
			head := fmt.Sprintf("Changing password for %s(%s) on %d nodes\n", name, args[0], len(nodes))
			return tool.Merge(tool.Result{Output: head}, t.runUserOp(op, nodes, 0, nil, 0))
		})
	})
}

// serverArg parses a destination server number.
func (t *Tool) serverArg(s string) (int, error) {
	id, err := strconv.Atoi(s)
	if err != nil || t.Cluster.Node(id) == nil {
		return 0, fmt.Errorf("Invalid server ID %s (the servers are 0 to %d)", s, len(t.Cluster.Nodes)-1)
	}
	return id, nil
}

// needServerMode refuses a command that works from the HSM of server mode;
// which names the HSM to enter ("the source HSM").
func (t *Tool) needServerMode(cmd, which string) (tool.Result, bool) {
	if t.server < 0 {
		return errorf("%s runs in server mode: enter it on %s with \"server <server-number>\"", cmd, which), false
	}
	return tool.Result{}, true
}

// selfOnly refuses, before any server is asked, a quorum command naming a
// user other than the one logged in: officers get tokens for themselves and
// register their own keys (quorum-authentication-crypto-officers.md).
func (t *Tool) selfOnly(cmd, name string) (tool.Result, bool) {
	if t.Session != nil && !strings.EqualFold(t.Session.User, name) {
		return errorf("%s works for the user who is logged in (%s), not %s", cmd, t.Session.User, name), false
	}
	return tool.Result{}, true
}

func syncUser(t *Tool, args []string) tool.Result {
	if r, ok := t.needServerMode("syncUser", "the source HSM"); !ok {
		return r
	}
	id, err := strconv.Atoi(args[0])
	if err != nil || id <= 0 {
		return errorf("Invalid user ID %s", args[0])
	}
	dst, err := t.serverArg(args[1])
	if err != nil {
		return errorf("%v", err)
	}
	if dst == t.server {
		return errorf("server %d is the source HSM; name another server", dst)
	}
	from := t.Cluster.Node(t.server)
	rc := t.reach(from, hsm.OpSyncUser)
	if rc == hsm.RCSuccess && from.User(id) == nil {
		rc = hsm.RCUserNotFound
	}
	var b reply
	b.answer("syncUser", t.server, rc, nil)
	fmt.Fprintf(&b, "ExtractMaskedObject: 0x%x !\n", uint32(rc))
	if rc != hsm.RCSuccess {
		fmt.Fprintf(&b, "syncUser failed: %s\n", rc.Name())
		return tool.Result{Output: b.String(), Calls: b.calls}
	}
	st := t.Cluster.SyncUser(id, t.server, []int{dst})
	rc = st.First()
	b.answer("syncUser", dst, rc, nil)
	fmt.Fprintf(&b, "InsertMaskedObject: 0x%x !\n", uint32(rc))
	if rc != hsm.RCSuccess {
		fmt.Fprintf(&b, "syncUser failed: %s\n", rc.Name())
		return tool.Result{Output: b.String(), Calls: b.calls}
	}
	b.WriteString("syncUser success\n")
	return tool.Result{Output: b.String(), Calls: b.calls, Changed: true}
}
