package tour

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
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

// cliExplanations are CloudHSM CLI's refusals in its own words: matched
// by the call's code, or by its message where the CLI refused by itself
// (RCInvalidInput, tool.Call).
var cliExplanations = []struct {
	rc           hsm.RC
	message      string // a part of the CLI's message; "" matches any
	meaning, fix string
}{
	{hsm.RCNotLoggedIn, "", "You are not logged in: every CloudHSM CLI command but login needs a login.", "Run login --username example_user --role crypto-user --password password first."},
	{hsm.RCLoginFailure, "", "Login failed: wrong password. Five failures lock the account.", "The default users' password is 'password'. An admin unlocks an account with user change-password."},
	{hsm.RCUserNotFound, "", "Login failed: no such user, or not with this role.", "user list shows every user and role; example_user and alice are crypto users, admin is an admin."},
	{hsm.RCInvalidUserType, "", "Login failed: the user exists with another role.", "Use the role user list shows: crypto-user for example_user and alice, admin for admin."},
	{hsm.RCOperationNotAllowed, "", "Your role may not run this command: crypto users manage keys, admins manage users.", "Log out and log in with the other role (logout, then login … --role crypto-user or --role admin)."},
	{hsm.RCKeyAccessDenied, "", "Only the key's owner may do this: a key shared with you can be used, not exported, deleted, shared or changed.", "key list --filter … --verbose names the owner under key-owners; use a key you made, or log in as its owner."},
	{hsm.RCInvalidInput, "matched 0 keys", "The filter matched no key you can see: labels are exact, and other users' unshared keys are invisible.", "key list (or key list --filter attr.label=… ) shows what there is; the tour's labels start with cli-."},
	{hsm.RCInvalidInput, "keys. Refine", "The command works on one key, and the filter matched several (the same label twice, perhaps from an earlier run).", "Add attributes until one key is left (attr.class=private-key, attr.key-type=aes), or use key-reference=0x… from key list."},
	{hsm.RCInvalidAttribute, "attribute is false", "The key's attributes do not allow this: a wrapping key needs wrap (and unwrap to unwrap).", "Generate the wrapping key with --attributes wrap=true unwrap=true, or key set-attribute --name wrap --value true."},
	{hsm.RCMxNAuthFailed, "", "Quorum authentication is on for this: enough admins must approve a token first.", "quorum token-sign generate, have the admins sign the token file, then run the command again with --approval."},
}

// Explain explains, once each, the return codes of a command's calls (a
// reply's Calls): each call's own code and each HSM's answer, whichever
// tool made them. CloudHSM CLI's calls are explained in its own words.
func Explain(calls []tool.Call) []Explanation {
	var sdk3, viaCLI []tool.Call
	for _, c := range calls {
		if slices.Contains(cli.Commands(), c.API) {
			viaCLI = append(viaCLI, c)
		} else {
			sdk3 = append(sdk3, c)
		}
	}
	var out []Explanation
	for _, c := range viaCLI {
		for _, e := range cliExplanations {
			if c.RC == e.rc && strings.Contains(c.Message, e.message) {
				out = appendOnce(out, Explanation{Code: code(e.rc), Meaning: e.meaning, Fix: e.fix})
				break
			}
		}
		// An HSM that did not answer: the CLI says partial, the call says which.
		for _, n := range c.Nodes {
			if n.RC == hsm.RCServerUnavailable {
				out = appendOnce(out, Explanation{Code: code(n.RC), Meaning: fmt.Sprintf("HSM %d of the cluster did not answer: it is offline, so it missed this change (key-coverage and cluster-coverage say partial).", n.Node), Fix: fmt.Sprintf("cluster node %d up at the $ prompt brings it back.", n.Node)})
			}
		}
	}
	codes := tool.Codes(sdk3)
	for _, e := range explanations {
		if slices.Contains(codes, e.rc) {
			out = appendOnce(out, Explanation{Code: code(e.rc), Meaning: e.meaning, Fix: e.fix})
		}
	}
	return out
}

func code(rc hsm.RC) string { return fmt.Sprintf("0x%02x", uint32(rc)) }

func appendOnce(out []Explanation, e Explanation) []Explanation {
	if slices.Contains(out, e) {
		return out
	}
	return append(out, e)
}

// Notes says what a reply's calls show that a learner following one key
// across the tools needs: each key a CloudHSM CLI command named, with its
// key reference and the handle the SDK 3 tools know it by.
func Notes(calls []tool.Call) []string {
	var out []string
	for _, c := range calls {
		if !slices.Contains(cli.Commands(), c.API) || c.RC != hsm.RCSuccess {
			continue
		}
		hs := c.Handles
		if len(hs) > 4 {
			hs = hs[:4]
		}
		for _, h := range hs {
			n := fmt.Sprintf("Key reference %s is handle %d in key_mgmt_util and cloudhsm_mgmt_util.", cli.KeyReference(h), h)
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}
