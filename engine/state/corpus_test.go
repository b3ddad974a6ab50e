package state_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/state"
)

// The damaged-document corpus: a workspace holding every kind of key, and
// documents made from it that each break one rule the engine relies on.
// Every one must be refused by the loader of documents (Decode: shares,
// exports) and by the native state file loader, and refusing must leave
// the file as it was.

// corpusSession builds the workspace: secret, RSA and EC pairs, a shared
// key, a file.
func corpusDoc(t *testing.T) []byte {
	t.Helper()
	s := recSession(t)
	for _, l := range []string{
		"key_mgmt_util",
		"loginHSM -u CU -s example_user -p password",
		"genSymKey -t 31 -s 32 -l aes",
		"genSymKey -t 21 -s 24 -l des3",
		"genRSAKeyPair -m 2048 -e 65537 -l rsa",
		"genECCKeyPair -i 2 -l ec",
		"shareKey -k 524295 -u 4",
		"exit",
		"echo hello > note.txt",
	} {
		s.Exec(l)
	}
	doc, err := s.Snapshot()
	require.NoError(t, err)
	return doc
}

// optional are the fields a document may leave out (omitempty).
var optional = map[string]bool{
	"quorum": true, "tokens": true, "id": true, "shared": true, "mValue": true, "session": true,
	"modulus": true, "modulusBits": true, "publicExponent": true, "curveId": true,
	"failedLogins": true, "quorumPubKey": true, "twoFA": true, "approvals": true, "journal": true, "sum": true,
	"trustAnchors": true, "mtlsEnforcement": true, "mfaPubKey": true,
}

type damaged struct {
	name string
	doc  []byte
}

func generic(t *testing.T, doc []byte) map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	return m
}

func marshal(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// paths lists every object and list in the tree, with a way to reach it.
type site struct {
	path string
	get  func(root any) any
}

func sites(v any, path string, get func(any) any, out *[]site) {
	switch x := v.(type) {
	case map[string]any:
		*out = append(*out, site{path, get})
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}) {
			k := k
			sites(x[k], path+"."+k, func(r any) any { return get(r).(map[string]any)[k] }, out)
		}
	case []any:
		for i := range x {
			i := i
			sites(x[i], fmt.Sprintf("%s[%d]", path, i), func(r any) any { return get(r).([]any)[i] }, out)
		}
	}
}

