// Package format is the text of the values the tools read back from the
// HSMs: attribute values, the users table, key lists and key information.
// Each value has one formatter here, whichever tool prints it; where
// key_mgmt_util and cloudhsm_mgmt_util lay the same value out differently
// (their reference pages show two users tables), the formatter takes the
// tool's Layout. A tool that prints the values another way (JSON) reads
// the typed values of tool.Value instead.
package format

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// Layout is the tool whose layout a value is printed in.
type Layout int

const (
	// KeyMgmtUtil is key_mgmt_util's layout.
	KeyMgmtUtil Layout = iota
	// MgmtUtil is cloudhsm_mgmt_util's layout.
	MgmtUtil
)

// hexLineWidth is where long hex values break: the RSA modulus in
// genRSAKeyPair.md comes in lines of 80 characters, "0x" included.
const hexLineWidth = 80

// AttrValue is an attribute's value as both tools' getAttribute print it.
// In a dump of all attributes the one-byte values print as two hex digits
// ("0x01"); asked for alone they print as four bytes ("0x00000015" for the
// key type of a 3DES key in getAttribute.md, "0x00000000" for
// OBJ_ATTR_LOCAL in imSymKey.md). The RSA modulus is wrapped at 80
// characters in key_mgmt_util's files (genRSAKeyPair.md) and stays on one
// line in cloudhsm_mgmt_util's answer; an EC point prints whole, as bare hex
// on one line, in both (genECCKeyPair.md).
func AttrValue(l Layout, a hsm.AttrValue, single bool) string {
	switch a.Kind {
	case hsm.KindBool, hsm.KindByte:
		if single {
			return fmt.Sprintf("0x%08x", a.Uint())
		}
		return fmt.Sprintf("0x%02x", a.Uint())
	case hsm.KindUint32:
		return fmt.Sprintf("0x%08x", a.Uint())
	case hsm.KindString:
		return string(a.Bytes)
	case hsm.KindPoint:
		return hex.EncodeToString(a.Bytes)
	}
	s := "0x" + hex.EncodeToString(a.Bytes)
	if l == MgmtUtil {
		return s
	}
	var b strings.Builder
	for len(s) > hexLineWidth {
		b.WriteString(s[:hexLineWidth])
		b.WriteByte('\n')
		s = s[hexLineWidth:]
	}
	b.WriteString(s)
	return b.String()
}

// Attributes is a list of attributes as getAttribute prints it (to its
// file in key_mgmt_util, per server in cloudhsm_mgmt_util): each
// attribute's name on one line and its value on the next. An empty value
// (an object without OBJ_ATTR_ID) still gets its own, empty, line.
func Attributes(l Layout, attrs []hsm.AttrValue, single bool) string {
	var b strings.Builder
	for _, a := range attrs {
		b.WriteString(a.Name)
		b.WriteByte('\n')
		b.WriteString(AttrValue(l, a, single))
		b.WriteByte('\n')
	}
	return b.String()
}

// AttributeList is the list of attribute names and constants listAttributes
// prints, in the order and layout of each tool's page
// (key_mgmt_util-listAttributes.md lists fewer than
// cloudhsm_mgmt_util-listAttributes.md).
func AttributeList(l Layout) string {
	var b strings.Builder
	if l == MgmtUtil {
		b.WriteString("Following are the possible attribute values for getAttribute:\n")
		for _, id := range mgmtUtilAttrs {
			fmt.Fprintf(&b, "%-32s= %d\n", hsm.AttrNames[id], id)
		}
		return b.String()
	}
	b.WriteString("Following are the possible attribute values for getAttributes:\n\n")
	for _, id := range keyMgmtUtilAttrs {
		fmt.Fprintf(&b, "      %-32s= %d\n", hsm.AttrNames[id], id)
	}
	return b.String()
}

var keyMgmtUtilAttrs = []int{hsm.AttrClass, hsm.AttrToken, hsm.AttrPrivate, hsm.AttrLabel, hsm.AttrKeyType,
	hsm.AttrEncrypt, hsm.AttrDecrypt, hsm.AttrWrap, hsm.AttrUnwrap, hsm.AttrSign, hsm.AttrVerify,
	hsm.AttrLocal, hsm.AttrModulus, hsm.AttrModulusBits, hsm.AttrPublicExponent, hsm.AttrValueLen,
	hsm.AttrExtractable, hsm.AttrKCV}

