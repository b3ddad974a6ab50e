package tour

import (
	"fmt"
	"slices"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// Explanation is what an error the learner met means here, and the way out.
type Explanation struct {
	Code    string `json:"code"`
	Meaning string `json:"meaning"`
	Fix     string `json:"fix"`
}

var explanations = []struct {
	rc           hsm.RC
	meaning, fix string
}{
	{hsm.RCKeyAccessDenied, "Key Access is denied: you may see the key, but this operation is for its owner only. Keys shared with you can be used, not exported, deleted or shared.", "Use a key you created (findKey lists yours), or log in as the key's owner (getKeyInfo -k <handle> names it)."},
	{hsm.RCInvalidHandle, "Invalid object handle: no key with this handle exists for you. Session keys (-sess) vanish at logout and exit; other users' unshared keys are invisible.", "Check the handle with findKey, or make the key again."},
	{hsm.RCNotLoggedIn, "Not logged in: key commands need a login session.", "Run loginHSM -u CU -s example_user -p password first."},
	{hsm.RCInvalidUserType, "Invalid User Type: key_mgmt_util manages keys, so only crypto users (CU) log in to it.", "Log in with -u CU (example_user or alice); crypto officers use cloudhsm_mgmt_util."},
	{hsm.RCLoginFailure, "Login failure: wrong password. Five failures lock the account.", "The default users' password is 'password'. A CO unlocks an account with changePswd in cloudhsm_mgmt_util."},
	{hsm.RCUserNotFound, "No such user on this HSM.", "listUsers shows who exists; user names are case-sensitive."},
	{hsm.RCInvalidAttribute, "The key's attributes do not allow this (for example a wrapping key without OBJ_ATTR_WRAP).", "Use an AES key made with genSymKey -t 31 as the wrapping key, or check the key with getAttribute."},
	{hsm.RCFIPSPolicy, "The HSMs run in FIPS mode and refuse this (an unapproved curve, RC4, PBE keys).", "Pick an approved option: genECCKeyPair -i 2, 13, 14, 15 or 16; genSymKey -t 31 or 21."},
	{hsm.RCServerUnavailable, "An HSM of the cluster did not answer: it is offline, so it missed this change and is now out of sync.", "cluster node N up brings it back; syncKey in cloudhsm_mgmt_util copies the keys it missed."},
	{hsm.RCMxNAuthFailed, "Quorum authentication is on: enough crypto officers must approve a token first.", "getToken, have the officers sign it, approveToken, then run the command again."},
}

// Explain explains, once each, the return codes of a command's calls (a
// reply's Calls): each call's own code and each HSM's answer, whichever
// tool made them.
func Explain(calls []tool.Call) []Explanation {
	codes := tool.Codes(calls)
	var out []Explanation
	for _, e := range explanations {
		if slices.Contains(codes, e.rc) {
			out = append(out, Explanation{Code: fmt.Sprintf("0x%02x", uint32(e.rc)), Meaning: e.meaning, Fix: e.fix})
		}
	}
	return out
}
