package kmu

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name:    "genSymKey",
		Summary: "Generates a Symmetric keys",
		API:     "Cfm3GenerateSymmetricKey",
		Run:     genSymKey,
		About:   `Generates a symmetric key in the HSMs.`,
		Params: `        -t       key type: 16 = GENERIC_SECRET, 18 = RC4, 21 = DES3, 31 = AES
        -s       key size in bytes: AES 16, 24 or 32; DES3 24; GENERIC_SECRET < 3584
        -l       label
        -id      key ID, unique in the cluster (default: none)
        -min_srv minimum number of HSMs the key must reach (default: 1)
        -m_value number of users who must approve operations with the key (0..8)
        -nex     make the key non-extractable
        -sess    make a session key, gone when the session ends
        -timeout seconds to wait for -min_srv HSMs
        -u       comma-separated ids of users to share the key with
        -attest  check the attestation of the firmware`,
		Flags: []Flag{
			{Name: "t", Kind: tool.KeyType, Required: true, Arg: "<key-type>", Values: keyTypes(hsm.KeyTypeGenericSecret, hsm.KeyTypeRC4, hsm.KeyTypeDES3, hsm.KeyTypeAES)},
			{Name: "s", Kind: tool.Number, Required: true, Arg: "<key-size>"},
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key-ID>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-servers>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<0..8>"},
			{Name: "nex", Kind: tool.Switch},
			{Name: "sess", Kind: tool.Switch},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds> "},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
			{Name: "attest", Kind: tool.Switch},
		},
	})
}

func genSymKey(t *Tool, a *Args) tool.Result {
	c := commands["genSymKey"]
	kt, err := a.Int("t", 0)
	if err != nil {
		return t.usage(c, err)
	}
	size, err := a.Int("s", 0)
	if err != nil {
		return t.usage(c, err)
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	switch hsm.KeyType(kt) {
	case hsm.KeyTypeAES, hsm.KeyTypeDES3, hsm.KeyTypeGenericSecret:
	case hsm.KeyTypeRC4:
		// RC4 keys are not valid on FIPS-mode HSMs, and CloudHSM's are.
		t.returned(c.API, hsm.RCFIPSPolicy)
		t.errorStatus(statusEvery(t.Cluster, hsm.RCFIPSPolicy))
		return tool.Result{}
	default:
		return t.usage(c, fmt.Errorf("invalid key type %d for -t (16, 18, 21 or 31)", kt))
	}
	value, err := mech.GenerateSecret(t.Rand, mech.KeyType(kt), size)
	if err != nil {
		return t.usage(c, fmt.Errorf("invalid key size %d for -s with key type %d", size, kt))
	}
	kcv, _ := mech.CheckValue(mech.KeyType(kt), value)
	o := &hsm.Object{KeyType: hsm.KeyType(kt), Label: cr.label, KeyID: cr.id, Value: value, ValueLen: len(value), KCV: kcv, Local: true}
	o.SecretDefaults()
	h, st, rc := t.Cluster.CreateKey(t.Session, o, cr.opt)
	t.returned(c.API, rc)
	if rc != hsm.RCSuccess {
		t.errorStatus(st)
		return tool.Result{}
	}
	t.printf("Symmetric Key Created.  Key Handle: %d\n", h)
	t.found(h)
	if cr.attest {
		t.printf("Attestation Check : [PASS]\n")
	}
	t.errorStatus(st)
	t.changed = true
	return tool.Result{}
}

// statusEvery answers rc from every node that is up.
func statusEvery(c *hsm.Cluster, rc hsm.RC) hsm.Status {
	var st hsm.Status
	for _, n := range c.Nodes {
		r := rc
		if !n.Up {
			r = hsm.RCServerUnavailable
		}
		st = append(st, hsm.NodeStatus{Node: n.ID, RC: r})
	}
	return st
}
