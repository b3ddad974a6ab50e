package openssl

import (
	"crypto/rsa"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// rsa, pkey and ec read one key and write it again, its public half or
// its text form. They differ in the formats they write (as OpenSSL 3.0
// does), in their messages and in a few options.

type keyCmdKind int

const (
	kindRSA keyCmdKind = iota
	kindPkey
	kindEC
)

func runRSA(c *ctx, args []string) error  { return runKeyCmd(c, args, kindRSA) }
func runPkey(c *ctx, args []string) error { return runKeyCmd(c, args, kindPkey) }
func runEC(c *ctx, args []string) error   { return runKeyCmd(c, args, kindEC) }

func keyCmdSpec(kind keyCmdKind, ci **pbeCipher, c *ctx) *cmdSpec {
	s := &cmdSpec{
		opts: []optDef{
			{"in", valueOpt, "val", "Input file"},
			{"inform", formatOpt, "", "Input format (DER or PEM)"},
			{"passin", valueOpt, "val", "Input file pass phrase source (pass:<phrase> only)"},
			{"pubin", flagOpt, "", "Expect a public key in input file"},
			{"out", valueOpt, "outfile", "Output file"},
			{"outform", formatOpt, "", "Output format (DER or PEM)"},
			{"passout", valueOpt, "val", "Output file pass phrase source (pass:<phrase> only)"},
			{"pubout", flagOpt, "", "Output a public key"},
			{"noout", flagOpt, "", "Don't output the key"},
			{"text", flagOpt, "", "Print the key in text"},
		},
		unknown: c.cipherHook(ci),
	}
	switch kind {
	case kindRSA:
		s.usage = "rsa [options]"
		s.opts = append(s.opts,
			optDef{"traditional", flagOpt, "", "Use traditional format for private keys"},
			optDef{"RSAPublicKey_in", flagOpt, "", "Input is an RSAPublicKey"},
			optDef{"RSAPublicKey_out", flagOpt, "", "Output is an RSAPublicKey"},
			optDef{"modulus", flagOpt, "", "Print the RSA key modulus"},
			optDef{"check", flagOpt, "", "Verify key consistency"})
	case kindPkey:
		s.usage = "pkey [options]"
		s.opts = append(s.opts,
			optDef{"traditional", flagOpt, "", "Use traditional format for private key PEM output"},
			optDef{"text_pub", flagOpt, "", "Only output public key components"},
			optDef{"check", flagOpt, "", "Check key consistency"},
			optDef{"pubcheck", flagOpt, "", "Check public key consistency"})
	case kindEC:
		s.usage = "ec [options]"
	}
	s.opts = append(s.opts, cipherHelp)
	return s
}

func runKeyCmd(c *ctx, args []string, kind keyCmdKind) error {
	var ci *pbeCipher
	o, err := c.parse(keyCmdSpec(kind, &ci, c), args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra option: \"" + o.pos[0] + "\"")
	}
	inForm := formatPEM
	if o.str("inform") == formatDER {
		inForm = formatDER
	}
	outForm := formatPEM
	if o.str("outform") == formatDER {
		outForm = formatDER
	}
	pubin := o.has("pubin") || o.has("RSAPublicKey_in")
	passin, err := c.passArg("passin", o.str("passin"))
	if err != nil {
		return err
	}
	out := o.str("out")
	if err := c.checkOut(out); err != nil {
		return err
	}
	pubout := pubin || o.has("pubout") || o.has("RSAPublicKey_out")
	writeKey := !o.has("noout")
	var pass string
	if !pubout && writeKey {
		if pass, err = c.outPass(ci, "passout", o.str("passout")); err != nil {
			return err
		}
	}

	// Load.
	if kind == kindEC {
		c.printf("read EC key\n")
	}
	src := keySource{file: o.str("in"), format: inForm, pass: passin, what: "private key"}
	if kind == kindPkey {
		src.what = "key"
	}
	var key any
	if pubin {
		src.what = "public key"
		key, err = c.loadPublic(src)
	} else {
		key, err = c.loadPrivate(src)
	}
	if err != nil {
		if kind == kindEC {
			c.printf("unable to load Key\n")
		}
		return err
	}
	switch kind {
	case kindRSA:
		if _, ok := publicOf(key).(*rsa.PublicKey); !ok {
			return c.fail("Not an RSA key")
		}
	case kindEC:
		if _, ok := publicOf(key).(*mech.ECPublicKey); !ok {
			return c.fail("Not an EC key", "unable to load Key")
		}
	}

	// Checks.
	if o.has("check") {
		if !isPrivate(key) {
			return c.fail("Only private keys can be checked")
		}
		if err := checkKey(key); err != nil {
			if kind == kindRSA {
				return c.fail("RSA key not ok", "hsmsim: "+err.Error())
			}
			return c.fail("Key is invalid", "hsmsim: "+err.Error())
		}
		if kind == kindRSA {
			c.printf("RSA key ok\n")
		} else {
			c.printf("Key is valid\n")
		}
	}
	if o.has("pubcheck") {
		if err := checkKey(publicOf(key)); err != nil {
			return c.fail("Key is invalid", "hsmsim: "+err.Error())
		}
		c.printf("Key is valid\n")
	}

	// Text, modulus, key: all go to -out or the console.
	if o.has("text") || o.has("text_pub") {
		c.emit(out, []byte(keyText(key, pubout || o.has("text_pub"))), false, "")
	}
	if o.has("modulus") {
		c.emit(out, fmt.Appendf(nil, "Modulus=%X\n", publicOf(key).(*rsa.PublicKey).N), false, "")
	}
	if !writeKey {
		return nil
	}
	var w any = key
	if pubout {
		w = publicOf(key)
	}
	ok := outKey{format: outForm, cipher: ci, pass: pass, rsaPublicPKCS1: o.has("RSAPublicKey_out")}
	if pubout {
		ok.cipher = nil
	}
	switch kind {
	case kindRSA:
		if o.has("traditional") {
			ok.style = styleTraditional
		}
	case kindPkey:
		if o.has("traditional") || outForm == formatDER {
			ok.style = styleTraditional
		}
	case kindEC:
		ok.style = styleTraditional
		if ok.cipher != nil {
			return c.fail("unable to write private key", "hsmsim: the simulator encrypts keys only as PKCS #8; use openssl pkey with a cipher")
		}
	}
	data, err := c.encodeKey(w, ok)
	if err != nil {
		return c.fail("unable to write key", "hsmsim: "+err.Error())
	}
	switch kind {
	case kindRSA:
		c.printf("writing RSA key\n")
	case kindEC:
		c.printf("writing EC key\n")
	}
	c.emit(out, data, outForm == formatDER, "use -out <file> to save them")
	return nil
}

// checkKey validates key consistency (rsa -check, pkey -check).
func checkKey(key any) error {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k.Validate()
	case *rsa.PublicKey:
		return mech.CheckRSAPublicKey(k)
	case *mech.ECKey:
		return k.Validate()
	case *mech.ECPublicKey:
		return k.Validate()
	}
	return fmt.Errorf("unsupported key type %T", key)
}
