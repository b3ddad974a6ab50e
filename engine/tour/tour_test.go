package tour

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/shell"
)

// walk runs the tour as a learner would: for each step, take its marks,
// type its commands, and see it marked done only afterwards.
func TestTheWholeTourIsRecognisedFromState(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(1)})
	require.NoError(t, err)
	for _, st := range Steps() {
		marks := Mark(s)
		assert.False(t, Done(st, marks, s), "%s is not done before its commands", st.ID)
		for _, c := range st.Commands {
			s.Exec(c)
		}
		assert.True(t, Done(st, marks, s), "%s is done after its commands", st.ID)
	}
}

func TestAVariantCommandCounts(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(2)})
	require.NoError(t, err)
	st, ok := Find("gen-aes")
	require.True(t, ok)
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s alice -p password")
	m := Mark(s)
	// alice already owns an AES-256 key in the default cluster, made before
	// the step: that one counts as done too, which is what state says.
	assert.True(t, Done(st, m, s))

	s, _ = shell.New(shell.Options{Rand: shell.SeededRand(2)})
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	m = Mark(s)
	s.Exec("genSymKey -t 31 -s 24 -l not-256")
	assert.False(t, Done(st, m, s), "a 192-bit key is not the step")
	s.Exec("genSymKey -l my-own-label -s 32 -t 31 -id k1 -nex")
	assert.True(t, Done(st, m, s), "flags in another order, another label")
}

func TestDeleteNeedsAKeyThatExistedAtTheStart(t *testing.T) {
	s, _ := shell.New(shell.Options{Rand: shell.SeededRand(3)})
	st, _ := Find("delete")
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	s.Exec("genSymKey -t 31 -s 16 -l doomed")
	m := Mark(s)
	assert.False(t, Done(st, m, s))
	out := s.Exec("deleteKey -k 524288").Output
	assert.Contains(t, out, "0xa8", "alice's key is invisible to example_user")
	assert.False(t, Done(st, m, s))
	s.Exec("deleteKey -k 524295")
	assert.True(t, Done(st, m, s))
}

// The explanations come from the reply's calls: each call's code and each
// HSM's answer, from either tool.
func TestExplain(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(4)})
	require.NoError(t, err)
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	// 524291 is alice's key, shared with example_user: it may be used, not deleted.
	e := Explain(s.Exec("deleteKey -k 524291").Calls)
	require.Len(t, e, 1)
	assert.Equal(t, "0xc6", e[0].Code)
	assert.Contains(t, e[0].Fix, "owner")
	assert.Empty(t, Explain(s.Exec("genSymKey -t 31 -s 16 -l fine").Calls))
	s.Exec("exit")
	s.Exec("cluster node 1 down")
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	// The call succeeds; one HSM's answer is what needs explaining.
	rep := s.Exec("genSymKey -t 31 -s 16 -l drifted")
	require.NotEmpty(t, rep.Calls)
	assert.Equal(t, "Cfm3GenerateSymmetricKey", rep.Calls[0].API)
	assert.Equal(t, hsm.RCSuccess, rep.Calls[0].RC)
	e = Explain(rep.Calls)
	require.Len(t, e, 1)
	assert.Contains(t, e[0].Fix, "cluster node N up")
	s.Exec("exit")
	s.Exec("cluster node 1 up")
	s.Exec("cloudhsm_mgmt_util")
	rep = s.Exec("loginHSM CU example_user wrong-password")
	require.Len(t, rep.Calls, 1)
	assert.Equal(t, "loginHSM", rep.Calls[0].API)
	require.Len(t, rep.Calls[0].Nodes, 3)
	e = Explain(rep.Calls)
	require.Len(t, e, 1)
	assert.Equal(t, "0xa3", e[0].Code)
}

func TestStepsAreComplete(t *testing.T) {
	ids := map[string]bool{}
	for _, st := range Steps() {
		assert.NotEmpty(t, st.Title)
		assert.NotEmpty(t, st.Why)
		assert.NotEmpty(t, st.Commands)
		assert.NotNil(t, st.done)
		assert.False(t, ids[st.ID], "duplicate id %s", st.ID)
		ids[st.ID] = true
	}
	assert.Len(t, Steps(), 13)
}

func TestStatusOfJudgesEveryStepWithTheSameMarks(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(4)})
	require.NoError(t, err)
	s.Exec("key_mgmt_util")
	m := Mark(s)
	st := StatusOf(m, s)
	require.Len(t, st, len(Steps()))
	assert.Equal(t, Status{ID: "login", Done: false}, st[0])
	s.Exec("loginHSM -u CU -s example_user -p password")
	s.Exec("genRSAKeyPair -m 2048 -e 65537 -l mine")
	st = StatusOf(m, s)
	assert.Equal(t, []Status{{"login", true}, {"gen-aes", false}, {"gen-rsa", true}}, st[:3])
}
