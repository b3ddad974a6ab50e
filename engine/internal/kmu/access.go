package kmu

import "github.com/hsmsim/hsmsim/engine/internal/hsm"

// commandOps names, for every command, the operation of the access table
// (hsm.Check) it does. The dispatcher asks the table before a command runs:
// every key_mgmt_util command that talks to the HSMs needs a login
// (key_mgmt_util-getting-started.md: "Before you run any key_mgmt_util
// command, you must ... log in"), and then the user type must be one that
// may do the operation at all. Commands marked NoLogin answer the table
// themselves (loginHSM, getCert) or need nothing from it. The keys a command
// names are checked when the command looks them up (Cluster.Lookup).
var commandOps = map[string]hsm.Op{
	"aesWrapUnwrap":        hsm.OpUse,
	"approveToken":         hsm.OpLoggedIn, // OpQuorum, once an HSM answers
	"createPublicKey":      hsm.OpCreateKey,
	"delToken":             hsm.OpLoggedIn, // OpQuorum, once an HSM answers
	"deleteKey":            hsm.OpDelete,
	"Error2String":         hsm.OpClusterInfo,
	"exit":                 hsm.OpClusterInfo,
	"exSymKey":             hsm.OpExport,
	"exportPrivateKey":     hsm.OpExport,
	"exportPubKey":         hsm.OpExportPublic,
	"extractMaskedObject":  hsm.OpMask,
	"findKey":              hsm.OpRead,
	"findSingleKey":        hsm.OpSyncStatus,
	"genDSAKeyPair":        hsm.OpCreateKey,
	"genECCKeyPair":        hsm.OpCreateKey,
	"genPBEKey":            hsm.OpCreateKey,
	"genRSAKeyPair":        hsm.OpCreateKey,
	"genSymKey":            hsm.OpCreateKey,
	"getAttribute":         hsm.OpReadAttributes,
	"getCaviumPrivKey":     hsm.OpUse,
	"getCert":              hsm.OpLoggedIn,
	"getHSMInfo":           hsm.OpClusterInfo,
	"getKeyInfo":           hsm.OpReadAttributes,
	"getPartitionInfo":     hsm.OpClusterInfo,
	"getToken":             hsm.OpLoggedIn, // OpQuorum, once an HSM answers
	"help":                 hsm.OpClusterInfo,
	"imSymKey":             hsm.OpCreateKey,
	"importPrivateKey":     hsm.OpCreateKey,
	"importPubKey":         hsm.OpCreateKey,
	"insertMaskedObject":   hsm.OpMask,
	"IsValidKeyHandlefile": hsm.OpClusterInfo,
	"listAttributes":       hsm.OpClusterInfo,
	"listECCCurveIds":      hsm.OpClusterInfo,
	"listTokens":           hsm.OpLoggedIn,
	"listUsers":            hsm.OpListUsers,
	"loginHSM":             hsm.OpLogin,
	"loginStatus":          hsm.OpClusterInfo,
	"logoutHSM":            hsm.OpLoggedIn,
	"setAttribute":         hsm.OpModify,
	"sign":                 hsm.OpUse,
	"unWrapKey":            hsm.OpCreateKey,
	"verify":               hsm.OpUse,
	"wrapKey":              hsm.OpExport,
}

// mayRun asks the access table whether the session may run c at all, and
// answers the refusal the HSM gives.
func (t *Tool) mayRun(c *Command) hsm.RC {
	if c.NoLogin {
		return hsm.RCSuccess
	}
	if rc := hsm.Check(t.Session, hsm.OpLoggedIn, nil); rc != hsm.RCSuccess {
		return rc
	}
	return hsm.Check(t.Session, commandOps[c.Name], nil)
}
