package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMigrateCommand(t *testing.T) {
	f := filepath.Join(t.TempDir(), "s.txt")
	require.NoError(t, os.WriteFile(f, []byte("key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 16 -l k -u 4\nexSymKey -k 524295 -out x -w 524299\nexit\n"), 0o644))
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"migrate", f}, strings.NewReader(""), &out, &errb), errb.String())
	assert.Equal(t, `cloudhsm-cli interactive
login --username example_user --role crypto-user --password password
key generate-symmetric aes --label k --key-length-bytes 16 --share-crypto-users alice --attributes encrypt=true decrypt=true wrap=true unwrap=true sign=false verify=false
# exSymKey -k 524295 -out x -w 524299
#   CloudHSM CLI has no equivalent: CloudHSM CLI exports no plaintext keys; take a key out with key wrap
quit
`, out.String())

	out.Reset()
	errb.Reset()
	assert.Equal(t, 2, run([]string{"migrate"}, strings.NewReader(""), &out, &errb))
	assert.Contains(t, errb.String(), "usage: hsmsim migrate [flags] FILE")
	assert.Equal(t, 1, run([]string{"migrate", filepath.Join(t.TempDir(), "none")}, strings.NewReader(""), &out, &errb))
}
