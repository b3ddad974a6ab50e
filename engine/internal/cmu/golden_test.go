package cmu

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// Golden transcripts (package golden's format, testdata/*.md). A
// transcript is what a learner sees: the banner, then each line typed after
// its prompt ("aws-cloudhsm>" or "server0>") followed by the tool's answer.
// After a question ("Do you want to continue(y/n)?", "Enter password:",
// "Retry/Ignore/Abort?(R/I/A):") the answer is the text after the question
// on the same line. Lines starting with "#!" drive the test instead of the
// tool: "#! down 2" and "#! up 2" take an HSM off and on line, "#! sign
// <key> <in> <out>" does what "openssl dgst -sha256 -sign <key> -out <out>
// <in>" does in the host shell. "go test ./engine/internal/cmu -update"
// rewrites the transcripts from their input lines.

// cmuQuestions are the question prompts a transcript line can start with.
var cmuQuestions = []string{askContinue, askPassword, askRetryAbort, askRollback}

var cmuPromptRE = regexp.MustCompile(`^(aws-cloudhsm>|server\d+>)`)

type cmuEvent struct {
	kind string // "cmd", "answer" or "directive"
	text string
	ask  string // the question an answer belongs to
}

// cmuParse reads the input lines of a transcript.
func cmuParse(transcript string) []cmuEvent {
	var evs []cmuEvent
	for _, line := range strings.Split(transcript, "\n") {
		if strings.HasPrefix(line, "#!") {
			evs = append(evs, cmuEvent{kind: "directive", text: line})
			continue
		}
		if m := cmuPromptRE.FindString(line); m != "" {
			evs = append(evs, cmuEvent{kind: "cmd", text: line[len(m):]})
			continue
		}
		for _, q := range cmuQuestions {
			if strings.HasPrefix(line, q) {
				evs = append(evs, cmuEvent{kind: "answer", text: line[len(q):], ask: q})
				break
			}
		}
	}
	return evs
}

// cmuEnv is a tool on a cluster with its files.
type cmuEnv struct {
	c  *hsm.Cluster
	fs *vfs.Mem
	tl *Tool
}

func cmuNewEnv(t *testing.T, scen string) *cmuEnv {
	t.Helper()
	s, err := scenario.Builtin(scen)
	require.NoError(t, err)
	c, files, err := s.Build()
	require.NoError(t, err)
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	return &cmuEnv{c: c, fs: fs, tl: New(c, fs, rand.NewChaCha8([32]byte{1}))}
}

// cmuReplay runs the input lines of a transcript and renders what the
// learner sees.
func cmuReplay(t *testing.T, e *cmuEnv, evs []cmuEvent) string {
	t.Helper()
	var out strings.Builder
	out.WriteString(e.tl.Banner())
	for i := 0; i < len(evs); i++ {
		ev := evs[i]
		switch ev.kind {
		case "directive":
			out.WriteString(ev.text + "\n")
			cmuDirective(t, e, ev.text)
			continue
		case "answer":
			t.Fatalf("answer %q to %q but no question is open", ev.text, ev.ask)
		}
		out.WriteString(e.tl.Prompt() + ev.text + "\n")
		r := e.tl.Exec(ev.text)
		out.WriteString(r.Output)
		for r.Ask != nil {
			i++
			require.Less(t, i, len(evs), "the tool asks %q after %q but the transcript has no answer", r.Ask.Prompt, ev.text)
			a := evs[i]
			require.Equal(t, "answer", a.kind, "the tool asks %q after %q", r.Ask.Prompt, ev.text)
			require.Equal(t, r.Ask.Prompt, a.ask, "answer to the wrong question after %q", ev.text)
			out.WriteString(r.Ask.Prompt + a.text)
			if !r.Ask.Secret {
				out.WriteString("\n")
			}
			r = r.Ask.Answer(a.text)
			out.WriteString(r.Output)
		}
	}
	return out.String()
}

