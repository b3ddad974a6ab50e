package cmu

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// cmuRun executes lines and answers every question: y to the CAUTION
// question, A/I to the retry questions (give up on a failing server), the
// password to a password prompt.
func cmuRun(t *testing.T, tl *Tool, lines ...string) string {
	t.Helper()
	out, _ := cmuCalls(t, tl, lines...)
	return out
}

// cmuCalls is cmuRun that also returns the calls the lines made.
func cmuCalls(t *testing.T, tl *Tool, lines ...string) (string, []tool.Call) {
	t.Helper()
	var out strings.Builder
	var calls []tool.Call
	for _, l := range lines {
		r := tl.Exec(l)
		out.WriteString(r.Output)
		calls = append(calls, r.Calls...)
		for n := 0; r.Ask != nil; n++ {
			require.Less(t, n, 20, "endless questions after %q", l)
			ans := map[string]string{askContinue: "y", askRetryAbort: "A", askRollback: "I", askPassword: "password"}[r.Ask.Prompt]
			require.NotEmpty(t, ans, "unexpected question %q", r.Ask.Prompt)
			r = r.Ask.Answer(ans)
			out.WriteString(r.Output)
			calls = append(calls, r.Calls...)
		}
	}
	return out.String(), calls
}

// cmuFailed reports whether a call failed on any server.
func cmuFailed(calls []tool.Call) bool {
	for _, c := range calls {
		if c.RC != hsm.RCSuccess {
			return true
		}
		for _, n := range c.Nodes {
			if n.RC != hsm.RCSuccess {
				return true
			}
		}
	}
	return false
}

// cmuActors are the users the permission test logs in as; "" is logged out.
var cmuActors = []struct{ name, login string }{
	{"CO", "loginHSM CO admin password"},
	{"owner", "loginHSM CU alice password"},
	{"shared", "loginHSM CU example_user password"},
	{"otherCU", "loginHSM CU bob password"},
	{"AU", "loginHSM AU app_user password"},
	{"loggedOut", ""},
}

// TestCMUPermissions runs every user and key operation of
// cloudhsm_mgmt_util as each kind of user and checks it against the
// documented allow/deny (the permissions table of manage-hsm-users-cmu.md
// and the "User type" section of each command page). Key 524291 is owned by
// alice (4) and shared with example_user (3); bob (5) and dave (6) are
// crypto users without keys.
func TestCMUPermissions(t *testing.T) {
	type op struct {
		name    string
		lines   []string
		allowed []string
		// mutates: an allowed run changes the cluster.
		mutates bool
	}
	ops := []op{
		{"createUser", []string{"createUser CU carol password1"}, []string{"CO"}, true},
		{"deleteUser", []string{"deleteUser CU dave"}, []string{"CO"}, true},
		{"changePswd own", nil, []string{"CO", "owner", "shared", "otherCU", "AU"}, true},
		{"changePswd other", []string{"changePswd CU dave password2"}, []string{"CO"}, true},
		{"shareKey", []string{"shareKey 524291 5 1"}, []string{"owner"}, true},
		{"unshareKey", []string{"shareKey 524291 3 0"}, []string{"owner"}, true},
		{"getKeyInfo", []string{"getKeyInfo 524291"}, []string{"owner", "shared"}, false},
		{"getAttribute", []string{"getAttribute 524291 354"}, []string{"owner", "shared"}, false},
		{"setAttribute", []string{"setAttribute 524291 3 renamed"}, []string{"owner"}, true},
		{"findAllKeys", []string{"findAllKeys 4 1"}, []string{"CO", "AU"}, false},
		{"syncKey", []string{"server 0", "syncKey 524291 1", "exit"}, []string{"CO", "owner"}, false},
		{"syncUser", []string{"server 0", "syncUser 3 1", "exit"}, []string{"CO"}, false},
		{"listUsers", []string{"listUsers"}, []string{"CO", "owner", "shared", "otherCU", "AU", "loggedOut"}, false},
		{"getMValue", []string{"getMValue 3"}, []string{"CO", "owner", "shared", "otherCU", "AU", "loggedOut"}, false},
		{"info", []string{"info server 1"}, []string{"CO", "owner", "shared", "otherCU", "AU", "loggedOut"}, false},
		{"getHSMInfo", []string{"getHSMInfo"}, []string{"CO", "owner", "shared", "otherCU", "AU", "loggedOut"}, false},
	}
	users := map[string]string{"CO": "CO admin", "owner": "CU alice", "shared": "CU example_user", "otherCU": "CU bob", "AU": "AU app_user"}
	for _, o := range ops {
		for _, a := range cmuActors {
			t.Run(o.name+"/"+a.name, func(t *testing.T) {
				e := cmuNewEnv(t, "default")
				for _, n := range e.c.Nodes {
					n.FindUser("app_user").PasswordHash = hsm.HashPassword("app_user", "password")
					e.c.AddUserTo(n.ID, &hsm.User{ID: 5, Type: hsm.RoleCU, Name: "bob", PasswordHash: hsm.HashPassword("bob", "password")})
					e.c.AddUserTo(n.ID, &hsm.User{ID: 6, Type: hsm.RoleCU, Name: "dave", PasswordHash: hsm.HashPassword("dave", "password")})
				}
				if a.login != "" {
					out, calls := cmuCalls(t, e.tl, a.login)
					require.Len(t, calls, 1, out)
					require.False(t, cmuFailed(calls), out)
				}
				lines := o.lines
				if lines == nil {
					who := users[a.name]
					if who == "" {
						who = "CU alice"
					}
					lines = []string{"changePswd " + who + " password2"}
				}
				before := cmuSnapshot(e.c)
				out, calls := cmuCalls(t, e.tl, lines...)
				// A refusal is a server's return code, or a client-side
				// error that never reached a server.
				ok := !cmuFailed(calls) && !strings.Contains(out, "Error:")
				want := false
				for _, w := range o.allowed {
					want = want || w == a.name
				}
				assert.Equal(t, want, ok, "output:\n%s", out)
				if !want || !o.mutates {
					assert.Equal(t, before, cmuSnapshot(e.c), "a refused or read-only command changed the cluster")
				} else {
					assert.NotEqual(t, before, cmuSnapshot(e.c), "an allowed command changed nothing")
				}
			})
		}
	}
}

