// Package toolmap is the one table of what each Client SDK 3 command
// (key_mgmt_util, cloudhsm_mgmt_util) is in CloudHSM CLI (Client SDK 5) and
// back. The tools use it to hint at the other generation's command when a
// learner types one in the wrong tool, and hsmsim migrate to rewrite
// scripts. Its rows are those of the mapping table in the CLI reference
// folder's README (cloudhsm-cli-docs/README.md), which names each row's
// basis; "" in CLI means no CloudHSM CLI command does it.
package toolmap

import "strings"

// Row is one command of an SDK 3 tool and its CloudHSM CLI counterpart.
type Row struct {
	Tool string // "key_mgmt_util" or "cloudhsm_mgmt_util"
	SDK3 string // the command, e.g. "genSymKey"
	// CLI is the CloudHSM CLI command line that does the same, "" if none.
	CLI string
	// Note says what differs, or what to use where there is no equivalent.
	Note string
}

const (
	kmu = "key_mgmt_util"
	cmu = "cloudhsm_mgmt_util"
)

// Rows is the table, SDK 3 commands in the order of the mapping table.
var Rows = []Row{
	{kmu, "loginHSM", "login --username <name> --role crypto-user", ""},
	{kmu, "logoutHSM", "logout", ""},
	{kmu, "help", "help", ""},
	{kmu, "exit", "quit", ""},
	{kmu, "genSymKey", "key generate-symmetric aes --label <label> --key-length-bytes <16|24|32>", "-t 16 (generic secret) is key generate-symmetric generic-secret; DES3 and RC4 keys have no generate command"},
	{kmu, "genRSAKeyPair", "key generate-asymmetric-pair rsa --modulus-size-bits <bits> --public-exponent <e> --public-label <label> --private-label <label>", ""},
	{kmu, "genECCKeyPair", "key generate-asymmetric-pair ec --curve <curve> --public-label <label> --private-label <label>", ""},
	{kmu, "genDSAKeyPair", "", "CloudHSM CLI has no DSA keys"},
	{kmu, "deleteKey", "key delete --filter key-reference=<0x…>", "a key reference is the handle in hex: 524295 is 0x0000000000080007"},
	{kmu, "findKey", "key list --filter attr.<name>=<value>", ""},
	{kmu, "findSingleKey", "key list --filter key-reference=<0x…>", ""},
	{kmu, "getAttribute", "key list --filter key-reference=<0x…> --verbose", "--verbose prints every attribute"},
	{kmu, "listAttributes", "help key set-attribute", "CloudHSM CLI names attributes (label, encrypt, …) instead of numbering them"},
	{kmu, "setAttribute", "key set-attribute --filter key-reference=<0x…> --name <attribute> --value <value>", ""},
	{kmu, "getKeyInfo", "key list --filter key-reference=<0x…> --verbose", "key-info holds the owner, the shared users and the quorum values"},
	{kmu, "listUsers", "user list", ""},
	{kmu, "exportPubKey", "key generate-file --encoding pem --path <file> --filter key-reference=<0x…>", ""},
	{kmu, "getCaviumPrivKey", "key generate-file --encoding reference-pem --path <file> --filter key-reference=<0x…>", ""},
	{kmu, "importPubKey", "key import pem --path <file> --label <label> --key-type-class <rsa-public|ec-public>", ""},
	{kmu, "importPrivateKey", "", "key import pem takes public keys only; bring a private key in with key unwrap"},
	{kmu, "imSymKey", "", "CloudHSM CLI imports no plaintext keys; bring a key in with key unwrap"},
	{kmu, "exportPrivateKey", "", "CloudHSM CLI exports no plaintext keys; take a key out with key wrap"},
	{kmu, "exSymKey", "", "CloudHSM CLI exports no plaintext keys; take a key out with key wrap"},
	{kmu, "wrapKey", "key wrap <mechanism> --payload-filter key-reference=<0x…> --wrapping-filter key-reference=<0x…>", "mechanisms: aes-gcm, aes-no-pad, aes-pkcs5-pad, aes-zero-pad, cloudhsm-aes-gcm, rsa-aes, rsa-oaep, rsa-pkcs"},
	{kmu, "unWrapKey", "key unwrap <mechanism> --filter key-reference=<0x…> --key-type-class <class> --label <label> --data-path <file>", ""},
	{kmu, "sign", "crypto sign <rsa-pkcs|rsa-pkcs-pss|ecdsa> --key-filter key-reference=<0x…> --hash-function <hash> --data-path <file>", ""},
	{kmu, "verify", "crypto verify <rsa-pkcs|rsa-pkcs-pss|ecdsa> --key-filter key-reference=<0x…> --hash-function <hash> --data-path <file> --signature-path <file>", ""},
	{kmu, "extractMaskedObject", "", "key replicate copies keys between cloned clusters"},
	{kmu, "insertMaskedObject", "", "key replicate copies keys between cloned clusters"},
	{kmu, "aesWrapUnwrap", "", "CloudHSM CLI has no command for it"},
	{kmu, "getCert", "", "CloudHSM CLI has no command for it"},
	{kmu, "IsValidKeyHandlefile", "", "CloudHSM CLI has no command for it"},
	{kmu, "Error2String", "", "CloudHSM CLI answers errors as JSON error_code and data"},
	{kmu, "getHSMInfo", "cluster hsm-info", ""},
	{kmu, "listECCCurveIds", "help key generate-asymmetric-pair ec", "the --curve values are named, not numbered"},
	{cmu, "loginHSM", "login --username <name> --role <admin|crypto-user>", ""},
	{cmu, "logoutHSM", "logout", ""},
	{cmu, "createUser", "user create --username <name> --role <admin|crypto-user>", ""},
	{cmu, "deleteUser", "user delete --username <name> --role <admin|crypto-user>", ""},
	{cmu, "changePswd", "user change-password --username <name> --role <admin|crypto-user>", ""},
	{cmu, "listUsers", "user list", ""},
	{cmu, "shareKey", "key share --filter key-reference=<0x…> --username <name> --role crypto-user", "shareKey … 0 is key unshare"},
	{cmu, "findAllKeys", "key list", ""},
	{cmu, "getAttribute", "key list --filter key-reference=<0x…> --verbose", ""},
	{cmu, "listAttributes", "help key set-attribute", ""},
	{cmu, "setAttribute", "key set-attribute --filter key-reference=<0x…> --name <attribute> --value <value>", ""},
	{cmu, "getKeyInfo", "key list --filter key-reference=<0x…> --verbose", ""},
	{cmu, "getHSMInfo", "cluster hsm-info", ""},
	{cmu, "info", "cluster hsm-info", ""},
	{cmu, "registerQuorumPubKey", "user change-quorum token-sign register --public-key <file> --signed-token <file>", ""},
	{cmu, "getToken", "quorum token-sign generate --service <service> --token <file>", ""},
	{cmu, "listTokens", "quorum token-sign list", ""},
	{cmu, "delToken", "quorum token-sign delete --scope <user|all>", ""},
	{cmu, "approveToken", "", "sign the token file quorum token-sign generate wrote and pass it with --approval"},
	{cmu, "getMValue", "quorum token-sign list-quorum-values", ""},
	{cmu, "setMValue", "quorum token-sign set-quorum-value --service <service> --value <m>", ""},
	{cmu, "syncKey", "", "the HSMs of a cluster keep keys in sync themselves; key replicate copies to a cloned cluster"},
	{cmu, "syncUser", "", "the HSMs of a cluster keep users in sync themselves; user replicate copies to a cloned cluster"},
	{cmu, "server", "", "CloudHSM CLI talks to the whole cluster, not to one HSM"},
	{cmu, "getCert", "", "CloudHSM CLI has no command for it"},
	{cmu, "quit", "quit", ""},
}

