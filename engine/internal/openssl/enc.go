package openssl

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// runEnc is `openssl enc` with an explicit key and IV (-K, -iv) and a CBC
// cipher. Password-based modes need key derivation from a typed pass
// phrase and are refused with a clear message.
func runEnc(c *ctx, args []string) error {
	var ci *pbeCipher
	cipherSet := false
	spec := &cmdSpec{
		usage: "enc -<cipher> -K hex -iv hex -in file [-out file] [-d]",
		opts: []optDef{
			{"aes-128-cbc, -aes-192-cbc, -aes-256-cbc, -aes128, -aes192, -aes256, -des3", helpOpt, "", "Cipher to use"},
			{"e", flagOpt, "", "Encrypt"},
			{"d", flagOpt, "", "Decrypt"},
			{"in", valueOpt, "infile", "Input file"},
			{"out", valueOpt, "outfile", "Output file"},
			{"K", valueOpt, "val", "Raw key, in hex"},
			{"iv", valueOpt, "val", "IV in hex"},
			{"nopad", flagOpt, "", "Disable standard block padding"},
			{"a", flagOpt, "", "Base64 encode/decode, depending on encryption flag"},
			{"base64", flagOpt, "", "Same as option -a"},
			{"A", flagOpt, "", "Used with -[base64|a] to specify base64 buffer as a single line"},
			{"p", flagOpt, "", "Print the iv/key"},
			{"P", flagOpt, "", "Print the iv/key and exit"},
			{"nosalt", flagOpt, "", "Do not use salt in the KDF"},
			{"pass", valueOpt, "val", "(not supported by the simulator)"},
			{"k", valueOpt, "val", "(not supported by the simulator)"},
			{"kfile", valueOpt, "infile", "(not supported by the simulator)"},
			{"S", valueOpt, "val", "(not supported by the simulator)"},
			{"md", valueOpt, "val", "(not supported by the simulator)"},
			{"iter", valueOpt, "+int", "(not supported by the simulator)"},
			{"pbkdf2", flagOpt, "", "(not supported by the simulator)"},
		},
		unknown: func(name string) (bool, error) {
			if cc, ok := cbcCiphers()[strings.ToLower(name)]; ok {
				ci, cipherSet = cc, true
				return true, nil
			}
			if isOtherCipher(name) {
				return false, c.fail(fmt.Sprintf("enc: cipher %s is not supported by the hsmsim simulator's openssl subset (use -aes-128-cbc, -aes-192-cbc, -aes-256-cbc or -des3)", name))
			}
			return false, nil
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra arguments given.")
	}
	for _, pw := range []string{"pass", "k", "kfile", "S", "md", "iter", "pbkdf2"} {
		if o.has(pw) {
			return c.fail("enc: password-based key derivation (-pass, -k, -kfile, -pbkdf2, -iter, -md, -S) is not supported by the hsmsim simulator's openssl subset",
				"hsmsim: give the key and IV in hex with -K and -iv")
		}
	}
	decrypt := o.last("e", "d") == "d"
	b64 := o.has("a") || o.has("base64")
	out := o.str("out")

	var key, iv []byte
	if cipherSet {
		if !o.has("K") {
			return c.fail("enc: password-based encryption is not supported by the hsmsim simulator's openssl subset",
				"hsmsim: give the key and IV in hex with -K and -iv")
		}
		if key, err = c.hexParam(o.str("K"), ci.keyLen, "key"); err != nil {
			return err
		}
		if !o.has("iv") {
			return c.fail("iv undefined")
		}
		if iv, err = c.hexParam(o.str("iv"), ci.blockSz, "iv"); err != nil {
			return err
		}
		if o.has("p") || o.has("P") {
			c.printf("key=%X\niv =%X\n", key, iv)
		}
		if o.has("P") {
			return nil
		}
	}
	if err := c.checkOut(out); err != nil {
		return err
	}
	if o.str("in") == "" {
		return c.fail("enc: there is no standard input in the simulator; name the input file with -in")
	}
	in, err := c.readData(o.str("in"))
	if err != nil {
		return err
	}
	if b64 && decrypt {
		clean := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(in))
		if in, err = base64.StdEncoding.DecodeString(clean); err != nil {
			return c.fail("error reading input file", "hsmsim: the input is not valid base64")
		}
	}
	result := in
	if cipherSet {
		if decrypt {
			result, err = cbcDecrypt(ci, key, iv, in, !o.has("nopad"))
			if err != nil {
				c.printf("bad decrypt\n")
				c.note("wrong key or IV, or the input is not %s ciphertext", ci.name)
				return errFailed
			}
		} else {
			result, err = cbcEncrypt(ci, key, iv, in, !o.has("nopad"))
			if err != nil {
				c.printf("bad encrypt\n")
				c.note("with -nopad the input must be a multiple of %d bytes", ci.blockSz)
				return errFailed
			}
		}
	}
	if b64 && !decrypt {
		if o.has("A") {
			result = []byte(base64.StdEncoding.EncodeToString(result) + "\n")
		} else {
			result = base64Lines(result)
		}
		c.emit(out, result, false, "")
		return nil
	}
	if out == "" && decrypt && isPrintable(result) {
		c.out.Write(result)
		return nil
	}
	c.emit(out, result, true, "use -out <file> to save them, or -a for base64")
	return nil
}

// hexParam reads -K or -iv as OpenSSL's set_hex does: short values are
// padded with zero bytes, long ones cut, with a warning either way.
func (c *ctx) hexParam(s string, size int, what string) ([]byte, error) {
	if len(s)%2 == 1 {
		s += "0"
	}
	out := make([]byte, size)
	n := len(s) / 2
	if n < size {
		c.printf("hex string is too short, padding with zero bytes to length\n")
	} else if n > size {
		c.printf("hex string is too long, ignoring excess\n")
		s = s[:2*size]
	}
	for i := 0; i+1 < len(s); i += 2 {
		hi, ok1 := hexVal(s[i])
		lo, ok2 := hexVal(s[i+1])
		if !ok1 || !ok2 {
			return nil, c.fail("non-hex digit", "invalid hex "+what+" value")
		}
		out[i/2] = hi<<4 | lo
	}
	return out, nil
}

func hexVal(b byte) (byte, bool) {
	switch {
	case b >= '0' && b <= '9':
		return b - '0', true
	case b >= 'a' && b <= 'f':
		return b - 'a' + 10, true
	case b >= 'A' && b <= 'F':
		return b - 'A' + 10, true
	}
	return 0, false
}
