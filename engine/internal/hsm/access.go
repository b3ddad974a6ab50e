package hsm

// Op is something a user does with a key. The rules of who may do what live
// here and only here, written from the HSM user permissions table in
// manage-hsm-users-cmu.md and the key-sharing rules of the seed walkthrough.
type Op int

// Operations on keys.
const (
	OpRead   Op = iota // see that the key exists, its attributes and users
	OpUse              // encrypt, decrypt, sign, verify, wrap with it
	OpExport           // take a copy out (exSymKey, exportPrivateKey, wrapKey of it)
	OpDelete           // deleteKey
	OpShare            // shareKey
	OpModify           // setAttribute
	OpMask             // extractMaskedObject: sealed for this cluster only, so extractable or not
)

// Visible reports whether the session can see the object at all. Crypto
// users see their own keys, keys shared with them, and every public key;
// session keys are seen only by their own session. Officers and the
// appliance user see every token key (findAllKeys, getAttribute in
// cloudhsm_mgmt_util).
func Visible(s *Session, o *Object) bool {
	if s == nil {
		return false
	}
	if !o.Token && o.Session != s.Name {
		return false
	}
	if s.Role != RoleCU {
		return o.Token
	}
	return o.Owner == s.UserID || o.SharedWith(s.UserID) || o.Class == ClassPublic
}

// Allowed decides whether the session may do op with the object. A key the
// session cannot see answers as an invalid handle, the way the HSM answers
// for a handle that does not exist.
func Allowed(s *Session, o *Object, op Op) RC {
	if s == nil {
		return RCNotLoggedIn
	}
	if o == nil || !Visible(s, o) {
		return RCInvalidHandle
	}
	if op == OpRead {
		return RCSuccess
	}
	if s.Role != RoleCU {
		// Officers manage users, not keys; the AU only synchronises.
		return RCKeyAccessDenied
	}
	owner := o.Owner == s.UserID
	switch op {
	case OpUse:
		if owner || o.SharedWith(s.UserID) || o.Class == ClassPublic {
			return RCSuccess
		}
	case OpExport:
		if owner && (o.Extractable || o.Class == ClassPublic) {
			return RCSuccess
		}
	case OpDelete, OpShare, OpModify, OpMask:
		if owner {
			return RCSuccess
		}
	}
	return RCKeyAccessDenied
}

// MayCreateKeys: only crypto users create keys.
func MayCreateKeys(s *Session) RC {
	if s == nil {
		return RCNotLoggedIn
	}
	if s.Role != RoleCU {
		return RCOperationNotAllowed
	}
	return RCSuccess
}

// MayManageUsers: only crypto officers add and remove users or change other
// users' passwords. The precrypto officer may only change its own password.
func MayManageUsers(s *Session) RC {
	if s == nil {
		return RCNotLoggedIn
	}
	if !s.Role.IsOfficer() {
		return RCOperationNotAllowed
	}
	return RCSuccess
}

// MayUseKeyCommands: cloudhsm_mgmt_util's key commands (shareKey,
// getKeyInfo, getAttribute, setAttribute) are for crypto users, as their
// pages say; officers see keys only through findAllKeys.
func MayUseKeyCommands(s *Session) RC {
	if s == nil {
		return RCNotLoggedIn
	}
	if s.Role != RoleCU {
		return RCOperationNotAllowed
	}
	return RCSuccess
}

// MayListAllKeys: findAllKeys lists every user's keys, which officers and
// the appliance user may do (cloudhsm_mgmt_util-findAllKeys.md).
func MayListAllKeys(s *Session) RC {
	if s == nil {
		return RCNotLoggedIn
	}
	if !s.Role.IsOfficer() && s.Role != RoleAU {
		return RCOperationNotAllowed
	}
	return RCSuccess
}
