package kmu

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// TestEveryCommandHasAnAccessOp: the dispatcher asks the access table for
// every command, so every registered command names its operation, and
// nothing is named that is not registered. A command that runs without a
// login either needs nothing from the table or answers it itself.
func TestEveryCommandHasAnAccessOp(t *testing.T) {
	var registered, named []string
	for name := range commands {
		registered = append(registered, name)
	}
	for name := range commandOps {
		named = append(named, name)
	}
	sort.Strings(registered)
	sort.Strings(named)
	assert.Equal(t, registered, named)

	answersItself := map[string]bool{"loginHSM": true, "getCert": true}
	for name, c := range commands {
		open := hsm.Check(nil, commandOps[name], nil) == hsm.RCSuccess
		if c.NoLogin && !answersItself[name] {
			assert.True(t, open, "%s runs without a login, but the table wants one for %s", name, commandOps[name])
		}
		if !c.NoLogin {
			assert.Equal(t, hsm.RCNotLoggedIn, (&Tool{}).mayRun(c), "%s needs a login", name)
		}
	}
}