func cmuDirective(t *testing.T, e *cmuEnv, line string) {
	t.Helper()
	f := strings.Fields(strings.TrimPrefix(line, "#!"))
	require.NotEmpty(t, f, "empty directive")
	switch f[0] {
	case "down", "up":
		require.Len(t, f, 2)
		id, err := strconv.Atoi(f[1])
		require.NoError(t, err)
		require.NotNil(t, e.c.Node(id))
		e.c.Node(id).Up = f[0] == "up"
	case "sign":
		require.Len(t, f, 4)
		keyPEM, err := e.fs.ReadFile(f[1])
		require.NoError(t, err)
		k, err := mech.ParsePrivateKeyPEM(keyPEM)
		require.NoError(t, err)
		data, err := e.fs.ReadFile(f[2])
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		sig, err := rsa.SignPKCS1v15(nil, k.(*rsa.PrivateKey), crypto.SHA256, sum[:])
		require.NoError(t, err)
		require.NoError(t, e.fs.WriteFile(f[3], sig))
	default:
		t.Fatalf("unknown directive %q", line)
	}
}

// cmuGolden replays testdata/<name>.md on e and compares (or, with
// -update, rewrites) it.
func cmuGolden(t *testing.T, name string, e *cmuEnv) string {
	t.Helper()
	return golden.Run(t, filepath.Join("testdata", name+".md"), func(transcript string) string {
		return cmuReplay(t, e, cmuParse(transcript))
	})
}

// cmuSeedKey makes the AES key of the seed walkthrough, 524295, as
// example_user's genSymKey -t 31 -s 32 -l aes256 does in key_mgmt_util.
func cmuSeedKey(t *testing.T, c *hsm.Cluster) {
	t.Helper()
	s, st := c.Login(hsm.RoleCU, "example_user", "password", nil)
	require.NotNil(t, s, "%v", st)
	o := &hsm.Object{KeyType: hsm.KeyTypeAES, Label: "aes256", ValueLen: 32, Value: make([]byte, 32), Local: true}
	o.SecretDefaults()
	h, _, rc := c.CreateKey(s, o, hsm.KeyOptions{})
	require.Equal(t, hsm.RCSuccess, rc)
	require.Equal(t, uint64(524295), h)
	c.Logout(s)
}

// cmuOfficerKeys writes RSA-2048 quorum key pairs and signed registration
// tokens for the named officers into the files.
func cmuOfficerKeys(t *testing.T, fs *vfs.Mem, names ...string) {
	t.Helper()
	for i, name := range names {
		k, err := mech.GenerateRSA(rand.NewChaCha8([32]byte{byte(10 + i)}), 2048, 65537)
		require.NoError(t, err)
		priv, err := mech.MarshalPrivateKeyPEM(k)
		require.NoError(t, err)
		pub, err := mech.MarshalPublicKeyPEM(&k.PublicKey)
		require.NoError(t, err)
		token := []byte("token to be signed\n")
		sum := sha256.Sum256(token)
		sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
		require.NoError(t, err)
		require.NoError(t, fs.WriteFile(name+".key", priv))
		require.NoError(t, fs.WriteFile(name+".pub", pub))
		require.NoError(t, fs.WriteFile(name+".token", token))
		require.NoError(t, fs.WriteFile(name+".token.sig", sig))
	}
}

// cmuApprovalFile is a token approval file in the format of
// quorum-authentication-crypto-officers.md.
func cmuApprovalFile(token string, approvers map[string]string, order ...string) string {
	var b strings.Builder
	b.WriteString("# Approvals of " + token + "\n")
	fmt.Fprintf(&b, "Multi Token File Path = %s;\nToken File Path = ;\n\n", token)
	fmt.Fprintf(&b, "# Total number of approvals\nNumber of Approvals = %d;\n", len(order))
	for i, name := range order {
		fmt.Fprintf(&b, "\n# Approver %d\nApprover Type = 2; # 2 for CO, 1 for CU\nApprover Name = %s;\nApproval File = %s;\n", i+1, name, approvers[name])
	}
	return b.String()
}

