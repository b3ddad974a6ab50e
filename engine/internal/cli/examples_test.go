package cli

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// example is one transcript of a reference page: the command typed after
// "aws-cloudhsm > " (continued over "\" lines) and what the tool printed.
type example struct{ command, output string }

var exampleBlock = regexp.MustCompile("(?s)```\n *(aws-cloudhsm > .*?) *```")

// pageExamples reads the transcripts of a page in order.
func pageExamples(t *testing.T, page string) []example {
	b, err := os.ReadFile(filepath.Join(referenceDir(t), page))
	require.NoError(t, err)
	var out []example
	for _, m := range exampleBlock.FindAllStringSubmatch(string(b), -1) {
		lines := strings.Split(strings.TrimRight(m[1], "\n"), "\n")
		// Blocks indented inside a numbered list keep their indentation.
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(l, "   ")
		}
		cmd := strings.TrimPrefix(lines[0], "aws-cloudhsm > ")
		if strings.HasPrefix(strings.TrimSpace(cmd), "help") {
			continue
		}
		i := 1
		for strings.HasSuffix(cmd, "\\") && i < len(lines) {
			cmd = strings.TrimSuffix(cmd, "\\") + " " + lines[i]
			i++
		}
		// One page forgets the "\" before its last option lines.
		for i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "--") {
			cmd += " " + strings.TrimSuffix(strings.TrimSpace(lines[i]), "\\")
			i++
		}
		out = append(out, example{command: strings.Join(strings.Fields(cmd), " "), output: strings.Join(lines[i:], "\n")})
	}
	return out
}

// randomValue are the attributes whose values come from the key material.
var randomValue = regexp.MustCompile(`"(key-reference|check-value|ec-point|modulus|payload_key_reference|wrapping_key_reference|payload-key-reference|wrapping-key-reference|signature|iv)": "0x[^"]*"`)

// base64Field are the values printed in Base64 that are random bytes:
// signatures and wrapped keys.
var base64Field = regexp.MustCompile(`"(signature|wrapped_key_data|wrapped-key-data)": "([A-Za-z0-9+/=]*)"`)

// The pages' JSON defects the reference folder's README lists: a trailing
// comma after the last shared user, no comma after "firmware-id", no
// final brace in one wrap example, no error_code in one unwrap example (of
// a key made: 0). The simulator prints valid JSON; a page's example is
// read as the JSON it means.
var (
	trailingComma  = regexp.MustCompile(`,(\s*[\]}])`)
	missingComma   = regexp.MustCompile(`("firmware-id": "[^"]*")(\s*\n\s*")`)
	openDataBraces = regexp.MustCompile(`\}\s*$`)
)

func repairPage(s string) string {
	s = trailingComma.ReplaceAllString(s, "$1")
	s = missingComma.ReplaceAllString(s, "$1,$2")
	if strings.Count(s, "{") == strings.Count(s, "}")+1 && openDataBraces.MatchString(s) {
		s += "\n}"
	}
	if !strings.Contains(s, `"error_code"`) {
		s = `{"error_code": 0,` + s[1:]
	}
	return s
}

var privateLength = regexp.MustCompile(`("class":"private-key",[^{}]*?"key-length-bytes":)\d+`)

// normalise compacts JSON and blanks the random values.
func normalise(t *testing.T, s string) string {
	t.Helper()
	s = repairPage(s[strings.Index(s, "{"):])
	s = randomValue.ReplaceAllString(s, `"$1": "0x…"`)
	s = base64Field.ReplaceAllString(s, `"$1": "…"`)
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, []byte(s)), "not JSON:\n%s", s)
	// A private key's key-length-bytes is the size of its encoding, which
	// its random integers make a byte longer or shorter.
	return privateLength.ReplaceAllString(b.String(), `$1"…"`)
}

