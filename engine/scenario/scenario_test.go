package scenario

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/state"
)

func TestEveryBuiltinBuildsAndPassesTheStateChecks(t *testing.T) {
	require.Equal(t, []string{"default", "out-of-sync", "shared-key", "uninitialised"}, Names())
	for _, name := range Names() {
		s, err := Builtin(name)
		require.NoError(t, err, name)
		assert.NotEmpty(t, s.Title, name)
		assert.NotEmpty(t, s.Description, name)
		c, files, err := s.Build()
		require.NoError(t, err, name)
		require.NoError(t, state.Check(c), name)
		_, err = state.Encode(c, files)
		require.NoError(t, err, name)
	}
}

func TestDefaultCluster(t *testing.T) {
	c, files, err := Default()
	require.NoError(t, err)
	require.Len(t, c.Nodes, 3)
	assert.Equal(t, []string{"10.0.2.9", "10.0.3.11", "10.0.1.12"}, []string{c.Nodes[0].Addr, c.Nodes[1].Addr, c.Nodes[2].Addr})
	names := map[int]string{}
	for _, u := range c.Nodes[0].Users {
		names[u.ID] = string(u.Type) + ":" + u.Name
	}
	assert.Equal(t, map[int]string{1: "PCO:admin", 2: "AU:app_user", 3: "CU:example_user", 4: "CU:alice"}, names)
	for _, name := range []string{"example_user", "alice", "admin"} {
		assert.True(t, c.Nodes[0].FindUser(name).CheckPassword("password"), name)
	}
	assert.False(t, c.Nodes[0].FindUser("app_user").CheckPassword("password"), "nobody knows the AU's password")
	assert.Equal(t, []uint64{524288, 524289, 524290, 524291, 524292, 524293, 524303}, c.Nodes[2].Handles())
	assert.Equal(t, []int{3}, c.Nodes[0].Objects[524291].Shared)
	assert.Equal(t, uint64(524295), c.Cursor)
	assert.Len(t, files["aes256.key"], 32)
	assert.Contains(t, string(files["rsa2048.key"]), "BEGIN PRIVATE KEY")
	assert.True(t, c.InSync())
}

func TestOutOfSyncExtendsDefault(t *testing.T) {
	s, err := Builtin("out-of-sync")
	require.NoError(t, err)
	c, files, err := s.Build()
	require.NoError(t, err)
	assert.Len(t, files, 3)
	assert.False(t, c.InSync())
	assert.Nil(t, c.Nodes[2].Objects[524291])
	assert.NotNil(t, c.Nodes[1].Objects[524291])
}

func TestUninitialised(t *testing.T) {
	s, err := Builtin("uninitialised")
	require.NoError(t, err)
	c, _, err := s.Build()
	require.NoError(t, err)
	assert.Equal(t, hsm.RolePRECO, c.Nodes[0].FindUser("admin").Type)
}

func TestBadScenarios(t *testing.T) {
	for name, src := range map[string]string{
		"json":         `{`,
		"extends":      `{"extends":"nope"}`,
		"user type":    `{"users":[{"id":1,"type":"BOSS","name":"x"}]}`,
		"nodes":        `{"nodes":99}`,
		"key type":     `{"keys":[{"handle":524288,"keyType":"RC2","valueHex":"00"}]}`,
		"hex":          `{"keys":[{"handle":524288,"keyType":"AES","valueHex":"zz"}]}`,
		"aes size":     `{"keys":[{"handle":524288,"keyType":"AES","valueHex":"0011"}]}`,
		"pem":          `{"keys":[{"handle":524288,"privateHandle":524289,"privatePem":"junk"}]}`,
		"duplicate":    `{"keys":[{"handle":524288,"keyType":"AES","valueHex":"00112233445566778899aabbccddeeff"},{"handle":524288,"keyType":"AES","valueHex":"00112233445566778899aabbccddeeff"}]}`,
		"missing node": `{"missing":{"7":[1]}}`,
		"down node":    `{"down":[5]}`,
		"base64":       `{"files":{"a":{"base64":"!!"}}}`,
	} {
		s, err := Parse([]byte(src))
		if err == nil {
			_, _, err = s.Build()
		}
		assert.Error(t, err, name)
	}
	_, err := Builtin("nope")
	assert.ErrorContains(t, err, "unknown scenario")
}