func TestCMUGoldenSeedShare(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuSeedKey(t, e.c)
	got := cmuGolden(t, "seed_share", e)
	// The exact lines of the seed walkthrough's "Share and Unshare Keys".
	assert.Contains(t, got, `aws-cloudhsm>shareKey 524295 4 1
****CAUTION****
This is a CRITICAL operation, should be done on all nodes in the
cluster. Cav server does NOT synchronize these changes with the
nodes on which this operation is not executed or failed, please
ensure this operation is executed on all nodes in the cluster.
*********
Do you want to continue(y/n)?y
shareKey success on server 0(10.0.2.9)
shareKey success on server 1(10.0.3.11)
shareKey success on server 2(10.0.1.12)
`)
	for _, n := range e.c.Nodes {
		assert.Equal(t, []int{4}, n.Objects[524295].Shared, "node %d", n.ID)
	}
}

func TestCMUGoldenGettingStarted(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuGolden(t, "getting_started", e)
	for _, n := range e.c.Nodes {
		u := n.FindUser("bob")
		require.NotNil(t, u, "node %d", n.ID)
		assert.Equal(t, hsm.RoleCU, u.Type)
		assert.True(t, u.CheckPassword("password1"))
	}
}

func TestCMUGoldenUsers(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuGolden(t, "users", e)
}

func TestCMUGoldenKeys(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuGolden(t, "keys", e)
}

func TestCMUGoldenInfo(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuGolden(t, "info", e)
}

func TestCMUGoldenErrors(t *testing.T) {
	e := cmuNewEnv(t, "default")
	before := cmuSnapshot(e.c)
	cmuGolden(t, "errors", e)
	assert.Equal(t, before, cmuSnapshot(e.c), "bad input changed the cluster")
}

func TestCMUGoldenActivation(t *testing.T) {
	e := cmuNewEnv(t, "uninitialised")
	cmuGolden(t, "activation", e)
	for _, n := range e.c.Nodes {
		u := n.FindUser("admin")
		require.NotNil(t, u)
		assert.Equal(t, hsm.RolePCO, u.Type, "node %d", n.ID)
		assert.True(t, u.CheckPassword("newPassword1"))
	}
}

func TestCMUGoldenQuorum(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuOfficerKeys(t, e.fs, "admin", "officer2")
	approvals := map[string]string{"admin": "admin.token.sig1", "officer2": "admin.token.sig2"}
	require.NoError(t, e.fs.WriteFile("approval.txt", []byte(cmuApprovalFile("admin.token", approvals, "admin", "officer2"))))
	require.NoError(t, e.fs.WriteFile("approval1.txt", []byte(cmuApprovalFile("admin.token", approvals, "admin"))))
	cmuGolden(t, "quorum", e)
}

func TestCMUGoldenDrift(t *testing.T) {
	e := cmuNewEnv(t, "default")
	cmuGolden(t, "drift", e)
	assert.True(t, e.c.InSync(), "drift left: %v", e.c.Diff())
}

// An HSM away when the tool starts: the tool cannot connect to it, and
// every command runs on the servers it connected to ("on 2 nodes", as the
// pages' transcripts of smaller clusters show). A server that goes down
// later is still counted and fails on its own line.
func TestCMUGoldenAway(t *testing.T) {
	c, files, err := scenario.Default()
	require.NoError(t, err)
	c.Node(1).Up = false
	fs := vfs.NewMem()
	require.NoError(t, fs.Restore(files))
	e := &cmuEnv{c: c, fs: fs, tl: New(c, fs, rand.NewChaCha8([32]byte{1}))}
	got := cmuGolden(t, "away", e)
	assert.Contains(t, got, "Creating User user1(CU) on 2 nodes\n")
	assert.NotContains(t, got, "on 3 nodes")
	assert.Nil(t, c.Node(1).FindUser("user1"), "the HSM away missed the new user")
	assert.Nil(t, c.Node(0).FindUser("user1"), "deleted")
	assert.NotNil(t, c.Node(2).FindUser("user1"), "down when it was deleted")
}
