package kmu

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

const pairSyntaxTail = `                  -l <label>
                  [-id <key ID>]
                  [-min_srv <minimum number of servers>]
                  [-m_value <0..8>]
                  [-nex]
                  [-sess]
                  [-timeout <number of seconds> ]
                  [-u <user-ids>]
                  [-attest]
`

func init() {
	register(&Command{
		Name:    "genRSAKeyPair",
		Summary: "Generates an RSA Key Pair",
		API:     "Cfm3GenerateKeyPair",
		Run:     genRSAKeyPair,
		About:   `Generates an RSA key pair in the HSMs.`,
		Params: `        -m       modulus length in bits: 2048 to 4096, in steps of 256
        -e       public exponent: an odd number, 65537 or greater`,
		Indent: 18,
		Flags: []Flag{
			{Name: "m", Kind: tool.RSABits, Required: true, Arg: "<modulus length>"},
			{Name: "e", Kind: tool.Number, Required: true, Arg: "<public exponent>"},
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key ID>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum number of servers>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<0..8>"},
			{Name: "nex", Kind: tool.Switch},
			{Name: "sess", Kind: tool.Switch},
			{Name: "timeout", Kind: tool.Number, Arg: "<number of seconds> "},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
			{Name: "attest", Kind: tool.Switch},
		},
	})
	register(&Command{
		Name:    "genECCKeyPair",
		Summary: "Generates an ECC Key Pair",
		API:     "Cfm3GenerateKeyPair",
		Run:     genECCKeyPair,
		About:   `Generates an ECC key pair in the HSMs.`,
		Params: `        -i       curve id:
                  1 : NID_X9_62_prime192v1
                  2 : NID_X9_62_prime256v1
                  3 : NID_sect163k1
                  4 : NID_sect163r2
                  5 : NID_sect233k1
                  6 : NID_sect233r1
                  7 : NID_sect283k1
                  8 : NID_sect283r1
                  9 : NID_sect409k1
                 10 : NID_sect409r1
                 11 : NID_sect571k1
                 12 : NID_sect571r1
                 13 : NID_secp224r1
                 14 : NID_secp384r1
                 15 : NID_secp521r1
                 16 : NID_secp256k1`,
		Indent: 18,
		Flags: []Flag{
			{Name: "i", Kind: tool.Curve, Required: true, Arg: "<EC curve id>"},
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key ID>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum number of servers>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<0..8>"},
			{Name: "nex", Kind: tool.Switch},
			{Name: "sess", Kind: tool.Switch},
			{Name: "timeout", Kind: tool.Number, Arg: "<number of seconds> "},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
			{Name: "attest", Kind: tool.Switch},
		},
	})
	register(&Command{
		Name:    "genDSAKeyPair",
		Summary: "Generates a DSA Key Pair",
		API:     "Cfm3GenerateKeyPair:",
		Run:     genDSAKeyPair,
		About:   `Generates a DSA key pair in the HSMs.`,
		Params:  `        -m       modulus length in bits: 2048`,
		Indent:  18,
		Flags: []Flag{
			{Name: "m", Kind: tool.Number, Required: true, Arg: "<modulus length>"},
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "id", Kind: tool.Text, Arg: "<key ID>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum number of servers>"},
			{Name: "m_value", Kind: tool.Number, Arg: "<0..8>"},
			{Name: "nex", Kind: tool.Switch},
			{Name: "sess", Kind: tool.Switch},
			{Name: "timeout", Kind: tool.Number, Arg: "<number of seconds> "},
			{Name: "u", Kind: tool.Users, Arg: "<user-ids>"},
			{Name: "attest", Kind: tool.Switch},
		},
	})
}

func eccHelp() string {
	s := `
Description
===========
Generates an ECC key pair in the HSMs.

Syntax: genECCKeyPair -h
        genECCKeyPair -i <EC curve id>
` + pairSyntaxTail + `
        -i       curve id:
`
	for _, ci := range mech.CurveIDs() {
		s += fmt.Sprintf("                 %2d : %s\n", ci.ID, ci.Name)
	}
	return s + "\n"
}

