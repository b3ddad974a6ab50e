package hsm

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"slices"
)

// Multi-factor authentication with the token-sign strategy (CloudHSM
// CLI's user change-mfa token-sign and login mfa-token-sign): a user
// registers the public half of an RSA-2048 key pair, and every login then
// needs, besides the password, the HSMs' tokens signed with its private
// half. A token is 32 bytes, a SHA-256 digest ("a base64 encoded and
// SHA256 hashed token", reference-mfa-cloudhsm-cli.md), one per HSM; its
// signature is RSA PKCS #1 v1.5 of that digest as SHA-256, what
// "openssl pkeyutl -sign -inkey key -pkeyopt digest:sha256 -in token.bin"
// writes. cloudhsm_mgmt_util's listUsers shows such a user's 2FA as YES.

// MFATokenLen is the size of one unsigned token.
const MFATokenLen = sha256.Size

// Return codes of MFA (simulator numbers and texts).
const (
	RCMFARequired   RC = 0xe4 // a password login of a user with MFA
	RCMFANotEnabled RC = 0xe5 // an MFA login of a user without it
	RCMFAFailed     RC = 0xe6 // a token signature that does not verify
)

func init() {
	rcText[RCMFARequired] = "HSM Error: MFA is enabled for this user: a signed token is needed"
	rcText[RCMFANotEnabled] = "HSM Error: MFA is not enabled for this user"
	rcText[RCMFAFailed] = "HSM Error: MFA token signature verification failed"
}

// HasMFA reports whether the user logs in with a signed token.
func (u *User) HasMFA() bool { return u.MFAPubKey != "" }

// VerifyMFASignature checks the signature of one token with an MFA public
// key (PEM, RSA-2048).
func VerifyMFASignature(pubPEM []byte, token, sig []byte) error {
	pub, err := ParseQuorumPublicKey(pubPEM)
	if err != nil {
		return err
	}
	if len(token) != MFATokenLen {
		return rsa.ErrVerification
	}
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, token, sig)
}

// NewMFATokens makes one token per HSM that answers: the SHA-256 of fresh
// random bytes.
func (c *Cluster) NewMFATokens(r io.Reader) ([][]byte, error) {
	var out [][]byte
	for range c.UpNodes() {
		raw := make([]byte, 32)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(raw)
		out = append(out, sum[:])
	}
	return out, nil
}

// verifyAll checks that every token has a signature that verifies.
func verifyAll(pubPEM []byte, tokens, sigs [][]byte) bool {
	if len(tokens) == 0 || len(tokens) != len(sigs) {
		return false
	}
	for i := range tokens {
		if VerifyMFASignature(pubPEM, tokens[i], sigs[i]) != nil {
			return false
		}
	}
	return true
}

// ChangeMFAOn registers pubPEM as the MFA key of the user called name, of
// type role, on one node, after checking that each token was signed with
// its private half, and sets the user's password; with quorum the key is
// also the user's quorum key (--change-quorum: "the cluster uses the same
// key for quorum authentication and for MFA"). A nil pubPEM deregisters
// the MFA key (and, with quorum, the quorum key). Users change their own
// MFA; an admin also another user's, which needs quorum approval when the
// user service has a quorum value above 1.
func (c *Cluster) ChangeMFAOn(s *Session, node int, role Role, name, password string, pubPEM []byte, tokens, sigs [][]byte, quorum bool) RC {
	n, rc := c.checkNode(s, node, OpChangeMFA)
	if rc != RCSuccess {
		return rc
	}
	if ValidatePassword(password) != nil {
		return RCInvalidInput
	}
	u, rc := n.userFor(s, OpChangeMFA, role, name)
	if rc != RCSuccess {
		return rc
	}
	if u.ID != s.UserID {
		if rc := c.Authorized(s, ServiceUserMgmt); rc != RCSuccess {
			return rc
		}
	}
	if pubPEM != nil {
		if _, err := ParseQuorumPublicKey(pubPEM); err != nil {
			return RCInvalidInput
		}
		if !verifyAll(pubPEM, tokens, sigs) {
			return RCMFAFailed
		}
	}
	u.MFAPubKey = string(pubPEM)
	u.TwoFA = u.HasMFA()
	if quorum {
		u.QuorumPubKey = string(pubPEM)
	}
	u.PasswordHash = HashPassword(u.Name, password)
	u.FailedLogins = 0
	c.changedUser(n, u.ID)
	return RCSuccess
}

