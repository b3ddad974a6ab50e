package hsm

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/testenv"
)

// referenceDir is the specification folder, shared/reference beside the
// repository (testenv.ReferenceDir: without it the tests that read it skip
// on a developer's machine and fail in CI).
func referenceDir(t *testing.T) string {
	t.Helper()
	return testenv.ReferenceDir(t)
}

// permTable is a permissions table as a page prints it: the column
// headings after the first (user types) and one row per operation.
type permTable struct {
	cols []string
	rows []permRow
}

type permRow struct {
	label string
	cells []string // "Yes", "No" or "Not applicable", one per column
}

var (
	mdImage    = regexp.MustCompile(`!\[(?:\\.|[^\]\\])*\]\([^)]*\)`)
	footnote   = strings.NewReplacer("¹", "", "²", "", "³", "", "⁴", "", "⁵", "")
	mdUnescape = strings.NewReplacer(`\(`, "(", `\)`, ")", `\'`, "'", `\-`, "-", `\_`, "_")
)

// mdCell is a table cell's text: images, footnote marks and Markdown
// escapes removed.
func mdCell(s string) string {
	s = mdImage.ReplaceAllString(s, "")
	s = mdUnescape.Replace(footnote.Replace(s))
	return strings.Join(strings.Fields(s), " ")
}

// parsePermissionsTable reads the first Markdown table of a page whose
// heading row starts with an empty cell, the form of the AWS permissions
// tables.
func parsePermissionsTable(page string) (permTable, error) {
	var pt permTable
	lines := strings.Split(page, "\n")
	split := func(l string) []string {
		l = strings.TrimSpace(l)
		l = strings.TrimSuffix(strings.TrimPrefix(l, "|"), "|")
		parts := strings.Split(l, "|")
		for i := range parts {
			parts[i] = mdCell(parts[i])
		}
		return parts
	}
	for i := 0; i+1 < len(lines); i++ {
		head := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(head, "|") {
			continue
		}
		cols := split(head)
		if len(cols) < 2 || cols[0] != "" || !strings.HasPrefix(strings.TrimSpace(lines[i+1]), "| ---") {
			continue
		}
		pt.cols = cols[1:]
		for _, l := range lines[i+2:] {
			if !strings.HasPrefix(strings.TrimSpace(l), "|") {
				break
			}
			cells := split(l)
			if len(cells) != len(cols) {
				return pt, fmt.Errorf("row %q has %d cells, the heading %d", l, len(cells), len(cols))
			}
			pt.rows = append(pt.rows, permRow{label: cells[0], cells: cells[1:]})
		}
		return pt, nil
	}
	return pt, fmt.Errorf("no permissions table found")
}

// pageColumns maps a column heading to the sessions it stands for: every
// role of that type (a PCO is a CO), or no login.
var pageColumns = map[string][]*Session{
	"Crypto officer (CO)":     {{Name: "s1", UserID: 1, Role: RoleCO}, {Name: "s1", UserID: 1, Role: RolePCO}},
	"Admin":                   {{Name: "s1", UserID: 1, Role: RoleCO}, {Name: "s1", UserID: 1, Role: RolePCO}},
	"Crypto User (CU)":        {{Name: "s1", UserID: 1, Role: RoleCU}},
	"Appliance User (AU)":     {{Name: "s1", UserID: 1, Role: RoleAU}},
	"Unauthenticated Session": {nil},
}

// pageRows maps a row of the pages' tables to the operations it covers. A
// "Yes" means the user type may do each of them (with some key, for
// operations on keys); a "No" that it may do none of them with any key.
var pageRows = map[string][]Op{
	"Get basic cluster info":         {OpClusterInfo},
	"Change own password":            {OpChangeOwnPassword},
	"Change any user's password":     {OpChangePassword},
	"Add, remove users":              {OpManageUsers},
	"Get sync status":                {OpSyncStatus},
	"Extract, insert masked objects": {OpMask},
	// "creating, deleting, wrapping, unwrapping, and modifying the
	// attributes of keys"; sharing and exporting are key management too
	// (the CU section of the same pages).
	"Key management functions":   {OpCreateKey, OpDelete, OpModify, OpShare, OpExport, OpExportPublic},
	"Encrypt, decrypt":           {OpUse},
	"Sign, verify":               {OpUse},
	"Generate digests and HMACs": {OpUse},
}

// keyOps are the operations done to a key.
func isKeyOp(op Op) bool { return op >= OpRead }

