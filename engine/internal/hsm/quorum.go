package hsm

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"

	"github.com/hsmsim/hsmsim/internal/der"
)

// Quorum (M of N) authentication for crypto officers, from
// quorum-authentication*.md and cloudhsm_mgmt_util-registerQuorumPubKey.md.
//
// Each officer registers the public half of an RSA-2048 key pair. Once a
// service's M value is 2 or more, an officer who wants to use the service
// gets a token (a file of random data), has M officers sign it outside the
// HSM (openssl dgst -sha256 -sign, i.e. RSA PKCS #1 v1.5 over SHA-256), and
// hands the signatures back with approveToken. An approved token allows one
// operation and is then gone; it also goes when its officer logs out.
//
// The M values and the tokens are kept per cluster (Cluster.Quorum,
// Cluster.Tokens), not per node: the simulator does not let them drift.

// Quorum services (the table of quorum-authentication-crypto-officers-first-time-setup.md).
const (
	ServiceUserMgmt = 3 // createUser, deleteUser, changePswd of another user
	ServiceMiscCO   = 4 // setMValue
)

// Quorum limits.
const (
	MinMValue = 2
	MaxMValue = 8
	// MaxRegistrationToken is the largest registration token file.
	MaxRegistrationToken = 245
	// MaxTokens is how many quorum tokens an HSM stores.
	MaxTokens = 1024
	// TokenValidity is how long a token is guaranteed to persist, in
	// seconds (ten minutes). The simulator has no clock, so it never ends.
	TokenValidity = 600
)

// ServiceName is the name getMValue prints for a service.
func ServiceName(svc int) (string, bool) {
	switch svc {
	case ServiceUserMgmt:
		return "USER_MGMT", true
	case ServiceMiscCO:
		return "MISC_CO", true
	}
	return "", false
}

// MValue is the number of approvals the service needs; 1 means quorum is
// off, which is how a new cluster starts (getMValue 4 prints [1]).
func (c *Cluster) MValue(svc int) int {
	if m := c.Quorum[svc]; m > 0 {
		return m
	}
	return 1
}

// Token returns the user's token for the service, or nil.
func (c *Cluster) Token(user, svc int) *QuorumToken {
	for _, t := range c.Tokens {
		if t.User == user && t.Service == svc {
			return t
		}
	}
	return nil
}

// TokenByData finds the token whose file holds data, as approveToken does
// with the token file it is given.
func (c *Cluster) TokenByData(data []byte) *QuorumToken {
	for _, t := range c.Tokens {
		if slices.Equal(t.Data, data) {
			return t
		}
	}
	return nil
}

// TokenID is the id listTokens and getToken print: the token's place in
// the HSM's list, from 1.
func (c *Cluster) TokenID(t *QuorumToken) int {
	return slices.Index(c.Tokens, t) + 1
}

// Approved reports whether the token holds at least m approvals.
func (t *QuorumToken) Approved(m int) bool { return len(t.Approvals) >= m }

// Authorized decides whether the session may use a quorum-controlled
// service now: always when quorum is off for it, otherwise only with an
// approved token of its own (RET_MXN_AUTH_FAILED when it has none).
func (c *Cluster) Authorized(s *Session, svc int) RC {
	if s == nil {
		return RCNotLoggedIn
	}
	m := c.MValue(svc)
	if m < MinMValue {
		return RCSuccess
	}
	if t := c.Token(s.UserID, svc); t != nil && t.Approved(m) {
		return RCSuccess
	}
	return RCMxNAuthFailed
}

// UseToken spends the session's token for the service after an operation
// that Authorized allowed: a token is good for one operation only. (The M
// value may have just changed, so the token is not checked again.)
func (c *Cluster) UseToken(s *Session, svc int) {
	if s == nil {
		return
	}
	if t := c.Token(s.UserID, svc); t != nil {
		c.removeToken(t)
	}
}

func (c *Cluster) removeToken(t *QuorumToken) {
	c.Tokens = slices.DeleteFunc(c.Tokens, func(x *QuorumToken) bool { return x == t })
	c.changedCluster()
}

