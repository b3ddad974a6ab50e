package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpecFromHelp(t *testing.T) {
	sp := parseSpec(helpTexts()["key generate-symmetric aes"])
	require.NotNil(t, sp.flags["label"])
	assert.True(t, sp.flags["label"].required)
	assert.True(t, sp.flags["key-length-bytes"].required)
	assert.False(t, sp.flags["session"].required)
	assert.Equal(t, "", sp.flags["session"].value)
	assert.True(t, sp.flags["attributes"].multi)
	assert.Equal(t, []string{"cluster-id", "label", "session", "key-length-bytes", "attributes", "share-crypto-users", "manage-key-quorum-value", "use-key-quorum-value"}, sp.order)

	sp = parseSpec(helpTexts()["crypto sign ecdsa"])
	assert.Equal(t, [][]string{{"data-path", "data"}}, sp.groups)
	assert.True(t, sp.flags["key-filter"].required)
	assert.False(t, sp.flags["data"].required)

	sp = parseSpec(helpTexts()["login"])
	assert.Equal(t, []string{"crypto-user", "admin"}, sp.flags["role"].choices)
	assert.True(t, sp.flags["username"].required)
	assert.False(t, sp.flags["password"].required)

	sp = parseSpec(helpTexts()["key list"])
	assert.Equal(t, "10", sp.flags["max-items"].def)
	assert.Equal(t, "v", sp.flags["verbose"].short)

	sp = parseSpec(helpTexts()["user create"])
	assert.False(t, sp.flags["password"].required)
	sp = parseSpec(helpTexts()["key unwrap aes-pkcs5-pad"])
	assert.Equal(t, []string{"aes", "des3", "ec-private", "generic-secret", "rsa-private"}, sp.flags["key-type-class"].choices)
	assert.Equal(t, [][]string{{"data-path", "data"}}, sp.groups)
	sp = parseSpec(helpTexts()["key unwrap rsa-oaep"])
	assert.Equal(t, [][]string{{"data-path", "data"}}, sp.groups)

	// Every command's help yields a usage line and its flags.
	for name, h := range helpTexts() {
		sp := parseSpec(h)
		assert.NotEmpty(t, sp.usage, name)
	}
}

// Every command has its help text (read when a command first runs, not
// when the program starts).
func TestEveryCommandHasHelp(t *testing.T) {
	for path := range commands {
		if _, ok := helpTexts()[path]; !ok && path != "help" && path != "quit" {
			t.Errorf("no help text for %s", path)
		}
	}
}