// everyKey is one key of each relation to s, kind and extractability.
func everyKey(s *Session) []*Object {
	var out []*Object
	for rel := relOwner; rel < numRels; rel++ {
		for kind := keyKind(0); kind < numKinds; kind++ {
			for _, x := range []bool{false, true} {
				o := &Object{Class: []Class{ClassPublic, ClassPrivate, ClassSecret}[kind%3], Token: kind < kindPublicSession,
					Owner: s.UserID + 1, Extractable: x}
				if !o.Token {
					o.Session = s.Name
				}
				switch rel {
				case relOwner:
					o.Owner = s.UserID
				case relShared:
					o.Shared = []int{s.UserID}
				}
				out = append(out, o)
			}
		}
	}
	return out
}

// possible reports whether s may do op at all: as a whole and, for an
// operation on keys, with at least one key; and another user as target for
// a password change.
func possible(s *Session, op Op) bool {
	if Check(s, op, nil) != RCSuccess {
		return false
	}
	if op == OpChangePassword {
		return Check(s, op, OnUser(&User{ID: s.UserID + 1, Type: RoleCU})) == RCSuccess
	}
	if !isKeyOp(op) {
		return true
	}
	for _, o := range everyKey(s) {
		if Check(s, op, OnKey(o)) == RCSuccess {
			return true
		}
	}
	return false
}

// TestAccessTableMatchesThePages checks the access table against every row
// and column of the permissions tables of the reference pages, read from
// the pages as they are.
func TestAccessTableMatchesThePages(t *testing.T) {
	dir := referenceDir(t)
	hsmUsers, err := os.ReadFile(filepath.Join(dir, "cloudhsm-docs", "hsm-users.md"))
	require.NoError(t, err)
	// hsm-users.md has no table of its own: it points to the page that has.
	require.Contains(t, string(hsmUsers), "manage-hsm-users-chsm-cli.md")
	pages := []string{
		filepath.Join("cloudhsm-docs", "manage-hsm-users-cmu.md"),
		filepath.Join("cloudhsm-docs", "manage-hsm-users-chsm-cli.md"),
		filepath.Join("cloudhsm-cli-docs", "user-permissions-table-chsm-cli.md"),
	}
	for _, page := range pages {
		t.Run(filepath.Base(page), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, page))
			require.NoError(t, err)
			pt, err := parsePermissionsTable(string(b))
			require.NoError(t, err)
			require.Len(t, pt.cols, 4, "the user types of %s", page)
			require.GreaterOrEqual(t, len(pt.rows), 10, "the operations of %s", page)
			for _, col := range pt.cols {
				require.Contains(t, pageColumns, col, "a user type of %s the test does not know", page)
			}
			for _, row := range pt.rows {
				ops, known := pageRows[row.label]
				require.True(t, known, "an operation of %s the test does not know: %q", page, row.label)
				for i, cell := range row.cells {
					for _, s := range pageColumns[pt.cols[i]] {
						for _, op := range ops {
							who := pt.cols[i]
							if s != nil {
								who = string(s.Role)
							}
							switch cell {
							case "Yes":
								assert.True(t, possible(s, op), "%s: %s may %s (%s)", page, who, row.label, op)
							case "No":
								assert.False(t, possible(s, op), "%s: %s may not %s (%s)", page, who, row.label, op)
							case "Not applicable":
								// Only without a login: there is no own password.
								assert.Nil(t, s)
								assert.Equal(t, RCNotLoggedIn, Check(s, op, nil), "%s: %s", page, row.label)
							default:
								t.Errorf("%s: %q has the answer %q", page, row.label, cell)
							}
						}
					}
				}
			}
		})
	}
}

// TestAccessTablePRECO: the precrypto officer, in no page's table, may do
// what any logged-in user does without keys and change its own password
// (which activates the cluster); nothing else.
func TestAccessTablePRECO(t *testing.T) {
	s := &Session{Name: "s1", UserID: 1, Role: RolePRECO}
	var may []Op
	for op := Op(0); op < numOps; op++ {
		if possible(s, op) {
			may = append(may, op)
		}
	}
	assert.Equal(t, []Op{OpClusterInfo, OpLoggedIn, OpListUsers, OpChangeOwnPassword, OpSyncStatus}, may)
	assert.Equal(t, RCSuccess, Check(s, OpChangePassword, OnUser(&User{ID: 1, Type: RolePRECO})), "its own")
	assert.Equal(t, RCOperationNotAllowed, Check(s, OpChangePassword, OnUser(&User{ID: 2, Type: RoleCU})))
}

// TestAccessTableNeedsALogin: a forgotten row would answer success for
// everyone; only the operations meant for sessions not logged in are open
// to them.
func TestAccessTableNeedsALogin(t *testing.T) {
	for op := Op(0); op < numOps; op++ {
		want := RCNotLoggedIn
		if op == OpClusterInfo || op == OpListUsers || op == OpLogin {
			want = RCSuccess
		}
		assert.Equal(t, want, Check(nil, op, nil), "%s", op)
		assert.Equal(t, want, Check(nil, op, OnKey(&Object{Token: true})), "%s with a key", op)
	}
	assert.Equal(t, "sync key", OpSyncKey.String())
	assert.Equal(t, RCInvalidInput, Check(nil, numOps, nil))
}

