package cli

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

func init() {
	register(&command{path: "quorum token-sign list-quorum-values", login: "any", run: listQuorumValues})
	register(&command{path: "quorum token-sign set-quorum-value", login: "admin", run: setQuorumValue})
	register(&command{path: "quorum token-sign generate", login: "admin", run: generateToken})
	register(&command{path: "quorum token-sign list", login: "any", run: listTokens})
	register(&command{path: "quorum token-sign delete", login: "admin", run: deleteTokens})
	register(&command{path: "user change-quorum token-sign register", login: "admin", run: registerQuorumKey})
}

// Quorum services: CloudHSM CLI's user and quorum services are the HSM's
// USER_MGMT (3) and MISC_CO (4), the ones cloudhsm_mgmt_util's setMValue
// numbers. The others need hsm2m.medium HSMs or key quorum values, which
// the simulated cluster has not.
var services = map[string]int{"user": hsm.ServiceUserMgmt, "quorum": hsm.ServiceMiscCO}

func serviceName(svc int) string {
	for n, s := range services {
		if s == svc {
			return n
		}
	}
	return strconv.Itoa(svc)
}

func service(name string) (int, *cliError) {
	if svc, ok := services[name]; ok {
		return svc, nil
	}
	return 0, &cliError{code: 1, msg: fmt.Sprintf("The %s service needs hsm2m.medium HSMs or key quorum values, which this cluster has not", name)}
}

func listQuorumValues(t *Tool, a *args) result {
	return ok(obj{{"user", t.Cluster.MValue(hsm.ServiceUserMgmt)}, {"quorum", t.Cluster.MValue(hsm.ServiceMiscCO)}})
}

// tokenFile is the file quorum token-sign generate writes and approvers
// fill in (reference-mfa-cloudhsm-cli.md shows its form): one unsigned
// token per HSM, each with its signature once signed.
type tokenFile struct {
	Version string       `json:"version"`
	Tokens  []tokenEntry `json:"tokens"`
}

type tokenEntry struct {
	Unsigned string `json:"unsigned"`
	Signed   string `json:"signed"`
}

// writeTokenFile writes data as the unsigned token of every HSM that
// answers (the simulated HSMs share one token).
func (t *Tool) writeTokenFile(path string, data []byte) *cliError {
	f := tokenFile{Version: "2.0"}
	for range t.Cluster.UpNodes() {
		f.Tokens = append(f.Tokens, tokenEntry{Unsigned: base64.StdEncoding.EncodeToString(data)})
	}
	b, _ := json.MarshalIndent(f, "", "  ")
	if err := t.FS.WriteFile(path, append(b, '\n')); err != nil {
		return &cliError{code: 1, msg: fmt.Sprintf("Unable to write the token file %s: %v", path, err)}
	}
	return nil
}

// readTokenFile reads a signed token file: the unsigned token and each
// signature it holds (one entry per approver and HSM).
func (t *Tool) readTokenFile(path string) ([]byte, [][]byte, *cliError) {
	b, err := t.FS.ReadFile(path)
	if err != nil {
		return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("Unable to read the token file %s: %v", path, err)}
	}
	var f tokenFile
	if err := json.Unmarshal(b, &f); err != nil || len(f.Tokens) == 0 {
		return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("The token file %s is not a token file written by quorum token-sign generate", path)}
	}
	var data []byte
	var sigs [][]byte
	for _, e := range f.Tokens {
		u, err := base64.StdEncoding.DecodeString(e.Unsigned)
		if err != nil || data != nil && string(u) != string(data) {
			return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("The token file %s holds a damaged token", path)}
		}
		data = u
		if e.Signed == "" {
			continue
		}
		s, err := base64.StdEncoding.DecodeString(e.Signed)
		if err != nil {
			return nil, nil, &cliError{code: 1, msg: fmt.Sprintf("The token file %s holds a signature that is not Base64", path)}
		}
		sigs = append(sigs, s)
	}
	return data, sigs, nil
}

func generateToken(t *Tool, a *args) result {
	data := make([]byte, 32)
	if _, err := t.Rand.Read(data); err != nil {
		return fail(err.Error())
	}
	if a.get("service") != "registration" {
		svc, e := service(a.get("service"))
		if e != nil {
			return result{err: e}
		}
		if _, rc := t.Cluster.NewToken(t.Session, svc, data); rc != hsm.RCSuccess {
			if rc == hsm.RCMxNNotEnabled {
				return fail(fmt.Sprintf("Quorum is not enabled for the %s service: its quorum value is 1", a.get("service")))
			}
			return rcFail(rc)
		}
	}
	if e := t.writeTokenFile(a.get("token"), data); e != nil {
		return result{err: e}
	}
	return ok(obj{{"filepath", a.get("token")}})
}

