package kmu

import (
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name: "help", Summary: "Displays this information", NoLogin: true, Run: help,
		About:      `Lists the commands of key_mgmt_util.`,
		BareSyntax: true,
	})
	register(&Command{
		Name: "exit", Summary: "Exits this application", NoLogin: true, Run: exit,
		About:      `Exits key_mgmt_util. Logging out destroys session keys.`,
		BareSyntax: true,
	})
	register(&Command{
		Name: "Error2String", Summary: "Converts Error codes to Strings", NoLogin: true,
		Run:    error2String,
		About:  `Gets the error string of a key_mgmt_util return code.`,
		Params: `        -r       the code in hexadecimal, with its 0x prefix (e.g. 0xc6)`,
		Flags: []Flag{
			{Name: "r", Kind: tool.Text, Required: true, Arg: "<response-code>"},
		},
	})
}

// helpGroups is the layout of the real tool's help: groups of commands in
// the order its help prints them.
var helpGroups = []struct {
	title string
	names []string
}{
	{"", []string{"exit", "help"}},
	{"\tConfiguration and Admin Commands", []string{"getHSMInfo", "getPartitionInfo", "listUsers", "loginStatus", "loginHSM", "logoutHSM"}},
	{"\tM of N commands", []string{"getToken", "delToken", "approveToken", "listTokens"}},
	{"\tKey Generation Commands\n\tAsymmetric Keys:", []string{"genRSAKeyPair", "genDSAKeyPair", "genECCKeyPair"}},
	{"\tSymmetric Keys:", []string{"genPBEKey", "genSymKey"}},
	{"\tKey Import/Export Commands", []string{"createPublicKey", "importPubKey", "exportPubKey", "importPrivateKey", "exportPrivateKey", "imSymKey", "exSymKey", "wrapKey", "unWrapKey"}},
	{"\tKey Management Commands", []string{"deleteKey", "setAttribute", "getKeyInfo", "findKey", "findSingleKey", "getAttribute"}},
	{"\tCertificate Setup Commands", []string{"getCert"}},
	{"\tKey Transfer Commands", []string{"insertMaskedObject", "extractMaskedObject"}},
	{"\tManagement Crypto Commands", []string{"sign", "verify", "aesWrapUnwrap"}},
	{"\tHelper Commands", []string{"Error2String", "getCaviumPrivKey", "IsValidKeyHandlefile", "listAttributes", "listECCCurveIds"}},
}

func help(t *Tool, a *Args) tool.Result {
	t.printf("\nHelp Commands Available:\n\nSyntax: <command> -h\n\n")
	t.printf("   %-22s%s\n   %-22s%s\n", "Command", "Description", "=======", "===========")
	for _, g := range helpGroups {
		if g.title != "" {
			t.printf("\n%s\n", g.title)
		}
		for _, n := range g.names {
			lines := strings.Split(commands[n].Summary, "\n")
			t.printf("   %-22s %s\n", n, lines[0])
			for _, l := range lines[1:] {
				t.printf("   %-22s %s\n", "", l)
			}
		}
	}
	t.printf("\n")
	return tool.Result{}
}

func exit(t *Tool, a *Args) tool.Result {
	r := t.Close()
	r.Exit = true
	return r
}

func error2String(t *Tool, a *Args) tool.Result {
	c := commands["Error2String"]
	s := a.Str("r")
	if !strings.HasPrefix(strings.ToLower(s), "0x") {
		return t.usage(c, errHexPrefix)
	}
	n, err := strconv.ParseUint(s[2:], 16, 32)
	if err != nil {
		return t.usage(c, errHexPrefix)
	}
	rc := hsm.RC(n)
	if !rc.Known() {
		t.printf("Error Code %x is not a known HSM error code\n", n)
		return tool.Result{}
	}
	t.printf("Error Code %x maps to %s\n", n, rc)
	return tool.Result{}
}

var errHexPrefix = errorString("-r takes a hexadecimal code with its 0x prefix, e.g. 0xc6")

type errorString string

func (e errorString) Error() string { return string(e) }