// TestAccessTableKeys spells out the seed walkthrough's sharing rules for a
// crypto user: the owner manages, exports, deletes and shares a key; users
// it is shared with only use it; every public key can be read and used; a
// key the user cannot see answers as an invalid handle.
func TestAccessTableKeys(t *testing.T) {
	me := &Session{Name: "s1", UserID: 3, Role: RoleCU}
	mine := &Object{Class: ClassSecret, Token: true, Owner: 3, Extractable: true}
	nex := &Object{Class: ClassSecret, Token: true, Owner: 3}
	shared := &Object{Class: ClassPrivate, Token: true, Owner: 4, Shared: []int{3}, Extractable: true}
	theirs := &Object{Class: ClassPrivate, Token: true, Owner: 4, Extractable: true}
	public := &Object{Class: ClassPublic, Token: true, Owner: 4, Extractable: true}
	myPublic := &Object{Class: ClassPublic, Token: true, Owner: 3}
	mySession := &Object{Class: ClassSecret, Owner: 3, Session: "s1", Extractable: true}
	otherSession := &Object{Class: ClassSecret, Owner: 3, Session: "s2", Extractable: true}
	cases := []struct {
		o    *Object
		op   Op
		want RC
	}{
		{mine, OpRead, RCSuccess}, {mine, OpReadAttributes, RCSuccess}, {mine, OpUse, RCSuccess}, {mine, OpExport, RCSuccess},
		{mine, OpDelete, RCSuccess}, {mine, OpShare, RCSuccess}, {mine, OpModify, RCSuccess},
		{mine, OpMask, RCSuccess}, {mine, OpSyncKey, RCSuccess}, {mine, OpExportPublic, RCInvalidInput},
		{nex, OpExport, RCKeyAccessDenied}, {nex, OpUse, RCSuccess},
		{shared, OpRead, RCSuccess}, {shared, OpUse, RCSuccess}, {shared, OpExport, RCKeyAccessDenied},
		{shared, OpDelete, RCKeyAccessDenied}, {shared, OpShare, RCKeyAccessDenied},
		{shared, OpModify, RCKeyAccessDenied}, {shared, OpMask, RCKeyAccessDenied},
		{shared, OpSyncKey, RCKeyAccessDenied},
		{theirs, OpRead, RCInvalidHandle}, {theirs, OpReadAttributes, RCInvalidHandle}, {theirs, OpUse, RCInvalidHandle}, {theirs, OpDelete, RCInvalidHandle},
		{theirs, OpSyncKey, RCKeyAccessDenied},
		{public, OpRead, RCSuccess}, {public, OpUse, RCSuccess}, {public, OpExportPublic, RCSuccess},
		{public, OpExport, RCKeyAccessDenied}, {public, OpDelete, RCKeyAccessDenied},
		{myPublic, OpExport, RCSuccess}, {myPublic, OpExportPublic, RCKeyAccessDenied},
		{myPublic, OpShare, RCInvalidInput},
		{mySession, OpUse, RCSuccess}, {mySession, OpExport, RCSuccess}, {mySession, OpSyncKey, RCInvalidHandle},
		{otherSession, OpRead, RCInvalidHandle}, {otherSession, OpDelete, RCInvalidHandle},
		{nil, OpRead, RCInvalidHandle},
	}
	for i, tc := range cases {
		assert.Equal(t, tc.want, Check(me, tc.op, OnKey(tc.o)), "case %d: %s", i, tc.op)
	}
	co := &Session{Name: "s3", UserID: 1, Role: RolePCO}
	assert.Equal(t, RCSuccess, Check(co, OpRead, OnKey(mine)), "officers see every token key")
	assert.Equal(t, RCInvalidHandle, Check(co, OpRead, OnKey(mySession)))
	assert.Equal(t, RCOperationNotAllowed, Check(co, OpReadAttributes, OnKey(mine)))
	assert.Equal(t, RCOperationNotAllowed, Check(co, OpReadAttributes, nil), "no key is needed to refuse")
	assert.Equal(t, RCSuccess, Check(co, OpSetTrusted, OnKey(theirs)), "admins set trusted on any key")
	assert.Equal(t, RCOperationNotAllowed, Check(me, OpSetTrusted, OnKey(mine)))
	assert.Equal(t, RCOperationNotAllowed, Check(co, OpModify, OnKey(mine)))
	assert.Equal(t, RCSuccess, Check(co, OpSyncKey, OnKey(shared)), "officers copy any key")
	assert.Equal(t, RCInvalidHandle, Check(co, OpSyncKey, OnKey(nil)))
	au := &Session{Name: "s4", UserID: 2, Role: RoleAU}
	assert.Equal(t, RCOperationNotAllowed, Check(au, OpSyncKey, OnKey(mine)))
	assert.Equal(t, RCSuccess, Check(au, OpListAllKeys, nil))
	assert.Equal(t, RCSuccess, Check(me, OpRead, nil), "which key decides")

	// findKey -u: the keys another crypto user may use.
	assert.True(t, usableBy(4, shared))
	assert.True(t, usableBy(4, public))
	assert.False(t, usableBy(4, mine))
	assert.True(t, usableBy(3, mySession))

	// Users as targets.
	assert.Equal(t, RCSuccess, Check(co, OpChangePassword, OnUser(&User{ID: 3, Type: RoleCU})))
	assert.Equal(t, RCOperationNotAllowed, Check(co, OpChangePassword, OnUser(&User{ID: 2, Type: RoleAU})))
	assert.Equal(t, RCSuccess, Check(au, OpChangePassword, OnUser(&User{ID: 2, Type: RoleAU})), "its own")
	assert.Equal(t, RCOperationNotAllowed, Check(me, OpChangePassword, OnUser(&User{ID: 4, Type: RoleCU})))
	assert.Equal(t, RCUserNotFound, Check(co, OpChangePassword, OnUser(nil)))
	assert.Equal(t, RCNotLoggedIn, Check(nil, OpChangePassword, OnUser(nil)))
	assert.Equal(t, RCInvalidInput, Check(me, OpRead, OnUser(&User{ID: 4})), "a key operation on a user")
}

