package cmu

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/internal/der"
)

func init() {
	register(&command{
		name:    "enable_e2e",
		summary: "Enables end-to-end encryption with the HSMs",
		about: `Encrypts the connection between cloudhsm_mgmt_util and each HSM end to
end. Enable it each time you start the tool, before you log in.`,
		run: enableE2E,
	})
	register(&command{
		name:    "info",
		summary: "Shows an HSM's address, state and login",
		about: `Shows the id, address, port, connection state, partition and the
logged-in user of one HSM. No login is needed.`,
		params: []param{{syntax: "server", kind: tool.Literal}, arg("<server ID>", tool.Server)},
		run:    info,
	})
	register(&command{
		name:    "getHSMInfo",
		summary: "Shows the hardware of each HSM",
		about:   "Shows the model, serial number, FIPS state, memory and firmware of each HSM. No login is needed.",
		run:     getHSMInfo,
	})
	register(&command{
		name:    "getCert",
		summary: "Saves a certificate of the HSM (server mode)",
		about: `Saves a certificate of the HSM of server mode in a PEM file:
1 Manufacturer Root Certificate, 2 Manufacturer Hardware Certificate,
4 Customer Root Certificate, 8 Cluster Certificate (signed by the Customer
Root Certificate), 16 Cluster Certificate (chained to the Manufacturer Root
Certificate). Enter server mode first with "server <server-number>".`,
		params: []param{arg("<file-name>", tool.File), {syntax: "<certificate-type>", kind: tool.Number, values: certTypes}},
		run:    getCert,
	})
	register(&command{
		name:    "server",
		summary: "Enters server mode on one HSM",
		about: `Enters server mode: later commands go to that HSM only, and the prompt
shows it (server0>). "exit" leaves server mode. syncKey, syncUser and
getCert run in server mode.`,
		params: []param{arg("<server-number>", tool.Server)},
		run:    serverMode,
	})
}

func enableE2E(t *Tool, args []string) tool.Result {
	var b reply
	for _, n := range t.targets() {
		if rc := t.reach(n, hsm.OpClusterInfo); rc != hsm.RCSuccess {
			b.fail("enable_e2e", n, rc)
			continue
		}
		b.read("enable_e2e", n, nil)
		fmt.Fprintf(&b, "E2E enabled on %s\n", server(n))
	}
	t.e2e = true
	return tool.Result{Output: b.String(), Calls: b.calls}
}

func info(t *Tool, args []string) tool.Result {
	if args[0] != "server" {
		return commands["info"].usage("the first argument is the word server")
	}
	id, err := t.serverArg(args[1])
	if err != nil {
		return errorf("%v", err)
	}
	n := t.Cluster.Node(id)
	state, login := "Connected", "Not logged in"
	if t.reach(n, hsm.OpClusterInfo) != hsm.RCSuccess {
		state = "Disconnected"
	} else if t.Session != nil && t.loggedIn[n.ID] {
		login = fmt.Sprintf("Logged in as '%s(%s)'", t.Session.User, t.Session.Role)
	}
	var b reply
	b.WriteString("Id      Name                    Hostname         Port   State           Partition               LoginState\n")
	fmt.Fprintf(&b, "%-8d%-24s%-16s%-8d%-16s%-24s%s\n", n.ID, n.Addr, n.Addr, Port, state, n.PartitionID(), login)
	return tool.Result{Output: b.String(), Calls: b.calls}
}

func getHSMInfo(t *Tool, args []string) tool.Result {
	nodes := t.targets()
	var b reply
	fmt.Fprintf(&b, "Getting HSM Info on %d nodes\n", len(nodes))
	for _, n := range nodes {
		if rc := t.reach(n, hsm.OpClusterInfo); rc != hsm.RCSuccess {
			b.fail("getHSMInfo", n, rc)
			continue
		}
		b.read("getHSMInfo", n, nil)
		fmt.Fprintf(&b, "*** Server %d HSM Info ***\n", n.ID)
		for _, f := range n.Info() {
			fmt.Fprintf(&b, "%-21s:%s\n", f.Name, f.Value)
		}
	}
	return tool.Result{Output: b.String(), Calls: b.calls}
}

