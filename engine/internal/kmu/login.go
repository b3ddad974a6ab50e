package kmu

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name:    "loginHSM",
		Summary: "Login to the HSM",
		API:     "Cfm3LoginHSM",
		NoLogin: true,
		Run:     loginHSM,
		About: `Logs in to the HSMs of the cluster. key_mgmt_util manages keys, so log in as
a crypto user (CU).`,
		Params: `        -u       user type: CU
        -s       user name
        -p       password (shown as you type it)
        -hpswd   ask for the password without showing it`,
		Flags: []Flag{
			{Name: "u", Kind: tool.UserType, Required: true, Arg: "<user type>"},
			{Name: "p", Kind: tool.Secret, Syntax: "{ -p | -hpswd } <password>"},
			{Name: "s", Kind: tool.UserName, Required: true, Arg: "<username>"},
			{Name: "hpswd", Kind: tool.Switch, NoSyntax: true},
		},
	})
	register(&Command{
		Name:    "logoutHSM",
		Summary: "Logout from the HSM",
		API:     "Cfm3LogoutHSM",
		Run:     logoutHSM,
		About:   `Logs out of the HSMs. Session keys are destroyed.`,
	})
}

func loginHSM(t *Tool, a *Args) tool.Result {
	c := commands["loginHSM"]
	if a.Has("p") == a.Has("hpswd") {
		return t.usage(c, fmt.Errorf("give the password with exactly one of -p and -hpswd"))
	}
	role, ok := hsm.ParseRole(a.Str("u"))
	if !ok {
		return t.usage(c, fmt.Errorf("invalid user type %q for -u", a.Str("u")))
	}
	name := a.Str("s")
	if a.Has("hpswd") {
		return tool.Result{Ask: &tool.Question{Prompt: askPassword, Secret: true, Answer: func(pw string) tool.Result {
			return t.login(role, name, pw)
		}}}
	}
	return t.login(role, name, a.Str("p"))
}

func (t *Tool) login(role hsm.Role, name, password string) tool.Result {
	api := "Cfm3LoginHSM"
	if rc := hsm.Check(t.Session, hsm.OpLogin, nil); rc != hsm.RCSuccess {
		t.returned(api, rc)
		return t.flush()
	}
	// key_mgmt_util is for crypto users only.
	if role != hsm.RoleCU {
		t.returned(api, hsm.RCInvalidUserType)
		return t.flush()
	}
	s, st := t.Cluster.Login(role, name, password, nil)
	rc := hsm.RCSuccess
	if s == nil {
		rc = st.First()
	}
	t.returned(api, rc)
	t.clusterStatus("Cluster Status", st)
	t.Session = s
	// Failed attempts are counted on the HSMs, so the state changed too.
	t.changed = true
	return t.flush()
}

func logoutHSM(t *Tool, a *Args) tool.Result {
	st := t.Cluster.Logout(t.Session)
	t.Session = nil
	t.returned("Cfm3LogoutHSM", hsm.RCSuccess)
	t.clusterStatus("Cluster Status", st)
	t.changed = true
	return tool.Result{}
}
