package tour

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/shell"
)

// cliTourOutput is what each command of the CloudHSM CLI tour answers on a
// fresh default cluster (seed 1): the lines of its JSON that do not come
// from key material. Every reply is error_code 0.
var cliTourOutput = map[string][]string{
	"login --username example_user --role crypto-user --password password": {`"username": "example_user"`, `"role": "crypto-user"`},
	"key generate-symmetric aes --label cli-aes256 --key-length-bytes 32": {`"key-reference": "0x0000000000080007"`, `"username": "example_user"`,
		`"cluster-coverage": "full"`, `"key-type": "aes"`, `"label": "cli-aes256"`, `"encrypt": false`, `"local": true`, `"key-length-bytes": 32`},
	"key generate-asymmetric-pair rsa --modulus-size-bits 2048 --public-exponent 65537 --public-label cli-rsa2048-public --private-label cli-rsa2048-private": {
		`"public_key": {`, `"key-reference": "0x0000000000080006"`, `"label": "cli-rsa2048-public"`, `"class": "public-key"`,
		`"private_key": {`, `"key-reference": "0x0000000000080008"`, `"label": "cli-rsa2048-private"`, `"class": "private-key"`,
		`"public-exponent": "0x010001"`, `"modulus-size-bits": 2048`},
	"key generate-asymmetric-pair ec --curve secp384r1 --public-label cli-ec-p384-public --private-label cli-ec-p384-private": {
		`"key-reference": "0x0000000000080009"`, `"key-reference": "0x000000000008000a"`, `"label": "cli-ec-p384-private"`, `"curve": "secp384r1"`, `"key-length-bytes": 97`},
	"key list --filter attr.label=cli-aes256 --verbose": {`"key-reference": "0x0000000000080007"`, `"label": "cli-aes256"`, `"shared-users": []`,
		`"total_key_count": 1`, `"returned_key_count": 1`},
	"key share --filter attr.label=cli-aes256 --username alice --role crypto-user":   {`"message": "Key shared successfully"`},
	"key unshare --filter attr.label=cli-aes256 --username alice --role crypto-user": {`"message": "Key unshared successfully"`},
	"key generate-symmetric aes --label cli-wrapping-key --key-length-bytes 32 --attributes wrap=true unwrap=true": {`"key-reference": "0x000000000008000b"`,
		`"label": "cli-wrapping-key"`, `"wrap": true`, `"unwrap": true`},
	"key wrap aes-no-pad --payload-filter attr.label=cli-aes256 --wrapping-filter attr.label=cli-wrapping-key --path cli-aes256.wrapped": {
		`"payload_key_reference": "0x0000000000080007"`, `"wrapping_key_reference": "0x000000000008000b"`, `"wrapped_key_data": "`},
	"key unwrap aes-no-pad --filter attr.label=cli-wrapping-key --key-type-class aes --label cli-aes256-unwrapped --data-path cli-aes256.wrapped": {
		`"key-reference": "0x000000000008000c"`, `"label": "cli-aes256-unwrapped"`, `"local": false`, `"key-length-bytes": 32`},
	"key import pem --path rsa2048.pub --label cli-rsa2048-public-imported --key-type-class rsa-public": {`"key-reference": "0x000000000008000d"`,
		`"label": "cli-rsa2048-public-imported"`, `"local": false`, `"message": "Successfully imported key"`},
	"key generate-file --encoding pem --path cli-rsa2048.pub.exp --filter attr.label=cli-rsa2048-public": {`"message": "Successfully generated key file"`},
	"key set-attribute --filter attr.label=cli-aes256 --name encrypt --value true":                       {`"message": "Attribute set successfully"`},
	"key delete --filter attr.label=cli-rsa2048-public-imported":                                         {`"message": "Key deleted successfully"`},
	"logout": {`"data": "Logout successful"`},
}

// The CloudHSM CLI tour, every step: not done before its commands, each
// command's reply as expected, done after; then key_mgmt_util sees the
// keys it made under the handles their key references name.
func TestTheCLITourEndToEnd(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(1)})
	require.NoError(t, err)
	tr, ok := ByID("cli")
	require.True(t, ok)
	ran := 0
	for _, st := range tr.Steps {
		marks := Mark(s)
		assert.False(t, Done(st, marks, s), "%s is not done before its commands", st.ID)
		var rep shell.Reply
		for _, c := range st.Commands {
			rep = s.Exec(c)
			if c == "cloudhsm-cli interactive" {
				assert.Equal(t, "", rep.Output)
				assert.Equal(t, "aws-cloudhsm > ", s.Prompt())
				continue
			}
			want, ok := cliTourOutput[c]
			require.True(t, ok, "no expected output for %q", c)
			ran++
			var r struct {
				Code int `json:"error_code"`
			}
			require.NoError(t, json.Unmarshal([]byte(rep.Output), &r), "%s:\n%s", c, rep.Output)
			assert.Equal(t, 0, r.Code, "%s:\n%s", c, rep.Output)
			for _, w := range want {
				assert.Contains(t, rep.Output, w, c)
			}
			assert.Empty(t, Explain(rep.Calls), c)
		}
		assert.True(t, DoneAfter(st, marks, s, rep.Calls), "%s is done after its commands", st.ID)
	}
	assert.Equal(t, len(cliTourOutput), ran)

	// The unwrapped key is the same key material as the key wrapped.
	o, u := s.Cluster.Object(524295), s.Cluster.Object(524300)
	require.NotNil(t, o)
	require.NotNil(t, u)
	assert.Equal(t, o.Value, u.Value)
	assert.True(t, o.Encrypt, "set-attribute")
	assert.Empty(t, o.Shared, "unshared")

	s.Exec("quit")
	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	for label, want := range map[string]string{
		"cli-aes256":                  "Total number of keys present 1\n number of keys matched from start index 0::0\n524295\n",
		"cli-aes256-unwrapped":        "Total number of keys present 1\n number of keys matched from start index 0::0\n524300\n",
		"cli-rsa2048-private":         "Total number of keys present 1\n number of keys matched from start index 0::0\n524296\n",
		"cli-rsa2048-public-imported": "Total number of keys present 0\n",
	} {
		assert.Contains(t, s.Exec("findKey -l "+label).Output, want, label)
	}
	exported, err := s.ReadFile("cli-rsa2048.pub.exp")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(exported), "-----BEGIN PUBLIC KEY-----\n"))
}

