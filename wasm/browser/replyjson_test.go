package main

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/state"
)

func requireMarshalled(t testing.TB, o opened) {
	want, err := json.Marshal(o)
	require.NoError(t, err)
	got, err := openedJSON(o, nil)
	require.NoError(t, err)
	require.Equal(t, string(want), got)
}

// The replies to opening a workspace, to reloading it in each tool and to
// a rollback, and one of a schema 1 workspace (rewrite), are what
// json.Marshal writes for them.
func TestOpenedJSONIsJSONMarshal(t *testing.T) {
	recs, err := defaultRecords()
	require.NoError(t, err)
	e := &engine{}
	op, err := e.open(recs, state.RecordSchema, "1")
	require.NoError(t, err)
	requireMarshalled(t, op)
	store := brStore(maps.Clone(recs))
	for _, l := range []string{"key_mgmt_util", "exit", "cloudhsm_mgmt_util", "loginHSM CO admin password", "quit", "cloudhsm-cli interactive"} {
		brRun(t, e, store, l)
		op, err := e.reload(store, state.RecordSchema)
		require.NoError(t, err)
		requireMarshalled(t, op)
		op, err = e.rollback(store, state.RecordSchema)
		require.NoError(t, err)
		requireMarshalled(t, op)
	}
	old := map[string][]byte{}
	for k, v := range store {
		p, err := state.OpenRecord(k, v)
		require.NoError(t, err)
		old[k] = p
	}
	op, err = (&engine{}).open(old, 1, "")
	require.NoError(t, err)
	require.True(t, op.Rewrite)
	requireMarshalled(t, op)
	_, err = openedJSON(opened{}, errClosed)
	require.ErrorIs(t, err, errClosed)
}

// FuzzOpenedJSON: a reply of any prompt and mode is written as
// json.Marshal writes it.
func FuzzOpenedJSON(f *testing.F) {
	f.Add("aws-cloudhsm > ", "cloudhsm_mgmt_util", false)
	f.Add("Command: ", "key_mgmt_util", true)
	f.Add("<&>\u2028\xff\x00\"\\", "", false)
	f.Fuzz(func(t *testing.T, prompt, mode string, rewrite bool) {
		requireMarshalled(t, opened{Prompt: prompt, Mode: mode, Rewrite: rewrite})
	})
}

// The answers to the lines of each tool, a password's among them, are
// what json.Marshal writes for them, whatever the engine's time.
func TestExecResultJSONIsJSONMarshal(t *testing.T) {
	e, store := brOpen(t)
	for _, l := range []string{"ls", "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l <k&y>",
		"findKey", "getKeyInfo -k 524291", "exit", "cloudhsm_mgmt_util", "loginHSM CO admin password", "listUsers", "findAllKeys 3 0", "quit",
		"cloudhsm-cli interactive", "login --username example_user --role crypto-user", "password", "key list", "quit"} {
		res := brRun(t, e, store, l)
		for _, ms := range []float64{res.EngineMs, 0, 0.001, 12.5, 1234.567, 1e-7} {
			res.EngineMs = ms
			want, err := json.Marshal(res)
			require.NoError(t, err)
			require.Equal(t, string(want), string(res.appendJSON()), l)
		}
	}
}
