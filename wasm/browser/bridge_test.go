//go:build js && wasm

package main

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brAPI installs a fresh engine and returns globalThis.hsmsimEngine.
func brAPI(t *testing.T) (safejs.Value, chan int) {
	t.Helper()
	quit := make(chan int, 1)
	require.NoError(t, install(&engine{}, quit))
	api, err := safejs.Global().Get("hsmsimEngine")
	require.NoError(t, err)
	return api, quit
}

// brCall calls api[name](args...) and waits for its Promise: the value it
// resolved to, or the Error it was rejected with.
func brCall(t *testing.T, api safejs.Value, name string, args ...any) (safejs.Value, safejs.Value) {
	t.Helper()
	p, err := api.Call(name, args...)
	require.NoError(t, err, name)
	promise, err := safejs.Global().Get("Promise")
	require.NoError(t, err)
	ok, err := p.InstanceOf(promise)
	require.NoError(t, err)
	require.True(t, ok, "%s returns a Promise", name)

	type settled struct{ v, err safejs.Value }
	ch := make(chan settled, 1)
	onOK, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		ch <- settled{v: a[0], err: safejs.Undefined()}
		return nil
	})
	require.NoError(t, err)
	defer onOK.Release()
	onErr, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		ch <- settled{v: safejs.Undefined(), err: a[0]}
		return nil
	})
	require.NoError(t, err)
	defer onErr.Release()
	_, err = p.Call("then", onOK, onErr)
	require.NoError(t, err)
	s := <-ch
	return s.v, s.err
}

// brOK calls and requires success.
func brOK(t *testing.T, api safejs.Value, name string, args ...any) safejs.Value {
	t.Helper()
	v, e := brCall(t, api, name, args...)
	if !e.IsUndefined() {
		msg, _ := e.Get("message")
		s, _ := msg.String()
		t.Fatalf("%s rejected: %s", name, s)
	}
	return v
}

func brString(t *testing.T, v safejs.Value, prop string) string {
	t.Helper()
	if prop != "" {
		var err error
		v, err = v.Get(prop)
		require.NoError(t, err)
	}
	s, err := v.String()
	require.NoError(t, err)
	return s
}

// brKind returns a rejection's kind and message.
func brKind(t *testing.T, e safejs.Value) (string, string) {
	t.Helper()
	require.False(t, e.IsUndefined(), "the call was rejected")
	return brString(t, e, "kind"), brString(t, e, "message")
}

func brReply(t *testing.T, v safejs.Value) execResult {
	t.Helper()
	var r execResult
	require.NoError(t, json.Unmarshal([]byte(brString(t, v, "reply")), &r))
	return r
}

func brKeys(t *testing.T, recs safejs.Value) []string {
	t.Helper()
	keys, err := recs.Get("keys")
	require.NoError(t, err)
	n, err := keys.Length()
	require.NoError(t, err)
	var out []string
	for i := 0; i < n; i++ {
		k, err := keys.Index(i)
		require.NoError(t, err)
		out = append(out, brString(t, k, ""))
	}
	return out
}