func TestParsePermissionsTable(t *testing.T) {
	page := "# T\n\n| | CO | CU |\n| --- | --- | --- |\n| Get basic cluster info¹ | ![x](y.png) Yes | No |\n| Change own password | Yes | Not applicable |\ntext\n| | A |\n"
	pt, err := parsePermissionsTable(page)
	require.NoError(t, err)
	assert.Equal(t, []string{"CO", "CU"}, pt.cols)
	assert.Equal(t, []permRow{
		{"Get basic cluster info", []string{"Yes", "No"}},
		{"Change own password", []string{"Yes", "Not applicable"}},
	}, pt.rows)
	_, err = parsePermissionsTable("| | A |\n| --- | --- |\n| x | Yes | No |\n")
	assert.Error(t, err, "a row wider than its heading")
	_, err = parsePermissionsTable("no table\n")
	assert.Error(t, err)
}

func FuzzParsePermissionsTable(f *testing.F) {
	f.Add("| | CO | CU |\n| --- | --- | --- |\n| Get basic cluster info¹ | ![x](y.png) Yes | No |\n")
	f.Add("|\n| ---\n|")
	f.Add("| | \\(a\\) |\n| --- |\n| ![\\[x\\]](y) Yes |\n")
	f.Fuzz(func(t *testing.T, page string) {
		pt, err := parsePermissionsTable(page)
		if err != nil {
			return
		}
		for _, r := range pt.rows {
			if len(r.cells) != len(pt.cols) {
				t.Fatalf("row %q has %d cells for %d columns", r.label, len(r.cells), len(pt.cols))
			}
		}
	})
}

// TestShareWith: keys are shared with crypto users other than oneself.
func TestShareWith(t *testing.T) {
	me := &Session{Name: "s1", UserID: 3, Role: RoleCU}
	assert.Equal(t, RCSuccess, Check(me, OpShareWith, OnUser(&User{ID: 4, Type: RoleCU})))
	assert.Equal(t, RCInvalidInput, Check(me, OpShareWith, OnUser(&User{ID: 3, Type: RoleCU})), "oneself")
	assert.Equal(t, RCInvalidUserType, Check(me, OpShareWith, OnUser(&User{ID: 1, Type: RolePCO})))
	assert.Equal(t, RCUserNotFound, Check(me, OpShareWith, OnUser(nil)))
	co := &Session{Name: "s2", UserID: 1, Role: RoleCO}
	assert.Equal(t, RCOperationNotAllowed, Check(co, OpShareWith, OnUser(&User{ID: 4, Type: RoleCU})))

	// An officer's quorum key and tokens are its own.
	assert.Equal(t, RCSuccess, Check(co, OpQuorum, OnUser(&User{ID: 1, Type: RoleCO})))
	assert.Equal(t, RCOperationNotAllowed, Check(co, OpQuorum, OnUser(&User{ID: 5, Type: RoleCO})))
}
