// Package quorum holds what cloudhsm_mgmt_util and key_mgmt_util share of
// quorum (M of N) tokens: the token approval file approveToken reads
// (quorum-authentication-crypto-officers.md: "Key = value;" lines naming the
// token file and, per approver, its type, name and signature file) and the
// token listing getToken and listTokens print.
package quorum

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// ApprovalFile is a parsed token approval file.
type ApprovalFile struct {
	// TokenFile is the file holding the token the approvals sign.
	TokenFile string
	// Count is the "Number of Approvals" line.
	Count int
	// Approvals are the approvers, their signatures not yet read.
	Approvals []hsm.Approval
	// SigFiles names each approver's signature file.
	SigFiles []string
}

// ParseApprovalFile reads "Key = value;" lines; "#" starts a comment.
func ParseApprovalFile(text string) (*ApprovalFile, error) {
	a := &ApprovalFile{Count: -1}
	var cur *hsm.Approval
	var curFile string
	flush := func() error {
		if cur == nil {
			return nil
		}
		if cur.Name == "" || curFile == "" {
			return fmt.Errorf("approver %d needs an Approver Name and an Approval File", len(a.Approvals)+1)
		}
		a.Approvals = append(a.Approvals, *cur)
		a.SigFiles = append(a.SigFiles, curFile)
		cur, curFile = nil, ""
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected \"<field> = <value>;\"", i+1)
		}
		key = strings.TrimSpace(key)
		val = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), ";"))
		switch key {
		case "Multi Token File Path":
			if val != "" {
				a.TokenFile = val
			}
		case "Token File Path":
			if val != "" && a.TokenFile == "" {
				a.TokenFile = val
			}
		case "Number of Approvals":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("line %d: invalid Number of Approvals %q", i+1, val)
			}
			a.Count = n
		case "Approver Type":
			if err := flush(); err != nil {
				return nil, err
			}
			typ, err := strconv.Atoi(val)
			if err != nil || typ != 1 && typ != 2 {
				return nil, fmt.Errorf("line %d: invalid Approver Type %q (2 for CO, 1 for CU)", i+1, val)
			}
			cur = &hsm.Approval{Type: typ}
		case "Approver Name":
			if cur == nil {
				return nil, fmt.Errorf("line %d: Approver Name before Approver Type", i+1)
			}
			cur.Name = val
		case "Approval File":
			if cur == nil {
				return nil, fmt.Errorf("line %d: Approval File before Approver Type", i+1)
			}
			curFile = val
		default:
			return nil, fmt.Errorf("line %d: unknown field %q", i+1, key)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	switch {
	case a.TokenFile == "":
		return nil, fmt.Errorf("no token file: set \"Multi Token File Path\"")
	case a.Count < 0:
		return nil, fmt.Errorf("no \"Number of Approvals\"")
	case a.Count != len(a.Approvals):
		return nil, fmt.Errorf("\"Number of Approvals\" is %d but %d approvers are listed", a.Count, len(a.Approvals))
	}
	return a, nil
}

// TokenBlock prints a token as getToken and listTokens show it on node n.
func TokenBlock(w io.Writer, c *hsm.Cluster, n *hsm.Node, tok *hsm.QuorumToken) {
	fmt.Fprintf(w, "Token:\nId:%d\nService:%d\nNode:%d\nKey Handle:0\nUser:%s\n", c.TokenID(tok), tok.Service, n.ID, UserName(n, tok.User))
}

// TokenDetails prints the lines listTokens adds under a token's block: its
// validity, the approvals it needs and those it holds.
func TokenDetails(w io.Writer, c *hsm.Cluster, n *hsm.Node, tok *hsm.QuorumToken) {
	fmt.Fprintf(w, "Token Validity: %d sec\n", hsm.TokenValidity)
	fmt.Fprintf(w, "Required num of approvers : %d\n", c.MValue(tok.Service))
	fmt.Fprintf(w, "Current num of approvals : %d\n", len(tok.Approvals))
	for j, id := range tok.Approvers() {
		fmt.Fprintf(w, "Approver-%d: %s\n", j, UserName(n, id))
	}
}

// UserName is the name of user id on node n, or the id when n does not
// know the user.
func UserName(n *hsm.Node, id int) string {
	if u := n.User(id); u != nil {
		return u.Name
	}
	return strconv.Itoa(id)
}
