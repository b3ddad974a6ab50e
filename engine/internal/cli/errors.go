package cli

import "github.com/hsmsim/hsmsim/engine/internal/hsm"

// cliError is a failure as the CLI prints it: {"error_code": code, "data":
// msg}. The pages document only a few messages ("Signature verification
// failed", the "matched N keys" refusal); the others are the simulator's,
// all worded here (docs/simulator-choices.md).
type cliError struct {
	code int
	msg  string
	// rc is the HSMs' code when they refused (hsmError), for the
	// command's typed call; 0 for a refusal of the CLI's own.
	rc hsm.RC
}

// hsmError is the error of a check the HSM makes, printed as the CLI
// prints it (msg) while the typed call carries the HSM's code rc, the one
// key_mgmt_util shows for the same refusal.
func hsmError(rc hsm.RC, msg string) *cliError { return &cliError{code: 1, msg: msg, rc: rc} }

func fail(msg string) result { return result{err: &cliError{code: 1, msg: msg}} }

// Messages of the simulator's own errors.
const (
	msgNotLoggedIn     = "You must be logged in to run this command"
	msgAlreadyLoggedIn = "A user is already logged in. Log out first"
	msgNeedCryptoUser  = "This command must be run by a crypto user"
	msgNeedAdmin       = "This command must be run by an admin"
	msgPasswordsDiffer = "The passwords do not match"
)

// rcMessage turns an HSM return code into the CLI's message.
func rcMessage(rc hsm.RC) string {
	switch rc {
	case hsm.RCUserNotFound, hsm.RCLoginFailure, hsm.RCInvalidUserType:
		return "Login failed: the username, role or password is incorrect"
	case hsm.RCAccountLocked:
		return "Login failed: the user account is locked. An admin must reset its password with user change-password"
	case hsm.RCServerUnavailable:
		return "No HSM in the cluster is reachable"
	case hsm.RCUserExists:
		return "A user with this username already exists"
	case hsm.RCUserLimit:
		return "The cluster holds the most users it can (1,024)"
	case hsm.RCUserOwnsKeys:
		return "The user owns keys. Delete them before deleting the user"
	case hsm.RCUserLoggedIn:
		return "The user is logged in and cannot be deleted"
	case hsm.RCObjectLimit:
		return "The cluster holds the most keys it can (3,300)"
	case hsm.RCMxNAuthFailed:
		return "This operation needs quorum approval: provide a signed token with --approval"
	case hsm.RCKeyAccessDenied, hsm.RCOperationNotAllowed:
		return "The user is not allowed to perform this operation"
	case hsm.RCInvalidInput:
		return "Invalid input"
	case hsm.RCMFARequired:
		return "MFA is enabled for this user: log in with login --username <USERNAME> --role <ROLE> mfa-token-sign --token <TOKEN>"
	}
	return rc.String()
}

// rcFail is the CLI's error for the HSMs' answer rc, which the reply's
// call keeps.
func rcFail(rc hsm.RC) result {
	r := fail(rcMessage(rc))
	r.rc = rc
	return r
}
