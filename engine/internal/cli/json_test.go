package cli

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The oracle: replies as encoding/json printed them, a key object's
// members in order through MarshalJSON, each key through json.Marshal,
// each value through an Encoder that does not escape HTML, the whole
// indented by json.Indent.

type oracleObj []oracleField

type oracleField struct {
	k string
	v any
}

func (o oracleObj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := oracleMarshal(f.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func oracleMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// toOracle is v with each obj an oracleObj.
func toOracle(v any) any {
	switch x := v.(type) {
	case obj:
		o := oracleObj{}
		if x == nil {
			o = nil
		}
		for _, f := range x {
			o = append(o, oracleField{f.k, toOracle(f.v)})
		}
		return o
	case []any:
		if x == nil {
			return x
		}
		a := []any{}
		for _, e := range x {
			a = append(a, toOracle(e))
		}
		return a
	}
	return v
}

func oracleReply(t testing.TB, code int, data any) string {
	t.Helper()
	raw, err := oracleMarshal(oracleObj{{"error_code", code}, {"data", toOracle(data)}})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, json.Indent(&b, raw, "", "  "))
	return b.String() + "\n"
}

// parseReply reads a reply back into the values reply prints, objects in
// the order of their keys.
func parseReply(t testing.TB, out string) (int, any) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(out))
	d.UseNumber()
	v := parseValue(t, d)
	_, err := d.Token()
	require.Equal(t, io.EOF, err, "one value:\n%s", out)
	o, ok := v.(obj)
	require.True(t, ok && len(o) == 2 && o[0].k == "error_code" && o[1].k == "data", "an envelope:\n%s", out)
	return o[0].v.(int), o[1].v
}

func parseValue(t testing.TB, d *json.Decoder) any {
	tok, err := d.Token()
	require.NoError(t, err)
	switch x := tok.(type) {
	case json.Delim:
		if x == '[' {
			a := []any{}
			for d.More() {
				a = append(a, parseValue(t, d))
			}
			_, err = d.Token()
			require.NoError(t, err)
			return a
		}
		o := obj{}
		for d.More() {
			k, err := d.Token()
			require.NoError(t, err)
			o = append(o, field{k.(string), parseValue(t, d)})
		}
		_, err = d.Token()
		require.NoError(t, err)
		return o
	case json.Number:
		n, err := x.Int64()
		require.NoError(t, err, "an integer: %s", x)
		return int(n)
	}
	return tok
}

// checkAsOracle asserts that a command's output, if it is a reply, is the
// very text encoding/json printed for the same values.
func checkAsOracle(t *testing.T, line, out string) {
	t.Helper()
	if !strings.HasPrefix(out, "{") {
		return
	}
	code, data := parseReply(t, out)
	require.Equal(t, oracleReply(t, code, data), out, "%s", line)
}

func TestReplyAsEncodingJSON(t *testing.T) {
	for _, data := range []any{
		nil, "", "Logout successful", obj{}, obj(nil), []any{}, []any(nil), true, false, 0, -1, 1 << 62,
		"<script>&</script>", "\u2028\u2029", "\xff\xfe", "\x00\x1f\x7f\"\\\b\f\n\r\t", "日本語",
		obj{{"a", obj{}}, {"b", []any{}}, {"c", []any{obj{}, []any{}, nil}}, {"d", []any(nil)}},
		obj{{"matched_keys", []any{obj{{"key-reference", "0x0000000000000001"}, {"attributes", obj{{"label", "k<1>&"}}}}}}, {"total_key_count", 1}},
	} {
		require.Equal(t, oracleReply(t, 0, data), reply(0, data), "%#v", data)
		require.Equal(t, oracleReply(t, 1, data), reply(1, data), "%#v", data)
	}
}

// TestUnknownValueIsAnInternalError: a value of a kind a reply does not
// hold prints as an internal error, whole, not half a reply.
func TestUnknownValueIsAnInternalError(t *testing.T) {
	require.Equal(t, "{\n  \"error_code\": 1,\n  \"data\": \"internal error: a reply cannot hold a float64\"\n}\n", reply(0, obj{{"a", "b"}, {"c", 1.5}}))
}

