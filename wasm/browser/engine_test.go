package main

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/state"
)

// brStore is what IndexedDB holds for one workspace in these tests.
type brStore map[string][]byte

func (s brStore) apply(d *delta) {
	if d == nil {
		return
	}
	for _, k := range d.Dels {
		delete(s, k)
	}
	maps.Copy(s, d.Puts)
}

// brOpen opens the default workspace and returns the engine and its store.
func brOpen(t *testing.T) (*engine, brStore) {
	t.Helper()
	recs, err := defaultRecords()
	require.NoError(t, err)
	e := &engine{}
	op, err := e.open(recs, state.RecordSchema, "1")
	require.NoError(t, err)
	assert.Equal(t, "$ ", op.Prompt)
	assert.Equal(t, "host", op.Mode)
	return e, brStore(maps.Clone(recs))
}

// brRun runs lines, committing each delta to store as the worker does.
func brRun(t *testing.T, e *engine, store brStore, lines ...string) execResult {
	t.Helper()
	var res execResult
	for _, l := range lines {
		var err error
		res, err = e.exec(l)
		require.NoError(t, err, l)
		if res.Changed {
			require.NotNil(t, res.delta, "a change comes with records to commit: %s", l)
		}
		store.apply(res.delta)
		e.saved()
	}
	return res
}