// TestCMUDrift takes an HSM down while users and sharing change, brings it
// back, sees the difference per server and removes it with syncUser and
// syncKey.
func TestCMUDrift(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuRun(t, e.tl, "loginHSM CO admin password")
	e.c.Node(2).Up = false
	out := cmuRun(t, e.tl, "createUser CU bob password1", "logoutHSM", "loginHSM CU alice password", "shareKey 524288 5 1", "logoutHSM")
	assert.Contains(t, out, "creating user on server 2(10.0.1.12) failed")
	assert.Contains(t, out, "shareKey failed on server 2(10.0.1.12)")
	e.c.Node(2).Up = true

	var drift []string
	for _, d := range e.c.Diff() {
		drift = append(drift, d.String())
	}
	assert.Equal(t, []string{
		"key 524288 (alice-aes256): differs on node 2",
		"user 5 (bob): missing on node 2",
	}, drift)

	out = cmuRun(t, e.tl, "listUsers")
	assert.Contains(t, out, "Users on server 1(10.0.3.11):\nNumber of users found:5\n")
	assert.Contains(t, out, "Users on server 2(10.0.1.12):\nNumber of users found:4\n")

	cmuRun(t, e.tl, "loginHSM CO admin password")
	out = cmuRun(t, e.tl, "findAllKeys 4 1")
	hashes := cmuHashes(out)
	require.Len(t, hashes, 3)
	assert.Equal(t, hashes[0], hashes[1])
	assert.NotEqual(t, hashes[0], hashes[2])

	// The user first, then the key that is shared with the user.
	out = cmuRun(t, e.tl, "server 0", "syncUser 5 2", "syncKey 524288 2", "exit")
	assert.Equal(t, "Server is in 'E2' mode...\nExtractMaskedObject: 0x0 !\nInsertMaskedObject: 0x0 !\nsyncUser success\nsyncKey success\n", out)
	assert.True(t, e.c.InSync(), "drift left: %v", e.c.Diff())
	hashes = cmuHashes(cmuRun(t, e.tl, "findAllKeys 4 1"))
	assert.Equal(t, []string{hashes[0], hashes[0], hashes[0]}, hashes)
}

func cmuHashes(out string) []string {
	var hs []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if l == "Key Hash:" && i+1 < len(lines) {
			hs = append(hs, lines[i+1])
		}
	}
	return hs
}

