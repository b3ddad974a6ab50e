package hsm

// Who may do what: one table, and Check, the one function every command of
// every tool asks. The table is written from the HSM user permissions
// tables of manage-hsm-users-cmu.md and of CloudHSM CLI
// (user-permissions-table-chsm-cli.md, the page hsm-users.md points to), the
// "User type" sections of the command pages, and the key-sharing rules of
// the seed walkthrough (the owner manages, exports, deletes and shares a
// key; users it is shared with only use it). access_test.go checks it row by
// row against the pages' tables.

import "sync"

// Op is something a session does: to the cluster as a whole, to a user, or
// to a key.
type Op int

// Operations. The first group needs no key; the second is done to a key and
// the answer depends on the session's relation to it and on its kind.
const (
	OpClusterInfo       Op = iota // basic cluster info: info, getHSMInfo, getMValue, listAttributes, help
	OpLogin                       // loginHSM: only a session not logged in yet
	OpLoggedIn                    // anything a logged-in user of any type does: logoutHSM, getCert, listTokens
	OpListUsers                   // listUsers
	OpChangeOwnPassword           // changePswd of oneself (the PRECO's activates the cluster)
	OpChangePassword              // changePswd of another user
	OpManageUsers                 // createUser, deleteUser
	OpSyncUser                    // syncUser
	OpQuorum                      // registerQuorumPubKey, getToken, approveToken, delToken, setMValue
	OpListAllKeys                 // findAllKeys: every user's keys
	OpSyncStatus                  // the key hashes that tell whether HSMs agree (findAllKeys 1, findSingleKey)
	OpCreateKey                   // generate, import, unwrap, insert a key
	OpShareWith                   // name a user to share a key with (shareKey, -u of the key commands)
	OpManageMTLS                  // register and deregister mutual TLS trust anchors, set their enforcement
	OpMTLSStatus                  // read the mutual TLS enforcement level
	OpChangeMFA                   // register or deregister a user's MFA key (oneself; an admin also others)

	OpRead           // see that a key exists and its label: find it, list it
	OpReadAttributes // read its attributes, owner and users: getAttribute, getKeyInfo
	OpUse            // encrypt, decrypt, sign, verify, wrap or unwrap with it, HMAC
	OpExport         // take a copy out: exSymKey, exportPrivateKey, wrapKey of it
	OpExportPublic   // exportPubKey
	OpDelete         // deleteKey
	OpShare          // shareKey, share or unshare
	OpModify         // setAttribute
	OpSetTrusted     // CloudHSM CLI's key set-attribute of trusted (admins only)
	OpMask           // extract or insert a masked object (sealed for this cluster only)
	OpSyncKey        // syncKey: copy it to another HSM

	numOps
)

var opNames = [numOps]string{
	"cluster info", "login", "logged in", "list users", "change own password", "change password",
	"manage users", "sync user", "quorum", "list all keys", "sync status", "create key",
	"share with", "manage mtls", "mtls status", "change mfa",
	"read", "read attributes", "use", "export", "export public", "delete", "share", "modify",
	"set trusted", "mask", "sync key",
}

func (op Op) String() string {
	if op >= 0 && op < numOps {
		return opNames[op]
	}
	return "unknown"
}

// actor is the table's column for a session: its user type, or no login.
// The primary crypto officer is a crypto officer.
type actor int

// Actors.
const (
	actorNone  actor = iota // not logged in: an unauthenticated session
	actorPRECO              // the precrypto officer of a cluster not yet activated
	actorCO                 // crypto officers, CO and PCO (CloudHSM CLI: admin)
	actorCU                 // crypto users
	actorAU                 // the appliance user
	numActors
)

// actorOf is the column of a session (nil: not logged in).
func actorOf(s *Session) actor {
	if s == nil {
		return actorNone
	}
	switch s.Role {
	case RolePRECO:
		return actorPRECO
	case RoleCO, RolePCO:
		return actorCO
	case RoleCU:
		return actorCU
	case RoleAU:
		return actorAU
	}
	return actorNone
}