func TestBridgeRunsLinesAndHandsOutRecords(t *testing.T) {
	api, _ := brAPI(t)
	_, e := brCall(t, api, "exec", "ls")
	kind, _ := brKind(t, e)
	assert.Equal(t, kindClosed, kind)

	recs := brOK(t, api, "defaults")
	assert.Contains(t, brKeys(t, recs), "meta")
	assert.Contains(t, brKeys(t, recs), "k/524288")
	var op opened
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "open", recs, "1"), "")), &op))
	assert.Equal(t, opened{Prompt: "$ ", Mode: "host"}, op)

	brOK(t, api, "exec", "key_mgmt_util")
	v := brOK(t, api, "exec", "loginHSM -u CU -s example_user -p password")
	assert.Equal(t, "Command: ", brReply(t, v).Prompt)
	v = brOK(t, api, "exec", "genSymKey -t 31 -s 32 -l aes256")
	r := brReply(t, v)
	assert.True(t, r.Changed)
	assert.Contains(t, r.Output, "Key Handle: 524295")
	puts, err := v.Get("puts")
	require.NoError(t, err)
	assert.Equal(t, []string{"k/524295", "meta"}, brKeys(t, puts))
	values, err := puts.Get("values")
	require.NoError(t, err)
	first, err := values.Index(0)
	require.NoError(t, err)
	u8, err := safejs.Global().Get("Uint8Array")
	require.NoError(t, err)
	isU8, err := first.InstanceOf(u8)
	require.NoError(t, err)
	assert.True(t, isU8, "record values are Uint8Arrays")
	brOK(t, api, "saved")

	v = brOK(t, api, "exec", "getKeyInfo -k 524295")
	puts, err = v.Get("puts")
	require.NoError(t, err)
	assert.True(t, puts.IsNull(), "a read-only line has nothing to commit")

	var cands []string
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "complete", "genSym"), "")), &cands))
	assert.Equal(t, []string{"genSymKey"}, cands)

	var notes []map[string]string
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "completions", "genECCKeyPair -i 1"), "")), &notes))
	assert.Equal(t, []map[string]string{{"word": "13", "note": "NID_secp224r1"}, {"word": "14", "note": "NID_secp384r1"}, {"word": "15", "note": "NID_secp521r1"}, {"word": "16", "note": "NID_secp256k1"}}, notes)
}

func TestBridgeRejectsBadArguments(t *testing.T) {
	api, _ := brAPI(t)
	brOK(t, api, "open", brOK(t, api, "defaults"), "")
	for _, c := range []struct {
		name string
		args []any
	}{
		{"exec", nil},
		{"exec", []any{42}},
		{"open", []any{"records"}},
		{"writeFile", []any{"a.bin", "not bytes"}},
		{"importBackup", []any{"not bytes"}},
		{"exportBackup", []any{"w", "not json"}},
	} {
		_, e := brCall(t, api, c.name, c.args...)
		kind, msg := brKind(t, e)
		assert.Equal(t, kindInvalid, kind, "%s %v: %s", c.name, c.args, msg)
	}
	bad := brOK(t, api, "defaults")
	values, err := bad.Get("values")
	require.NoError(t, err)
	enc, err := safejs.Global().Get("TextEncoder")
	require.NoError(t, err)
	te, err := enc.New()
	require.NoError(t, err)
	garbage, err := te.Call("encode", "{nope")
	require.NoError(t, err)
	idx := -1
	for i, k := range brKeys(t, bad) {
		if k == "k/524288" {
			idx = i
		}
	}
	require.NoError(t, values.SetIndex(idx, garbage))
	_, e := brCall(t, api, "open", bad, "")
	kind, msg := brKind(t, e)
	assert.Equal(t, kindDamaged, kind)
	assert.Equal(t, `workspace is damaged: record "k/524288" does not match its checksum`, msg)

	// Sealed records said to be of schema 1 (before checksums) are read
	// as bare records, and do not decode: nothing loads silently.
	require.NoError(t, bad.Set("schema", 1))
	_, e = brCall(t, api, "open", bad, "")
	kind, msg = brKind(t, e)
	assert.Equal(t, kindDamaged, kind)
	assert.Contains(t, msg, `record "meta" cannot be read`)
	require.NoError(t, bad.Set("schema", "2"))
	_, e = brCall(t, api, "open", bad, "")
	kind, _ = brKind(t, e)
	assert.Equal(t, kindInvalid, kind, "a schema is a number")
	require.NoError(t, bad.Set("schema", 3))
	_, e = brCall(t, api, "open", bad, "")
	kind, _ = brKind(t, e)
	assert.Equal(t, kindTooNew, kind)
	require.NoError(t, bad.Delete("schema"))

	// A stored value that is not bytes at all marks only this workspace
	// damaged, and salvage leaves that record out.
	require.NoError(t, values.SetIndex(idx, "not bytes"))
	_, e = brCall(t, api, "open", bad, "")
	kind, msg = brKind(t, e)
	assert.Equal(t, kindDamaged, kind)
	assert.Contains(t, msg, `record "k/524288" is not a Uint8Array`)
	sv := brOK(t, api, "salvage", "w", "[]", bad)
	skipped, err := sv.Get("skipped")
	require.NoError(t, err)
	n, err := skipped.Length()
	require.NoError(t, err)
	require.Equal(t, 1, n)
	first, err := skipped.Index(0)
	require.NoError(t, err)
	str, err := first.String()
	require.NoError(t, err)
	assert.Equal(t, "k/524288", str)
	// The engine still opens a sound workspace afterwards.
	brOK(t, api, "open", brOK(t, api, "defaults"), "")

	// Whatever else a damaged store holds in a record's place, and whether
	// the records are opened, read back after another tab's change, or read
	// back to undo a change that was not saved: damaged, this workspace
	// only, and the open session is left as it was.
	object, err := safejs.Global().Get("Object")
	require.NoError(t, err)
	plain, err := object.New()
	require.NoError(t, err)
	array, err := safejs.Global().Get("Array")
	require.NoError(t, err)
	list, err := array.New(1, 2, 3)
	require.NoError(t, err)
	brOK(t, api, "exec", "echo kept > kept.txt")
	for _, v := range []any{nil, 42, "not bytes", plain, list} {
		require.NoError(t, values.SetIndex(idx, v))
		for _, op := range []string{"reload", "rollback", "open"} {
			_, e := brCall(t, api, op, bad, "")
			kind, msg := brKind(t, e)
			assert.Equal(t, kindDamaged, kind, "%s %v", op, v)
			assert.Contains(t, msg, `record "k/524288" is not a Uint8Array`, "%s %v", op, v)
			if op != "open" {
				r := brReply(t, brOK(t, api, "exec", "cat kept.txt"))
				assert.Equal(t, "kept\n", r.Output, "%s %v leaves the session as it was", op, v)
			}
		}
		brOK(t, api, "open", brOK(t, api, "defaults"), "")
		brOK(t, api, "exec", "echo kept > kept.txt")
	}
}