// TestCMUServerModeTouchesOneHSM shows that in server mode a change reaches
// only that HSM, which is how an HSM is repaired by hand.
func TestCMUServerModeTouchesOneHSM(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuRun(t, e.tl, "loginHSM CO admin password")
	out := cmuRun(t, e.tl, "server 1", "createUser CU bob password1")
	assert.Equal(t, "server1>", e.tl.Prompt())
	assert.Contains(t, out, "Creating User bob(CU) on 1 nodes\n")
	assert.Nil(t, e.c.Node(0).FindUser("bob"))
	assert.NotNil(t, e.c.Node(1).FindUser("bob"))
	assert.Nil(t, e.c.Node(2).FindUser("bob"))
	cmuRun(t, e.tl, "exit")
	assert.Equal(t, Prompt, e.tl.Prompt())
}

func TestCMUDownNodeAtStart(t *testing.T) {
	e := cmuNewEnv(t, "default")
	e.c.Node(1).Up = false
	assert.Contains(t, e.tl.Banner(), "Connecting to server '10.0.3.11': hostname '10.0.3.11', port 2225...\nFailed to connect to server '10.0.3.11': hostname '10.0.3.11', port 2225.\n")
	out := cmuRun(t, e.tl, "loginHSM CU alice password", "getKeyInfo 524288")
	assert.Contains(t, out, "loginHSM failed: Server in cluster is unavailable\nloginHSM failed on server 1(10.0.3.11)\n")
	assert.Contains(t, out, "getKeyInfo failed on server 1(10.0.3.11)\n")
	assert.Contains(t, out, "Key Info on server 2(10.0.1.12):\n")
	r := e.tl.Exec("server 1")
	assert.Equal(t, "Error: server 1(10.0.3.11) is not connected\n", r.Output)
}

func TestCMUQuestionsAndFlags(t *testing.T) {
	e := cmuNewEnv(t, "default")
	r := e.tl.Exec("loginHSM CO admin -hpswd")
	require.NotNil(t, r.Ask)
	assert.True(t, r.Ask.Secret)
	assert.Equal(t, "Enter password:", r.Ask.Prompt)
	r = r.Ask.Answer("password")
	assert.True(t, r.Changed)
	assert.Contains(t, r.Output, "loginHSM success on server 0(10.0.2.9)")

	r = e.tl.Exec("createUser CU bob -hpswd")
	require.NotNil(t, r.Ask)
	assert.True(t, r.Ask.Secret)
	r = r.Ask.Answer("password1")
	require.NotNil(t, r.Ask)
	assert.Equal(t, askContinue, r.Ask.Prompt)
	assert.False(t, r.Ask.Secret)
	assert.Contains(t, r.Output, caution)
	before := cmuSnapshot(e.c)
	r2 := r.Ask.Answer("n")
	assert.Equal(t, tool.Result{}, r2, "n prints nothing and changes nothing")
	assert.Equal(t, before, cmuSnapshot(e.c))
	r = r.Ask.Answer("Y")
	assert.True(t, r.Changed)
	assert.Nil(t, r.Ask)
	for _, n := range e.c.Nodes {
		assert.True(t, n.FindUser("bob").CheckPassword("password1"))
	}

	cmuRun(t, e.tl, "logoutHSM", "loginHSM CU alice password")
	mark := e.c.Mark()
	r = e.tl.Exec("shareKey 524288 3 1")
	r = r.Ask.Answer("y")
	assert.Equal(t, []uint64{524288}, e.c.ChangesSince(mark).Keys, "the cluster records the key shareKey changed")
	assert.True(t, r.Changed)
}

func TestCMUOutputFiles(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuRun(t, e.tl, "loginHSM CU alice password")
	r := e.tl.Exec("getKeyInfo 524291 info.txt")
	assert.Empty(t, r.Output)
	assert.True(t, r.Changed)
	b, err := e.fs.ReadFile("info.txt")
	require.NoError(t, err)
	assert.Equal(t, cmuRun(t, e.tl, "getKeyInfo 524291"), string(b))

	cmuRun(t, e.tl, "getAttribute 524289 288 mod.txt")
	b, err = e.fs.ReadFile("mod.txt")
	require.NoError(t, err)
	o := e.c.Node(0).Objects[524289]
	assert.Contains(t, string(b), fmt.Sprintf("OBJ_ATTR_MODULUS\n0x%x\n", o.Modulus))

	r = e.tl.Exec("getKeyInfo 524291 ../x")
	assert.Contains(t, r.Output, "Error: cannot write ../x")
}