// relation is the session's relation to a key (or, for a user, to that
// user: itself counts as the owner).
type relation int

// Relations.
const (
	relOwner  relation = iota // the session's user owns it
	relShared                 // it is shared with the session's user
	relNone                   // neither
	numRels
)

// keyKind is a key's class and whether it is a token key or a session key.
type keyKind int

// Kinds, in the order of the table's columns.
const (
	kindPublic         keyKind = iota // public token key
	kindPrivate                       // private token key
	kindSecret                        // secret token key
	kindPublicSession                 // public session key
	kindPrivateSession                // private session key
	kindSecretSession                 // secret session key
	numKinds
)

// kindOf is a key's column.
func kindOf(o *Object) keyKind {
	k := kindSecret
	switch o.Class {
	case ClassPublic:
		k = kindPublic
	case ClassPrivate:
		k = kindPrivate
	}
	if !o.Token {
		k += kindPublicSession
	}
	return k
}

// relationOf is the session's relation to key o. A session key is its
// session's alone: another session answers for it as if it did not exist
// (Check), so "shared" with a session key arises only for findKey -u, asked
// inside the session that holds it.
func relationOf(s *Session, o *Object) relation {
	switch {
	case o.Owner == s.UserID:
		return relOwner
	case o.SharedWith(s.UserID):
		return relShared
	}
	return relNone
}

// ifExtractable is the answer "yes when the key's OBJ_ATTR_EXTRACTABLE is
// set, otherwise key access denied". It is never returned.
const ifExtractable RC = 0xffffffff

// cells are one actor's answers to one operation: per relation, per kind.
type cells [numRels][numKinds]RC

// rules is the table: operation × actor → cells, built when a first
// command asks it (not when the program starts).
var rules = sync.OnceValue(func() *[numOps][numActors]cells {
	r := buildRules()
	return &r
})