// DropTokens forgets the user's tokens: a token is valid only while its
// officer's login session lasts (quorum-authentication-crypto-officers.md).
func (c *Cluster) DropTokens(user int) {
	n := len(c.Tokens)
	c.Tokens = slices.DeleteFunc(c.Tokens, func(x *QuorumToken) bool { return x.User == user })
	if len(c.Tokens) != n {
		c.changedCluster()
	}
}

// NewToken issues the session's officer a token for the service holding
// data (the token file's content), replacing an earlier token of the same
// officer and service. A token exists only for a service whose M value is
// 2 or more (change-minimum-value.md: service 4 must be above one first).
func (c *Cluster) NewToken(s *Session, svc int, data []byte) (*QuorumToken, RC) {
	if rc := Check(s, OpQuorum, nil); rc != RCSuccess {
		return nil, rc
	}
	if _, ok := ServiceName(svc); !ok || len(data) == 0 {
		return nil, RCInvalidInput
	}
	if c.MValue(svc) < MinMValue {
		return nil, RCMxNNotEnabled
	}
	if old := c.Token(s.UserID, svc); old != nil {
		c.removeToken(old)
	}
	if len(c.Tokens) >= MaxTokens {
		// The HSM purges an expired token to make room; the oldest is.
		c.Tokens = c.Tokens[1:]
	}
	t := &QuorumToken{Service: svc, User: s.UserID, Data: slices.Clone(data)}
	c.Tokens = append(c.Tokens, t)
	c.changedCluster()
	return t, RCSuccess
}

// DeleteToken removes the session's own token for the service.
func (c *Cluster) DeleteToken(s *Session, svc int) RC {
	if rc := Check(s, OpQuorum, nil); rc != RCSuccess {
		return rc
	}
	t := c.Token(s.UserID, svc)
	if t == nil {
		return RCTokenNotFound
	}
	c.removeToken(t)
	return RCSuccess
}

