package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cert"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

func init() {
	register(&command{path: "cluster mtls register-trust-anchor", login: "admin", run: registerTrustAnchor})
	register(&command{path: "cluster mtls deregister-trust-anchor", login: "admin", run: deregisterTrustAnchor})
	register(&command{path: "cluster mtls list-trust-anchors", run: listTrustAnchors})
	register(&command{path: "cluster mtls get-enforcement", login: "any", run: getEnforcement})
	register(&command{path: "cluster mtls set-enforcement", login: "admin", run: setEnforcement})
}

// certRef is how a certificate reference prints: "0x01".
func certRef(ref int) string { return fmt.Sprintf("0x%02x", ref) }

// parseCertRef reads a reference as the page allows it, hexadecimal
// ("0x01") or decimal ("1").
func parseCertRef(s string) (int, bool) {
	var v uint64
	var err error
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		v, err = strconv.ParseUint(h, 16, 32)
	} else {
		v, err = strconv.ParseUint(s, 10, 32)
	}
	return int(v), err == nil
}

// noClusterQuorum refuses --approval: the cluster quorum service needs
// hsm2m.medium HSMs, so its quorum value is always 1 here.
func noClusterQuorum(a *args) *cliError {
	if !a.has("approval") {
		return nil
	}
	_, e := service("cluster")
	return e
}

// trustAnchorData is one trust anchor as the commands print it: the
// copy of the first HSM that has it, and whether every HSM has the same.
func (t *Tool) trustAnchorData(ref int) obj {
	var first *hsm.TrustAnchor
	full := true
	for _, n := range t.Cluster.Nodes {
		a := n.TrustAnchor(ref)
		switch {
		case a == nil:
			full = false
		case first == nil:
			first = a
		case a.PEM != first.PEM:
			full = false
		}
	}
	if first == nil {
		return nil
	}
	return obj{{"certificate-reference", certRef(ref)}, {"certificate", first.PEM}, {"cluster-coverage", coverage(full)}}
}

func registerTrustAnchor(t *Tool, a *args) result {
	if e := noClusterQuorum(a); e != nil {
		return result{err: e}
	}
	path := a.get("path")
	data, err := t.FS.ReadFile(path)
	if err != nil {
		return fail(fmt.Sprintf("Unable to read the trust anchor %s: %v", path, err))
	}
	if _, err := hsm.CheckTrustAnchor(data); err != nil {
		switch {
		case errors.Is(err, cert.ErrNotCertificate), errors.Is(err, cert.ErrMalformed):
			return fail(fmt.Sprintf("The file %s is not a PEM-encoded certificate", path))
		case errors.Is(err, hsm.ErrTrustAnchorKey):
			return fail("The trust anchor has a key of a type the HSM does not accept (" + strings.TrimPrefix(err.Error(), hsm.ErrTrustAnchorKey.Error()+": ") + "): use an RSA 2048, 3072 or 4096-bit key or an EC key on secp256r1, secp384r1 or secp521r1")
		}
		return fail("Invalid trust anchor: " + err.Error())
	}
	ref := t.Cluster.NextTrustAnchorRef()
	if ref == 0 {
		return fail(fmt.Sprintf("The cluster already has the maximum number of trust anchors (%d): deregister one first", hsm.MaxTrustAnchors))
	}
	rc := t.perNode(func(node int) hsm.RC { return t.Cluster.RegisterTrustAnchorOn(t.Session, node, ref, data) })
	switch rc {
	case hsm.RCSuccess:
	case hsm.RCTrustAnchorExists:
		return fail("This trust anchor is already registered")
	case hsm.RCTrustAnchorLimit:
		return fail(fmt.Sprintf("The cluster already has the maximum number of trust anchors (%d): deregister one first", hsm.MaxTrustAnchors))
	default:
		return rcFail(rc)
	}
	return ok(obj{{"trust_anchor", t.trustAnchorData(ref)}})
}

func deregisterTrustAnchor(t *Tool, a *args) result {
	if e := noClusterQuorum(a); e != nil {
		return result{err: e}
	}
	s := a.get("certificate-reference")
	ref, valid := parseCertRef(s)
	if !valid {
		return fail(fmt.Sprintf("Invalid certificate reference %q: give it in hexadecimal (0x01) or decimal (1)", s))
	}
	rc := t.perNode(func(node int) hsm.RC { return t.Cluster.DeregisterTrustAnchorOn(t.Session, node, ref) })
	switch rc {
	case hsm.RCSuccess:
	case hsm.RCTrustAnchorNotFound:
		return fail(fmt.Sprintf("No trust anchor with reference %s is registered", certRef(ref)))
	case hsm.RCOperationNotAllowed:
		return fail("The cluster enforces mtls: its last trust anchor cannot be deregistered. Set the enforcement level to none first")
	default:
		return rcFail(rc)
	}
	return ok(obj{{"message", fmt.Sprintf("Trust anchor with reference %s deregistered successfully", certRef(ref))}})
}

func listTrustAnchors(t *Tool, a *args) result {
	list := []any{}
	for ref := 1; ref <= hsm.MaxTrustAnchors; ref++ {
		if d := t.trustAnchorData(ref); d != nil {
			list = append(list, d)
		}
	}
	return ok(obj{{"trust_anchors", list}})
}

func getEnforcement(t *Tool, a *args) result {
	return ok(obj{{"mtls-enforcement-level", t.Cluster.MTLSLevel()}})
}

func setEnforcement(t *Tool, a *args) result {
	if e := noClusterQuorum(a); e != nil {
		return result{err: e}
	}
	level := a.get("level")
	switch rc := t.Cluster.SetMTLSEnforcement(t.Session, level); rc {
	case hsm.RCSuccess:
	case hsm.RCOperationNotAllowed:
		return fail("Only the admin with username admin can set the mtls enforcement level")
	case hsm.RCNoTrustAnchor:
		return fail("No trust anchor is registered: register one with cluster mtls register-trust-anchor before enforcing mtls")
	default:
		return rcFail(rc)
	}
	return ok(obj{{"message", fmt.Sprintf("Mtls enforcement level set to %s successfully", strings.ToUpper(level[:1])+level[1:])}})
}
