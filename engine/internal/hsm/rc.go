package hsm

import "fmt"

// RC is a return code as the HSM reports it: key_mgmt_util prints it as
// "returned: 0x%02x" and per node as "err state 0x%08x".
type RC uint32

// Return codes. The codes and texts marked "docs" appear in AWS transcripts;
// AWS publishes no complete list, so the others are the simulator's choices,
// worded in the same style (listed in docs/simulator-choices.md, "Return
// codes").
const (
	RCSuccess             RC = 0x00       // docs
	RCBadPKCSData         RC = 0x1b       // docs: verify with a wrong signature
	RCInvalidInput        RC = 0x0a       // simulator
	RCMaxSessions         RC = 0x8c       // docs (third party)
	RCUserNotFound        RC = 0x9d       // docs: audit log, login with an unknown user
	RCLoginFailure        RC = 0xa3       // docs: audit log, wrong password
	RCAccountLocked       RC = 0xa4       // simulator
	RCInvalidHandle       RC = 0xa8       // docs
	RCNotLoggedIn         RC = 0xa9       // simulator
	RCAlreadyLoggedIn     RC = 0xaa       // simulator
	RCInvalidAttribute    RC = 0xab       // simulator
	RCFIPSPolicy          RC = 0xb3       // docs
	RCObjectLimit         RC = 0xb6       // simulator: 3,300 keys per cluster
	RCUserLimit           RC = 0xb7       // simulator: 1,024 users per cluster
	RCUserExists          RC = 0xb8       // simulator
	RCIDNotUnique         RC = 0xb9       // simulator: -id must be unique in the cluster
	RCWrapFailed          RC = 0xba       // simulator: unwrap integrity check failed
	RCKeySizeInvalid      RC = 0xbb       // simulator
	RCMechanismInvalid    RC = 0xbc       // simulator
	RCUserOwnsKeys        RC = 0xbd       // simulator: deleteUser of a CU that owns keys
	RCKeyAccessDenied     RC = 0xc6       // docs
	RCOperationNotAllowed RC = 0xc7       // simulator: the user's type may not do this
	RCInvalidUserType     RC = 0xdb       // docs
	RCMxNAuthFailed       RC = 0xdd       // simulator number; text from docs (RET_MXN_AUTH_FAILED)
	RCServerUnavailable   RC = 0x30000085 // docs: node err state
)

var rcText = map[RC]string{
	RCSuccess:             "HSM Return: SUCCESS",
	RCBadPKCSData:         "HSM Error: ERR_BAD_PKCS_DATA",
	RCInvalidInput:        "HSM Error: Invalid input data/params",
	RCMaxSessions:         "HSM Error: Already maximum number of sessions are issued",
	RCUserNotFound:        "HSM Error: user isn't initialized or user with this name doesn't exist",
	RCLoginFailure:        "HSM Error: RET_USER_LOGIN_FAILURE",
	RCAccountLocked:       "HSM Error: User account is locked. Ask a crypto officer to reset the password",
	RCInvalidHandle:       "HSM Error: Invalid object handle is passed to this operation",
	RCNotLoggedIn:         "HSM Error: User is not logged in",
	RCAlreadyLoggedIn:     "HSM Error: User is already logged in",
	RCInvalidAttribute:    "HSM Error: Invalid attribute or attribute value",
	RCFIPSPolicy:          "HSM Error: This operation violates the current configured/FIPS policies",
	RCObjectLimit:         "HSM Error: Maximum number of objects reached in the partition",
	RCUserLimit:           "HSM Error: Maximum number of users reached in the partition",
	RCUserExists:          "HSM Error: User with this name already exists",
	RCIDNotUnique:         "HSM Error: Object with this ID already exists",
	RCWrapFailed:          "HSM Error: Unwrap failed: integrity check on the wrapped key failed",
	RCKeySizeInvalid:      "HSM Error: Invalid key size for this key type",
	RCMechanismInvalid:    "HSM Error: Invalid mechanism for this key",
	RCUserOwnsKeys:        "HSM Error: User owns keys; delete or reassign them first",
	RCKeyAccessDenied:     "HSM Error: Key Access is denied",
	RCOperationNotAllowed: "HSM Error: This operation is not allowed for the user type",
	RCInvalidUserType:     "HSM Error: Invalid User Type.",
	RCMxNAuthFailed:       "HSM Error: RET_MXN_AUTH_FAILED",
	RCServerUnavailable:   "HSM CLUSTER ERROR: Server in cluster is unavailable",
}

// String is the text key_mgmt_util prints after the code.
func (rc RC) String() string {
	if s, ok := rcText[rc]; ok {
		return s
	}
	return fmt.Sprintf("HSM Error: Unknown error 0x%x", uint32(rc))
}

// Known reports whether rc is one of the codes the simulator knows, which is
// what Error2String maps.
func (rc RC) Known() bool { _, ok := rcText[rc]; return ok }

// Error lets an RC travel as an error.
func (rc RC) Error() string { return rc.String() }

// Name is the bare text without the "HSM Error: " prefix, as
// cloudhsm_mgmt_util prints it ("createUser failed: RET_MXN_AUTH_FAILED").
func (rc RC) Name() string {
	s := rc.String()
	for _, p := range []string{"HSM Return: ", "HSM Error: ", "HSM CLUSTER ERROR: "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
}

// Codes added for cloudhsm_mgmt_util's user management and quorum tokens
// (simulator numbers and texts; no AWS page shows them).
const (
	RCUserLoggedIn  RC = 0xbe // simulator: deleteUser of a user who is logged in
	RCMxNNotEnabled RC = 0xde // simulator: getToken for a service whose M value is 1
	RCTokenNotFound RC = 0xdf // simulator: approveToken/delToken without a token
)

func init() {
	rcText[RCUserLoggedIn] = "HSM Error: Cannot delete a user who is logged in"
	rcText[RCMxNNotEnabled] = "HSM Error: Quorum is not enabled for this service (its M value is 1)"
	rcText[RCTokenNotFound] = "HSM Error: Quorum token not found"
}
