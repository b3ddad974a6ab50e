package kmu

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/quorum"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// The M of N commands of the real tool's help. They work on the cluster's
// quorum tokens, the same ones cloudhsm_mgmt_util's getToken, approveToken,
// listTokens and delToken see. The quorum services (3 USER_MGMT, 4
// MISC_CO) are crypto officers', and key_mgmt_util logs in crypto users
// only, so here getToken, approveToken and delToken meet the HSM's refusal
// of a crypto user (0xc7); listTokens shows the officers' tokens.

func init() {
	register(&Command{
		Name:    "getToken",
		Summary: "Initiate an MxN service and get Token",
		API:     "Cfm3GetToken",
		Run:     getToken,
		About: `Initiates a quorum (M of N) service and gets a token for it, written to a
file for the approving users to sign. The services are crypto officers'
(3 USER_MGMT, 4 MISC_CO); cloudhsm_mgmt_util's getToken gets them.`,
		Params: `        -t       quorum service: 3 = USER_MGMT, 4 = MISC_CO
        -f       file to write the token to`,
		Flags: []Flag{
			{Name: "t", Kind: tool.Number, Required: true, Arg: "<service>", Values: quorumServices()},
			{Name: "f", Kind: tool.File, Required: true, Arg: "<token-file>"},
		},
	})
	register(&Command{
		Name:    "delToken",
		Summary: "delete Token(s)",
		API:     "Cfm3DelToken",
		Run:     delToken,
		About:   `Deletes the quorum token the logged-in user holds for a service.`,
		Params:  `        -t       quorum service: 3 = USER_MGMT, 4 = MISC_CO`,
		Flags: []Flag{
			{Name: "t", Kind: tool.Number, Required: true, Arg: "<service>", Values: quorumServices()},
		},
	})
	register(&Command{
		Name:    "approveToken",
		Summary: "Approves an MxN service",
		API:     "Cfm3ApproveToken",
		Run:     approveToken,
		About: `Approves your quorum token with the signatures listed in a token approval
file: "Multi Token File Path = <token file>;", "Token File Path = ;",
"Number of Approvals = <n>;" and, per approver, "Approver Type = 2;",
"Approver Name = <name>;", "Approval File = <signature file>;".`,
		Params: `        -f       the token approval file`,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Required: true, Arg: "<token-approval-file>"},
		},
	})
	register(&Command{
		Name:    "listTokens",
		Summary: "List all Tokens in the current partition",
		API:     "Cfm3ListTokens",
		Run:     listTokens,
		About:   `Lists the quorum tokens of the partition with the approvals each holds.`,
	})
}

// service parses -t of the token commands.
func service(a *Args) (int, error) {
	svc, err := strconv.Atoi(a.Str("t"))
	if _, ok := hsm.ServiceName(svc); err != nil || !ok {
		return 0, fmt.Errorf("invalid value %q for -t: the quorum services are 3 (USER_MGMT) and 4 (MISC_CO)", a.Str("t"))
	}
	return svc, nil
}

// tokenNode is the HSM the token commands talk to; nil answers as an
// unavailable cluster.
func (t *Tool) tokenNode(api string) *hsm.Node {
	n := t.infoNode()
	if n == nil {
		t.returned(api, hsm.RCServerUnavailable)
	}
	return n
}

func getToken(t *Tool, a *Args) tool.Result {
	c := commands["getToken"]
	svc, err := service(a)
	if err != nil {
		return t.usage(c, err)
	}
	n := t.tokenNode(c.API)
	if n == nil {
		return tool.Result{}
	}
	if rc := hsm.Check(t.Session, hsm.OpQuorum, nil); rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	nonce := make([]byte, 32)
	if _, err := io.ReadFull(t.Rand, nonce); err != nil {
		return t.ioError(fmt.Errorf("cannot make a token: %v", err))
	}
	data := []byte(fmt.Sprintf("CloudHSM quorum token\nService:%d\nUser:%s\nNonce:%s\n", svc, t.Session.User, hex.EncodeToString(nonce)))
	tok, rc := t.Cluster.NewToken(t.Session, svc, data)
	if rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	if err := t.FS.WriteFile(a.Str("f"), data); err != nil {
		t.Cluster.DeleteToken(t.Session, svc)
		return t.ioError(fmt.Errorf("cannot write %s: %v", a.Str("f"), err))
	}
	t.changed = true
	t.returned(c.API, hsm.RCSuccess)
	var b strings.Builder
	quorum.TokenBlock(&b, t.Cluster, n, tok)
	t.printf("\n%s\nToken written to %s\n", b.String(), a.Str("f"))
	return tool.Result{}
}

func delToken(t *Tool, a *Args) tool.Result {
	c := commands["delToken"]
	svc, err := service(a)
	if err != nil {
		return t.usage(c, err)
	}
	if t.tokenNode(c.API) == nil {
		return tool.Result{}
	}
	rc := t.Cluster.DeleteToken(t.Session, svc)
	t.changed = rc == hsm.RCSuccess
	t.returned(c.API, rc)
	return tool.Result{}
}

func approveToken(t *Tool, a *Args) tool.Result {
	c := commands["approveToken"]
	text, err := t.ioReadFile("f", a.Str("f"))
	if err != nil {
		return t.ioError(err)
	}
	af, err := quorum.ParseApprovalFile(string(text))
	if err != nil {
		return t.ioError(fmt.Errorf("%s: %v", a.Str("f"), err))
	}
	data, err := t.FS.ReadFile(af.TokenFile)
	if err != nil {
		return t.ioError(fmt.Errorf("cannot read the token file %s named in %s: %v", af.TokenFile, a.Str("f"), err))
	}
	for i, f := range af.SigFiles {
		sig, err := t.FS.ReadFile(f)
		if err != nil {
			return t.ioError(fmt.Errorf("cannot read the approval file %s named in %s: %v", f, a.Str("f"), err))
		}
		af.Approvals[i].Sig = sig
	}
	n := t.tokenNode(c.API)
	if n == nil {
		return tool.Result{}
	}
	tok := t.Cluster.TokenByData(data)
	sigs, rc := t.Cluster.CheckApprovals(t.Session, n.ID, tok, af.Approvals)
	if rc == hsm.RCSuccess {
		t.Cluster.Approve(tok, sigs)
		t.changed = true
	}
	t.returned(c.API, rc)
	return tool.Result{}
}

func listTokens(t *Tool, a *Args) tool.Result {
	c := commands["listTokens"]
	n := t.tokenNode(c.API)
	if n == nil {
		return tool.Result{}
	}
	var b strings.Builder
	for i, tok := range t.Cluster.Tokens {
		fmt.Fprintf(&b, "-------- Token - %d ----------\n", i)
		quorum.TokenBlock(&b, t.Cluster, n, tok)
		quorum.TokenDetails(&b, t.Cluster, n, tok)
	}
	fmt.Fprintf(&b, "Num of tokens = %d\n\n", len(t.Cluster.Tokens))
	t.printf("%s", b.String())
	t.returned(c.API, hsm.RCSuccess)
	return tool.Result{}
}