func buildRules() [numOps][numActors]cells {
	const (
		ok = RCSuccess
		NL = RCNotLoggedIn         // 0xa9
		NA = RCOperationNotAllowed // 0xc7: the user type may not do it at all
		AD = RCKeyAccessDenied     // 0xc6: this user may not do it with this key
		IH = RCInvalidHandle       // 0xa8: the key is not there for this user
		II = RCInvalidInput        // 0x0a: not with a key of this class
		LI = RCAlreadyLoggedIn     // 0xaa
		XT = ifExtractable
	)
	all := func(rc RC) (c cells) {
		for r := range c {
			for k := range c[r] {
				c[r][k] = rc
			}
		}
		return
	}
	// roles lists the answers of PRECO, CO, CU and AU to an operation that
	// involves no key; it always needs a login unless said otherwise.
	roles := func(preco, co, cu, au RC) [numActors]cells {
		return [numActors]cells{all(NL), all(preco), all(co), all(cu), all(au)}
	}
	var t [numOps][numActors]cells
	//                                   PRECO CO  CU  AU
	t[OpClusterInfo] = roles(ok, ok, ok, ok)
	t[OpClusterInfo][actorNone] = all(ok)
	t[OpLogin] = roles(LI, LI, LI, LI)
	t[OpLogin][actorNone] = all(ok)
	t[OpLoggedIn] = roles(ok, ok, ok, ok)
	t[OpListUsers] = roles(ok, ok, ok, ok)
	t[OpListUsers][actorNone] = all(ok)
	t[OpChangeOwnPassword] = roles(ok, ok, ok, ok)
	t[OpChangePassword] = roles(NA, ok, NA, NA)
	t[OpManageUsers] = roles(NA, ok, NA, NA)
	t[OpSyncUser] = roles(NA, ok, NA, NA)
	t[OpQuorum] = roles(NA, ok, NA, NA)
	t[OpListAllKeys] = roles(NA, ok, NA, ok)
	t[OpSyncStatus] = roles(ok, ok, ok, ok)
	t[OpCreateKey] = roles(NA, NA, ok, NA)
	t[OpShareWith] = roles(NA, NA, ok, NA)
	// CloudHSM CLI's cluster mtls pages: admins register and deregister
	// trust anchors and set the enforcement level (set-enforcement only the
	// admin called admin, Cluster.SetMTLSEnforcement); admins and crypto
	// users read the level. Listing trust anchors is basic cluster info.
	t[OpManageMTLS] = roles(NA, ok, NA, NA)
	t[OpMTLSStatus] = roles(NA, ok, ok, NA)
	// user change-mfa token-sign: admins and crypto users, for themselves;
	// admins also for other users (checkUser).
	t[OpChangeMFA] = roles(NA, ok, ok, NA)

	// Operations on keys. Only crypto users manage and use keys; officers
	// and the appliance user copy them between HSMs (syncKey, masked
	// objects) and list them (findAllKeys).
	//
	// Columns: public, private, secret token key; the same as session keys.
	anyToken := cells{
		{ok, ok, ok, IH, IH, IH},
		{ok, ok, ok, IH, IH, IH},
		{ok, ok, ok, IH, IH, IH},
	}
	cu := func(owner, shared, none [numKinds]RC) [numActors]cells {
		return [numActors]cells{all(NL), all(NA), all(NA), {owner, shared, none}, all(NA)}
	}
	t[OpReadAttributes] = cu(
		[numKinds]RC{ok, ok, ok, ok, ok, ok},
		[numKinds]RC{ok, ok, ok, ok, ok, ok},
		[numKinds]RC{ok, IH, IH, ok, IH, IH}, // every public key is readable
	)
	t[OpUse] = t[OpReadAttributes]
	// Officers and the appliance user see every token key and its label
	// (findAllKeys; CloudHSM CLI's key list shows admins references and
	// labels), not its attributes.
	t[OpRead] = t[OpReadAttributes]
	t[OpRead][actorCO] = anyToken
	t[OpRead][actorAU] = anyToken
	t[OpExport] = cu(
		[numKinds]RC{ok, XT, XT, ok, XT, XT},
		[numKinds]RC{AD, AD, AD, AD, AD, AD},
		[numKinds]RC{AD, IH, IH, AD, IH, IH},
	)
	t[OpExportPublic] = cu(
		[numKinds]RC{XT, II, II, XT, II, II},
		[numKinds]RC{XT, II, II, XT, II, II},
		[numKinds]RC{XT, IH, IH, XT, IH, IH},
	)
	owned := cu(
		[numKinds]RC{ok, ok, ok, ok, ok, ok},
		[numKinds]RC{AD, AD, AD, AD, AD, AD},
		[numKinds]RC{AD, IH, IH, AD, IH, IH},
	)
	t[OpDelete] = owned
	t[OpModify] = owned
	// The trusted attribute only admins set (CloudHSM CLI key
	// set-attribute.md), on any token key. cloudhsm_mgmt_util's setAttribute
	// of OBJ_ATTR_TRUSTED is OpModify: its page lists it among the
	// attributes the owning crypto user changes.
	t[OpSetTrusted] = [numActors]cells{all(NL), all(NA), anyToken, all(NA), all(NA)}
	t[OpShare] = cu(
		[numKinds]RC{II, ok, ok, II, ok, ok}, // every CU can use a public key already
		[numKinds]RC{AD, AD, AD, AD, AD, AD},
		[numKinds]RC{AD, IH, IH, AD, IH, IH},
	)
	// Masked objects: the owning CU, and officers and the appliance user,
	// who clone keys between HSMs (extractMaskedObject.md; the permissions
	// tables).
	t[OpMask] = owned
	t[OpMask][actorCO] = anyToken
	t[OpMask][actorAU] = anyToken
	// syncKey: officers any token key, crypto users the keys they own
	// (syncKey.md); session keys stay on their HSM.
	noToken := cells{
		{NA, NA, NA, IH, IH, IH},
		{NA, NA, NA, IH, IH, IH},
		{NA, NA, NA, IH, IH, IH},
	}
	t[OpSyncKey] = [numActors]cells{all(NL), noToken, anyToken, {
		{ok, ok, ok, IH, IH, IH},
		{AD, AD, AD, IH, IH, IH},
		{AD, AD, AD, IH, IH, IH},
	}, noToken}
	return t
}