func corpus(t *testing.T, good []byte) (out []damaged) {
	tmpl := generic(t, good)
	type edit struct {
		name string
		f    func(m map[string]any)
	}
	var edits []edit
	add := func(name string, f func(m map[string]any)) { edits = append(edits, edit{name, f}) }
	defer func() {
		// Every edit is made under HSMSIM_SOAK (make soak); otherwise a
		// sixth of them, spread over every kind, keep the test short.
		stride := 6
		if os.Getenv("HSMSIM_SOAK") != "" {
			stride = 1
		}
		for i, e := range edits {
			if i%stride != 0 && !strings.Contains(e.name, "50 KiB") {
				continue
			}
			m := deepCopy(tmpl).(map[string]any)
			delete(m, "sum")
			delete(m, "journal")
			e.f(m)
			out = append(out, damaged{e.name, marshal(t, m)})
		}
	}()
	var all []site
	sites(generic(t, good), "$", func(r any) any { return r }, &all)
	for _, st := range all {
		// The fields of one HSM stand for the others'.
		if strings.HasPrefix(st.path, "$.cluster.nodes[1]") || strings.HasPrefix(st.path, "$.cluster.nodes[2]") {
			continue
		}
		obj := st.get(tmpl).(map[string]any)
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range obj {
				if !yield(k) {
					return
				}
			}
		}) {
			if st.path == "$.files" || k == "sum" || k == "journal" {
				continue
			}
			isObjects := strings.HasSuffix(st.path, ".objects")
			if !optional[k] && !isObjects {
				add(st.path+": no "+k, func(m map[string]any) { delete(st.get(m).(map[string]any), k) })
			}
			v := obj[k]
			switch v.(type) {
			case string:
				add(st.path+"."+k+" = null", func(m map[string]any) { st.get(m).(map[string]any)[k] = nil })
				add(st.path+"."+k+" = 12", func(m map[string]any) { st.get(m).(map[string]any)[k] = 12 })
			case json.Number:
				add(st.path+"."+k+" = null", func(m map[string]any) { st.get(m).(map[string]any)[k] = nil })
				add(st.path+"."+k+" = \"7\"", func(m map[string]any) { st.get(m).(map[string]any)[k] = "7" })
				add(st.path+"."+k+" = 1.5", func(m map[string]any) { st.get(m).(map[string]any)[k] = 1.5 })
			case bool:
				add(st.path+"."+k+" = null", func(m map[string]any) { st.get(m).(map[string]any)[k] = nil })
				add(st.path+"."+k+" = 1", func(m map[string]any) { st.get(m).(map[string]any)[k] = 1 })
			case map[string]any:
				if !isObjects && k != "objects" {
					add(st.path+"."+k+" = []", func(m map[string]any) { st.get(m).(map[string]any)[k] = []any{} })
				}
			}
			if !isObjects && st.path != "$" {
				// The same field again in another case: encoding/json
				// would take either.
				add(st.path+": also "+strings.ToUpper(k[:1])+k[1:], func(m map[string]any) {
					st.get(m).(map[string]any)[strings.ToUpper(k[:1])+k[1:]] = obj[k]
				})
			}
		}
	}

	node := func(m map[string]any, i int) map[string]any {
		return m["cluster"].(map[string]any)["nodes"].([]any)[i].(map[string]any)
	}
	key := func(m map[string]any, i int, h string) map[string]any {
		return node(m, i)["objects"].(map[string]any)[h].(map[string]any)
	}
	// Keys of the workspace: 524288 is alice's AES key, 524291 is shared
	// with example_user; 524294/524296 are the RSA pair made above.
	handles := []string{"524288", "524291", "524294", "524295", "524296", "524297", "524298", "524299"}
	for _, h := range handles {
		for i := range 3 {
			if _, ok := node(tmpl, i)["objects"].(map[string]any)[h]; !ok || (i > 0 && h != "524295") {
				continue
			}
			p := fmt.Sprintf("node %d key %s", i, h)
			add(p+": owner 99", func(m map[string]any) { key(m, i, h)["owner"] = 99 })
			add(p+": owner -1", func(m map[string]any) { key(m, i, h)["owner"] = -1 })
			add(p+": owner the CO", func(m map[string]any) { key(m, i, h)["owner"] = 1 })
			add(p+": owner the AU", func(m map[string]any) { key(m, i, h)["owner"] = 2 })
			add(p+": shared with -1", func(m map[string]any) { key(m, i, h)["shared"] = []any{-1} })
			add(p+": shared with its owner", func(m map[string]any) { key(m, i, h)["shared"] = []any{key(m, i, h)["owner"]} })
			add(p+": shared twice", func(m map[string]any) { key(m, i, h)["shared"] = []any{3, 3} })
			add(p+": shared with 99", func(m map[string]any) { key(m, i, h)["shared"] = []any{99} })
			add(p+": shared null entry", func(m map[string]any) { key(m, i, h)["shared"] = []any{nil} })
			add(p+": token false", func(m map[string]any) { key(m, i, h)["token"] = false })
			add(p+": a session", func(m map[string]any) { key(m, i, h)["session"] = "s9" })
			add(p+": label of 200", func(m map[string]any) { key(m, i, h)["label"] = strings.Repeat("l", 200) })
			add(p+": handle not its own", func(m map[string]any) { key(m, i, h)["handle"] = 524400 })
			add(p+": class 1", func(m map[string]any) { key(m, i, h)["class"] = 1 })
			add(p+": no material", func(m map[string]any) { key(m, i, h)["value"] = "" })
			add(p+": kcv changed", func(m map[string]any) { key(m, i, h)["kcv"] = base64.StdEncoding.EncodeToString([]byte{1, 2, 3}) })
			add(p+": size changed", func(m map[string]any) {
				n, _ := key(m, i, h)["valueLen"].(json.Number).Int64()
				key(m, i, h)["valueLen"] = n + 8
			})
			add(p+": value not base64", func(m map[string]any) { key(m, i, h)["value"] = "not base64!" })
			obj := key(tmpl, i, h)
			class, _ := obj["class"].(json.Number).Int64()
			kt, _ := obj["keyType"].(json.Number).Int64()
			for _, other := range []int64{0, 3, 21, 31, 16} {
				if other != kt {
					add(fmt.Sprintf("%s: key type %d", p, other), func(m map[string]any) { key(m, i, h)["keyType"] = other })
				}
			}
			for _, other := range []int64{2, 3, 4} {
				if other != class {
					add(fmt.Sprintf("%s: class %d", p, other), func(m map[string]any) { key(m, i, h)["class"] = other })
				}
			}
			if _, ok := obj["modulus"]; ok {
				add(p+": modulus changed", func(m map[string]any) {
					b, _ := base64.StdEncoding.DecodeString(key(m, i, h)["modulus"].(string))
					b[len(b)/2] ^= 0x10
					key(m, i, h)["modulus"] = base64.StdEncoding.EncodeToString(b)
				})
			}
			if class != 3 {
				// A flipped byte of a secret or public key breaks its check
				// value; a private key's is caught natively by the file's
				// checksum (below).
				val, _ := base64.StdEncoding.DecodeString(obj["value"].(string))
				for _, at := range []int{0, len(val) / 3, len(val) / 2, len(val) - 1} {
					add(fmt.Sprintf("%s: value byte %d flipped", p, at), func(m map[string]any) {
						b, _ := base64.StdEncoding.DecodeString(key(m, i, h)["value"].(string))
						b[at] ^= 0x80 // not a DES parity bit
						key(m, i, h)["value"] = base64.StdEncoding.EncodeToString(b)
					})
				}
			}
		}
	}
	for i := range 3 {
		add(fmt.Sprintf("node %d: users null", i), func(m map[string]any) { node(m, i)["users"] = nil })
		add(fmt.Sprintf("node %d: no users", i), func(m map[string]any) { node(m, i)["users"] = []any{} })
		add(fmt.Sprintf("node %d: objects null", i), func(m map[string]any) { node(m, i)["objects"] = nil })
		add(fmt.Sprintf("node %d: a user twice", i), func(m map[string]any) {
			node(m, i)["users"] = append(node(m, i)["users"].([]any), node(m, i)["users"].([]any)[0])
		})
		add(fmt.Sprintf("node %d: a null user", i), func(m map[string]any) {
			node(m, i)["users"] = append(node(m, i)["users"].([]any), nil)
		})
		add(fmt.Sprintf("node %d: id %d", i, i+5), func(m map[string]any) { node(m, i)["id"] = i + 5 })
		add(fmt.Sprintf("node %d: key under a bad handle", i), func(m map[string]any) {
			objs := node(m, i)["objects"].(map[string]any)
			objs["12"] = objs["524288"]
		})
		add(fmt.Sprintf("node %d: user type XX", i), func(m map[string]any) {
			node(m, i)["users"].([]any)[0].(map[string]any)["type"] = "XX"
		})
		add(fmt.Sprintf("node %d: user name empty", i), func(m map[string]any) {
			node(m, i)["users"].([]any)[3].(map[string]any)["name"] = ""
		})
	}
	add("a label of 50 KiB", func(m map[string]any) { key(m, 0, "524288")["label"] = strings.Repeat("l", 50<<10) })
	add("version 2", func(m map[string]any) { m["version"] = 99 })
	add("version 0", func(m map[string]any) { m["version"] = 0 })
	add("format other", func(m map[string]any) { m["format"] = "other" })
	add("no nodes", func(m map[string]any) { m["cluster"].(map[string]any)["nodes"] = []any{} })
	add("nodes null", func(m map[string]any) { m["cluster"].(map[string]any)["nodes"] = nil })
	add("a null node", func(m map[string]any) {
		m["cluster"].(map[string]any)["nodes"] = append(m["cluster"].(map[string]any)["nodes"].([]any), nil)
	})
	add("cursor -1", func(m map[string]any) { m["cluster"].(map[string]any)["cursor"] = -1 })
	add("file with a bad name", func(m map[string]any) { m["files"].(map[string]any)["../x"] = "" })
	add("file not base64", func(m map[string]any) { m["files"].(map[string]any)["note.txt"] = "%%%" })
	add("unknown top field", func(m map[string]any) { m["extra"] = 1 })

	// Textual damage: keys given twice (a generic tree cannot hold them).
	for _, field := range []string{`"token":true`, `"label":"aes"`, `"owner":3`, `"users":[`, `"cursor":`, `"version":1`} {
		i := bytes.Index(good, []byte(field))
		if i < 0 {
			continue
		}
		dup := slices.Concat(good[:i], []byte(field), dupValue(field), []byte(","), good[i:])
		out = append(out, damaged{"twice: " + field, dup})
	}
	out = append(out, damaged{"not JSON", good[:len(good)/2]})
	out = append(out, damaged{"trailing data", append(slices.Clone(good), []byte(" {}")...)})
	return
}

