package kmu

import (
	"slices"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// This file holds the values parameters take, as Tab completion offers
// them: each list is made from the table the command checks its input
// against, so the two cannot disagree.

// keyTypeNames are the key types by OBJ_ATTR_KEY_TYPE, named as the -h
// texts name them.
var keyTypeNames = map[hsm.KeyType]string{
	hsm.KeyTypeRSA: "RSA", hsm.KeyTypeDSA: "DSA", hsm.KeyTypeEC: "EC",
	hsm.KeyTypeGenericSecret: "GENERIC_SECRET", hsm.KeyTypeRC4: "RC4",
	hsm.KeyTypeDES3: "DES3", hsm.KeyTypeAES: "AES",
}

// keyTypes lists the given key types (all of them when none is given).
func keyTypes(types ...hsm.KeyType) []tool.Choice {
	if len(types) == 0 {
		for kt := range keyTypeNames {
			types = append(types, kt)
		}
		slices.Sort(types)
	}
	var out []tool.Choice
	for _, kt := range types {
		out = append(out, tool.Choice{Value: strconv.Itoa(int(kt)), Note: keyTypeNames[kt]})
	}
	return out
}

// keyClasses lists the key classes (-c of findKey, -kc of unWrapKey).
func keyClasses(classes ...hsm.Class) []tool.Choice {
	var out []tool.Choice
	for _, c := range classes {
		out = append(out, tool.Choice{Value: strconv.Itoa(int(c)), Note: c.String()})
	}
	return out
}

// wrapMechs are the mechanisms wrapKey and unWrapKey take.
func wrapMechs() []tool.Choice {
	var out []tool.Choice
	for _, m := range mech.WrapMechanisms() {
		name, _ := mech.WrapMechanismName(m)
		out = append(out, tool.Choice{Value: strconv.Itoa(m), Note: name})
	}
	return out
}

// choices is what a flag takes, when it has a list of its own; the lists
// of a kind (attributes, curves, user types) are the host shell's.
func (f Flag) choices() []tool.Choice { return f.Values }

// wrapHashes are the hashes of wrapKey and unWrapKey -t.
var wrapHashes = []tool.Choice{{Value: "2", Note: "SHA1"}, {Value: "3", Note: "SHA256"}, {Value: "4", Note: "SHA384"}, {Value: "5", Note: "SHA512"}, {Value: "6", Note: "SHA224"}}

// certTypes are the certificates getCert -s names.
var certTypes = []tool.Choice{{Value: "1", Note: "manufacturer root certificate"}, {Value: "2", Note: "manufacturer hardware certificate"}, {Value: "4", Note: "customer root certificate"}, {Value: "8", Note: "cluster certificate (signed by the customer root)"}, {Value: "16", Note: "cluster certificate (chained to the manufacturer root)"}}

// quorumServices are the services of getToken and delToken -t.
func quorumServices() []tool.Choice {
	var out []tool.Choice
	for _, svc := range []int{hsm.ServiceUserMgmt, hsm.ServiceMiscCO} {
		name, _ := hsm.ServiceName(svc)
		out = append(out, tool.Choice{Value: strconv.Itoa(svc), Note: name})
	}
	return out
}
