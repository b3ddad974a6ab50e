package shell_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
	"github.com/hsmsim/hsmsim/engine/shell"
	"github.com/hsmsim/hsmsim/engine/transcript"
)

// seedGolden is the whole seed walkthrough, from the host shell through
// both tools, on a default cluster seeded with 1.
var seedGolden = filepath.Join("testdata", "seed.md")

func seeded(t *testing.T, seed uint64) *shell.Session {
	t.Helper()
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(seed)})
	require.NoError(t, err)
	return s
}

// replaySeed runs the inputs of the seed golden's transcript on s.
func replaySeed(t *testing.T, s *shell.Session, text string) string {
	t.Helper()
	got, err := transcript.Replay(s, text, "password")
	require.NoError(t, err)
	return got
}

func TestSeedWalkthroughEndToEnd(t *testing.T) {
	s := seeded(t, 1)
	got := golden.Run(t, seedGolden, func(text string) string { return replaySeed(t, s, text) })

	// The seed's own lines are in it, as printed.
	for _, line := range []string{
		"Symmetric Key Created.  Key Handle: 524295",
		"Cfm3GenerateKeyPair:    public key handle: 524294    private key handle: 524296",
		"Cfm3GenerateKeyPair:    public key handle: 524297    private key handle: 524298",
		"Symmetric Key Unwrapped.  Key Handle: 524300",
		"BER encoded key length is 1216",
		"Private Key Unwrapped.  Key Handle: 524301",
		"Public Key Handle: 524302",
		"Symmetric Key Created.  Key Handle: 524304",
		`Wrapped Symmetric Key written to file "aes256.key.exp"`,
		"PEM formatted private key is written to rsa2048.key.exp",
		"Do you want to continue(y/n)?y\nshareKey success on server 0(10.0.2.9)\nshareKey success on server 1(10.0.3.11)\nshareKey success on server 2(10.0.1.12)",
	} {
		assert.Contains(t, got, line)
	}

	// What was exported is real: the public key parses, the secret key is
	// the 32 plaintext bytes of key 524295.
	pub, err := s.FS.ReadFile("rsa2048.pub.exp")
	require.NoError(t, err)
	blk, _ := pem.Decode(pub)
	require.NotNil(t, blk)
	_, err = x509.ParsePKIXPublicKey(blk.Bytes)
	require.NoError(t, err)
	sec, err := s.FS.ReadFile("aes256.key.exp")
	require.NoError(t, err)
	assert.Len(t, sec, 32)

	// Sharing happened on every HSM; the session keys went with the session.
	for _, n := range s.Cluster.Nodes {
		assert.Equal(t, []int{4}, n.Objects[524295].Shared)
		assert.Nil(t, n.Objects[524299])
		assert.Nil(t, n.Objects[524304])
		assert.Nil(t, n.Objects[524300], "deleted")
	}
}

// The seed golden is also a transcript "hsmsim run --check" accepts as it
// is: its header names the seed it was recorded with.
func TestSeedGoldenChecksAsAMarkdownTranscript(t *testing.T) {
	md, err := os.ReadFile(seedGolden)
	require.NoError(t, err)
	m, text, err := transcript.ParseMarkdown(string(md))
	require.NoError(t, err)
	require.NotNil(t, m.Seed)
	assert.Equal(t, uint64(1), *m.Seed)
	bad, steps, err := transcript.Check(seeded(t, *m.Seed), text, "password")
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Equal(t, 25, steps)
}

func TestSeededRunsAreReproducible(t *testing.T) {
	f, err := golden.Load(seedGolden)
	require.NoError(t, err)
	a := replaySeed(t, seeded(t, 7), f.Transcript())
	b := replaySeed(t, seeded(t, 7), f.Transcript())
	assert.Equal(t, a, b)
	sa, _ := seeded(t, 7).Snapshot()
	sb, _ := seeded(t, 7).Snapshot()
	assert.Equal(t, sa, sb)
}
