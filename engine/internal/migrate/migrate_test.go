package migrate_test

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/shell"
)

// keyState is what must agree between a script and its rewrite: every
// key's handle, class, type, size, label, id, owner, shares and
// attributes; not its random material.
func keyState(s *shell.Session) []string {
	var out []string
	for _, n := range s.Cluster.Nodes {
		for _, h := range n.Handles() {
			o := n.Objects[h]
			size := o.ModulusBits
			if o.Class == 4 {
				size = o.ValueLen
			}
			users := append([]int{}, o.Shared...)
			sort.Ints(users)
			out = append(out, strings.Join([]string{
				"node", itoa(n.ID), "handle", itoa(int(h)), o.Class.String(), itoa(int(o.KeyType)), itoa(size), itoa(o.CurveID),
				o.Label, o.KeyID, "owner", itoa(o.Owner), "shared", fmt.Sprint(users),
				"token", bit(o.Token), "private", bit(o.Private), "sensitive", bit(o.Sensitive), "encrypt", bit(o.Encrypt),
				"decrypt", bit(o.Decrypt), "wrap", bit(o.Wrap), "unwrap", bit(o.Unwrap), "sign", bit(o.Sign), "verify", bit(o.Verify),
				"derive", bit(o.Derive), "local", bit(o.Local), "extractable", bit(o.Extractable),
				"never-extractable", bit(o.NeverExtractable), "always-sensitive", bit(o.AlwaysSensitive),
				"destroyable", bit(o.Destroyable), "trusted", bit(o.Trusted), "mvalue", itoa(o.MValue),
			}, " "))
		}
		for _, u := range n.Users {
			out = append(out, "node "+itoa(n.ID)+" user "+itoa(u.ID)+" "+strings.ToLower(u.Name)+" "+string(u.Type))
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func runScript(t *testing.T, seed uint64, lines []string) *shell.Session {
	t.Helper()
	s, err := shell.New(shell.Options{Rand: shell.SeededRand(seed)})
	require.NoError(t, err)
	for _, l := range lines {
		s.Exec(l)
	}
	return s
}

// An SDK 3 script and its CloudHSM CLI rewrite, run on the same seeded
// cluster, leave the same keys (handles, attributes, owners, shares) and
// users behind.
const sdk3Script = `key_mgmt_util
loginHSM -u CU -s example_user -p password
genSymKey -t 31 -s 32 -l aes256
genRSAKeyPair -m 2048 -e 65537 -l rsa2048
genECCKeyPair -i 14 -l ecc-p384
genSymKey -t 16 -s 64 -l hmac -u 4
genSymKey -t 31 -s 16 -l aes128-nex -nex -id k1
importPubKey -f rsa2048.pub -l rsa2048-public-imported
setAttribute -o 524295 -a 3 -v renamed
deleteKey -k 524297
findKey -l aes256
getAttribute -o 524294 -a 512 -out attrs
exportPubKey -k 524294 -out rsa2048.pub.exp
exit
cloudhsm_mgmt_util
loginHSM CO admin password
createUser CU bob password1
y
logoutHSM
loginHSM CU example_user password
shareKey 524296 4 1
y
setAttribute 524295 3 renamed
y
setAttribute 524295 262 0
y
quit
`

func TestRewriteLeavesTheSameCluster(t *testing.T) {
	orig := strings.Split(strings.TrimRight(sdk3Script, "\n"), "\n")
	a := runScript(t, 7, orig)
	rewritten := strings.Split(strings.TrimRight(shell.Migrate(a, sdk3Script), "\n"), "\n")
	b := runScript(t, 7, rewritten)
	assert.Equal(t, keyState(a), keyState(b))
	assert.Equal(t, `cloudhsm-cli interactive
login --username example_user --role crypto-user --password password
key generate-symmetric aes --label aes256 --key-length-bytes 32 --attributes encrypt=true decrypt=true wrap=true unwrap=true sign=false verify=false
key generate-asymmetric-pair rsa --modulus-size-bits 2048 --public-exponent 65537 --public-label rsa2048 --private-label rsa2048 --public-attributes encrypt=true wrap=true verify=true --private-attributes decrypt=true unwrap=true sign=true
key generate-asymmetric-pair ec --curve secp384r1 --public-label ecc-p384 --private-label ecc-p384 --public-attributes verify=true --private-attributes sign=true
key generate-symmetric generic-secret --label hmac --key-length-bytes 64 --share-crypto-users alice --attributes sign=false verify=false
key generate-symmetric aes --label aes128-nex --key-length-bytes 16 --attributes encrypt=true decrypt=true wrap=true unwrap=true sign=false verify=false extractable=false id=k1
key import pem --path rsa2048.pub --label rsa2048-public-imported --key-type-class rsa-public --attributes encrypt=true verify=true wrap=true
# setAttribute -o 524295 -a 3 -v renamed
#   key_mgmt_util's setAttribute changes only OBJ_ATTR_TOKEN (1); in CloudHSM CLI: key set-attribute --filter key-reference=0x0000000000080007 --name label --value renamed
key delete --filter key-reference=0x0000000000080009
key list --filter attr.label=aes256
key list --filter key-reference=0x0000000000080006 --verbose
key generate-file --encoding pem --path rsa2048.pub.exp --filter key-reference=0x0000000000080006
quit
cloudhsm-cli interactive
login --username admin --role admin --password password
user create --username bob --role crypto-user --password password1
logout
login --username example_user --role crypto-user --password password
key share --filter key-reference=0x0000000000080008 --username alice --role crypto-user
key set-attribute --filter key-reference=0x0000000000080007 --name label --value renamed
key set-attribute --filter key-reference=0x0000000000080007 --name wrap --value false
quit`, strings.Join(rewritten, "\n"))
}
