package shell

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// CloudHSM CLI's secrets and RSA sizes are read like the SDK 3 tools'.
func TestInspectCloudHSMCLI(t *testing.T) {
	in := InspectLine("key generate-asymmetric-pair rsa --modulus-size-bits 4096 --public-exponent 65537 --public-label a --private-label b")
	assert.Equal(t, []int{4096}, in.RSABits)
	in = InspectLine("login --username alice --role crypto-user --password s3cret!")
	assert.Equal(t, []Secret{{6, 0}}, in.Secrets)
	in = InspectLine("export CLOUDHSM_PIN=alice:s3cret!")
	assert.Equal(t, []Secret{{1, len("CLOUDHSM_PIN=")}}, in.Secrets)
}

// A recalled CLI login with the mask asks for the password instead of
// sending the mask, and counts no failed login.
func TestRecalledCLILoginAsks(t *testing.T) {
	s, err := New(Options{Rand: SeededRand(1)})
	assert.NoError(t, err)
	s.Exec("cloudhsm-cli interactive")
	r := s.Exec("login --username alice --role crypto-user --password ********")
	assert.True(t, r.Asking)
	assert.True(t, r.Secret)
	r = s.Exec("password")
	assert.Contains(t, r.Output, `"username": "alice"`)
	for _, u := range s.Cluster.Users() {
		assert.Zero(t, u.FailedLogins, u.Name)
	}
}
