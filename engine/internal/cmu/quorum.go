package cmu

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/quorum"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

func init() {
	register(&command{
		name:    "registerQuorumPubKey",
		summary: "Registers your public key for quorum approvals",
		about: `Registers the public half of your RSA-2048 key pair, so that your
signatures can approve quorum tokens. The registration token is a file of at
most 245 bytes; sign it with "openssl dgst -sha256 -sign <key> -out <sig>
<token>". Crypto officers register their own key.`,
		params: []param{arg("<user-type>", tool.UserType), arg("<user-name>", tool.UserName), arg("<registration-token>", tool.File), arg("<signed-registration-token>", tool.File), arg("<public-key>", tool.File)},
		run:    registerQuorumPubKey,
	})
	register(&command{
		name:    "getToken",
		summary: "Gets a quorum token for a service",
		about: `Gets a quorum token for service 3 (USER_MGMT: createUser, deleteUser,
changePswd of another user) or 4 (MISC_CO: setMValue) and writes it to a
file for the approving officers to sign. The user is the one logged in.`,
		params: []param{{syntax: "<service>", kind: tool.Number, values: services}, arg("<user-name>", tool.UserName), arg("<token-file>", tool.File)},
		run:    getToken,
	})
	register(&command{
		name:    "approveToken",
		summary: "Hands a token's signed approvals to the HSMs",
		about: `Approves your quorum token with the signatures in a token approval file:
"Multi Token File Path = <token file>;", "Token File Path = ;",
"Number of Approvals = <n>;" and, per approver, "Approver Type = 2;",
"Approver Name = <name>;", "Approval File = <signature file>;".`,
		params: []param{arg("<token-approval-file>", tool.File)},
		run:    approveToken,
	})
	register(&command{
		name:    "listTokens",
		summary: "Lists the quorum tokens on each HSM",
		about:   "Lists the quorum tokens on each HSM with their approvals.",
		run:     listTokens,
	})
	register(&command{
		name:    "delToken",
		summary: "Deletes your quorum token for a service",
		about:   "Deletes the quorum token the logged-in officer holds for a service.",
		params:  []param{{syntax: "<service>", kind: tool.Number, values: services}, arg("<user-name>", tool.UserName)},
		run:     delToken,
	})
	register(&command{
		name:    "getMValue",
		summary: "Shows the quorum minimum value of a service",
		about:   "Shows, for each HSM, how many approvals service 3 (USER_MGMT) or 4 (MISC_CO) needs. 1 means quorum is off.",
		params:  []param{{syntax: "<service>", kind: tool.Number, values: services}},
		run:     getMValue,
	})
	register(&command{
		name:    "setMValue",
		summary: "Sets the quorum minimum value of a service",
		about: `Sets how many approvals service 3 (USER_MGMT) or 4 (MISC_CO) needs: 2 to 8,
and no more than there are crypto officers. Once the value of service 4 is 2
or more, changing a value needs an approved token for service 4.`,
		params: []param{{syntax: "<service>", kind: tool.Number, values: services}, arg("<value>", tool.Number)},
		run:    setMValue,
	})
}

func parseService(s string) (int, error) {
	svc, err := strconv.Atoi(s)
	if _, ok := hsm.ServiceName(svc); err != nil || !ok {
		return 0, fmt.Errorf("Invalid service %s (3 USER_MGMT, 4 MISC_CO)", s)
	}
	return svc, nil
}

func (t *Tool) readFile(name string) ([]byte, error) {
	b, err := t.FS.ReadFile(name)
	if err != nil {
		if vfs.IsNotExist(err) {
			return nil, fmt.Errorf("cannot read %s: no such file", name)
		}
		return nil, fmt.Errorf("cannot read %s: %v", name, err)
	}
	return b, nil
}

