package cli

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// TestEveryCommandAsksTheAccessTable: every registered command names its
// operations, and what the table lets each user type run is what the
// command's page says (its login: none, any user, crypto users or admins).
func TestEveryCommandAsksTheAccessTable(t *testing.T) {
	var registered, named []string
	for path := range commands {
		if path != "help" && path != "quit" {
			registered = append(registered, path)
		}
	}
	for path := range commandOps {
		named = append(named, path)
	}
	sort.Strings(registered)
	sort.Strings(named)
	assert.Equal(t, registered, named)

	sessions := map[string]*hsm.Session{
		"crypto-user": {Name: "s1", UserID: 3, Role: hsm.RoleCU},
		"admin":       {Name: "s2", UserID: 1, Role: hsm.RolePCO},
	}
	for path, c := range commands {
		if path == "help" || path == "quit" {
			continue
		}
		for role, s := range sessions {
			tl := &Tool{Session: s}
			want := c.login == "" || c.login == "any" || c.login == role
			if path == "login" {
				want = true // it answers "already logged in" itself
			}
			assert.Equal(t, want, tl.checkLogin(c) == nil, "%s as %s", path, role)
		}
		want := c.login == ""
		assert.Equal(t, want, (&Tool{}).checkLogin(c) == nil, "%s logged out", path)
	}
}

// TestAccessAnswers words the table's answers: admins list every token key
// without its attributes and set only the trusted attribute, crypto users
// do not set it, and public keys are not shared.
func TestAccessAnswers(t *testing.T) {
	tl := testTool(t)
	run(t, tl, "login --username admin --role admin --password password")
	out := run(t, tl, "key list --verbose --max-items 1")
	assert.Contains(t, out, `"label": "alice-aes256"`, "admins see the keys")
	assert.NotContains(t, out, `"key-type"`, "--verbose has no effect for admins")
	assert.Contains(t, run(t, tl, "key set-attribute --filter attr.label=alice-aes256 --name encrypt --value false"),
		"Admins may set only the trusted attribute")
	run(t, tl, "logout")

	run(t, tl, "login --username alice --role crypto-user --password password")
	assert.Contains(t, run(t, tl, "key set-attribute --filter attr.label=alice-aes256 --name trusted --value true"),
		"Only admins may set the trusted attribute")
	run(t, tl, "key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label pub-x --private-label priv-x")
	assert.Contains(t, run(t, tl, "key share --filter attr.label=pub-x --username cu1 --role crypto-user"),
		"Public keys are available to every crypto user and cannot be shared")
}