// ForSDK3 is the row of an SDK 3 tool's command.
func ForSDK3(tool, command string) (Row, bool) {
	for _, r := range Rows {
		if r.Tool == tool && r.SDK3 == command {
			return r, true
		}
	}
	return Row{}, false
}

// ForCLI lists the SDK 3 commands of a tool whose CloudHSM CLI line starts
// with the words of line ("key generate-symmetric", "user list").
func ForCLI(tool, line string) []string {
	words := strings.Fields(line)
	if len(words) == 0 {
		return nil
	}
	var out []string
	for _, r := range Rows {
		if r.Tool != tool || r.CLI == "" {
			continue
		}
		cw := strings.Fields(r.CLI)
		n := 0
		for n < len(cw) && n < len(words) && cw[n] == words[n] && !strings.HasPrefix(cw[n], "-") {
			n++
		}
		// The whole command part of the row must be matched, or all of
		// the typed words when they stop short of it.
		if n > 0 && (n == len(words) || n == commandWords(cw)) {
			out = append(out, r.SDK3)
		}
	}
	return out
}

func commandWords(w []string) int {
	n := 0
	for n < len(w) && !strings.HasPrefix(w[n], "-") && !strings.HasPrefix(w[n], "<") {
		n++
	}
	return n
}

// HintForSDK3 is the line CloudHSM CLI adds when a key_mgmt_util or
// cloudhsm_mgmt_util command is typed into it.
func HintForSDK3(command string) string {
	for _, tool := range []string{kmu, cmu} {
		r, ok := ForSDK3(tool, command)
		if !ok {
			continue
		}
		if r.CLI == "" {
			return "hint: " + r.SDK3 + " is a " + tool + " command; CloudHSM CLI has no equivalent (" + r.Note + ")\n"
		}
		return "hint: " + r.SDK3 + " is a " + tool + " command; in CloudHSM CLI: " + r.CLI + "\n"
	}
	return ""
}

// HintForCLI is the line an SDK 3 tool adds when a CloudHSM CLI command is
// typed into it.
func HintForCLI(tool, line string) string {
	words := strings.Fields(line)
	if len(words) == 0 || !cliFamily(words[0]) {
		return ""
	}
	cmds := ForCLI(tool, line)
	if len(cmds) == 0 {
		return "hint: " + words[0] + " is a CloudHSM CLI command family (cloudhsm-cli interactive); " + tool + " has no command for it\n"
	}
	return "hint: that is a CloudHSM CLI command (cloudhsm-cli interactive); in " + tool + ": " + strings.Join(cmds, ", ") + "\n"
}

// cliFamily reports whether w starts a CloudHSM CLI command.
func cliFamily(w string) bool {
	switch w {
	case "key", "user", "crypto", "cluster", "quorum", "login", "logout":
		return true
	}
	return false
}
