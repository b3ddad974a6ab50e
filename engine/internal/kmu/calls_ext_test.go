package kmu_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// requireOK runs line and requires, from the result's calls rather than
// the text, that every call it made returned success.
func requireOK(t *testing.T, tl *kmu.Tool, line string) tool.Result {
	t.Helper()
	r := tl.Exec(line)
	require.NotEmpty(t, r.Calls, "%s: %s", line, r.Output)
	for _, c := range r.Calls {
		require.Equal(t, hsm.RCSuccess, c.RC, "%s: %s returned %s: %s", line, c.API, c.RC, r.Output)
	}
	return r
}