func serverMode(t *Tool, args []string) tool.Result {
	if t.server >= 0 {
		return errorf("already in server mode on server %d; type exit first", t.server)
	}
	id, err := t.serverArg(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	if t.reach(t.Cluster.Node(id), hsm.OpClusterInfo) != hsm.RCSuccess {
		return errorf("server %d(%s) is not connected", id, t.Cluster.Node(id).Addr)
	}
	t.server = id
	return tool.Result{Output: "Server is in 'E2' mode...\n"}
}

// certNames are the certificate types of getCert.md.
var certNames = map[int]string{
	1:  "Manufacturer Root Certificate",
	2:  "Manufacturer Hardware Certificate",
	4:  "Customer Root Certificate",
	8:  "Cluster Certificate (signed by Customer Root Certificate)",
	16: "Cluster Certificate (chained to the Manufacturer Root Certificate)",
}

func getCert(t *Tool, args []string) tool.Result {
	if r, ok := t.needServerMode("getCert", "the HSM"); !ok {
		return r
	}
	file := args[0]
	if err := vfs.CheckWritable(t.FS, file); err != nil {
		return errorf("%v", err)
	}
	typ, err := strconv.Atoi(args[1])
	if err != nil || certNames[typ] == "" {
		return errorf("Invalid certificate type %s (valid: 1, 2, 4, 8, 16)", args[1])
	}
	n := t.Cluster.Node(t.server)
	if rc := t.reach(n, hsm.OpClusterInfo); rc != hsm.RCSuccess {
		return tool.Result{Output: fmt.Sprintf("getCert failed: %s\n", rc.Name()), Calls: []tool.Call{{API: "getCert", RC: rc}}}
	}
	der, err := certificate(n, typ)
	if err != nil {
		return errorf("cannot make the certificate: %v", err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := t.FS.WriteFile(file, pemBytes); err != nil {
		return errorf("cannot write %s: %v", file, err)
	}
	return tool.Result{Output: "getCert Success\n", Calls: []tool.Call{{API: "getCert"}}, Changed: true}
}

// certKey is the signing key of one certificate authority of the
// simulation, derived from its name so that certificates come out the same
// every time (Ed25519 signatures are deterministic).
func certKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("hsmsim-cert\x00" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// certificate makes the HSM's certificate of the given type. The chain is
// the one verify-hsm-identity describes, simplified: the manufacturer root
// signs each HSM's hardware certificate, which signs the cluster
// certificate of type 16; the customer root (made when the cluster was
// initialized) signs the cluster certificate of type 8.
func certificate(n *hsm.Node, typ int) ([]byte, error) {
	notBefore := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter := time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	type ca struct {
		cn  string
		key ed25519.PrivateKey
	}
	mfr := ca{"HSM Manufacturer Root CA (hsmsim)", certKey("manufacturer")}
	hw := ca{"HSM " + n.SerialNumber() + " Hardware (hsmsim)", certKey("hardware " + n.Addr)}
	cust := ca{"Customer Root CA (hsmsim)", certKey("customer")}
	cluster := ca{n.PartitionID() + " Cluster (hsmsim)", certKey("cluster " + n.Addr)}
	var subject, issuer ca
	isCA := true
	switch typ {
	case 1:
		subject, issuer = mfr, mfr
	case 2:
		subject, issuer = hw, mfr
	case 4:
		subject, issuer = cust, cust
	case 8:
		subject, issuer, isCA = cluster, cust, false
	case 16:
		subject, issuer, isCA = cluster, hw, false
	}
	tmpl := &der.Certificate{
		SerialNumber: big.NewInt(int64(1000*(n.ID+1) + typ)),
		Subject:      der.Name{CommonName: subject.cn, Organization: []string{"hsmsim"}},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		IsCA:         isCA,
		KeyUsage:     der.KeyUsageDigitalSignature | der.KeyUsageCertSign,
	}
	var parent *der.Issuer // self-signed
	if issuer.cn != subject.cn {
		parent = &der.Issuer{Subject: der.Name{CommonName: issuer.cn, Organization: []string{"hsmsim"}}.Marshal()}
	}
	return der.CreateCertificate(nil, tmpl, parent, subject.key.Public(), issuer.key)
}