func TestCMUGetCert(t *testing.T) {
	e := cmuNewEnv(t, "default")
	certs := map[string]string{}
	for _, typ := range []int{1, 2, 4, 8, 16} {
		name := fmt.Sprintf("cert%d.pem", typ)
		out := cmuRun(t, e.tl, "server 0", fmt.Sprintf("getCert %s %d", name, typ), "exit")
		assert.Contains(t, out, "getCert Success\n")
		b, err := e.fs.ReadFile(name)
		require.NoError(t, err)
		certs[name] = string(b)
	}
	// The same certificates every time.
	e2 := cmuNewEnv(t, "default")
	cmuRun(t, e2.tl, "server 0", "getCert again.pem 8", "exit")
	b, err := e2.fs.ReadFile("again.pem")
	require.NoError(t, err)
	assert.Equal(t, certs["cert8.pem"], string(b))
	for name, pemText := range certs {
		assert.True(t, strings.HasPrefix(pemText, "-----BEGIN CERTIFICATE-----\n"), name)
	}
	chain, err := cmuVerifyChain(certs["cert1.pem"], certs["cert2.pem"], certs["cert16.pem"])
	require.NoError(t, err)
	assert.Len(t, chain, 3)
	_, err = cmuVerifyChain(certs["cert4.pem"], certs["cert8.pem"])
	require.NoError(t, err)
}

// completeWords is what a Slot offers that starts with the word typed.
func completeWords(sl tool.Slot) []string {
	var out []string
	for _, c := range sl.Choices {
		if strings.HasPrefix(c.Value, sl.Word) {
			out = append(out, c.Value)
		}
	}
	return out
}

func TestCMUComplete(t *testing.T) {
	e := cmuNewEnv(t, "default")
	assert.Equal(t, []string{"listAttributes", "listTokens", "listUsers"}, completeWords(e.tl.Complete("list")))
	assert.Equal(t, []string{"shareKey"}, completeWords(e.tl.Complete("sha")))
	all := completeWords(e.tl.Complete(""))
	assert.True(t, sort.StringsAreSorted(all))
	assert.Contains(t, all, "registerQuorumPubKey")
	assert.Equal(t, []string{"syncKey", "syncUser"}, completeWords(e.tl.Complete("help sync")))
	assert.Len(t, completeWords(e.tl.Complete("help ")), len(commandNames()))
	assert.Equal(t, []string{"enable_e2e"}, completeWords(e.tl.Complete("e")))
	cmuRun(t, e.tl, "server 2")
	assert.Equal(t, []string{"enable_e2e", "exit"}, completeWords(e.tl.Complete("e")), "exit leaves server mode")
}

// The arguments' kinds come from each command's parameters: the handle,
// then the user ids, then 1/0 for shareKey; the optional -k of getKeyInfo;
// the file after -2fa; nothing past the last parameter.
func TestCMUCompleteArguments(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cases := []struct {
		line    string
		kind    tool.Kind
		choices []string
		none    bool
	}{
		{line: "shareKey ", kind: tool.Handle},
		{line: "shareKey 524291 ", kind: tool.Users},
		{line: "shareKey 524291 4 ", kind: tool.Number, choices: []string{"1", "0"}},
		{line: "shareKey 524291 4 1 ", none: true},
		{line: "sha 524291 4,", kind: tool.Users},
		{line: "getKeyInfo ", kind: tool.Handle, choices: []string{"-k"}},
		{line: "getKeyInfo -k ", kind: tool.Handle},
		{line: "getKeyInfo -k 524291 ", kind: tool.File},
		{line: "getKeyInfo 524291 ", kind: tool.File},
		{line: "getAttribute 524291 ", kind: tool.Attribute},
		{line: "getAttribute 524291 3", kind: tool.Attribute},
		{line: "loginHSM ", kind: tool.UserType},
		{line: "loginHSM CU ", kind: tool.UserName},
		{line: "loginHSM CU alice ", kind: tool.Secret},
		{line: "loginHSM CU alice -hpswd ", kind: tool.Literal, choices: []string{"-2fa"}},
		{line: "loginHSM CU alice -hpswd -2fa ", kind: tool.File},
		{line: "findAllKeys ", kind: tool.User},
		{line: "findAllKeys 4 ", kind: tool.Number, choices: []string{"0", "1"}},
		{line: "info ", kind: tool.Literal, choices: []string{"server"}},
		{line: "info server ", kind: tool.Server},
		{line: "syncKey 524291 ", kind: tool.Server},
		{line: "getMValue ", kind: tool.Number, choices: []string{"3", "4"}},
		{line: "getCert c.pem ", kind: tool.Number, choices: []string{"1", "2", "4", "8", "16"}},
		{line: "listUsers ", none: true},
		{line: "nosuch ", none: true},
	}
	for _, c := range cases {
		sl := e.tl.Complete(c.line)
		if c.none {
			assert.True(t, sl.None, c.line)
			continue
		}
		assert.False(t, sl.None, c.line)
		assert.Equal(t, c.kind, sl.Kind, c.line)
		var got []string
		for _, ch := range sl.Choices {
			got = append(got, ch.Value)
		}
		assert.Equal(t, c.choices, got, c.line)
	}
}