// MFAChallenge is the first half of an MFA login: the password was right
// on the nodes that hold Tokens, one each, which the user signs.
type MFAChallenge struct {
	Role   Role
	Name   string
	Nodes  []int
	Tokens [][]byte
}

// StartMFALogin checks the password of a user with MFA on each node as
// Login does (a wrong one counts as a failed login) and hands out a token
// for each node that took it. A user without MFA is refused.
func (c *Cluster) StartMFALogin(role Role, name, password string, nodes []int, r io.Reader) (*MFAChallenge, Status) {
	st := c.checkPasswords(role, name, password, nodes, true)
	ch := &MFAChallenge{Role: role, Name: name}
	for _, ns := range st {
		if ns.RC == RCSuccess {
			raw := make([]byte, 32)
			if _, err := io.ReadFull(r, raw); err != nil {
				return nil, c.statusAll(RCInvalidInput)
			}
			sum := sha256.Sum256(raw)
			ch.Nodes = append(ch.Nodes, ns.Node)
			ch.Tokens = append(ch.Tokens, sum[:])
		}
	}
	if len(ch.Nodes) == 0 {
		return nil, st
	}
	return ch, st
}

// FinishMFALogin logs in with the signatures of a challenge's tokens (in
// its order): every one must verify with the user's MFA key on its node.
func (c *Cluster) FinishMFALogin(ch *MFAChallenge, sigs [][]byte) (*Session, Status) {
	if ch == nil || len(sigs) != len(ch.Tokens) {
		return nil, c.statusAll(RCMFAFailed)
	}
	var found *User
	st := make(Status, 0, len(ch.Nodes))
	for i, id := range ch.Nodes {
		n := c.Node(id)
		var u *User
		if n != nil && n.Up {
			u = n.FindUser(ch.Name)
		}
		switch {
		case n == nil || !n.Up:
			st = append(st, NodeStatus{id, RCServerUnavailable})
		case u == nil || !RoleMatches(ch.Role, u.Type):
			st = append(st, NodeStatus{id, RCUserNotFound})
		case !u.HasMFA():
			st = append(st, NodeStatus{id, RCMFANotEnabled})
		case VerifyMFASignature([]byte(u.MFAPubKey), ch.Tokens[i], sigs[i]) != nil:
			st = append(st, NodeStatus{id, RCMFAFailed})
		default:
			if found == nil {
				found = u
			}
			st = append(st, NodeStatus{id, RCSuccess})
		}
	}
	if found == nil || slices.ContainsFunc(st, func(ns NodeStatus) bool { return ns.RC == RCMFAFailed }) {
		return nil, st
	}
	return c.newSession(found, st), st
}

// DeregisterKeysOn removes the MFA key (mfa) and the quorum key (quorum)
// of the user called name, of type role, on one node: user
// change-password's --deregister-mfa and --deregister-quorum. Who may do
// it is who may change the user's MFA.
func (c *Cluster) DeregisterKeysOn(s *Session, node int, role Role, name string, mfa, quorum bool) RC {
	n, rc := c.checkNode(s, node, OpChangeMFA)
	if rc != RCSuccess {
		return rc
	}
	u, rc := n.userFor(s, OpChangeMFA, role, name)
	if rc != RCSuccess {
		return rc
	}
	if mfa {
		u.MFAPubKey, u.TwoFA = "", false
	}
	if quorum {
		u.QuorumPubKey = ""
	}
	c.changedUser(n, u.ID)
	return RCSuccess
}
