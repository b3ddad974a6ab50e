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
