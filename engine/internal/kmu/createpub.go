package kmu

import (
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// createPublicKey makes an RSA public key from its modulus and exponent,
// where importPubKey takes a PEM file. The modulus file holds the modulus in
// hexadecimal, as "openssl rsa -pubin -modulus -noout" prints it (an
// optional "Modulus=" first); the exponent is decimal, as genRSAKeyPair's -e.

func init() {
	register(&Command{
		Name:    "createPublicKey",
		Summary: "Creates an RSA public key",
		API:     "Cfm3CreatePublicKey",
		Run:     createPublicKey,
		About: `Creates an RSA public key in the HSMs from its modulus and public exponent.
Every crypto user can read and use public keys.`,
		Params: `        -l       label
        -m       file holding the modulus in hexadecimal (what
                 openssl rsa -pubin -modulus -noout prints)
        -e       public exponent: an odd number, 65537 or greater
        -sess    make a session key, gone when the session ends
        -id      key ID, unique in the cluster (default: none)
        -min_srv minimum number of HSMs the key must reach (default: 1)
        -timeout seconds to wait for -min_srv HSMs`,
		Flags: []Flag{
			{Name: "l", Kind: tool.Text, Required: true, Arg: "<label>"},
			{Name: "m", Kind: tool.File, Required: true, Arg: "<modulus-file>"},
			{Name: "e", Kind: tool.Number, Required: true, Arg: "<public exponent>"},
			{Name: "sess", Kind: tool.Switch},
			{Name: "id", Kind: tool.Text, Arg: "<key-id>"},
			{Name: "min_srv", Kind: tool.Number, Arg: "<minimum-number-of-servers>"},
			{Name: "timeout", Kind: tool.Number, Arg: "<number-of-seconds>"},
		},
	})
}

// parseModulus reads the hexadecimal modulus of a modulus file.
func parseModulus(text string) (*big.Int, error) {
	s := strings.TrimSpace(text)
	s = strings.TrimPrefix(s, "Modulus=")
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ':' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("the modulus file does not hold a hexadecimal modulus")
	}
	return new(big.Int).SetBytes(b), nil
}

func createPublicKey(t *Tool, a *Args) tool.Result {
	c := commands["createPublicKey"]
	e, err := a.Int("e", 0)
	if err != nil {
		return t.usage(c, err)
	}
	if e < 65537 || e%2 == 0 {
		return t.usage(c, fmt.Errorf("invalid public exponent %d for -e: an odd number, 65537 or greater", e))
	}
	cr, err := parseCreation(a)
	if err != nil {
		return t.usage(c, err)
	}
	name := a.Str("m")
	data, err := t.ioReadFile("m", name)
	if err != nil {
		return t.ioError(err)
	}
	n, err := parseModulus(string(data))
	if err != nil {
		return t.ioError(fmt.Errorf("%s: %v", name, err))
	}
	if bits := n.BitLen(); bits < 1024 || bits > 4096 || n.Bit(0) == 0 {
		return t.ioError(fmt.Errorf("%s: an RSA modulus is odd and 1024 to 4096 bits long, not %d bits", name, bits))
	}
	o, err := keyobj.Public(&rsa.PublicKey{N: n, E: e})
	if err != nil {
		return t.ioError(fmt.Errorf("%s: %v", name, err))
	}
	o.Label, o.KeyID, o.Local = cr.label, cr.id, false
	t.ioStore(c.API, "Public Key Handle: ", o, cr)
	return tool.Result{}
}