var mgmtUtilAttrs = []int{
	hsm.AttrClass, hsm.AttrToken, hsm.AttrPrivate, hsm.AttrLabel, hsm.AttrTrusted, hsm.AttrKeyType,
	hsm.AttrID, hsm.AttrSensitive, hsm.AttrEncrypt, hsm.AttrDecrypt, hsm.AttrWrap, hsm.AttrUnwrap,
	hsm.AttrSign, hsm.AttrVerify, hsm.AttrDerive, hsm.AttrLocal, hsm.AttrModulus, hsm.AttrModulusBits,
	hsm.AttrPublicExponent, hsm.AttrValueLen, hsm.AttrExtractable, hsm.AttrNeverExtractable,
	hsm.AttrAlwaysSensitive, hsm.AttrDestroyable, hsm.AttrKCV, hsm.AttrWrapWithTrusted,
	hsm.AttrWrapTemplate, hsm.AttrUnwrapTemplate, hsm.AttrAll,
}

// Users is a users table as listUsers prints it: key_mgmt_util's indexed
// table (key_mgmt_util-listUsers.md), or one HSM's table in
// cloudhsm_mgmt_util (getting-started.md).
func Users(l Layout, users []tool.UserInfo) string {
	var b strings.Builder
	if l == MgmtUtil {
		fmt.Fprintf(&b, "Number of users found:%d\n", len(users))
		b.WriteString("    User Id             User Type       User Name                          MofnPubKey    LoginFailureCnt         2FA\n")
		for _, u := range users {
			fmt.Fprintf(&b, "%10d%14s%-16s%-35s%8s%16d%17s\n", u.ID, "", u.Type, u.Name, yesNo(u.QuorumPubKey), u.FailedLogins, yesNo(u.TwoFA))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "\tNumber Of Users found %d\n\n", len(users))
	fmt.Fprintf(&b, "\t%-12s%-12s%-16s%-20s%-14s%-24s%s\n", "Index", "User ID", "User Type", "User Name", "MofnPubKey", "LoginFailureCnt", "2FA")
	for i, u := range users {
		fmt.Fprintf(&b, "\t%-5d%13d      %-16s%-20s%8s%16d%17s\n", i+1, u.ID, u.Type, u.Name, yesNo(u.QuorumPubKey), u.FailedLogins, yesNo(u.TwoFA))
	}
	return b.String()
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

// Keys is a list of keys as findKey (key_mgmt_util) or one HSM's part of
// findAllKeys (cloudhsm_mgmt_util) prints it. findKey's "matched" count is
// the index of the last key, findAllKeys's the number of keys, and only
// findAllKeys marks each key owned (o) or shared (s).
func Keys(l Layout, keys []tool.KeyRef) string {
	var b strings.Builder
	hs := make([]string, len(keys))
	if l == MgmtUtil {
		for i, k := range keys {
			hs[i] = strconv.FormatUint(k.Handle, 10)
			if k.Relation != "" {
				hs[i] += "(" + k.Relation + ")"
			}
		}
		fmt.Fprintf(&b, "Number of keys found %d\n", len(keys))
		fmt.Fprintf(&b, "number of keys matched from start index 0::%d\n", len(keys))
		if len(keys) > 0 {
			fmt.Fprintf(&b, "%s\n", strings.Join(hs, ","))
		}
		return b.String()
	}
	for i, k := range keys {
		hs[i] = strconv.FormatUint(k.Handle, 10)
	}
	fmt.Fprintf(&b, "Total number of keys present %d\n", len(keys))
	if len(keys) > 0 {
		fmt.Fprintf(&b, " number of keys matched from start index 0::%d\n", len(keys)-1)
		fmt.Fprintf(&b, "%s\n", strings.Join(hs, ", "))
	}
	return b.String()
}

// KeyInfo is who owns a key and whom it is shared with, as getKeyInfo
// prints it; cloudhsm_mgmt_util first says whether it is a token key.
func KeyInfo(l Layout, k *tool.KeyInfo) string {
	var b strings.Builder
	if l == MgmtUtil {
		if k.Token {
			b.WriteString("Token/Flash Key,\n")
		} else {
			b.WriteString("Session Key,\n")
		}
	}
	fmt.Fprintf(&b, "Owned by user %d\n", k.Owner)
	if len(k.Shared) > 0 {
		fmt.Fprintf(&b, "also, shared to following %d user(s):\n", len(k.Shared))
		for _, u := range k.Shared {
			fmt.Fprintf(&b, "\t\t %d\n", u)
		}
	}
	if k.MValue > 0 {
		fmt.Fprintf(&b, "\t %d Users need to approve to use/manage this key\n", k.MValue)
	}
	return b.String()
}

// KeyReference is how CloudHSM CLI names a key: its handle as "0x" and 16
// hex digits, so key_mgmt_util's 524295 is 0x0000000000080007 and a learner
// can follow one key across the three tools (docs/simulator-choices.md).
func KeyReference(h uint64) string { return fmt.Sprintf("0x%016x", h) }