func registerQuorumPubKey(t *Tool, args []string) tool.Result {
	role, ok := parseUserType(args[0])
	if !ok || role != hsm.RoleCO {
		return errorf("Invalid user type %s (valid: CO)", args[0])
	}
	name := args[1]
	if err := hsm.ValidateUserName(name); err != nil {
		return errorf("Invalid user name %q: %v", name, err)
	}
	if r, ok := t.selfOnly("registerQuorumPubKey", name); !ok {
		return r
	}
	token, err := t.readFile(args[2])
	if err != nil {
		return errorf("%v", err)
	}
	if len(token) == 0 || len(token) > hsm.MaxRegistrationToken {
		return errorf("the registration token %s holds %d bytes; it must hold 1 to %d", args[2], len(token), hsm.MaxRegistrationToken)
	}
	sig, err := t.readFile(args[3])
	if err != nil {
		return errorf("%v", err)
	}
	pub, err := t.readFile(args[4])
	if err != nil {
		return errorf("%v", err)
	}
	if _, err := hsm.ParseQuorumPublicKey(pub); err != nil {
		return errorf("%s: %v", args[4], err)
	}
	return t.confirm("", func() tool.Result {
		var b reply
		done := false
		for _, n := range t.targets() {
			rc := t.reach(n, hsm.OpQuorum)
			if rc == hsm.RCSuccess {
				rc = t.Cluster.RegisterQuorumKeyOn(t.Session, n.ID, role, name, token, sig, pub)
			}
			if rc != hsm.RCSuccess {
				b.fail("registerQuorumPubKey", n, rc)
				continue
			}
			done = true
			b.ok("registerQuorumPubKey", n)
		}
		return tool.Result{Output: b.String(), Calls: b.calls, Changed: done}
	})
}