// dupValue completes a field prefix into a whole value, so that the field
// can be given twice.
func dupValue(field string) []byte {
	switch {
	case strings.HasSuffix(field, "["):
		return []byte(`]`)
	case strings.HasSuffix(field, ":"):
		return []byte(`524288`)
	}
	return nil
}

func TestDamagedDocumentsAreRefusedAndChangeNothing(t *testing.T) {
	good := corpusDoc(t)
	_, _, err := state.Decode(good)
	require.NoError(t, err, "the corpus starts from a sound document")
	start := time.Now()
	docs := corpus(t, good)
	t.Logf("%d documents made in %v", len(docs), time.Since(start))

	dir := t.TempDir()
	p := filepath.Join(dir, "ws.json")
	for _, d := range docs {
		_, _, err := state.Decode(d.doc)
		require.Error(t, err, "Decode accepted %s", d.name)

		require.NoError(t, os.WriteFile(p, d.doc, 0o600))
		_, _, _, err = state.OpenJournal(p)
		require.Error(t, err, "the state file loader accepted %s", d.name)
		after, rerr := os.ReadFile(p)
		require.NoError(t, rerr)
		require.True(t, bytes.Equal(d.doc, after), "refusing %s changed the file", d.name)
		require.NoFileExists(t, p+".journal", "refusing %s wrote a journal", d.name)
	}

	// The same workspace as a native state file, its bytes flipped at
	// random: the file's checksum refuses every one.
	j, _, _, err := state.OpenJournal(p + "2")
	require.NoError(t, err)
	c, files, err := state.Decode(good)
	require.NoError(t, err)
	require.NoError(t, j.Create(c, files))
	require.NoError(t, j.Close())
	sealed, err := os.ReadFile(p + "2")
	require.NoError(t, err)
	journal, err := os.ReadFile(p + "2.journal")
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(11, 12))
	flips := 0
	for range 700 {
		b := slices.Clone(sealed)
		at := rng.IntN(len(b))
		b[at] ^= byte(1 << rng.IntN(8))
		require.NoError(t, os.WriteFile(p+"2", b, 0o600))
		_, _, _, err := state.OpenJournal(p + "2")
		require.Error(t, err, "a flip of byte %d was accepted", at)
		after, _ := os.ReadFile(p + "2")
		require.True(t, bytes.Equal(b, after), "refusing a flip changed the file")
		jafter, _ := os.ReadFile(p + "2.journal")
		require.True(t, bytes.Equal(journal, jafter), "refusing a flip changed the journal")
		flips++
	}
	t.Logf("%d damaged documents and %d flipped state files refused, none changed", len(docs), flips)
	require.GreaterOrEqual(t, len(docs)+flips, 1000)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}