func genRSAKeyPair(t *Tool, a *Args) tool.Result {
	c := commands["genRSAKeyPair"]
	bits, err := a.Int("m", 0)
	if err != nil {
		return t.usage(c, err)
	}
	e, err := a.Int("e", 0)
	if err != nil {
		return t.usage(c, err)
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	if bits < 2048 || bits > 4096 || bits%256 != 0 {
		return t.usage(c, fmt.Errorf("invalid modulus length %d for -m: 2048 to 4096, in steps of 256", bits))
	}
	if e < 65537 || e%2 == 0 {
		return t.usage(c, fmt.Errorf("invalid public exponent %d for -e: an odd number, 65537 or greater", e))
	}
	if rc := t.preflight(c, cr); rc != hsm.RCSuccess {
		return tool.Result{}
	}
	priv, err := mech.GenerateRSA(t.Rand, bits, e)
	if err != nil {
		return t.usage(c, err)
	}
	return t.storePair(c, cr, priv)
}

func genECCKeyPair(t *Tool, a *Args) tool.Result {
	c := commands["genECCKeyPair"]
	id, err := a.Int("i", 0)
	if err != nil {
		return t.usage(c, err)
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	info, err := mech.CurveByID(id)
	if err != nil {
		return t.usage(c, fmt.Errorf("invalid curve id %d for -i", id))
	}
	if rc := t.preflight(c, cr); rc != hsm.RCSuccess {
		return tool.Result{}
	}
	if !info.Supported {
		// The documented answer for a curve a FIPS-mode HSM refuses.
		t.returned(c.API, hsm.RCFIPSPolicy)
		t.errorStatus(statusEvery(t.Cluster, hsm.RCServerUnavailable))
		return tool.Result{}
	}
	priv, err := mech.GenerateEC(t.Rand, id)
	if err != nil {
		return t.usage(c, err)
	}
	return t.storePair(c, cr, priv)
}

func genDSAKeyPair(t *Tool, a *Args) tool.Result {
	c := commands["genDSAKeyPair"]
	bits, err := a.Int("m", 0)
	if err != nil {
		return t.usage(c, err)
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	if bits != 2048 {
		return t.usage(c, fmt.Errorf("invalid modulus length %d for -m: DSA keys are 2048 bits", bits))
	}
	if rc := t.preflight(c, cr); rc != hsm.RCSuccess {
		return tool.Result{}
	}
	priv, err := mech.GenerateDSA(t.Rand, bits)
	if err != nil {
		return t.usage(c, err)
	}
	return t.storePair(c, cr, priv)
}

// preflight refuses early, before spending time on key generation, what the
// HSM would refuse anyway (not a CU, key limit, duplicate id).
func (t *Tool) preflight(c *Command, cr creation) hsm.RC {
	rc := t.Cluster.CheckCreate(t.Session, cr.id, 2, cr.opt)
	if rc != hsm.RCSuccess {
		t.returned(c.API, rc)
	}
	return rc
}

func (t *Tool) storePair(c *Command, cr creation, priv any) tool.Result {
	pub, pv, err := keyobj.Pair(priv)
	if err != nil {
		return t.usage(c, err)
	}
	pub.Label, pub.KeyID, pub.Local = cr.label, cr.id, true
	pv.Label, pv.KeyID, pv.Local = cr.label, cr.id, true
	hp, hv, st, rc := t.Cluster.CreateKeyPair(t.Session, pub, pv, cr.opt)
	t.returned(c.API, rc)
	if rc != hsm.RCSuccess {
		t.errorStatus(st)
		return tool.Result{}
	}
	t.printf("Cfm3GenerateKeyPair:    public key handle: %d    private key handle: %d\n", hp, hv)
	t.found(hp, hv)
	if cr.attest {
		t.printf("Attestation Check : [PASS]\n")
	}
	t.errorStatus(st)
	t.changed = true
	return tool.Result{}
}
