package shell_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/transcript"
)

// failedLogins is what every HSM counts for a user.
func failedLogins(t *testing.T, s *shell.Session, name string) []int {
	t.Helper()
	var out []int
	for _, n := range s.Cluster.Nodes {
		for _, u := range n.Users {
			if u.Name == name {
				out = append(out, u.FailedLogins)
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// A line recalled from history holds the mask in its password's place: run
// again, it asks for the password (as -hpswd does) instead of sending the
// mask, in both tools; no failed login is counted.
func TestRecalledMaskedLineAsksForThePassword(t *testing.T) {
	s := seeded(t, 1)
	s.Exec("key_mgmt_util")
	typed := "loginHSM -u CU -s example_user -p password"
	recalled := transcript.MaskLine(typed)
	require.Equal(t, "loginHSM -u CU -s example_user -p ********", recalled)

	rep := s.Exec(recalled)
	assert.Equal(t, "", rep.Output)
	assert.True(t, rep.Asking)
	assert.True(t, rep.Secret)
	assert.Equal(t, "Enter password: ", rep.Prompt)
	step, rep := s.Step("password")
	assert.Equal(t, shell.Masked, step.Input, "the answer is hidden in the transcript")
	assert.Equal(t, "Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS\nCluster Status\n"+
		"Node id 0 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 1 and err state 0x00000000 : HSM Return: SUCCESS\n"+
		"Node id 2 and err state 0x00000000 : HSM Return: SUCCESS\n", rep.Output)
	assert.Equal(t, []int{0, 0, 0}, failedLogins(t, s, "example_user"))
	s.Exec("exit")

	s.Exec("cloudhsm_mgmt_util")
	rep = s.Exec(transcript.MaskLine("loginHSM CO admin password"))
	assert.True(t, rep.Secret)
	assert.Equal(t, "Enter password:", rep.Prompt)
	rep = s.Exec("password")
	assert.Equal(t, "\nloginHSM success on server 0(10.0.2.9)\nloginHSM success on server 1(10.0.3.11)\nloginHSM success on server 2(10.0.1.12)\n", rep.Output)
	assert.Equal(t, []int{0, 0, 0}, failedLogins(t, s, "admin"))

	// createUser: the password is asked for, then the confirmation.
	rep = s.Exec(transcript.MaskLine("createUser CU bob s3cret99"))
	require.True(t, rep.Secret)
	rep = s.Exec("s3cret99")
	assert.Contains(t, rep.Output, "****CAUTION****")
	assert.Equal(t, "Do you want to continue(y/n)?", rep.Prompt)
	rep = s.Exec("y")
	assert.Equal(t, "Creating User bob(CU) on 3 nodes\n", rep.Output)
	s.Exec("logoutHSM")
	rep = s.Exec("loginHSM CU bob s3cret99")
	assert.Contains(t, rep.Output, "loginHSM success on server 2(10.0.1.12)", "the password asked for is the one set")
}

// The mask typed as the answer is taken as typed: a password may be
// "********", and the tool asks only once.
func TestMaskTypedAsTheAnswerIsTheAnswer(t *testing.T) {
	s := seeded(t, 1)
	s.Exec("key_mgmt_util")
	rep := s.Exec("loginHSM -u CU -s example_user -p ********")
	require.True(t, rep.Secret)
	rep = s.Exec(shell.Masked)
	assert.False(t, rep.Asking)
	assert.Contains(t, rep.Output, "Cfm3LoginHSM returned: 0x")
	assert.NotContains(t, rep.Output, "SUCCESS\nCluster", "the wrong password fails once")
	assert.Equal(t, []int{1, 1, 1}, failedLogins(t, s, "example_user"))
}

// A shared history is masked by the same rules and recalls the same way.
func TestSharedHistoryRecallAsks(t *testing.T) {
	hist := transcript.MaskHistory([]string{"key_mgmt_util", "loginHSM -u CU -s alice -p password", "exit"})
	require.Equal(t, []string{"key_mgmt_util", "loginHSM -u CU -s alice -p ********", "exit"}, hist)
	s := seeded(t, 1)
	s.Exec(hist[0])
	rep := s.Exec(hist[1])
	require.True(t, rep.Secret)
	rep = s.Exec("password")
	assert.Contains(t, rep.Output, "Cfm3LoginHSM returned: 0x00 : HSM Return: SUCCESS")
}

// What the command tables say about lines before they run: secrets, the
// lines that ask for a hidden answer, the RSA keys they generate.
func TestInspectLine(t *testing.T) {
	cases := []struct {
		line string
		bits []int
		asks bool
		n    int // secrets
	}{
		{"genRSAKeyPair -m 4096 -e 65537 -l k", []int{4096}, false, 0},
		{"genRSAKeyPair -m 2048 -e 65537 -l k -m 0x1000", []int{4096}, false, 0},
		{"genrsakeypair -m 3072 -e 65537 -l k", []int{3072}, false, 0},
		{"key_mgmt_util singlecmd loginHSM -u CU -s a -p pw genRSAKeyPair -m 3072 -e 3 -l k", []int{3072}, false, 1},
		{"genRSAKeyPair -m 2048 -e 65537 -l ok wrapKey -k 1 -w 2 -m 4096", []int{2048}, false, 0},
		{"genDSAKeyPair -m 3072 -l d", nil, false, 0},
		{"openssl genrsa -out k.pem 4096", []int{4096}, false, 0},
		{"openssl genrsa -primes 4096", []int{2048}, false, 0},
		{"openssl genrsa -help", nil, false, 0},
		{"openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:3072", []int{3072}, false, 0},
		{"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256", nil, false, 0},
		{"loginHSM -u CU -s alice -hpswd", nil, true, 0},
		{"loginHSM CO admin -hpswd", nil, true, 0},
		{"loginHSM CO admin ********", nil, true, 1},
		{"changePswd CU bob -hpswd", nil, true, 0},
		{"listUsers", nil, false, 0},
	}
	for _, c := range cases {
		in := shell.InspectLine(c.line)
		assert.Equal(t, c.bits, in.RSABits, c.line)
		assert.Equal(t, c.asks, in.AsksSecret, c.line)
		assert.Len(t, in.Secrets, c.n, c.line)
	}
}

func FuzzInspect(f *testing.F) {
	for _, s := range []string{"loginHSM -u CU -s a -p pw", "createUser CU b 'x y'", "openssl genrsa -passout pass:x 4096", "LOGI CO a -p=", "-p="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		in := shell.InspectLine(line)
		for _, b := range in.RSABits {
			assert.LessOrEqual(t, b, 1<<30)
		}
		last := -1
		for _, sec := range in.Secrets {
			assert.Greater(t, sec.Word, last, "one secret a word, in order")
			last = sec.Word
		}
	})
}

// singlecmd cannot ask: a recalled singlecmd line says how to give the
// password instead of sending the mask.
func TestRecalledSinglecmdLineSaysHowToGiveThePassword(t *testing.T) {
	s := seeded(t, 1)
	line := transcript.MaskLine("key_mgmt_util singlecmd loginHSM -u CU -s example_user -p password findKey")
	rep := s.Exec(line)
	assert.Equal(t, "\nsinglecmd cannot answer questions; give the password with -p (not -hpswd, nor the mask ******** history shows)\n", rep.Output)
	assert.False(t, rep.Asking)
	assert.Equal(t, "$ ", rep.Prompt)
	assert.Equal(t, []int{0, 0, 0}, failedLogins(t, s, "example_user"))
}
