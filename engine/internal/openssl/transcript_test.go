package openssl

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/golden"
)

// TestOslTranscript replays the OpenSSL steps of the CloudHSM pages (and
// the usual mistakes) with a seeded reader: the golden testdata/session.md
// (package golden) holds each "$ openssl" line and what it prints, then
// "[files changed]" when it wrote a file. Keys, signatures and random bytes
// are part of the transcript, so it also pins down reproducibility.
func TestOslTranscript(t *testing.T) {
	e := newOslEnv(t, 21)
	e.put("officer1.token", []byte("registration token\n"))
	golden.Run(t, filepath.Join("testdata", "session.md"), func(transcript string) string {
		var b strings.Builder
		n := 0
		for _, l := range strings.Split(transcript, "\n") {
			line, ok := strings.CutPrefix(l, "$ openssl ")
			if !ok {
				continue
			}
			n++
			out, changed := e.run(line)
			b.WriteString("$ openssl " + line + "\n" + out)
			if changed {
				b.WriteString("[files changed]\n")
			}
		}
		require.Positive(t, n, "no $ openssl line")
		return b.String()
	})
}