// passwordTargets are the users whose password a crypto officer may change
// (changePswd.md): COs and CUs, not the appliance user.
var passwordTargets = map[Role]bool{RoleCO: true, RolePCO: true, RoleCU: true}

// Target is what an operation is done to: a key (OnKey) or a user (OnUser).
// A nil Target asks about the operation as a whole.
type Target interface{ isTarget() }

type keyTarget struct{ o *Object }
type userTarget struct{ u *User }

func (keyTarget) isTarget()  {}
func (userTarget) isTarget() {}

// OnKey names the key an operation is done to; nil is a handle that names
// no key.
func OnKey(o *Object) Target { return keyTarget{o} }

// OnUser names the user an operation is done to.
func OnUser(u *User) Target { return userTarget{u} }

// Check answers whether the session s (nil when not logged in) may do op to
// target, with RCSuccess or the code the HSM answers instead.
//
// Without a target it answers for the operation as a whole: a refusal that
// does not depend on the key (not logged in, the wrong user type), and
// otherwise success, the key being checked when it is named. A handle that
// names no key, and a session key of another session, answer as an invalid
// handle, the way the HSM answers for a handle that does not exist.
func Check(s *Session, op Op, target Target) RC {
	if op < 0 || op >= numOps {
		return RCInvalidInput
	}
	if t, ok := target.(userTarget); ok {
		return checkUser(s, op, t.u)
	}
	c := &rules()[op][actorOf(s)]
	if rc, same := c.uniform(); same {
		return rc
	}
	switch t := target.(type) {
	case keyTarget:
		o := t.o
		if o == nil || !o.Token && o.Session != s.Name {
			return RCInvalidHandle
		}
		rc := c[relationOf(s, o)][kindOf(o)]
		if rc == ifExtractable {
			rc = RCKeyAccessDenied
			if o.Extractable {
				rc = RCSuccess
			}
		}
		if rc == RCSuccess && usesMaterial(op) && o.checkMaterial() != nil {
			return RCKeyMaterialDamaged
		}
		return rc
	}
	return RCSuccess
}

// checkUser answers for an operation done to a user. Those operations do
// not depend on a key, but the target matters: changing the password of
// oneself is changing one's own, and a CO may change only a CO's or a CU's;
// keys are shared with crypto users other than oneself (the seed
// walkthrough: "share the key with other CU users"); an officer's quorum
// operations are its own (quorum-authentication-crypto-officers.md).
func checkUser(s *Session, op Op, u *User) RC {
	if s != nil && u == nil {
		return RCUserNotFound
	}
	if s != nil && op == OpChangePassword && u.ID == s.UserID {
		op = OpChangeOwnPassword
	}
	if s != nil && op == OpChangeMFA && u.ID != s.UserID {
		op = OpChangePassword
	}
	rc, same := rules()[op][actorOf(s)].uniform()
	if !same {
		// A key operation asked about a user.
		return RCInvalidInput
	}
	switch {
	case rc != RCSuccess:
	case op == OpChangePassword && !passwordTargets[u.Type]:
		return RCOperationNotAllowed
	case op == OpShareWith && u.Type != RoleCU:
		return RCInvalidUserType
	case op == OpShareWith && u.ID == s.UserID:
		return RCInvalidInput
	case op == OpQuorum && u.ID != s.UserID:
		return RCOperationNotAllowed
	}
	return rc
}

// uniform reports the single answer of cells that do not depend on the key.
func (c *cells) uniform() (RC, bool) {
	first := c[0][0]
	for r := range c {
		for k := range c[r] {
			if c[r][k] != first {
				return RCSuccess, false
			}
		}
	}
	return first, first != ifExtractable
}

// usableBy reports whether crypto user id may use key o, as the table
// answers for that user in the session that holds o: what findKey -u
// selects ("keys all of them can use too").
func usableBy(id int, o *Object) bool {
	s := &Session{UserID: id, Role: RoleCU, Name: o.Session}
	return Check(s, OpUse, OnKey(o)) == RCSuccess
}
