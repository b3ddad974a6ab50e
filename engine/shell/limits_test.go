package shell

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A cancelled context stops key generation inside its prime search, and
// the interrupted line changes nothing: no file, no key, no handle used.
func TestExecContextInterruptsKeyGeneration(t *testing.T) {
	s, err := New(Options{Rand: SeededRand(1)})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := s.ExecContext(ctx, "openssl genrsa -out big.pem 8192")
	assert.True(t, rep.Interrupted)
	assert.Equal(t, "^C\nhsmsim: interrupted\n", rep.Output)
	_, err = s.ReadFile("big.pem")
	assert.Error(t, err, "an interrupted genrsa writes no file")

	s.Exec("key_mgmt_util")
	s.Exec("loginHSM -u CU -s example_user -p password")
	rep = s.ExecContext(ctx, "genRSAKeyPair -m 4096 -e 65537 -l big")
	assert.True(t, rep.Interrupted)
	rep = s.Exec("genSymKey -t 31 -s 32 -l next")
	assert.Contains(t, rep.Output, "Key Handle: 524295", "the interrupted command used no handle")

	// The context is the line's only: the next line runs as usual.
	rep = s.ExecContext(context.Background(), "genSymKey -t 31 -s 16 -l after")
	assert.False(t, rep.Interrupted)
	assert.Contains(t, rep.Output, "Symmetric Key Created")
}

func TestExecContextDeadlineSaysOutOfTime(t *testing.T) {
	s, err := New(Options{Rand: SeededRand(1)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	rep := s.ExecContext(ctx, "openssl genrsa 8192")
	assert.True(t, rep.Interrupted)
	assert.Equal(t, "hsmsim: the command ran out of time and was stopped\n", rep.Output)
}

func TestMaxOutputCutsAndStopsEarly(t *testing.T) {
	s, err := New(Options{Rand: SeededRand(1), MaxOutput: 1000})
	require.NoError(t, err)
	require.NoError(t, s.WriteFile("t", []byte(strings.Repeat("é", 400)+"\n")))
	rep := s.Exec("cat t t t")
	assert.True(t, rep.Cut)
	assert.LessOrEqual(t, len(rep.Output), 1000)
	assert.True(t, strings.HasPrefix(rep.Output, strings.Repeat("é", 400)+"\n"+strings.Repeat("é", 99)), "cut on a character boundary")
	rep = s.Exec("ls")
	assert.False(t, rep.Cut)
}