// ParseQuorumPublicKey reads the PEM public key of a quorum signing key,
// which must be RSA-2048 (registerQuorumPubKey.md). Both the PKIX form
// openssl rsa -pubout writes and the PKCS #1 form are accepted.
func ParseQuorumPublicKey(data []byte) (*rsa.PublicKey, error) {
	blk, _ := pem.Decode(data)
	if blk == nil {
		return nil, errors.New("no PEM public key found")
	}
	var pub *rsa.PublicKey
	var err error
	switch blk.Type {
	case "PUBLIC KEY":
		pub, err = der.ParsePKIXRSAPublicKey(blk.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = der.ParsePKCS1PublicKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key", blk.Type)
	}
	if errors.Is(err, der.ErrNotRSA) {
		return nil, errors.New("the public key is not an RSA key")
	}
	if err != nil {
		return nil, fmt.Errorf("cannot parse public key: %v", err)
	}
	rk := pub
	if rk.N.BitLen() != 2048 {
		return nil, fmt.Errorf("the public key is RSA-%d, not RSA-2048", rk.N.BitLen())
	}
	return rk, nil
}

// VerifyQuorumSignature checks sig over data with the PEM public key: an
// RSA PKCS #1 v1.5 signature of the SHA-256 digest, what
// "openssl dgst -sha256 -sign key -out sig file" writes.
func VerifyQuorumSignature(pubPEM []byte, data, sig []byte) error {
	pub, err := ParseQuorumPublicKey(pubPEM)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// RegisterQuorumKeyOn registers pubPEM as the quorum signing key of the
// officer called name on one node, after checking that the registration
// token was signed with its private half. Officers register their own key.
func (c *Cluster) RegisterQuorumKeyOn(s *Session, node int, role Role, name string, token, sig, pubPEM []byte) RC {
	n, rc := c.checkNode(s, node, OpQuorum)
	if rc != RCSuccess {
		return rc
	}
	if role != RoleCO {
		return RCInvalidUserType
	}
	u, rc := n.userFor(s, OpQuorum, role, name)
	if rc != RCSuccess {
		return rc
	}
	if u.TwoFA {
		// A 2FA officer rotates its key with changePswd instead.
		return RCOperationNotAllowed
	}
	if len(token) == 0 || len(token) > MaxRegistrationToken {
		return RCInvalidInput
	}
	if _, err := ParseQuorumPublicKey(pubPEM); err != nil {
		return RCInvalidInput
	}
	if VerifyQuorumSignature(pubPEM, token, sig) != nil {
		return RCBadPKCSData
	}
	u.QuorumPubKey = string(pubPEM)
	c.changedUser(n, u.ID)
	return RCSuccess
}

// Approval is one approver's entry of a token approval file.
type Approval struct {
	Type int    // 2 for a CO, 1 for a CU ("Approver Type")
	Name string // "Approver Name"
	Sig  []byte // the content of "Approval File"
}

// CheckApprovals verifies approvals of token t on one node against the
// public keys its officers registered there, and returns the verified
// signatures by user id. Only the token's own officer hands its approvals
// in. Every signature must verify, or none is taken.
func (c *Cluster) CheckApprovals(s *Session, node int, t *QuorumToken, approvals []Approval) (map[int][]byte, RC) {
	n, rc := c.checkNode(s, node, OpQuorum)
	if rc != RCSuccess {
		return nil, rc
	}
	if t == nil || !slices.Contains(c.Tokens, t) {
		return nil, RCTokenNotFound
	}
	if t.User != s.UserID {
		return nil, RCOperationNotAllowed
	}
	out := map[int][]byte{}
	for _, a := range approvals {
		if a.Type != 2 {
			// Quorum covers crypto officers' services only.
			return nil, RCInvalidUserType
		}
		u := n.FindUser(a.Name)
		if u == nil {
			return nil, RCUserNotFound
		}
		if !u.Type.IsOfficer() {
			return nil, RCInvalidUserType
		}
		if u.QuorumPubKey == "" || VerifyQuorumSignature([]byte(u.QuorumPubKey), t.Data, a.Sig) != nil {
			return nil, RCMxNAuthFailed
		}
		out[u.ID] = slices.Clone(a.Sig)
	}
	return out, RCSuccess
}

// Approve records verified approvals (CheckApprovals) on token t.
func (c *Cluster) Approve(t *QuorumToken, sigs map[int][]byte) {
	if t.Approvals == nil {
		t.Approvals = map[int][]byte{}
	}
	for id, sig := range sigs {
		t.Approvals[id] = sig
	}
	c.changedCluster()
}

// Approvers lists the ids of the officers who approved the token, in
// ascending order.
func (t *QuorumToken) Approvers() []int {
	ids := make([]int, 0, len(t.Approvals))
	for id := range t.Approvals {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// SetMValueOn sets the M value of a service on one node. It takes 2 to 8
// and no more than the node's crypto officers, and needs the quorum of
// MISC_CO (service 4) when that is on. The value is the cluster's, so the
// caller spends the MISC_CO token (UseToken) once, after the last node.
func (c *Cluster) SetMValueOn(s *Session, node int, svc, m int) RC {
	n, rc := c.checkNode(s, node, OpQuorum)
	if rc != RCSuccess {
		return rc
	}
	if _, ok := ServiceName(svc); !ok {
		return RCInvalidInput
	}
	officers := 0
	for _, u := range n.Users {
		if u.Type.IsOfficer() {
			officers++
		}
	}
	if m < MinMValue || m > MaxMValue || m > officers {
		return RCInvalidInput
	}
	if c.MValue(svc) == m {
		// Nothing changes (an earlier node of the same command, sharing
		// the cluster's value, already set it), so no quorum is needed.
		return RCSuccess
	}
	if rc := c.Authorized(s, ServiceMiscCO); rc != RCSuccess {
		return rc
	}
	if c.Quorum == nil {
		c.Quorum = map[int]int{}
	}
	c.Quorum[svc] = m
	c.changedCluster()
	return RCSuccess
}