// testTool is CloudHSM CLI on the default cluster with the crypto users the
// pages' examples log in as (cu1 … cu4, password "password"), and an
// admin1 beside admin.
func testTool(t testing.TB) *Tool {
	t.Helper()
	sc, err := scenario.Builtin("default")
	require.NoError(t, err)
	c, files, err := sc.Build()
	require.NoError(t, err)
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	admin, _ := c.Login(hsm.RoleCO, "admin", "password", []int{0, 1, 2})
	require.NotNil(t, admin)
	for i, u := range []struct {
		name string
		role hsm.Role
	}{{"cu1", hsm.RoleCU}, {"cu2", hsm.RoleCU}, {"cu3", hsm.RoleCU}, {"cu4", hsm.RoleCU}, {"admin1", hsm.RoleCO}} {
		id := c.NextUserID()
		for n := range c.Nodes {
			require.Equal(t, hsm.RCSuccess, c.CreateUserOn(admin, n, id, u.role, u.name, "password"), "%d", i)
		}
	}
	c.Logout(admin)
	return New(c, fs, rand.NewChaCha8([32]byte{1}))
}

// exec runs a line, answering a password question with "password".
func run(t *testing.T, tl *Tool, line string) string {
	t.Helper()
	r := tl.Exec(line)
	out := r.Output
	for r.Ask != nil {
		out += r.Ask.Prompt + "\n"
		r = r.Ask.Answer("password")
		out += r.Output
	}
	return out
}

// checkExample runs a page's example n and compares its JSON with the
// page's, random values aside.
func checkExample(t *testing.T, tl *Tool, page string, n int) {
	t.Helper()
	ex := pageExamples(t, page)
	require.Greater(t, len(ex), n, "%s has %d examples", page, len(ex))
	got := run(t, tl, ex[n].command)
	require.Equal(t, normalise(t, ex[n].output), normalise(t, got), "%s example %d: %s\n%s", page, n, ex[n].command, got)
	reproduced(t, page, n)
}

func TestPageExamples(t *testing.T) {
	tl := testTool(t)
	checkExample(t, tl, "cloudhsm_cli-login.md", 0) // admin1
	checkExample(t, tl, "cloudhsm_cli-logout.md", 0)
	run(t, tl, "login --username cu1 --role crypto-user --password password")
	checkExample(t, tl, "cloudhsm_cli-key-generate-symmetric-aes.md", 0)
	checkExample(t, tl, "cloudhsm_cli-key-generate-symmetric-aes.md", 1)
	checkExample(t, tl, "cloudhsm_cli-key-generate-asymmetric-pair-rsa.md", 0)
	checkExample(t, tl, "cloudhsm_cli-key-generate-asymmetric-pair-ec.md", 0)
	run(t, tl, "key generate-asymmetric-pair ec --curve secp224r1 --public-label ec-test-public-key --private-label ec-test-private-key")
	checkExample(t, tl, "cloudhsm_cli-key-delete.md", 0)
	run(t, tl, "key generate-symmetric aes --label my_key --key-length-bytes 16 --attributes encrypt=true")
	checkExample(t, tl, "cloudhsm_cli-key-set-attribute.md", 0)
	checkExample(t, tl, "cloudhsm_cli-logout.md", 0)
}

// The activation page's example on a cluster that was never activated.
func TestClusterActivate(t *testing.T) {
	sc, err := scenario.Builtin("uninitialised")
	require.NoError(t, err)
	c, _, err := sc.Build()
	require.NoError(t, err)
	tl := New(c, vfs.NewMem(), rand.NewChaCha8([32]byte{3}))
	ex := pageExamples(t, "cloudhsm_cli-cluster-activate.md")
	require.Len(t, ex, 1)
	got := run(t, tl, ex[0].command)
	require.Equal(t, ex[0].output+"\n", got)
	reproduced(t, "cloudhsm_cli-cluster-activate.md", 0)
	require.JSONEq(t, `{"error_code":1,"data":"The cluster is already activated"}`, run(t, tl, "cluster activate"))
	// The admin logs in with the password just set ("password", as run answers).
	require.JSONEq(t, `{"error_code":0,"data":{"username":"admin","role":"admin"}}`, run(t, tl, "login --username admin --role admin --password password"))
	require.Contains(t, run(t, tl, "user replicate --username admin --role admin --source-cluster-id cluster-a --destination-cluster-id cluster-b"),
		"The cluster cluster-a is not in the configuration")
}
