package hsm

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cert"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// Mutual TLS between client and cluster (CloudHSM CLI's cluster mtls
// commands): each HSM keeps the trust anchors registered on it, the
// certificates that client certificates must chain to, and the cluster has
// one enforcement level, none (any client connects) or cluster (only
// clients with a certificate signed by a trust anchor). The rules are the
// register-trust-anchor and set-enforcement pages': at most two trust
// anchors, RSA 2048/3072/4096 or EC P-256/P-384/P-521 keys, a chain of at
// most 6,980 bytes in hierarchical order, enforcement set only by the
// admin called "admin" and only once a trust anchor is registered.

// TrustAnchor is one registered certificate, or chain of certificates, by
// its certificate reference (1 or 2, printed "0x01").
type TrustAnchor struct {
	Ref int    `json:"ref"`
	PEM string `json:"pem"`
}

// Limits of register-trust-anchor.md.
const (
	MaxTrustAnchors     = 2
	MaxTrustAnchorChain = 6980
)

// Enforcement levels of set-enforcement.md.
const (
	MTLSNone    = "none"
	MTLSCluster = "cluster"
)

// mtlsAdmin is the only user who sets the enforcement level ("the default
// admin with username admin").
const mtlsAdmin = "admin"

// Return codes of the mutual TLS calls (simulator numbers and texts).
const (
	RCTrustAnchorLimit    RC = 0xe0
	RCTrustAnchorNotFound RC = 0xe1
	RCTrustAnchorExists   RC = 0xe2
	RCNoTrustAnchor       RC = 0xe3
)

func init() {
	rcText[RCTrustAnchorLimit] = "HSM Error: Maximum number of trust anchors reached"
	rcText[RCTrustAnchorNotFound] = "HSM Error: Trust anchor not found"
	rcText[RCTrustAnchorExists] = "HSM Error: Trust anchor already registered"
	rcText[RCNoTrustAnchor] = "HSM Error: No trust anchor is registered"
}

// ErrTrustAnchorKey is the refusal of a certificate whose key the HSM does
// not take.
var ErrTrustAnchorKey = errors.New("unsupported trust anchor key")

// CheckTrustAnchor reads a trust anchor file as the HSM takes it: PEM
// certificates only, at most MaxTrustAnchorChain bytes, linked in
// hierarchical order, each with an accepted key. It returns the chain.
func CheckTrustAnchor(data []byte) ([]*cert.Certificate, error) {
	certs, err := cert.ParseChain(data)
	if err != nil {
		return nil, err
	}
	if n := len(cert.EncodeChain(certs)); n > MaxTrustAnchorChain {
		return nil, fmt.Errorf("the certificate chain is %d bytes, more than the %d supported", n, MaxTrustAnchorChain)
	}
	if !cert.Linked(certs) {
		return nil, errors.New("the certificates of the chain are not in hierarchical order")
	}
	for _, c := range certs {
		if !anchorKeyOK(c.PublicKey) {
			return nil, fmt.Errorf("%w: %s", ErrTrustAnchorKey, cert.KeyName(c.PublicKey))
		}
	}
	return certs, nil
}

func anchorKeyOK(pub any) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return slices.Contains([]int{2048, 3072, 4096}, k.N.BitLen())
	case *mech.ECPublicKey:
		return k.CurveID == mech.CurveP256 || k.CurveID == mech.CurveP384 || k.CurveID == mech.CurveP521
	}
	return false
}

// TrustAnchor returns the node's trust anchor ref, or nil.
func (n *Node) TrustAnchor(ref int) *TrustAnchor {
	for _, a := range n.TrustAnchors {
		if a.Ref == ref {
			return a
		}
	}
	return nil
}

// NextTrustAnchorRef is the reference a new trust anchor gets: the lowest
// one no HSM uses, 0 when every reference is taken.
func (c *Cluster) NextTrustAnchorRef() int {
	for ref := 1; ref <= MaxTrustAnchors; ref++ {
		used := false
		for _, n := range c.Nodes {
			used = used || n.TrustAnchor(ref) != nil
		}
		if !used {
			return ref
		}
	}
	return 0
}

// RegisterTrustAnchorOn registers the certificate chain pemData as trust
// anchor ref on one node. The caller picks ref once (NextTrustAnchorRef)
// so that every node gets the same one; the node stores the chain as the
// PEM of its certificates.
func (c *Cluster) RegisterTrustAnchorOn(s *Session, node, ref int, pemData []byte) RC {
	n, rc := c.checkNode(s, node, OpManageMTLS)
	if rc != RCSuccess {
		return rc
	}
	certs, err := CheckTrustAnchor(pemData)
	if err != nil || ref < 1 || ref > MaxTrustAnchors {
		return RCInvalidInput
	}
	stored := string(cert.EncodeChain(certs))
	for _, a := range n.TrustAnchors {
		if a.PEM == stored {
			return RCTrustAnchorExists
		}
	}
	if n.TrustAnchor(ref) != nil || len(n.TrustAnchors) >= MaxTrustAnchors {
		return RCTrustAnchorLimit
	}
	n.TrustAnchors = append(n.TrustAnchors, &TrustAnchor{Ref: ref, PEM: stored})
	slices.SortFunc(n.TrustAnchors, func(a, b *TrustAnchor) int { return a.Ref - b.Ref })
	c.changedNode(n)
	return RCSuccess
}

// DeregisterTrustAnchorOn removes trust anchor ref from one node. While
// the cluster enforces mutual TLS its last trust anchor stays: without it
// no client could connect again.
func (c *Cluster) DeregisterTrustAnchorOn(s *Session, node, ref int) RC {
	n, rc := c.checkNode(s, node, OpManageMTLS)
	if rc != RCSuccess {
		return rc
	}
	if n.TrustAnchor(ref) == nil {
		return RCTrustAnchorNotFound
	}
	if c.MTLSEnforcement == MTLSCluster && len(n.TrustAnchors) == 1 {
		return RCOperationNotAllowed
	}
	n.TrustAnchors = slices.DeleteFunc(n.TrustAnchors, func(a *TrustAnchor) bool { return a.Ref == ref })
	c.changedNode(n)
	return RCSuccess
}

// MTLSLevel is the enforcement level: MTLSNone or MTLSCluster.
func (c *Cluster) MTLSLevel() string {
	if c.MTLSEnforcement == "" {
		return MTLSNone
	}
	return c.MTLSEnforcement
}

// SetMTLSEnforcement sets the enforcement level. Only the admin called
// admin sets it, and the cluster level needs a trust anchor on every HSM
// that answers.
func (c *Cluster) SetMTLSEnforcement(s *Session, level string) RC {
	if rc := Check(s, OpManageMTLS, nil); rc != RCSuccess {
		return rc
	}
	if !strings.EqualFold(s.User, mtlsAdmin) {
		return RCOperationNotAllowed
	}
	switch level {
	case MTLSNone:
		level = ""
	case MTLSCluster:
		up := c.UpNodes()
		if len(up) == 0 {
			return RCServerUnavailable
		}
		for _, n := range up {
			if len(n.TrustAnchors) == 0 {
				return RCNoTrustAnchor
			}
		}
	default:
		return RCInvalidInput
	}
	if c.MTLSEnforcement != level {
		c.MTLSEnforcement = level
		c.changedCluster()
	}
	return RCSuccess
}