func TestBridgeFilesAndBackups(t *testing.T) {
	api, _ := brAPI(t)
	brOK(t, api, "open", brOK(t, api, "defaults"), "")
	u8, err := safejs.Global().Get("Uint8Array")
	require.NoError(t, err)
	data, err := u8.New(3)
	require.NoError(t, err)
	_, err = safejs.CopyBytesToJS(data, []byte{7, 8, 9})
	require.NoError(t, err)
	d := brOK(t, api, "writeFile", "up.bin", data)
	puts, err := d.Get("puts")
	require.NoError(t, err)
	assert.Equal(t, []string{"f/up.bin", "meta"}, brKeys(t, puts))
	brOK(t, api, "saved")
	got, err := bytesOf(brOK(t, api, "readFile", "up.bin"))
	require.NoError(t, err)
	assert.Equal(t, []byte{7, 8, 9}, got)
	_, e := brCall(t, api, "readFile", "missing")
	_, msg := brKind(t, e)
	assert.Contains(t, msg, "missing: no such file")

	backup := brOK(t, api, "exportBackup", "mine", `["ls"]`)
	imp := brOK(t, api, "importBackup", backup)
	assert.Equal(t, "mine", brString(t, imp, "name"))
	assert.Equal(t, `["ls"]`, brString(t, imp, "history"))
	recs, err := imp.Get("records")
	require.NoError(t, err)
	assert.Contains(t, brKeys(t, recs), "f/up.bin")

	var sum struct {
		Files []struct{ Name string } `json:"files"`
	}
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "summary"), "")), &sum))
	assert.NotEmpty(t, sum.Files)
	var mem memStats
	require.NoError(t, json.Unmarshal([]byte(brString(t, brOK(t, api, "memory"), "")), &mem))
	assert.Positive(t, mem.HeapAlloc)
}