func listTokens(t *Tool, a *args) result {
	list := []any{}
	for _, tk := range t.Cluster.Tokens {
		name := fmt.Sprintf("user-%d", tk.User)
		if u := t.Cluster.UserByID(tk.User); u != nil {
			name = strings.ToLower(u.Name)
		}
		list = append(list, obj{
			{"username", name},
			{"service", serviceName(tk.Service)},
			{"approvals-required", t.Cluster.MValue(tk.Service)},
			{"number-of-approvals", len(tk.Approvals)},
			{"token-timeout-seconds", hsm.TokenValidity},
			{"cluster-coverage", "full"},
		})
	}
	return ok(obj{{"tokens", list}})
}

func deleteTokens(t *Tool, a *args) result {
	users := []int{t.Session.UserID}
	if a.get("scope") == "all" {
		users = nil
		for _, tk := range t.Cluster.Tokens {
			users = append(users, tk.User)
		}
	}
	for _, u := range users {
		t.Cluster.DropTokens(u)
	}
	return ok("Deletion of quorum token(s) successful")
}

// approve hands the signatures of an approval file to the session's token
// for the service: each must verify with an admin's registered key.
func (t *Tool) approve(a *args, svc int) *cliError {
	if !a.has("approval") {
		return nil
	}
	data, sigs, e := t.readTokenFile(a.get("approval"))
	if e != nil {
		return e
	}
	tk := t.Cluster.TokenByData(data)
	if tk == nil || tk.Service != svc {
		return &cliError{code: 1, msg: "The approval file holds no token of this user for this service: make one with quorum token-sign generate"}
	}
	var approvals []hsm.Approval
	for _, sig := range sigs {
		for _, u := range t.Cluster.Users() {
			if u.Type.IsOfficer() && u.QuorumPubKey != "" && hsm.VerifyQuorumSignature([]byte(u.QuorumPubKey), data, sig) == nil {
				approvals = append(approvals, hsm.Approval{Type: 2, Name: u.Name, Sig: sig})
				break
			}
		}
	}
	if len(approvals) == 0 {
		return &cliError{code: 1, msg: "No signature in the approval file verifies with an admin's registered quorum key"}
	}
	for _, n := range t.Cluster.UpNodes() {
		got, rc := t.Cluster.CheckApprovals(t.Session, n.ID, tk, approvals)
		if rc != hsm.RCSuccess {
			return &cliError{code: 1, msg: rcMessage(rc)}
		}
		t.Cluster.Approve(tk, got)
	}
	return nil
}

func setQuorumValue(t *Tool, a *args) result {
	svc, e := service(a.get("service"))
	if e != nil {
		return result{err: e}
	}
	m, err := strconv.Atoi(a.get("value"))
	if err != nil || m < hsm.MinMValue || m > hsm.MaxMValue {
		return fail(fmt.Sprintf("Invalid quorum value %q: %d to %d", a.get("value"), hsm.MinMValue, hsm.MaxMValue))
	}
	if e := t.approve(a, hsm.ServiceMiscCO); e != nil {
		return result{err: e}
	}
	rc := t.perNode(func(node int) hsm.RC { return t.Cluster.SetMValueOn(t.Session, node, svc, m) })
	if rc != hsm.RCSuccess {
		return rcFail(rc)
	}
	t.Cluster.UseToken(t.Session, hsm.ServiceMiscCO)
	return ok("Set Quorum Value successful")
}

func registerQuorumKey(t *Tool, a *args) result {
	pubPEM, err := t.FS.ReadFile(a.get("public-key"))
	if err != nil {
		return fail(fmt.Sprintf("Unable to read the public key %s: %v", a.get("public-key"), err))
	}
	if _, err := mech.ParsePublicKeyPEM(pubPEM); err != nil {
		return fail(fmt.Sprintf("The file %s holds no PEM public key", a.get("public-key")))
	}
	data, sigs, e := t.readTokenFile(a.get("signed-token"))
	if e != nil {
		return result{err: e}
	}
	if len(sigs) == 0 {
		return fail("The token file is not signed: sign each unsigned token with the private key and put it in signed")
	}
	rc := t.perNode(func(node int) hsm.RC {
		return t.Cluster.RegisterQuorumKeyOn(t.Session, node, hsm.RoleCO, t.Session.User, data, sigs[0], pubPEM)
	})
	if rc == hsm.RCBadPKCSData {
		return fail("The signed token does not verify with the public key")
	}
	if rc != hsm.RCSuccess {
		return rcFail(rc)
	}
	return ok(userData(t.Session.User, "admin"))
}
