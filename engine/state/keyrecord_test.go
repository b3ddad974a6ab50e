package state

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// The hand-written reader's field table is hsm.Object's, tag for tag: a
// field added to the type without it fails here.
func TestObjectFieldsMatchTheType(t *testing.T) {
	fs := jsonFields(reflect.TypeFor[hsm.Object]())
	var names []string
	var required []string
	for _, f := range objectFields {
		names = append(names, f.name)
		if f.required {
			required = append(required, f.name)
		}
	}
	assert.Equal(t, fs.names, names)
	assert.Equal(t, fs.required, required)
}

// objectField's switch names the fields by their index in objectFields.
func TestObjectFieldIndexes(t *testing.T) {
	for i, name := range []string{"handle", "class", "keyType", "label", "id", "owner", "shared", "mValue", "manageMValue", "token", "session", "private", "sensitive", "encrypt", "decrypt", "wrap", "unwrap", "sign", "verify", "derive", "local", "extractable", "neverExtractable", "alwaysSensitive", "destroyable", "trusted", "wrapWithTrusted", "notModifiable", "valueLen", "kcv", "modulus", "modulusBits", "publicExponent", "curveId", "parameterSet", "value"} {
		assert.Equal(t, objectFields[i].name, name)
	}
	assert.Equal(t, "value", objectFields[fValue].name)
	assert.Equal(t, len(objectFields)-1, fValue)
}

// reflectKeyRecord is how a key record was read before decodeKeyRecord:
// strictJSON for the shape, then encoding/json. FuzzKeyRecord holds the
// two to the same answers.
func reflectKeyRecord(data []byte) (map[int]*hsm.Object, map[int]string, error) {
	if err := strictJSON(data, reflect.TypeFor[map[int]json.RawMessage]()); err != nil {
		return nil, nil, err
	}
	var raw map[int]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, err
	}
	if raw == nil {
		return nil, nil, nil
	}
	full, refs := map[int]*hsm.Object{}, map[int]string{}
	for id, r := range raw {
		if len(r) > 0 && r[0] >= '0' && r[0] <= '9' {
			refs[id] = string(r)
			continue
		}
		if err := strictJSON(r, reflect.TypeFor[hsm.Object]()); err != nil {
			return nil, nil, err
		}
		var o *hsm.Object
		if err := json.Unmarshal(r, &o); err != nil {
			return nil, nil, err
		}
		full[id] = o
	}
	return full, refs, nil
}

func keyRecordSeeds(tb testing.TB) [][]byte {
	c := testCluster()
	var out [][]byte
	for h := range tokenHandles(c) {
		b, err := encodeKey(c, h)
		require.NoError(tb, err)
		out = append(out, b)
	}
	o := c.Nodes[0].AllObjects()[hsm.FirstHandle].Clone()
	o.Label = "\u00e9t\u00e9 <&> \"q\" \\ \t"
	o.Shared = []int{}
	o.KCV = []byte{}
	one, err := json.Marshal(map[int]*hsm.Object{0: o})
	require.NoError(tb, err)
	out = append(out, one,
		[]byte(`{"0":{"handle":1,"class":4,"label":"\ud83d\ude00 \ud800 x\u00e9","value":"AA\u003d\u003d"},"1":0}`),
		[]byte(` { "1" : 0 , "0" : {} } `), []byte(`null`), []byte(`{}`), []byte(`{"0":null}`), []byte(`{"00":0}`),
		[]byte(`{"0":{"handle":-1}}`), []byte(`{"0":{"shared":[1,2,"x"]}}`), []byte(`{"0":{"owner":+1}}`),
		[]byte(`{"0":{"owner":1.0}}`), []byte(`{"0":{"label":"a\'b"}}`), []byte(`{"0":{"Label":"x"}}`),
	)
	// A whole copy whose key material is base64 that the decoder reads but
	// JSON refuses or reads otherwise (raw line breaks, which the decoder
	// skips; escapes), or plain base64 of each padding.
	o.Value = []byte("@@@@")
	whole, err := json.Marshal(map[int]*hsm.Object{0: o, 1: o})
	require.NoError(tb, err)
	for _, v := range []string{"AAA\nAAA\nAAA\nAAA\n", "AAAA\r\nAAA", "AAAA\nAAA=", "AA\\\"AA", "AA\\u0041A", "AA\\/A",
		"", "AA==", "AAA=", "AAAA", "AAAAAAA=", "A===", "AA=A", "ABCD\x00EFG"} {
		out = append(out, bytes.Replace(whole, []byte(`"QEBAQA=="`), []byte(`"`+v+`"`), 2))
	}
	out = append(out, whole)
	// Integers at and past the fast reading's 18 digits, negative zero.
	for _, v := range []string{"-0", "0", "999999999999999999", "9999999999999999999", "18446744073709551615", "18446744073709551616", "-1", "01"} {
		out = append(out, bytes.Replace(whole, []byte(`"handle":524288`), []byte(`"handle":`+v), 2),
			bytes.Replace(whole, []byte(`"owner":2`), []byte(`"owner":`+v), 2))
	}
	return out
}

// FuzzKeyRecord: the hand-written reader accepts exactly what strictJSON
// and encoding/json together accept, and reads the same objects.
func FuzzKeyRecord(f *testing.F) {
	for _, s := range keyRecordSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		full, refs, err := decodeKeyRecord(data)
		wantFull, wantRefs, wantErr := reflectKeyRecord(data)
		if wantErr != nil {
			require.Error(t, err, "accepted what the reflection-based reading refuses (%v)", wantErr)
			return
		}
		require.NoError(t, err, "refused what the reflection-based reading accepts")
		require.Equal(t, wantFull, full)
		require.Equal(t, wantRefs, refs)
	})
}

func TestKeyRecordSeedsAgree(t *testing.T) {
	for i, s := range keyRecordSeeds(t) {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			full, refs, err := decodeKeyRecord(s)
			wantFull, wantRefs, wantErr := reflectKeyRecord(s)
			if wantErr != nil {
				require.Error(t, err, "%s: want %v", s, wantErr)
				return
			}
			require.NoError(t, err, "%s", s)
			require.Equal(t, wantFull, full)
			require.Equal(t, wantRefs, refs)
		})
	}
}
