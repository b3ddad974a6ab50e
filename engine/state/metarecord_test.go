package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// The hand-written reader's field tables are the types', tag for tag: a
// field added to a type without its table fails here.
func TestMetaFieldsMatchTheTypes(t *testing.T) {
	for _, tc := range []struct {
		typ    reflect.Type
		fields []jsonField
	}{
		{reflect.TypeFor[meta](), metaFields},
		{reflect.TypeFor[hsm.Cluster](), clusterFields},
		{reflect.TypeFor[hsm.Node](), nodeFields},
		{reflect.TypeFor[hsm.User](), userFields},
		{reflect.TypeFor[hsm.TrustAnchor](), anchorFields},
		{reflect.TypeFor[hsm.QuorumToken](), tokenFields},
	} {
		fs := jsonFields(tc.typ)
		var names, required []string
		for _, f := range tc.fields {
			names = append(names, f.name)
			if f.required {
				required = append(required, f.name)
			}
		}
		assert.Equal(t, fs.names, names, "%v", tc.typ)
		assert.Equal(t, fs.required, required, "%v", tc.typ)
	}
}

// reflectMeta is how fromRecords read the meta record before decodeMeta:
// encoding/json for the format and version, strictJSON for the shape, then
// encoding/json for the cluster. FuzzMetaRecord holds the two to the same
// answers.
func reflectMeta(raw []byte) (*hsm.Cluster, error) {
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf(`workspace is damaged: record "meta" cannot be read: %v`, err)
	}
	if head.Format != Format {
		return nil, fmt.Errorf(`workspace is damaged: record "meta" is not a hsmsim workspace (format %q)`, head.Format)
	}
	if head.Version > Version {
		return nil, fmt.Errorf("workspace version %d: %w (this one reads up to %d)", head.Version, ErrTooNew, Version)
	}
	if head.Version < 1 {
		return nil, fmt.Errorf("workspace version %d is not valid", head.Version)
	}
	if err := strictJSON(raw, reflect.TypeFor[meta]()); err != nil {
		return nil, fmt.Errorf(`workspace is damaged: record "meta" cannot be read: %v`, err)
	}
	var m meta
	if err := json.Unmarshal(raw, &m); err != nil || m.Cluster == nil {
		if err == nil {
			err = errors.New("no cluster")
		}
		return nil, fmt.Errorf(`workspace is damaged: record "meta" cannot be read: %v`, err)
	}
	return m.Cluster, nil
}

// fullCluster is testCluster with every field of the meta record in use:
// quorum values and a token with approvals, trust anchors and their
// enforcement, users with failed logins, quorum and MFA keys.
func fullCluster() *hsm.Cluster {
	c := testCluster()
	c.Quorum = map[int]int{3: 2, 4: 1}
	c.Tokens = []*hsm.QuorumToken{
		{Service: 3, User: 1, Data: []byte("token \x00\xff"), Approvals: map[int][]byte{1: {1, 2, 3}, 2: {}}},
		{Service: 4, User: 2, Data: []byte{}},
	}
	c.MTLSEnforcement = hsm.MTLSCluster
	for _, n := range c.Nodes {
		n.TrustAnchors = []*hsm.TrustAnchor{{Ref: 1, PEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}}
		n.Users[0].FailedLogins = 2
		n.Users[1].QuorumPubKey = "-----BEGIN PUBLIC KEY-----\nQUJD\n-----END PUBLIC KEY-----\n"
		n.Users[1].TwoFA = true
		n.Users[1].MFAPubKey = "-----BEGIN PUBLIC KEY-----\nREVG\n-----END PUBLIC KEY-----\n"
		n.Users[1].Name = "al\u00e9<&>\u2028"
	}
	return c
}