// Syntax lines and argument counts come from the parameters.
func TestCMUSyntaxFromParams(t *testing.T) {
	lo, hi := commands["loginHSM"].argCount()
	assert.Equal(t, []int{3, 5}, []int{lo, hi})
	lo, hi = commands["getKeyInfo"].argCount()
	assert.Equal(t, []int{1, 3}, []int{lo, hi})
	assert.Equal(t, []string{"loginHSM <user-type> <user-name> <password |-hpswd> [-2fa </path/to/authdata>]"}, commands["loginHSM"].syntaxLines())
	assert.Equal(t, []string{"getKeyInfo -k <key-handle> [<output file>]"}, commands["getKeyInfo"].syntaxLines())
	assert.Equal(t, []string{"help", "help <command-name>"}, commands["help"].syntaxLines())
}

// Every registered command is in the help index and the index lists only
// registered commands.
func TestCMUHelpIndexMatchesTable(t *testing.T) {
	listed := map[string]bool{}
	for _, g := range helpGroups {
		for _, n := range g.names {
			assert.False(t, listed[n], "%s listed twice", n)
			listed[n] = true
			assert.NotNil(t, commands[n], "help lists %s, which is not registered", n)
		}
	}
	for _, n := range commandNames() {
		assert.True(t, listed[n], "%s is registered but not in help", n)
	}
}

func TestCMUCloseLogsOutAndDropsTokens(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuRun(t, e.tl, "loginHSM CO admin password")
	e.c.Quorum = map[int]int{hsm.ServiceUserMgmt: 2}
	cmuRun(t, e.tl, "getToken 3 admin t.token")
	require.Len(t, e.c.Tokens, 1)
	r := e.tl.Close()
	assert.Equal(t, "disconnecting from servers, please wait...\n", r.Output)
	assert.True(t, r.Changed)
	assert.Empty(t, e.c.Tokens)
	assert.Nil(t, e.tl.Session)
	r = e.tl.Exec("quit")
	assert.True(t, r.Exit)
}

// TestCMUNoPanic throws malformed and hostile lines at every command, in
// global and server mode, logged in and out; nothing may panic and refused
// lines change nothing.
func TestCMUNoPanic(t *testing.T) {
	args := []string{"", "0", "-1", "1", "3", "524288", "524291", "18446744073709551616", "x", "-hpswd", "-2fa", "-k",
		"server", "../etc", "a,b", "4,", ",", "512", "1073742353", strings.Repeat("z", 300), "'", "\"\"", "CO", "CU", "PRECO", "AU"}
	for _, name := range commandNames() {
		for _, login := range []string{"", "loginHSM CO admin password", "loginHSM CU alice password"} {
			for _, mode := range []string{"", "server 1"} {
				e := cmuNewEnv(t, "default")
				cmuRun(t, e.tl, login)
				cmuRun(t, e.tl, mode)
				for i := 0; i < 40; i++ {
					line := name
					for j := 0; j < i%6; j++ {
						line += " " + args[(i*7+j*13+len(name))%len(args)]
					}
					func() {
						defer func() {
							if p := recover(); p != nil {
								t.Fatalf("%q panicked: %v", line, p)
							}
						}()
						r := e.tl.Exec(line)
						for k := 0; r.Ask != nil && k < 5; k++ {
							r = r.Ask.Answer([]string{"n", "A", "I", "x", "password"}[k%5])
						}
					}()
				}
			}
		}
	}
}