func getToken(t *Tool, args []string) tool.Result {
	svc, err := parseService(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	name := args[1]
	if r, ok := t.selfOnly("getToken", name); !ok {
		return r
	}
	file := args[2]
	if err := vfs.CheckWritable(t.FS, file); err != nil {
		return errorf("%v", err)
	}
	nodes := t.targets()
	var b reply
	var ready []*hsm.Node
	for _, n := range nodes {
		rc := t.reach(n, hsm.OpLoggedIn)
		if rc == hsm.RCSuccess && !strings.EqualFold(t.Session.User, name) {
			// The token is for the officer who is logged in (crypto-officers.md).
			rc = hsm.RCOperationNotAllowed
		}
		if rc != hsm.RCSuccess {
			b.fail("getToken", n, rc)
			continue
		}
		ready = append(ready, n)
	}
	if len(ready) == 0 {
		return tool.Result{Output: b.String(), Calls: b.calls}
	}
	nonce := make([]byte, 32)
	if _, err := io.ReadFull(t.Rand, nonce); err != nil {
		return errorf("cannot make a token: %v", err)
	}
	data := []byte(fmt.Sprintf("CloudHSM quorum token\nService:%d\nUser:%s\nNonce:%s\n", svc, t.Session.User, hex.EncodeToString(nonce)))
	tok, rc := t.Cluster.NewToken(t.Session, svc, data)
	if rc != hsm.RCSuccess {
		for _, n := range ready {
			b.fail("getToken", n, rc)
		}
		return tool.Result{Output: b.String(), Calls: b.calls}
	}
	if err := t.FS.WriteFile(file, data); err != nil {
		t.Cluster.DeleteToken(t.Session, svc)
		return tool.Merge(tool.Result{Output: b.String(), Calls: b.calls}, errorf("cannot write %s: %v", file, err))
	}
	for _, n := range ready {
		b.ok("getToken", n)
		quorum.TokenBlock(&b, t.Cluster, n, tok)
	}
	return tool.Result{Output: b.String(), Calls: b.calls, Changed: true}
}

func approveToken(t *Tool, args []string) tool.Result {
	text, err := t.readFile(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	af, err := quorum.ParseApprovalFile(string(text))
	if err != nil {
		return errorf("%s: %v", args[0], err)
	}
	data, err := t.readFile(af.TokenFile)
	if err != nil {
		return errorf("%v", err)
	}
	for i, f := range af.SigFiles {
		sig, err := t.readFile(f)
		if err != nil {
			return errorf("%v", err)
		}
		af.Approvals[i].Sig = sig
	}
	tok := t.Cluster.TokenByData(data)
	var b reply
	done := false
	for _, n := range t.targets() {
		rc := t.reach(n, hsm.OpQuorum)
		var sigs map[int][]byte
		if rc == hsm.RCSuccess {
			sigs, rc = t.Cluster.CheckApprovals(t.Session, n.ID, tok, af.Approvals)
		}
		if rc != hsm.RCSuccess {
			b.fail("approveToken", n, rc)
			continue
		}
		t.Cluster.Approve(tok, sigs)
		done = true
		b.ok("approveToken", n)
	}
	return tool.Result{Output: b.String(), Calls: b.calls, Changed: done}
}

func listTokens(t *Tool, args []string) tool.Result {
	var b reply
	for _, n := range t.targets() {
		if rc := t.reach(n, hsm.OpLoggedIn); rc != hsm.RCSuccess {
			b.fail("listTokens", n, rc)
			continue
		}
		b.read("listTokens", n, nil)
		fmt.Fprintf(&b, "=====================\nServer %d(%s)\n=====================\n", n.ID, n.Addr)
		for i, tok := range t.Cluster.Tokens {
			fmt.Fprintf(&b, "-------- Token - %d ----------\n", i)
			quorum.TokenBlock(&b, t.Cluster, n, tok)
			quorum.TokenDetails(&b, t.Cluster, n, tok)
		}
		fmt.Fprintf(&b, "Num of tokens = %d\n", len(t.Cluster.Tokens))
	}
	b.WriteString("listTokens success\n")
	return tool.Result{Output: b.String(), Calls: b.calls}
}

func delToken(t *Tool, args []string) tool.Result {
	svc, err := parseService(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	name := args[1]
	if r, ok := t.selfOnly("delToken", name); !ok {
		return r
	}
	var b reply
	var ready []*hsm.Node
	for _, n := range t.targets() {
		rc := t.reach(n, hsm.OpLoggedIn)
		if rc == hsm.RCSuccess && !strings.EqualFold(t.Session.User, name) {
			rc = hsm.RCOperationNotAllowed
		}
		if rc != hsm.RCSuccess {
			b.fail("delToken", n, rc)
			continue
		}
		ready = append(ready, n)
	}
	if len(ready) == 0 {
		return tool.Result{Output: b.String(), Calls: b.calls}
	}
	rc := t.Cluster.DeleteToken(t.Session, svc)
	for _, n := range ready {
		if rc != hsm.RCSuccess {
			b.fail("delToken", n, rc)
		} else {
			b.ok("delToken", n)
		}
	}
	return tool.Result{Output: b.String(), Calls: b.calls, Changed: rc == hsm.RCSuccess}
}

func getMValue(t *Tool, args []string) tool.Result {
	svc, err := parseService(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	name, _ := hsm.ServiceName(svc)
	var b reply
	for _, n := range t.targets() {
		if rc := t.reach(n, hsm.OpClusterInfo); rc != hsm.RCSuccess {
			b.fail("getMValue", n, rc)
			continue
		}
		b.read("getMValue", n, nil)
		fmt.Fprintf(&b, "MValue of service %d[%s] on server %d : [%d]\n", svc, name, n.ID, t.Cluster.MValue(svc))
	}
	return tool.Result{Output: b.String(), Calls: b.calls}
}

func setMValue(t *Tool, args []string) tool.Result {
	svc, err := parseService(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	m, err := strconv.Atoi(args[1])
	if err != nil || m < hsm.MinMValue || m > hsm.MaxMValue {
		return errorf("Invalid M value %s (%d to %d)", args[1], hsm.MinMValue, hsm.MaxMValue)
	}
	return t.confirm("", func() tool.Result {
		nodes := t.targets()
		var b reply
		fmt.Fprintf(&b, "Setting M Value(%d) for %d on %d nodes\n", m, svc, len(nodes))
		// Authorization is decided once, before the first node changes the
		// cluster's value.
		needToken := t.Cluster.MValue(hsm.ServiceMiscCO) >= hsm.MinMValue && t.Cluster.MValue(svc) != m
		done := false
		for _, n := range nodes {
			rc := t.reach(n, hsm.OpQuorum)
			if rc == hsm.RCSuccess {
				rc = t.Cluster.SetMValueOn(t.Session, n.ID, svc, m)
			}
			if rc != hsm.RCSuccess {
				b.fail("setMValue", n, rc)
				continue
			}
			done = true
		}
		if done && needToken {
			t.Cluster.UseToken(t.Session, hsm.ServiceMiscCO)
		}
		return tool.Result{Output: b.String(), Calls: b.calls, Changed: done}
	})
}
