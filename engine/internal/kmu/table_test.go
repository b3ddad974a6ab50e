package kmu

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// The -h text of every command, built from its table entry, is the text
// each command held in its own copy before (testdata/help.md).
func TestHelpText(t *testing.T) {
	golden.Run(t, filepath.Join("testdata", "help.md"), func(transcript string) string {
		tl := New(nil, nil, nil)
		var b strings.Builder
		for _, line := range strings.Split(transcript, "\n") {
			cmd, ok := strings.CutPrefix(line, Prompt)
			if !ok {
				continue
			}
			b.WriteString(Prompt + cmd + "\n" + tl.Exec(cmd).Output)
		}
		return b.String()
	})
}

// Every registered command is in the help index, and the index lists
// nothing the table does not have.
func TestHelpIndexMatchesTable(t *testing.T) {
	listed := map[string]bool{}
	for _, g := range helpGroups {
		for _, n := range g.names {
			assert.False(t, listed[n], "%s listed twice", n)
			listed[n] = true
			assert.NotNil(t, Lookup(n), "help lists %s, which is not registered", n)
		}
	}
	for _, n := range Commands() {
		assert.True(t, listed[n], "%s is registered but not in help", n)
	}
	out := New(nil, nil, nil).Exec("help").Output
	for _, n := range Commands() {
		assert.Contains(t, out, "   "+n+" ", n)
	}
}

// Flags are declared once per command, value flags have a placeholder or
// their own syntax entry, and switches take no placeholder.
func TestFlagTable(t *testing.T) {
	for _, n := range Commands() {
		c := Lookup(n)
		seen := map[string]bool{}
		for _, f := range c.Flags {
			assert.False(t, seen[f.Name], "%s -%s twice", n, f.Name)
			seen[f.Name] = true
			if f.NoSyntax || f.Syntax != "" {
				continue
			}
			assert.Equal(t, f.Kind.TakesValue(), f.Arg != "", "%s -%s: placeholder and kind disagree", n, f.Name)
		}
	}
}

// completeValues lists a slot's own choices ("value note").
func completeValues(sl tool.Slot) []string {
	var out []string
	for _, c := range sl.Choices {
		if strings.HasPrefix(c.Value, sl.Word) {
			out = append(out, strings.TrimSpace(c.Value+" "+c.Note))
		}
	}
	return out
}

// What the word being typed is comes from the flags' kinds: a value after a
// flag that takes one, a flag (not yet given) otherwise.
func TestCompleteReadsTheTable(t *testing.T) {
	tl := New(nil, nil, nil)
	cases := []struct {
		line string
		kind tool.Kind
		want []string
	}{
		{"getAttribute -o ", tool.Handle, nil},
		{"getAttribute -o 524295 -a ", tool.Attribute, nil},
		{"getAttribute -o 524295 -a 355 -", tool.Literal, []string{"-h", "-out"}},
		{"getAttribute -o 524295 -a 355 -out ", tool.File, nil},
		{"genECCKeyPair -i ", tool.Curve, nil},
		{"genSymKey -t ", tool.KeyType, []string{"16 GENERIC_SECRET", "18 RC4", "21 DES3", "31 AES"}},
		{"genSymKey -t 31 -s 32 -u ", tool.Users, nil},
		{"genRSAKeyPair -m ", tool.RSABits, nil},
		{"wrapKey -k 1 -w 2 -m ", tool.Mechanism, []string{"4 AES_KEY_WRAP_PAD_PKCS5", "5 NIST_AES_WRAP_NO_PAD", "6 NIST_AES_WRAP_PAD", "7 RSA_AES", "8 RSA_OAEP", "10 AES_GCM", "11 CLOUDHSM_AES_GCM", "12 RSA_PKCS"}},
		{"wrapKey -m 1", tool.Mechanism, []string{"10 AES_GCM", "11 CLOUDHSM_AES_GCM", "12 RSA_PKCS"}},
		{"sign -m 1", tool.Mechanism, []string{"1 SHA256_RSA_PKCS", "15 ECDSA_SHA1", "16 ECDSA_SHA224", "17 ECDSA_SHA256", "18 ECDSA_SHA384", "19 ECDSA_SHA512"}},
		{"exSymKey -m ", tool.Mechanism, []string{"4 NIST_AES_WRAP"}},
		{"findKey -c ", tool.KeyClass, []string{"2 public", "3 private", "4 secret"}},
		{"loginHSM -u CU -s ", tool.UserName, nil},
		{"loginHSM -u CU -s alice -p ", tool.Secret, nil},
		{"loginHSM -u ", tool.UserType, nil},
		{"setAttribute -o 1 -a ", tool.Attribute, []string{"1 OBJ_ATTR_TOKEN"}},
		{"aesWrapUnwrap -m ", tool.Number, []string{"1 wrap", "0 unwrap"}},
		{"loginHSM -u CU -", tool.Literal, []string{"-h", "-p", "-s", "-hpswd"}},
		{"genS", tool.Literal, []string{"genSymKey"}},
	}
	for _, c := range cases {
		sl := tl.Complete(c.line)
		assert.False(t, sl.None, c.line)
		assert.Equal(t, c.kind, sl.Kind, c.line)
		assert.Equal(t, c.want, completeValues(sl), c.line)
	}
	assert.True(t, tl.Complete("nosuch -").None)
}
