package cli

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Why a page's example is not reproduced here.
const (
	notYet       = "not reproduced yet: no page test of its command (cluster mtls, MFA, Ed25519 key files)"
	helpText     = "help text: TestHelpMatchesPages compares it"
	placeholders = "shows placeholders ({{<USERNAME>}}), not one session"
	ksp          = "a KSP key reference, which only the Windows client writes"
	newerCLI     = `prints a "cluster" quorum value, of a newer CLI than the other pages`
	otherKeys    = "lists the keys of the page's own cluster (and elides some: ...8 keys later...)"
	// The pages of these keys' commands are reproduced by golden
	// transcripts, whose page blocks the golden harness checks.
	ed25519Golden   = "in the golden testdata/ed25519.md (TestEd25519Golden)"
	ed25519phGolden = "in the golden testdata/ed25519ph.md (TestEd25519phGolden)"
	mldsaGolden     = "in the golden testdata/mldsa.md"
)

// pageCoverage says, for each example of each CloudHSM CLI page in order
// (pageExamples), the test that reproduces it, or why none does.
var pageCoverage = map[string][]string{
	"cloudhsm_cli-cluster-activate.md":                      {"TestClusterActivate"},
	"cloudhsm_cli-cluster-hsm-info.md":                      {"the simulated HSMs are those of the SDK 3 pages (serial numbers, firmware 2.03), which getHSMInfo shows too"},
	"cloudhsm_cli-cluster-mtls-deregister-trust-anchor.md":  {notYet, notYet},
	"cloudhsm_cli-cluster-mtls-get-enforcement.md":          {notYet},
	"cloudhsm_cli-cluster-mtls-list-trust-anchors.md":       {notYet},
	"cloudhsm_cli-cluster-mtls-register-trust-anchor.md":    {notYet, notYet},
	"cloudhsm_cli-cluster-mtls-set-enforcement.md":          {notYet, notYet},
	"cloudhsm_cli-crypto-sign-ecdsa.md":                     {"TestCryptoPageExamples", "TestCryptoPageExamples"},
	"cloudhsm_cli-crypto-sign-ed25519.md":                   {ed25519Golden, ed25519Golden},
	"cloudhsm_cli-crypto-sign-ed25519ph.md":                 {ed25519phGolden, ed25519phGolden},
	"cloudhsm_cli-crypto-sign-mldsa.md":                     {mldsaGolden, mldsaGolden, mldsaGolden, mldsaGolden},
	"cloudhsm_cli-crypto-sign-rsa-pkcs-pss.md":              {"TestCryptoPageExamples", "TestCryptoPageExamples"},
	"cloudhsm_cli-crypto-sign-rsa-pkcs.md":                  {"TestCryptoPageExamples", "TestCryptoPageExamples"},
	"cloudhsm_cli-crypto-verify-ecdsa.md":                   {"TestCryptoPageExamples", "TestCryptoPageExamples", "TestCryptoPageExamples"},
	"cloudhsm_cli-crypto-verify-ed25519.md":                 {ed25519Golden, ed25519Golden, ed25519Golden},
	"cloudhsm_cli-crypto-verify-ed25519ph.md":               {ed25519phGolden, ed25519phGolden},
	"cloudhsm_cli-crypto-verify-mldsa.md":                   {mldsaGolden, mldsaGolden, mldsaGolden},
	"cloudhsm_cli-crypto-verify-rsa-pkcs-pss.md":            {"TestCryptoPageExamples", "TestCryptoPageExamples", "TestCryptoPageExamples"},
	"cloudhsm_cli-crypto-verify-rsa-pkcs.md":                {"TestCryptoPageExamples", "TestCryptoPageExamples", "TestCryptoPageExamples"},
	"cloudhsm_cli-getting-started-use.md":                   {"TestUserPageExamples", "TestUserPageExamples", "TestUserPageExamples", `prints the new crypto user's role as "crypto_user", where every other page (and its own user create) says crypto-user`, "TestUserPageExamples", "TestUserPageExamples"},
	"cloudhsm_cli-key-delete.md":                            {"TestPageExamples"},
	"cloudhsm_cli-key-generate-asymmetric-pair-ec.md":       {"TestPageExamples", "TestKeyGenerationPageExamples", "TestKeyGenerationPageExamples"},
	"cloudhsm_cli-key-generate-asymmetric-pair-mldsa.md":    {mldsaGolden, mldsaGolden},
	"cloudhsm_cli-key-generate-asymmetric-pair-rsa.md":      {"TestPageExamples", "TestKeyGenerationPageExamples", `its public key prints "sign": true, which a public key cannot be (the EC page's same example prints false)`},
	"cloudhsm_cli-key-generate-file.md":                     {"TestGenerateFilePageExample", notYet, ksp, ksp},
	"cloudhsm_cli-key-generate-symmetric-aes.md":            {"TestPageExamples", "TestPageExamples", "TestKeyGenerationPageExamples"},
	"cloudhsm_cli-key-generate-symmetric-generic-secret.md": {helpText, "TestKeyGenerationPageExamples", "TestKeyGenerationPageExamples", "TestKeyGenerationPageExamples"},
	"cloudhsm_cli-key-import-pem.md":                        {"TestImportPemPageExamples", "TestImportPemPageExamples"},
	"cloudhsm_cli-key-list.md":                              {otherKeys, otherKeys, otherKeys, otherKeys},
	"cloudhsm_cli-key-set-attribute.md":                     {"TestPageExamples", "lists another key than the one the first example changed (bob's, 32 bytes, trusted)"},
	"cloudhsm_cli-key-share.md":                             {"TestShareUnsharePageExamples", "TestShareUnsharePageExamples"},
	"cloudhsm_cli-key-unshare.md":                           {"TestShareUnsharePageExamples", "TestShareUnsharePageExamples", "TestShareUnsharePageExamples"},
	"cloudhsm_cli-key-unwrap-aes-gcm.md":                    {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-aes-no-pad.md":                 {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-aes-pkcs5-pad.md":              {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-aes-zero-pad.md":               {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-cloudhsm-aes-gcm.md":           {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-rsa-aes.md":                    {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-rsa-oaep.md":                   {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-unwrap-rsa-pkcs.md":                   {"TestWrapUnwrapPageExamples", "TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-aes-gcm.md":                      {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-aes-no-pad.md":                   {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-aes-pkcs5-pad.md":                {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-aes-zero-pad.md":                 {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-cloudhsm-aes-gcm.md":             {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-rsa-aes.md":                      {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-rsa-oaep.md":                     {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-key-wrap-rsa-pkcs.md":                     {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-login-mfa-token-sign.md":                  {notYet},
	"cloudhsm_cli-login.md":                                 {"TestPageExamples"},
	"cloudhsm_cli-logout.md":                                {"TestPageExamples"},
	"cloudhsm_cli-modes.md":                                 {placeholders, placeholders, placeholders},
	"cloudhsm_cli-qm-token-del.md":                          {"TestQuorumPageExamples"},
	"cloudhsm_cli-qm-token-gen.md":                          {"TestQuorumPageExamples"},
	"cloudhsm_cli-qm-token-list-qm.md":                      {"TestQuorumPageExamples", newerCLI},
	"cloudhsm_cli-qm-token-list.md":                         {"lists tokens whose timeouts count down, and key quorum tokens of the page's own keys"},
	"cloudhsm_cli-qm-token-set-qm.md":                       {"TestQuorumPageExamples", "TestQuorumPageExamples", newerCLI},
	"cloudhsm_cli-reference.md":                             {"TestWrapUnwrapPageExamples"},
	"cloudhsm_cli-user-change-mfa-token-sign.md":            {notYet},
	"cloudhsm_cli-user-change-password.md":                  {"TestUserPageExamples"},
	"cloudhsm_cli-user-chqm-token-reg.md":                   {"not reproduced yet (TestQuorumUserManagement registers quorum keys the same way)", "not reproduced yet", "not reproduced yet: its user list prints a quorum field"},
	"cloudhsm_cli-user-create.md":                           {"TestUserPageExamples"},
	"cloudhsm_cli-user-delete.md":                           {"TestUserPageExamples"},
	"cloudhsm_cli-user-list.md":                             {notYet + " (its test_user has token-sign MFA)"},
	"manage-keys-cloudhsm-cli-filtering.md":                 {"TestFilteringPageExamples", `its key's class is "my_test_key" and its label "my_crypto_user": not one key`, "its keys' owner and shares differ from the first two examples' for the same keys", "TestFilteringPageExamples"},
}

var (
	reproducedMu sync.Mutex
	// reproducedBy maps "page#n" to the tests that reproduced it.
	reproducedBy = map[string][]string{}
)

// reproduced records that the running test reproduced a page's example n.
func reproduced(t *testing.T, page string, n int) {
	reproducedMu.Lock()
	defer reproducedMu.Unlock()
	k := fmt.Sprintf("%s#%d", page, n)
	reproducedBy[k] = append(reproducedBy[k], t.Name())
}

// Every page with examples is in the table, with one entry per example.
func TestEveryPageExampleIsAccountedFor(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(referenceDir(t), "*.md"))
	require.NoError(t, err)
	seen := 0
	for _, f := range files {
		page := filepath.Base(f)
		ex := pageExamples(t, page)
		if len(ex) == 0 {
			assert.NotContains(t, pageCoverage, page, "%s has no examples", page)
			continue
		}
		seen++
		require.Contains(t, pageCoverage, page, "%s has %d examples", page, len(ex))
		assert.Len(t, pageCoverage[page], len(ex), page)
	}
	assert.Equal(t, len(pageCoverage), seen, "the table names only pages with examples")
}

// TestMain checks, after a run of every test, that each example the table
// gives to a test was reproduced by that test.
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && f != nil && f.Value.String() == "" && !testing.Short() {
		var missing []string
		for page, entries := range pageCoverage {
			for n, e := range entries {
				if !strings.HasPrefix(e, "Test") {
					continue
				}
				k := fmt.Sprintf("%s#%d", page, n)
				found := false
				for _, name := range reproducedBy[k] {
					found = found || name == e
				}
				if !found {
					missing = append(missing, fmt.Sprintf("%s: the table says %s reproduces it; it did not", k, e))
				}
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			fmt.Fprintln(os.Stderr, "page examples not reproduced by the tests the table names:\n  "+strings.Join(missing, "\n  "))
			code = 1
		}
	}
	os.Exit(code)
}
