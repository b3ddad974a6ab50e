package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// pageFile is the token approval file of quorum-authentication-crypto-officers.md.
const pageFile = `# For "Multi Token File Path", type the path to the file that contains
# the token.
Multi Token File Path = officer1.token;
Token File Path = ;

# Total number of approvals
Number of Approvals = 2;

# Approver 1
Approver Type = 2; # 2 for CO, 1 for CU
Approver Name = officer1;
Approval File = officer1.token.sig1;

# Approver 2
Approver Type = 2; # 2 for CO, 1 for CU
Approver Name = officer2;
Approval File = sigs/officer1.token.sig2;
`

func TestParseApprovalFilePageFile(t *testing.T) {
	f, err := ParseApprovalFile(pageFile)
	require.NoError(t, err)
	assert.Equal(t, "officer1.token", f.TokenFile)
	assert.Equal(t, 2, f.Count)
	assert.Equal(t, []hsm.Approval{{Type: 2, Name: "officer1"}, {Type: 2, Name: "officer2"}}, f.Approvals)
	assert.Equal(t, []string{"officer1.token.sig1", "sigs/officer1.token.sig2"}, f.SigFiles)
}

func TestParseApprovalFileRefuses(t *testing.T) {
	for text, want := range map[string]string{
		"":                     "no token file",
		"Token File Path = t;": `no "Number of Approvals"`,
		"Token File Path = t;\nNumber of Approvals = 1;": `"Number of Approvals" is 1 but 0 approvers are listed`,
		"Approver Name = x;":                             "Approver Name before Approver Type",
		"Approver Type = 3;":                             "invalid Approver Type",
		"nonsense":                                       "expected",
		"Color = blue;":                                  "unknown field",
		"Approver Type = 2;\nApprover Name = x;":         "needs an Approver Name and an Approval File",
	} {
		_, err := ParseApprovalFile(text)
		require.Error(t, err, text)
		assert.Contains(t, err.Error(), want, text)
	}
}

// FuzzParseApprovalFile: no input panics, and what parses is consistent.
func FuzzParseApprovalFile(f *testing.F) {
	f.Add(pageFile)
	f.Add("Token File Path = t;\nNumber of Approvals = 1;\nApprover Type = 1;\nApprover Name = a;\nApproval File = s;")
	f.Fuzz(func(t *testing.T, text string) {
		a, err := ParseApprovalFile(text)
		if err != nil {
			return
		}
		if a.TokenFile == "" || a.Count != len(a.Approvals) || len(a.SigFiles) != len(a.Approvals) {
			t.Fatalf("inconsistent parse of %q: %+v", text, a)
		}
	})
}
