package openssl

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var oslUpdate = flag.Bool("update-openssl", false, "rewrite engine/openssl/testdata golden transcripts")

// TestOslTranscript replays the OpenSSL steps of the CloudHSM pages (and
// the usual mistakes) with a seeded reader and compares the console with
// testdata/session.golden. Keys, signatures and random bytes are part of
// the transcript, so it also pins down reproducibility.
func TestOslTranscript(t *testing.T) {
	e := newOslEnv(t, 21)
	e.put("officer1.token", []byte("registration token\n"))
	lines := []string{
		"version",
		"rand -out aes256-forImport.key 32",
		"rand -hex 32",
		"rand -base64 48",
		"rand 32",
		"rand -out keys/aes256-forImport.key 32",
		"genrsa -out officer1.key -aes256 2048",
		"ecparam -name prime256v1 -genkey -noout -out ec.pem",
		"ec -in ec.pem -text -noout",
		"ec -in ec.pem -pubout",
		"ec -in ec.pem -pubout -out ec.pub",
		"dgst -sha256 officer1.token",
		"dgst -sha256 -sign ec.pem -hex officer1.token",
		"dgst -sha256 -sign ec.pem -out officer1.token.sig1 officer1.token",
		"dgst -sha256 -verify ec.pub -signature officer1.token.sig1 officer1.token",
		"dgst -sha1 -verify ec.pub -signature officer1.token.sig1 officer1.token",
		"dgst -sha256 -sign officer1.key -out officer1.token.sig2 officer1.token",
		"dgst -md5 officer1.token",
		"pkeyutl -encrypt -inkey ec.pem -in officer1.token",
		"enc -aes-256-cbc -K 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f -iv 0f0e0d0c0b0a09080706050403020100 -in officer1.token -a",
		"enc -aes-256-cbc -in officer1.token",
		"req -new",
	}
	var b strings.Builder
	for _, l := range lines {
		out, changed := e.run(l)
		b.WriteString("$ openssl " + l + "\n" + out)
		if changed {
			b.WriteString("[files changed]\n")
		}
	}
	got := b.String()
	path := filepath.Join("testdata", "session.golden")
	if *oslUpdate {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run TestOslTranscript -update-openssl to create it")
	assert.Equal(t, string(want), got)
}