func TestEngineCommitsOnlyTheChange(t *testing.T) {
	e, store := brOpen(t)
	res := brRun(t, e, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password")
	assert.Equal(t, "Command: ", res.Prompt)
	res = brRun(t, e, store, "genSymKey -t 31 -s 32 -l aes256")
	assert.Contains(t, res.Output, "Symmetric Key Created.  Key Handle: 524295")
	require.NotNil(t, res.delta)
	assert.Equal(t, []string{"k/524295", "meta"}, slicesSorted(res.delta.Puts))
	assert.Positive(t, res.EngineMs)

	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"prompt":"Command: "`)
	assert.Contains(t, string(b), `"engineMs":`)

	res = brRun(t, e, store, "getKeyInfo -k 524295")
	assert.False(t, res.Changed)
	assert.Nil(t, res.delta, "a read-only command writes nothing")

	// What was committed opens to the same workspace, without the login.
	e2 := &engine{}
	_, err = e2.open(store, state.RecordSchema, "")
	require.NoError(t, err)
	sum, err := e2.summary()
	require.NoError(t, err)
	assert.Contains(t, brHandles(sum.Keys), uint64(524295))
	assert.Equal(t, "host", sum.Mode)
}

// brPayloads checks stored (sealed) records and returns their payloads,
// for state.FromRecords.
func brPayloads(t *testing.T, recs map[string][]byte) map[string][]byte {
	t.Helper()
	p, _, err := state.OpenRecords(recs, state.RecordSchema)
	require.NoError(t, err)
	return p
}

func slicesSorted(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }

func brHandles(keys []shell.KeySummary) []uint64 {
	var out []uint64
	for _, k := range keys {
		out = append(out, k.Handle)
	}
	return out
}

func TestEngineQuestionPrompts(t *testing.T) {
	e, store := brOpen(t)
	res := brRun(t, e, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "exit", "cloudhsm_mgmt_util")
	assert.Equal(t, "cloudhsm_mgmt_util", res.Mode)
	assert.Equal(t, "aws-cloudhsm>", res.Prompt)
	brRun(t, e, store, "loginHSM CU alice password")
	res = brRun(t, e, store, "shareKey 524288 3 0")
	assert.True(t, res.Asking)
	assert.Equal(t, "Do you want to continue(y/n)?", res.Prompt)
	res, err := e.interrupt()
	require.NoError(t, err)
	assert.False(t, res.Asking)
	assert.Equal(t, "aws-cloudhsm>", res.Prompt)
}

func TestEngineReloadKeepsLoginAndSessionKeys(t *testing.T) {
	a, store := brOpen(t)
	brRun(t, a, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 16 -sess -l mine")

	// Another tab commits a key to the same store.
	b := &engine{}
	_, err := b.open(maps.Clone(store), state.RecordSchema, "2")
	require.NoError(t, err)
	brRun(t, b, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l theirs")

	op, err := a.reload(store, state.RecordSchema)
	require.NoError(t, err)
	assert.Equal(t, "Command: ", op.Prompt, "this tab's tool keeps running")
	res := brRun(t, a, store, "findKey -l theirs")
	assert.NotContains(t, res.Output, "not logged in")
	sum, err := a.summary()
	require.NoError(t, err)
	var labels []string
	for _, k := range sum.Keys {
		labels = append(labels, k.Label)
	}
	assert.Contains(t, labels, "theirs")
	assert.Contains(t, labels, "mine", "this tab's session key stays")

	// The next change of this tab writes on top of the other tab's.
	brRun(t, a, store, "genSymKey -t 31 -s 32 -l after")
	c, _, err := state.FromRecords(brPayloads(t, store))
	require.NoError(t, err)
	var saved []string
	for _, o := range c.Nodes[0].AllObjects() {
		saved = append(saved, o.Label)
	}
	assert.Contains(t, saved, "theirs")
	assert.Contains(t, saved, "after")
	assert.NotContains(t, saved, "mine")
}

func TestEngineRefusesDamagedAndNewer(t *testing.T) {
	recs, err := defaultRecords()
	require.NoError(t, err)
	bad := maps.Clone(recs)
	bad["k/524288"] = state.SealRecord("k/524288", []byte("{broken"))
	e := &engine{}
	_, err = e.open(bad, state.RecordSchema, "")
	require.Error(t, err)
	assert.Equal(t, kindDamaged, errorKind(err))
	assert.Contains(t, err.Error(), `record "k/524288" cannot be read`)
	_, err = e.exec("ls")
	assert.Equal(t, kindClosed, errorKind(err))

	newer := maps.Clone(recs)
	meta, err := state.OpenRecord("meta", recs["meta"])
	require.NoError(t, err)
	newer["meta"] = state.SealRecord("meta", []byte(strings.Replace(string(meta), `"version":1`, `"version":99`, 1)))
	_, err = e.open(newer, state.RecordSchema, "")
	assert.Equal(t, kindTooNew, errorKind(err))

	_, err = e.open(recs, state.RecordSchema, "x")
	assert.Equal(t, kindInvalid, errorKind(err))

	b, skipped, err := salvage("damaged", []string{"ls"}, bad, state.RecordSchema, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"k/524288"}, skipped)
	name, history, got, err := importBackup(b)
	require.NoError(t, err)
	assert.Equal(t, "damaged", name)
	assert.Equal(t, []string{"ls"}, history)
	assert.NotContains(t, got, "k/524288")
	assert.Contains(t, got, "k/524289")
}

// A flipped byte in any stored record refuses the workspace as damaged,
// naming the record; salvaging it keeps every other record.
func TestEngineRefusesRecordsNotMatchingTheirChecksum(t *testing.T) {
	e, store := brOpen(t)
	brRun(t, e, store, "echo hello > note.txt", "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l kept")
	for _, key := range slicesSorted(store) {
		for _, at := range []int{0, len(store[key]) / 2, len(store[key]) - 1} {
			bad := maps.Clone(store)
			b := slices.Clone(store[key])
			b[at] ^= 0x20
			bad[key] = b
			e2 := &engine{}
			_, err := e2.open(bad, state.RecordSchema, "")
			require.Error(t, err, "%s byte %d", key, at)
			assert.Equal(t, kindDamaged, errorKind(err))
			assert.Equal(t, `workspace is damaged: record "`+key+`" does not match its checksum`, err.Error())
			_, err = e2.exec("ls")
			assert.Equal(t, kindClosed, errorKind(err), "nothing runs on a damaged workspace")
			if key == "meta" {
				_, _, err := salvage("ws", nil, bad, state.RecordSchema, nil)
				assert.Equal(t, kindDamaged, errorKind(err), "without its meta record nothing can be salvaged")
				continue
			}
			backup, skipped, err := salvage("ws", nil, bad, state.RecordSchema, nil)
			require.NoError(t, err)
			assert.Equal(t, []string{key}, skipped)
			_, _, got, err := importBackup(backup)
			require.NoError(t, err)
			want := maps.Clone(store)
			delete(want, key)
			delete(got, "meta")
			delete(want, "meta")
			assert.Equal(t, want, brStore(got), "everything but %s is kept", key)
		}
	}
}

// A workspace stored before records had checksums (schema 1: the bare
// records) opens, says it must be rewritten, and its records as rewritten
// (the "records" call) are sealed, open under the current schema and hold
// the same workspace; after that a command's delta applies to them.
func TestEngineMigratesRecordsWithoutChecksums(t *testing.T) {
	e, store := brOpen(t)
	brRun(t, e, store, "echo hello > note.txt", "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l kept")
	old := map[string][]byte{}
	for k, v := range store {
		p, err := state.OpenRecord(k, v)
		require.NoError(t, err)
		old[k] = p
	}
	_, err := (&engine{}).open(old, state.RecordSchema, "")
	require.Error(t, err, "bare records are not taken for sealed ones")
	assert.Equal(t, kindDamaged, errorKind(err))

	e2 := &engine{}
	op, err := e2.open(old, 1, "")
	require.NoError(t, err)
	assert.True(t, op.Rewrite, "a schema 1 workspace asks to be rewritten")
	rewritten, err := e2.records()
	require.NoError(t, err)
	assert.Equal(t, store, brStore(rewritten), "the rewrite holds the same records, sealed")

	migrated := brStore(rewritten)
	e3 := &engine{}
	op, err = e3.open(migrated, state.RecordSchema, "")
	require.NoError(t, err)
	assert.False(t, op.Rewrite)
	res := brRun(t, e3, migrated, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l after")
	assert.Contains(t, res.Output, "Key Handle: 524296")
	_, err = (&engine{}).open(migrated, state.RecordSchema, "")
	require.NoError(t, err)

	// Salvaging a damaged schema 1 workspace reads it without checksums.
	old["k/524295"] = []byte("{broken")
	_, err = (&engine{}).open(old, 1, "")
	assert.Equal(t, kindDamaged, errorKind(err))
	_, skipped, err := salvage("old", nil, old, 1, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"k/524295"}, skipped)
}

func TestEngineBackupRoundTrip(t *testing.T) {
	e, store := brOpen(t)
	brRun(t, e, store, "echo hello > note.txt", "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l kept")
	b, err := e.exportBackup("work", []string{"echo hello > note.txt", "genSymKey -t 31 -s 32 -l kept"})
	require.NoError(t, err)
	assert.Contains(t, string(b), `"format": "hsmsim-backup"`)

	name, history, recs, err := importBackup(b)
	require.NoError(t, err)
	assert.Equal(t, "work", name)
	assert.Len(t, history, 2)
	note, err := state.OpenRecord("f/note.txt", recs["f/note.txt"])
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(note))
	assert.Equal(t, store, brStore(recs), "a backup holds exactly what the workspace's records hold")

	// A bare state document, as hsmsim --state writes it, imports too.
	doc, err := e.snapshot()
	require.NoError(t, err)
	name, history, recs2, err := importBackup(doc)
	require.NoError(t, err)
	assert.Empty(t, name)
	assert.Empty(t, history)
	assert.Equal(t, recs, recs2)

	for _, tc := range []struct{ in, kind, msg string }{
		{"not json", kindInvalid, "not a hsmsim backup"},
		{`{"format":"other"}`, kindInvalid, `format "other"`},
		{`{"format":"hsmsim-backup","version":7}`, kindTooNew, "backup version 7"},
		{`{"format":"hsmsim-backup","version":1,"state":{"format":"hsmsim-workspace","version":5}}`, kindTooNew, "newer version"},
		{`{"format":"hsmsim-backup","version":1,"state":{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[]}}}`, kindInvalid, "damaged"},
	} {
		_, _, _, err := importBackup([]byte(tc.in))
		require.Error(t, err, tc.in)
		assert.Equal(t, tc.kind, errorKind(err), tc.in)
		assert.Contains(t, err.Error(), tc.msg)
	}
}

func TestEngineFiles(t *testing.T) {
	e, store := brOpen(t)
	d, err := e.writeFile("up.bin", []byte{0, 1, 2})
	require.NoError(t, err)
	assert.Equal(t, []string{"f/up.bin", "meta"}, slicesSorted(d.Puts))
	store.apply(d)
	e.saved()
	got, err := e.readFile("up.bin")
	require.NoError(t, err)
	assert.Equal(t, []byte{0, 1, 2}, got)
	_, err = e.writeFile("../x", nil)
	assert.Equal(t, kindInvalid, errorKind(err))
	d, err = e.removeFile("up.bin")
	require.NoError(t, err)
	assert.Equal(t, []string{"f/up.bin"}, d.Dels)
	_, err = e.readFile("up.bin")
	assert.ErrorContains(t, err, "up.bin: no such file")
	fs, err := e.listFiles()
	require.NoError(t, err)
	assert.NotEmpty(t, fs)

	// An upload or a removal the store refused is rolled back as well.
	_, err = e.rollback(store, state.RecordSchema)
	require.NoError(t, err)
	got, err = e.readFile("up.bin")
	require.NoError(t, err, "the refused removal is undone")
	assert.Equal(t, []byte{0, 1, 2}, got)
	_, err = e.writeFile("refused.bin", []byte{9})
	require.NoError(t, err)
	_, err = e.rollback(store, state.RecordSchema)
	require.NoError(t, err)
	_, err = e.readFile("refused.bin")
	assert.ErrorContains(t, err, "refused.bin: no such file")
	d, err = e.writeFile("later.bin", []byte{7})
	require.NoError(t, err)
	assert.Equal(t, []string{"f/later.bin", "meta"}, slicesSorted(d.Puts), "nothing undone is written later")
	assert.Empty(t, d.Dels)
}

// History keeps lines as the engine masks them: passwords on the line and
// hidden answers never reach it.
func TestEngineMasksLinesForHistory(t *testing.T) {
	e, store := brOpen(t)
	res := brRun(t, e, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password")
	assert.Equal(t, "loginHSM -u CU -s example_user -p ********", res.Masked)
	res = brRun(t, e, store, "logoutHSM", "loginHSM -u CU -s alice -hpswd")
	assert.Equal(t, "loginHSM -u CU -s alice -hpswd", res.Masked)
	require.True(t, res.Secret)
	res = brRun(t, e, store, "password")
	assert.Equal(t, "********", res.Masked)
	res = brRun(t, e, store, "genSymKey -t 31 -s 32 -l k")
	assert.Equal(t, "genSymKey -t 31 -s 32 -l k", res.Masked)
}

// A save that fails is rolled back before anything else runs: the engine
// returns to what the store holds, and the next delta is complete against
// it (the two-tab case of a full disk: the other tab's key comes in, this
// tab's undone key never reaches the store).
func TestEngineRollbackAfterAFailedSave(t *testing.T) {
	a, store := brOpen(t)
	brRun(t, a, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 16 -sess -l mine")

	res, err := a.exec("genSymKey -t 31 -s 32 -l unsaved")
	require.NoError(t, err)
	require.NotNil(t, res.delta)
	assert.Contains(t, res.Output, "Key Handle: 524296")
	// The store refused the delta; another tab then commits its key.
	b := &engine{}
	_, err = b.open(maps.Clone(store), state.RecordSchema, "2")
	require.NoError(t, err)
	brRun(t, b, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 32 -l theirs")

	op, err := a.rollback(store, state.RecordSchema)
	require.NoError(t, err)
	assert.Equal(t, "Command: ", op.Prompt, "the login stays")
	labels := func() []string {
		sum, err := a.summary()
		require.NoError(t, err)
		var out []string
		for _, k := range sum.Keys {
			out = append(out, k.Label)
		}
		return out
	}
	assert.Contains(t, labels(), "mine", "the session key made before stays")
	assert.Contains(t, labels(), "theirs")
	assert.NotContains(t, labels(), "unsaved")

	// Nothing of the undone command is left for the next delta to write.
	res = brRun(t, a, store, "genSymKey -t 31 -s 32 -l after")
	assert.Contains(t, res.Output, "Key Handle: 524297")
	assert.Equal(t, []string{"k/524297", "meta"}, slicesSorted(res.delta.Puts))
	c, _, err := state.FromRecords(brPayloads(t, store))
	require.NoError(t, err)
	var saved []string
	for _, o := range c.Nodes[0].AllObjects() {
		saved = append(saved, o.Label)
	}
	assert.Contains(t, saved, "theirs")
	assert.Contains(t, saved, "after")
	assert.NotContains(t, saved, "unsaved")

	// A damaged store is refused as damaged, and the engine stays as it was.
	bad := maps.Clone(store)
	bad["k/524297"] = []byte("{not json")
	_, err = a.rollback(bad, state.RecordSchema)
	require.Error(t, err)
	assert.Equal(t, kindDamaged, errorKind(err))
	assert.Contains(t, labels(), "after")
}

// A key whose stored material does not agree with its attributes (here its
// check value, in a record with a valid checksum) does not stop the
// workspace opening: its attributes read as before, and the first command
// that uses its material is refused with the simulator's code for a
// damaged key, never a panic; the other keys work.
func TestEngineKeyMaterialIsCheckedAtFirstUse(t *testing.T) {
	recs, err := defaultRecords()
	require.NoError(t, err)
	payload, err := state.OpenRecord("k/524288", recs["k/524288"])
	require.NoError(t, err)
	var copies map[string]any
	require.NoError(t, json.Unmarshal(payload, &copies))
	copies["0"].(map[string]any)["kcv"] = "AAAA" // every HSM's copy is HSM 0's
	b, err := json.Marshal(copies)
	require.NoError(t, err)
	recs["k/524288"] = state.SealRecord("k/524288", b)

	e := &engine{}
	_, err = e.open(recs, state.RecordSchema, "1")
	require.NoError(t, err, "the material is checked at first use, not on open")
	store := brStore(maps.Clone(recs))
	brRun(t, e, store, "key_mgmt_util", "loginHSM -u CU -s alice -p password")
	res := brRun(t, e, store, "getKeyInfo -k 524288")
	assert.Contains(t, res.Output, "Cfm3GetKey returned: 0x00 : HSM Return: SUCCESS")
	for _, line := range []string{
		"wrapKey -k 524288 -w 524288 -m 4 -out w.bin",
		"exSymKey -k 524288 -w 524288 -out k.bin",
	} {
		res = brRun(t, e, store, line)
		assert.Contains(t, res.Output, "0xe8 : HSM Error: The key's saved material does not agree with its attributes", line)
	}
	res = brRun(t, e, store, "genSymKey -t 31 -s 32 -l fresh")
	assert.Contains(t, res.Output, "Key Handle: 524295")
	res = brRun(t, e, store, "wrapKey -k 524295 -w 524295 -m 4 -out w.bin")
	assert.Contains(t, res.Output, "returned: 0x00", "an undamaged key works")
}

// The summary the worker hands the panels is the summary, encoded, after
// every kind of command, whether it changed the workspace or not.
func TestSummaryJSONIsTheSummary(t *testing.T) {
	e, store := brOpen(t)
	check := func(what string) {
		t.Helper()
		sum, err := e.summary()
		require.NoError(t, err)
		want, err := json.Marshal(sum)
		require.NoError(t, err)
		got, err := e.summaryJSON()
		require.NoError(t, err)
		assert.Equal(t, string(want), got, what)
	}
	check("at the start")
	for _, l := range []string{"key_mgmt_util", "loginHSM -u CU -s example_user -p password",
		"getKeyInfo -k 524291", "genSymKey -t 31 -s 32 -l aes256", "getKeyInfo -k 524295",
		"deleteKey -k 524295", "exit", "cluster node 1 down", "echo x > f.txt"} {
		brRun(t, e, store, l)
		check("after " + l)
	}
	sum, err := e.summary()
	require.NoError(t, err)
	assert.NotContains(t, brHandles(sum.Keys), uint64(524295), "the deleted key is gone from the panels")
	assert.False(t, sum.Nodes[1].Up)
	got, err := e.summaryJSON()
	require.NoError(t, err)
	assert.Contains(t, got, `"name":"f.txt"`)
	e.sess = nil
	_, err = e.summaryJSON()
	assert.ErrorIs(t, err, errClosed)
}

// A key record whose checksum and top level are sound but whose copy is
// not (a saved key with an owner the HSM does not have) is decoded, and
// found damaged, by the first command that reaches the key: that command's
// answer is withheld with the damage, nothing is saved, and the workspace
// is closed as when opening refuses it. Commands before it, which did not
// reach the key, ran as usual.
func TestEngineFindsADamagedKeyAtItsFirstUse(t *testing.T) {
	recs, err := defaultRecords()
	require.NoError(t, err)
	payload, err := state.OpenRecord("k/524289", recs["k/524289"])
	require.NoError(t, err)
	bad := maps.Clone(recs)
	bad["k/524289"] = state.SealRecord("k/524289", []byte(strings.Replace(string(payload), `"owner":4`, `"owner":77`, 1)))
	require.NotEqual(t, string(recs["k/524289"]), string(bad["k/524289"]))

	e := &engine{}
	_, err = e.open(bad, state.RecordSchema, "1")
	require.NoError(t, err, "opening reads the record's checksum and top level only")
	store := brStore(maps.Clone(bad))
	res := brRun(t, e, store, "key_mgmt_util", "loginHSM -u CU -s example_user -p password", "getKeyInfo -k 524291")
	assert.Contains(t, res.Output, "Cfm3GetKey returned: 0x00 : HSM Return: SUCCESS")

	_, err = e.exec("getKeyInfo -k 524289")
	require.Error(t, err)
	assert.Equal(t, kindDamaged, errorKind(err))
	assert.Equal(t, "workspace is damaged: HSM 0: key 524289 has owner 77 is not a crypto user of this HSM", err.Error())
	_, err = e.exec("listUsers")
	assert.Equal(t, kindClosed, errorKind(err), "the workspace is closed")
	_, err = e.summary()
	assert.Equal(t, kindClosed, errorKind(err))

	// The panels' summary, which looks at every key, finds it too.
	e2 := &engine{}
	_, err = e2.open(bad, state.RecordSchema, "1")
	require.NoError(t, err)
	_, err = e2.summaryJSON()
	assert.Equal(t, kindDamaged, errorKind(err))
}