func TestBridgeExitEndsTheProgram(t *testing.T) {
	api, quit := brAPI(t)
	brOK(t, api, "exit", 5)
	assert.Equal(t, 5, <-quit)
}

// brPacked is records as the worker sends them: {packed: Uint8Array}.
func brPacked(t *testing.T, recs map[string][]byte, notBytes ...string) safejs.Value {
	t.Helper()
	keys := slices.Sorted(maps.Keys(recs))
	var values [][]byte
	for _, k := range keys {
		values = append(values, recs[k])
	}
	for _, k := range notBytes {
		keys, values = append(keys, k), append(values, nil)
	}
	b, err := packRecords(keys, values)
	require.NoError(t, err)
	object, err := safejs.Global().Get("Object")
	require.NoError(t, err)
	v, err := object.New()
	require.NoError(t, err)
	u8, err := (&bridge{uint8Array: mustGlobal(t, "Uint8Array")}).bytes(b)
	require.NoError(t, err)
	require.NoError(t, v.Set("packed", u8))
	return v
}

func mustGlobal(t *testing.T, name string) safejs.Value {
	t.Helper()
	v, err := safejs.Global().Get(name)
	require.NoError(t, err)
	return v
}

// Packed records open as the same records one by one do, and a damaged
// store is refused the same way: a flipped byte by the checksum, a value
// that is not bytes by name (salvage leaves it out); a buffer the worker's
// packing never makes is a bad argument.
func TestBridgeOpensPackedRecords(t *testing.T) {
	api, _ := brAPI(t)
	recs, err := defaultRecords()
	require.NoError(t, err)
	brOK(t, api, "open", brPacked(t, recs), "1")
	brOK(t, api, "exec", "key_mgmt_util")
	brOK(t, api, "exec", "loginHSM -u CU -s example_user -p password")
	assert.Contains(t, brReply(t, brOK(t, api, "exec", "genSymKey -t 31 -s 32 -l aes256")).Output, "Key Handle: 524295")

	flipped := maps.Clone(recs)
	flipped["k/524288"] = slices.Clone(recs["k/524288"])
	flipped["k/524288"][10] ^= 1
	for _, op := range []string{"reload", "rollback", "open"} {
		_, e := brCall(t, api, op, brPacked(t, flipped), "")
		kind, msg := brKind(t, e)
		assert.Equal(t, kindDamaged, kind, op)
		assert.Equal(t, `workspace is damaged: record "k/524288" does not match its checksum`, msg, op)
	}
	brOK(t, api, "open", brPacked(t, recs), "")

	lost := maps.Clone(recs)
	delete(lost, "k/524288")
	for _, op := range []string{"reload", "rollback", "open"} {
		_, e := brCall(t, api, op, brPacked(t, lost, "k/524288"), "")
		kind, msg := brKind(t, e)
		assert.Equal(t, kindDamaged, kind, op)
		assert.Contains(t, msg, `record "k/524288" is not a Uint8Array`, op)
	}
	sv := brOK(t, api, "salvage", "w", "[]", brPacked(t, lost, "k/524288"))
	skipped, err := sv.Get("skipped")
	require.NoError(t, err)
	first, err := skipped.Index(0)
	require.NoError(t, err)
	assert.Equal(t, "k/524288", brString(t, first, ""))

	cut := brPacked(t, recs)
	p, err := cut.Get("packed")
	require.NoError(t, err)
	short, err := p.Call("subarray", 0, 7)
	require.NoError(t, err)
	require.NoError(t, cut.Set("packed", short))
	_, e := brCall(t, api, "open", cut, "")
	kind, _ := brKind(t, e)
	assert.Equal(t, kindInvalid, kind)
	require.NoError(t, cut.Set("packed", "not bytes"))
	_, e = brCall(t, api, "open", cut, "")
	kind, _ = brKind(t, e)
	assert.Equal(t, kindInvalid, kind)
}