// A key list without a filter does not count for the list step, nor does a
// failed one; a filtered one by key reference does.
func TestTheListStepNeedsAFilteredList(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(2)})
	require.NoError(t, err)
	st, ok := Find("cli-list")
	require.True(t, ok)
	s.Exec("cloudhsm-cli interactive")
	m := Mark(s)
	assert.False(t, DoneAfter(st, m, s, s.Exec("key list").Calls), "not logged in")
	s.Exec("login --username example_user --role crypto-user --password password")
	s.Exec("key generate-symmetric aes --label mine --key-length-bytes 16")
	assert.False(t, DoneAfter(st, m, s, s.Exec("key list").Calls), "every key")
	assert.False(t, DoneAfter(st, m, s, s.Exec("key list --filter attr.label=nothing").Calls), "no key")
	assert.False(t, DoneAfter(st, m, s, nil), "no reply")
	assert.True(t, DoneAfter(st, m, s, s.Exec("key list --filter key-reference=0x0000000000080007").Calls))
}

// CloudHSM CLI's refusals are explained in its own words, from the
// reply's calls; its successes say which handle each key reference is.
func TestCLIExplanationsAndNotes(t *testing.T) {
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(3)})
	require.NoError(t, err)
	s.Exec("cloudhsm-cli interactive")
	one := func(line string) Explanation {
		t.Helper()
		e := Explain(s.Exec(line).Calls)
		require.Len(t, e, 1, line)
		return e[0]
	}
	e := one("key list")
	assert.Equal(t, "0xa9", e.Code)
	assert.Contains(t, e.Fix, "login --username example_user")
	e = one("login --username example_user --role crypto-user --password nope")
	assert.Equal(t, "0xa3", e.Code)
	s.Exec("login --username example_user --role crypto-user --password password")
	e = one("key delete --filter attr.label=nothing-is-called-this")
	assert.Contains(t, e.Meaning, "matched no key")
	s.Exec("key generate-symmetric aes --label twice --key-length-bytes 16")
	rep := s.Exec("key generate-symmetric aes --label twice --key-length-bytes 16")
	assert.Equal(t, []string{"Key reference 0x0000000000080008 is handle 524296 in key_mgmt_util and cloudhsm_mgmt_util."}, Notes(rep.Calls))
	e = one("key delete --filter attr.label=twice")
	assert.Contains(t, e.Fix, "key-reference=0x")
	// 524291 is alice's key, shared with example_user: usable, not deletable.
	e = one("key delete --filter key-reference=0x0000000000080003")
	assert.Equal(t, "0xc6", e.Code)
	assert.Contains(t, e.Fix, "key-owners")
	e = one("user create --username bob --role crypto-user --password password1")
	assert.Contains(t, e.Meaning, "admins manage users")
	e = one("key wrap aes-no-pad --payload-filter key-reference=0x0000000000080007 --wrapping-filter key-reference=0x0000000000080008")
	assert.Contains(t, e.Fix, "wrap=true")
	assert.Empty(t, Notes(s.Exec("key delete --filter attr.label=twice").Calls), "a refusal names no key")

	// An HSM away: the change succeeds, the HSM's silence is explained.
	s.Exec("quit")
	s.Exec("cluster node 1 down")
	s.Exec("cloudhsm-cli interactive")
	s.Exec("login --username example_user --role crypto-user --password password")
	rep = s.Exec("key generate-symmetric aes --label drift --key-length-bytes 16")
	require.Len(t, rep.Calls, 1)
	assert.Equal(t, hsm.RCSuccess, rep.Calls[0].RC)
	e = Explain(rep.Calls)[0]
	assert.Contains(t, e.Meaning, "HSM 1")
	assert.Contains(t, e.Fix, "cluster node 1 up")
}

func TestEveryTourIsComplete(t *testing.T) {
	require.Len(t, Tours(), 2)
	assert.Equal(t, Steps(), Tours()[0].Steps)
	ids := map[string]bool{}
	for _, tr := range Tours() {
		assert.NotEmpty(t, tr.Title)
		assert.NotEmpty(t, tr.Intro)
		got, ok := ByID(tr.ID)
		assert.True(t, ok)
		assert.Equal(t, tr.ID, got.ID)
		for _, st := range tr.Steps {
			assert.NotEmpty(t, st.Title)
			assert.NotEmpty(t, st.Why)
			assert.NotEmpty(t, st.Commands)
			assert.NotNil(t, st.done)
			assert.False(t, ids[st.ID], "duplicate id %s", st.ID)
			ids[st.ID] = true
			found, ok := Find(st.ID)
			assert.True(t, ok)
			assert.Equal(t, st.Title, found.Title)
		}
	}
	assert.Len(t, Tours()[1].Steps, 14)
	_, ok := ByID("nope")
	assert.False(t, ok)
}
