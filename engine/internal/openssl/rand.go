package openssl

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
)

// runRand is `openssl rand [-hex|-base64] [-out file] num`. The pages use
// it to make a raw AES key file for imSymKey (`openssl rand -out
// aes256.key 32`).
func runRand(c *ctx, args []string) error {
	spec := &cmdSpec{
		usage: "rand [options] num",
		opts: []optDef{
			{"out", valueOpt, "outfile", "Output file"},
			{"base64", flagOpt, "", "Base64 encode output"},
			{"hex", flagOpt, "", "Hex encode output"},
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) != 1 {
		return c.usageFail("")
	}
	n, perr := strconv.Atoi(o.pos[0])
	if perr != nil {
		return c.usageFail(fmt.Sprintf("Can't parse \"%s\" as a number", o.pos[0]))
	}
	if n <= 0 {
		return c.usageFail("")
	}
	if n > maxOutput {
		return c.fail(fmt.Sprintf("rand: the hsmsim simulator makes at most %d random bytes at a time", maxOutput))
	}
	out := o.str("out")
	if err := c.checkOut(out); err != nil {
		return err
	}
	buf := make([]byte, n)
	if err := c.readRandom(buf); err != nil {
		return c.fail("rand: random source failure: " + err.Error())
	}
	switch o.last("hex", "base64") {
	case "hex":
		c.emit(out, []byte(hex.EncodeToString(buf)+"\n"), false, "")
	case "base64":
		c.emit(out, base64Lines(buf), false, "")
	default:
		c.emit(out, buf, true, "use -out <file> to save them, or -hex or -base64 to see them")
	}
	return nil
}

// base64Lines is OpenSSL's BIO_f_base64 output: 64 characters a line.
func base64Lines(b []byte) []byte {
	s := base64.StdEncoding.EncodeToString(b)
	var out []byte
	for len(s) > 64 {
		out = append(out, s[:64]...)
		out = append(out, '\n')
		s = s[64:]
	}
	out = append(out, s...)
	return append(out, '\n')
}
