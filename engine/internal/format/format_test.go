package format

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func TestAttrValue(t *testing.T) {
	flag := hsm.AttrValue{Name: "OBJ_ATTR_EXTRACTABLE", Kind: hsm.KindBool, Bytes: []byte{1}}
	kt := hsm.AttrValue{Name: "OBJ_ATTR_KEY_TYPE", Kind: hsm.KindByte, Bytes: []byte{0x15}}
	n := hsm.AttrValue{Name: "OBJ_ATTR_VALUE_LEN", Kind: hsm.KindUint32, Bytes: []byte{0, 0, 0, 32}}
	label := hsm.AttrValue{Name: "OBJ_ATTR_LABEL", Kind: hsm.KindString, Bytes: []byte("aes256")}
	point := hsm.AttrValue{Name: "OBJ_ATTR_MODULUS", Kind: hsm.KindPoint, Bytes: append([]byte{4}, make([]byte, 64)...)}
	for _, l := range []Layout{KeyMgmtUtil, MgmtUtil} {
		// getAttribute.md: "0x00000001" asked alone; a dump of all prints one byte.
		assert.Equal(t, "0x00000001", AttrValue(l, flag, true))
		assert.Equal(t, "0x01", AttrValue(l, flag, false))
		assert.Equal(t, "0x00000015", AttrValue(l, kt, true))
		assert.Equal(t, "0x00000020", AttrValue(l, n, false))
		assert.Equal(t, "aes256", AttrValue(l, label, true))
		// The whole point, both tools alike.
		assert.Equal(t, "04"+strings.Repeat("00", 64), AttrValue(l, point, true))
	}
	mod := hsm.AttrValue{Name: "OBJ_ATTR_MODULUS", Kind: hsm.KindBytes, Bytes: []byte(strings.Repeat("\xab", 60))}
	full := "0x" + strings.Repeat("ab", 60)
	assert.Equal(t, full[:80]+"\n"+full[80:], AttrValue(KeyMgmtUtil, mod, true), "genRSAKeyPair.md's lines of 80")
	assert.Equal(t, full, AttrValue(MgmtUtil, mod, true))
	assert.Equal(t, "OBJ_ATTR_LABEL\naes256\nOBJ_ATTR_EXTRACTABLE\n0x01\n", Attributes(KeyMgmtUtil, []hsm.AttrValue{label, flag}, false))
}

func TestKeys(t *testing.T) {
	// key_mgmt_util-findKey.md, in the walkthrough's compact layout.
	assert.Equal(t, "Total number of keys present 3\n number of keys matched from start index 0::2\n6, 7, 524296\n",
		Keys(KeyMgmtUtil, []tool.KeyRef{{Handle: 6}, {Handle: 7}, {Handle: 524296}}))
	assert.Equal(t, "Total number of keys present 0\n", Keys(KeyMgmtUtil, nil))
	// cloudhsm_mgmt_util-findAllKeys.md.
	assert.Equal(t, "Number of keys found 3\nnumber of keys matched from start index 0::3\n8(s),17,19(o)\n",
		Keys(MgmtUtil, []tool.KeyRef{{Handle: 8, Relation: "s"}, {Handle: 17}, {Handle: 19, Relation: "o"}}))
	assert.Equal(t, "Number of keys found 0\nnumber of keys matched from start index 0::0\n", Keys(MgmtUtil, nil))
}

func TestKeyInfo(t *testing.T) {
	k := &tool.KeyInfo{Token: true, Owner: 4, Shared: []int{3, 5}, MValue: 2}
	body := "Owned by user 4\nalso, shared to following 2 user(s):\n\t\t 3\n\t\t 5\n\t 2 Users need to approve to use/manage this key\n"
	assert.Equal(t, body, KeyInfo(KeyMgmtUtil, k))
	assert.Equal(t, "Token/Flash Key,\n"+body, KeyInfo(MgmtUtil, k))
	assert.Equal(t, "Session Key,\nOwned by user 3\n", KeyInfo(MgmtUtil, &tool.KeyInfo{Owner: 3}))
}

func TestUsers(t *testing.T) {
	users := []tool.UserInfo{{ID: 1, Type: hsm.RolePCO, Name: "admin"}, {ID: 3, Type: hsm.RoleCU, Name: "example_user", QuorumPubKey: true, FailedLogins: 2}}
	assert.Equal(t, "\tNumber Of Users found 2\n\n"+
		"\tIndex       User ID     User Type       User Name           MofnPubKey    LoginFailureCnt         2FA\n"+
		"\t1                1      PCO             admin                     NO               0               NO\n"+
		"\t2                3      CU              example_user             YES               2               NO\n",
		Users(KeyMgmtUtil, users))
	assert.Equal(t, "Number of users found:2\n"+
		"    User Id             User Type       User Name                          MofnPubKey    LoginFailureCnt         2FA\n"+
		"         1              PCO             admin                                    NO               0               NO\n"+
		"         3              CU              example_user                            YES               2               NO\n",
		Users(MgmtUtil, users))
}