// metaSeeds are the meta records of the built-in scenarios (the default
// workspace among them) and of the test clusters, and records made from
// them that break each rule in turn.
func metaSeeds(tb testing.TB) [][]byte {
	var good [][]byte
	for _, name := range scenario.Names() {
		sc, err := scenario.Builtin(name)
		require.NoError(tb, err)
		c, _, err := sc.Build()
		require.NoError(tb, err)
		b, err := encodeMeta(c)
		require.NoError(tb, err)
		good = append(good, b)
	}
	for _, c := range []*hsm.Cluster{testCluster(), fullCluster()} {
		b, err := encodeMeta(c)
		require.NoError(tb, err)
		good = append(good, b)
	}
	// A record whose nodes hold objects, as a hand-made one could.
	withObjects, err := json.Marshal(meta{Format: Format, Version: Version, Cluster: testCluster()})
	require.NoError(tb, err)
	good = append(good, withObjects)

	out := append([][]byte{}, good...)
	full := good[len(good)-2]
	def := good[0]
	for _, b := range [][]byte{def, full, withObjects} {
		// Cut short, and one byte changed, at places through the record.
		for i := 0; i < len(b); i += 1 + len(b)/40 {
			out = append(out, b[:i])
			for _, c := range []byte{'x', '"', '}', ' ', '\\', '0', 0} {
				m := bytes.Clone(b)
				m[i] = c
				out = append(out, m)
			}
		}
	}
	swap := func(b []byte, old, new string) {
		if bytes.Contains(b, []byte(old)) {
			out = append(out, bytes.Replace(b, []byte(old), []byte(new), 1))
		}
	}
	// Each value of each field replaced by null, by a value of each other
	// type, by one out of range; each field left out, given twice, spelt
	// in another case.
	values := []string{`null`, `true`, `"x"`, `0`, `-1`, `1.5`, `1e2`, `99999999999999999999`, `[]`, `{}`, `[null]`, `{"1":null}`, `"QUJD"`, `"Q=="`, `"\u0041"`}
	for _, b := range [][]byte{full, withObjects} {
		for _, f := range []string{"format", "version", "cluster", "nodes", "cursor", "quorum", "tokens", "mtlsEnforcement",
			"id", "addr", "up", "users", "objects", "trustAnchors", "type", "name", "password", "failedLogins",
			"quorumPubKey", "twoFA", "mfaPubKey", "ref", "pem", "service", "user", "data", "approvals", "3", "1", "524288", "label", "handle", "value"} {
			key := `"` + f + `":`
			i := bytes.Index(b, []byte(key))
			if i < 0 {
				continue
			}
			v := i + len(key)
			end := valueEnd(b, v)
			for _, val := range values {
				out = append(out, append(append(append([]byte{}, b[:v]...), val...), b[end:]...))
			}
			member := b[i:end]
			out = append(out,
				append(append(append([]byte{}, b[:i]...), `"other":1`...), b[end:]...),                                            // unknown
				append(append(append([]byte{}, b[:i]...), strings.ToUpper(string(member[:2]))+string(member[2:])...), b[end:]...), // case
				append(append(append(append([]byte{}, b[:i]...), member...), ','), b[i:]...),                                      // twice
			)
			// Left out: with the comma after it, or before it when last.
			if end < len(b) && b[end] == ',' {
				out = append(out, append(append([]byte{}, b[:i]...), b[end+1:]...))
			} else if i > 0 && b[i-1] == ',' {
				out = append(out, append(append([]byte{}, b[:i-1]...), b[end:]...))
			}
		}
	}
	for _, r := range [][2]string{
		{`"format":"hsmsim-workspace"`, `"format":"hsmsim-\u0077orkspace"`},
		{`"format":"hsmsim-workspace"`, `"FORMAT":"hsmsim-workspace"`},
		{`"format":"hsmsim-workspace"`, `"format":"hsmsim-workspace","Format":"x"`},
		{`"format":"hsmsim-workspace"`, `"Format":"x","format":"hsmsim-workspace"`},
		{`"format":"hsmsim-workspace"`, `"format":"hsmsim-workspace\xff"`},
		{`"version":1`, `"ver\u017fion":1`},
		{`"version":1`, `"versio\u006e":1`},
		{`"version":1`, `"version":2`},
		{`"version":1`, `"version":-0`},
		{`"version":1`, `"version":01`},
		{`"version":1`, `"version":+1`},
		{`"version":1`, `"version":1,"version":null`},
		{`"version":1`, `"version":"x","format":5`},
		{`"version":1`, `"version":1 , "x" : [1, {"a": "]"}, "\"}"]`},
		{`"cursor":524288`, `"cursor":-0`},
		{`"cursor":524288`, `"cursor":18446744073709551615`},
		{`"cursor":524288`, `"cursor":18446744073709551616`},
		{`"quorum":{"3":2`, `"quorum":{"-0":2`},
		{`"quorum":{"3":2`, `"quorum":{"03":2`},
		{`"quorum":{"3":2`, `"quorum":{"\u0033":2`},
		{`"quorum":{"3":2`, `"quorum":{"3":2,"3":2`},
		{`"quorum":{"3":2`, `"quorum":{"x":2,"x":2`},
		{`"approvals":{"1":"AQID"`, `"approvals":{"1":null`},
		{`"approvals":{"1":"AQID"`, `"approvals":{"1":"AQ\u0049D"`},
		{`"approvals":{"1":"AQID"`, `"approvals":{"1":"AQI="`},
		{`"objects":null`, `"objects":{}`},
		{`"objects":null`, `"objects":{"5":null}`},
		{`"objects":null`, `"objects":{"05":{}}`},
		{`"objects":null`, `"objects":{"5":{"handle":"x"}}`},
		{`"name":"admin"`, `"name":"\ud800 \ud83d\ude00 a\/b\t"`},
		{`"name":"admin"`, `"name":"a\'b"`},
		{`"name":"admin"`, "\"name\":\"a\x01b\""},
		{`"up":true`, `"up":tru`},
		{`"up":true`, `"up":nul`},
		{`"trustAnchors":[{"ref":1`, `"trustAnchors":[{"ref":1.0`},
		{`"mtlsEnforcement":"cluster"`, `"mtlsEnforcement":null`},
	} {
		for _, b := range [][]byte{def, full, withObjects} {
			swap(b, r[0], r[1])
		}
	}
	for _, s := range []string{"", " ", "null", "[]", `"x"`, "1", "true", "{}", "{", `{"format":"hsmsim-workspace"}`,
		`{"format":"hsmsim-workspace","version":1}`, `{"format":"hsmsim-workspace","version":1,"cluster":null}`,
		`{"format":"hsmsim-workspace","version":1,"cluster":{}}`, `{"format":"hsmsim-workspace","version":99,"cluster":{}}`,
		`{"format":"hsmsim-workspace","version":0,"cluster":{}}`, `{"format":5}`, `{"version":{}}`, `{"version":1e400}`} {
		out = append(out, []byte(s))
	}
	out = append(out, append(bytes.Clone(def), " x"...), append(bytes.Clone(def), " {}"...), append([]byte(" \t\r\n"), def...))
	return out
}

