package transcript

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMaskLine(t *testing.T) {
	cases := []struct{ in, want string }{
		// key_mgmt_util
		{"loginHSM -u CU -s example_user -p password", "loginHSM -u CU -s example_user -p ********"},
		{"loginHSM -p 'two words' -u CU -s alice", "loginHSM -p ******** -u CU -s alice"},
		{"loginHSM  -u CU  -s alice  -p  pw\\ x  ", "loginHSM  -u CU  -s alice  -p  ********  "},
		{"loginHSM -u CU -s example_user -hpswd", "loginHSM -u CU -s example_user -hpswd"},
		{"loginHSM -u CU -s example_user -p", "loginHSM -u CU -s example_user -p"},
		{"/opt/cloudhsm/bin/key_mgmt_util singlecmd loginHSM -u CU -s example_user -p example_pwd genSymKey -l aes -t 31 -s 32",
			"/opt/cloudhsm/bin/key_mgmt_util singlecmd loginHSM -u CU -s example_user -p ******** genSymKey -l aes -t 31 -s 32"},
		// cloudhsm_mgmt_util
		{"loginHSM CO admin co12345", "loginHSM CO admin ********"},
		{"loginHSM CO admin -hpswd", "loginHSM CO admin -hpswd"},
		{"loginHSM CU alice \"pa ss\" -2fa /tmp/auth", "loginHSM CU alice ******** -2fa /tmp/auth"},
		{"createUser CU bob secret123", "createUser CU bob ********"},
		{"createUser CO carol -hpswd", "createUser CO carol -hpswd"},
		{"changePswd CU bob newpass", "changePswd CU bob ********"},
		{"changePswd CU bob", "changePswd CU bob"},
		// other forms
		{"user create --username x --role crypto-user --password hunter2", "user create --username x --role crypto-user --password ********"},
		{"openssl genrsa -aes256 -passout pass:s3cret -out k.pem 2048", "openssl genrsa -aes256 -passout pass:******** -out k.pem 2048"},
		{"openssl enc -aes-256-cbc -k secret -in a -out b", "openssl enc -aes-256-cbc -k ******** -in a -out b"},
		// commands in any case, cloudhsm_mgmt_util's by a prefix too, and
		// -flag=value
		{"LOGINHSM CU alice PW", "LOGINHSM CU alice ********"},
		{"loginhsm -u CU -s alice -p PW", "loginhsm -u CU -s alice -p ********"},
		{"loginHSM -u CU -s alice -p=PW", "loginHSM -u CU -s alice -p=********"},
		{"loginHSM -u CU -p='two words' -s alice", "loginHSM -u CU -p=******** -s alice"},
		{"logi CO admin pw1234", "logi CO admin ********"},
		{"CREATEUSER CU bob secret123", "CREATEUSER CU bob ********"},
		{"key_mgmt_util singlecmd LoginHSM -u CU -s a -p=pw genSymKey -t 31 -s 16 -l k", "key_mgmt_util singlecmd LoginHSM -u CU -s a -p=******** genSymKey -t 31 -s 16 -l k"},
		{"genPBEKey -pwd secret -s salt -i 1 -l k", "genPBEKey -pwd ******** -s salt -i 1 -l k"},
		{"loginHSM -u CU -s alice -p ********", "loginHSM -u CU -s alice -p ********"},
		{"openssl genrsa -passout pass:x -aes256 2048", "openssl genrsa -passout pass:******** -aes256 2048"},
		{"export CLOUDHSM_PIN=admin:password123", "export CLOUDHSM_PIN=********"},
		// nothing to hide
		{"genSymKey -t 31 -s 32 -l aes256", "genSymKey -t 31 -s 32 -l aes256"},
		{"getKeyInfo -k 524288", "getKeyInfo -k 524288"},
		{"echo 'unterminated", "echo 'unterminated"},
		{"", ""},
		{"createUser CU 'unterminated", "createUser CU 'unterminated"},
		{"createUser CU bob 'unterminated pw", "createUser CU bob ********"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, MaskLine(c.in), c.in)
	}
	assert.Equal(t, []string{"ls", "loginHSM CO admin ********"}, MaskHistory([]string{"ls", "loginHSM CO admin password"}))
}

// A history of every line typed (as an API client sends it) holds the
// answer after a line that asks for a hidden one; the playground's keeps
// no hidden answers, so a command after -hpswd stays.
func TestMaskHistoryHidesAnswers(t *testing.T) {
	assert.Equal(t,
		[]string{"key_mgmt_util", "loginHSM -u CU -s alice -hpswd", Mask, "genSymKey -t 31 -s 16 -l k"},
		MaskHistory([]string{"key_mgmt_util", "loginHSM -u CU -s alice -hpswd", "password", "genSymKey -t 31 -s 16 -l k"}))
	assert.Equal(t,
		[]string{"cloudhsm_mgmt_util", "loginHSM CO admin -hpswd", Mask, "createUser CU bob -hpswd", Mask, "listUsers"},
		MaskHistory([]string{"cloudhsm_mgmt_util", "loginHSM CO admin -hpswd", "co12345", "createUser CU bob -hpswd", "s3cret99", "listUsers"}))
	assert.Equal(t,
		[]string{"loginHSM -u CU -s alice -hpswd", "listUsers", "ls"},
		MaskHistory([]string{"loginHSM -u CU -s alice -hpswd", "listUsers", "ls"}))
	// A recalled masked line asks too, so what follows it is its answer.
	assert.Equal(t,
		[]string{"loginHSM -u CU -s alice -p ********", Mask},
		MaskHistory([]string{"loginHSM -u CU -s alice -p ********", "password"}))
}

func FuzzMaskLine(f *testing.F) {
	for _, s := range []string{"loginHSM -u CU -s a -p pw", "createUser CU b 'x y'", "a\\", "\"", "openssl -k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		out := MaskLine(line)
		if out == line {
			return
		}
		// Masking only ever replaces words: the text around them stays.
		assert.Contains(t, out, Mask)
	})
}