// TestKeyObjectsAsEncodingJSON prints every key of every type the CLI
// makes, as generate, import and unwrap print them and as key list
// --verbose does, and compares each with encoding/json's text.
func TestKeyObjectsAsEncodingJSON(t *testing.T) {
	tl := testTool(t)
	for _, line := range []string{
		"login --username cu1 --role crypto-user --password password",
		"key generate-symmetric aes --key-length-bytes 32 --label aes<&>\u2028",
		"key generate-symmetric generic-secret --key-length-bytes 32 --label generic",
		"key generate-asymmetric-pair rsa --public-exponent 65537 --modulus-size-bits 2048 --public-label rsa-pub --private-label rsa-priv",
		"key generate-asymmetric-pair ec --curve secp224r1 --public-label ec224 --private-label ec224",
		"key generate-asymmetric-pair ec --curve prime256v1 --public-label ec256 --private-label ec256 --session",
		"key generate-asymmetric-pair ec --curve secp384r1 --public-label ec384 --private-label ec384",
		"key generate-asymmetric-pair ec --curve secp521r1 --public-label ec521 --private-label ec521",
		"key generate-asymmetric-pair ec --curve secp256k1 --public-label k1 --private-label k1",
		"key generate-asymmetric-pair ec --curve ed25519 --public-label ed --private-label ed",
		"key generate-asymmetric-pair ml-dsa --mldsa-algorithm ML-DSA-44 --public-label ml --private-label ml",
		"key share --filter attr.label=generic --username cu2 --role crypto-user",
		"key list --verbose --max-items 3",
		"key list",
	} {
		out := run(t, tl, line)
		require.Contains(t, out, `"error_code": 0`, line)
		checkAsOracle(t, line, out)
	}
	n := 0
	for _, o := range tl.Cluster.Nodes[0].Objects {
		require.Equal(t, oracleReply(t, 0, tl.keyObject(o)), reply(0, tl.keyObject(o)))
		n++
	}
	require.GreaterOrEqual(t, n, 17)
}

// TestPageExampleRepliesAsEncodingJSON runs every example command of every
// CloudHSM CLI page, as an admin and as a crypto user, and compares each
// reply, errors too, with encoding/json's text of the same values.
func TestPageExampleRepliesAsEncodingJSON(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(referenceDir(t), "cloudhsm_cli-*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	replies := 0
	for _, login := range []string{
		"login --username admin --role admin --password password",
		"login --username cu1 --role crypto-user --password password",
	} {
		tl := testTool(t)
		require.NoError(t, tl.FS.WriteFile("data.txt", []byte("abc")))
		run(t, tl, login)
		for _, p := range pages {
			for _, ex := range pageExamples(t, filepath.Base(p)) {
				if strings.HasPrefix(ex.command, "login") || strings.HasPrefix(ex.command, "logout") || strings.HasPrefix(ex.command, "quit") {
					continue
				}
				out := run(t, tl, ex.command)
				if strings.HasPrefix(out, "{") {
					replies++
				}
				checkAsOracle(t, ex.command, out)
			}
		}
	}
	require.Greater(t, replies, 100)
}

// replyValue decodes a reply's value from fuzz input: objects (keys of the
// CLI's own alphabet: the pages' names never hold <, > or &, which
// json.Marshal escaped in keys alone), arrays, strings, ints, bools, null.
func replyValue(in []byte, depth int) (any, []byte) {
	if len(in) == 0 {
		return nil, in
	}
	kind, in := in[0], in[1:]
	switch kind % 8 {
	case 0:
		return fuzzString(in)
	case 1:
		if len(in) < 8 {
			return nil, nil
		}
		return int(binary.LittleEndian.Uint64(in)), in[8:]
	case 2:
		return kind&8 != 0, in
	case 3:
		if depth == 6 {
			return nil, in
		}
		o := obj{}
		if kind&8 != 0 {
			o = nil
		}
		for range kind >> 5 {
			var k string
			var v any
			k, in = fuzzString(in)
			k = strings.NewReplacer("<", "", ">", "", "&", "").Replace(k)
			v, in = replyValue(in, depth+1)
			o = append(o, field{k, v})
		}
		return o, in
	case 4:
		if depth == 6 {
			return nil, in
		}
		a := []any{}
		if kind&8 != 0 {
			return []any(nil), in
		}
		for range kind >> 5 {
			var v any
			v, in = replyValue(in, depth+1)
			a = append(a, v)
		}
		return a, in
	}
	return nil, in
}

func fuzzString(in []byte) (string, []byte) {
	if len(in) == 0 {
		return "", in
	}
	n := min(int(in[0]), len(in)-1)
	return string(in[1 : 1+n]), in[1+n:]
}

// FuzzReplyAsEncodingJSON compares reply with encoding/json's text of the
// same values (keys in order, duplicates kept) for arbitrary values.
func FuzzReplyAsEncodingJSON(f *testing.F) {
	f.Add([]byte{3 | 2<<5, 3, 'k', 'e', 'y', 0, 4, '<', '&', '>', 0xff, 2, 'l', 'i', 4 | 2<<5, 2 | 8, 1, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{4 | 3<<5, 3 | 8, 4 | 8, 0, 3, 0xe2, 0x80, 0xa8})
	f.Fuzz(func(t *testing.T, in []byte) {
		v, _ := replyValue(in, 0)
		require.Equal(t, oracleReply(t, 0, v), reply(0, v))
	})
}