// valueEnd is the end of the JSON value that starts at b[i].
func valueEnd(b []byte, i int) int {
	s := &scanner{b: b, i: i}
	if s.skipJSON() != nil {
		return len(b)
	}
	return s.i
}

func agreeOnMeta(t *testing.T, data []byte) {
	got, err := decodeMeta(data)
	want, wantErr := reflectMeta(data)
	if wantErr != nil {
		require.Error(t, err, "accepted what the reflection-based reading refuses (%v)", wantErr)
		require.Equal(t, wantErr.Error(), err.Error())
		require.Equal(t, errors.Is(wantErr, ErrTooNew), errors.Is(err, ErrTooNew))
		require.Nil(t, got)
		return
	}
	require.NoError(t, err, "refused what the reflection-based reading accepts")
	require.Equal(t, want, got)
}

// FuzzMetaRecord: the hand-written reader accepts exactly what the
// reflection-based reading accepted, with the same error for what it
// refuses, and reads the same cluster.
func FuzzMetaRecord(f *testing.F) {
	for _, s := range metaSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(agreeOnMeta)
}

func TestMetaRecordSeedsAgree(t *testing.T) {
	accepted := 0
	for i, s := range metaSeeds(t) {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			agreeOnMeta(t, s)
			if _, err := decodeMeta(s); err == nil {
				accepted++
			}
		})
	}
	// The seeds are not all refused (or all accepted) for one reason.
	assert.Greater(t, accepted, 10)
}

// The real records read back as the cluster they were written from.
func TestMetaRecordRoundTrip(t *testing.T) {
	c := fullCluster()
	b, err := encodeMeta(c)
	require.NoError(t, err)
	got, err := decodeMeta(b)
	require.NoError(t, err)
	require.Len(t, got.Nodes, len(c.Nodes))
	for i, n := range got.Nodes {
		assert.Nil(t, n.Objects)
		assert.Equal(t, c.Nodes[i].Users, n.Users)
		assert.Equal(t, c.Nodes[i].TrustAnchors, n.TrustAnchors)
	}
	assert.Equal(t, c.Quorum, got.Quorum)
	assert.Equal(t, c.Tokens, got.Tokens)
	assert.Equal(t, c.MTLSEnforcement, got.MTLSEnforcement)
	assert.Equal(t, c.Cursor, got.Cursor)
}

// The errors name what is wrong, as before.
func TestMetaRecordErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{oops`, `workspace is damaged: record "meta" cannot be read: invalid character 'o' looking for beginning of object key string`},
		{`{"format":5}`, `workspace is damaged: record "meta" cannot be read: json: cannot unmarshal number into Go struct field .format of type string`},
		{`{"format":"x","version":1}`, `workspace is damaged: record "meta" is not a hsmsim workspace (format "x")`},
		{`{"format":"hsmsim-workspace","version":0}`, `workspace version 0 is not valid`},
		{`{"format":"hsmsim-workspace","version":99}`, `workspace version 99: written by a newer version of hsmsim (this one reads up to 1)`},
		{`{"format":"hsmsim-workspace","version":1}`, `workspace is damaged: record "meta" cannot be read: $ has no field "cluster"`},
		{`{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[{"id":0,"addr":"a","up":true,"users":null,"objects":null,"Users":[]}],"cursor":1}}`,
			`workspace is damaged: record "meta" cannot be read: $.cluster.nodes[0] has an unknown field "Users"`},
		{`{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[{"id":0,"addr":"a","up":true,"users":null,"objects":{"7":{"handle":"x"}}}],"cursor":1}}`,
			`workspace is damaged: record "meta" cannot be read: $.cluster.nodes[0].objects.7.handle is not a number`},
	} {
		_, err := decodeMeta([]byte(tc.in))
		require.Error(t, err, tc.in)
		assert.Equal(t, tc.want, err.Error(), tc.in)
	}
}

// BenchmarkMetaRecord reads the default workspace's meta record by hand
// and as it was read before (reflection-based).
func BenchmarkMetaRecord(b *testing.B) {
	c, _, err := scenario.Default()
	require.NoError(b, err)
	raw, err := encodeMeta(c)
	require.NoError(b, err)
	for _, tc := range []struct {
		name string
		read func([]byte) (*hsm.Cluster, error)
	}{{"hand", decodeMeta}, {"reflect", reflectMeta}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := tc.read(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
