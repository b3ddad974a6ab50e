package openssl

import (
	"crypto/rsa"
	"encoding/pem"
	"strconv"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/cert"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// req is the part of "openssl req" the mutual TLS setup uses: a
// self-signed certificate authority made of an existing key,
//
//	openssl req -new -x509 -days 3652 -key ca.key -out ca.crt
//
// the trust anchor CloudHSM CLI's cluster mtls register-trust-anchor
// takes. Certificate requests (without -x509) and new keys (-newkey) are
// not in the subset.

// certEpoch is when the certificates of the simulator begin to be valid:
// the simulated world has no clock, so that seeded runs repeat.
var certEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// defaultSubject is the name OpenSSL's questions give when each is
// answered with Enter (the defaults of its openssl.cnf).
const defaultSubject = "/C=AU/ST=Some-State/O=Internet Widgits Pty Ltd"

func runReq(c *ctx, args []string) error {
	spec := &cmdSpec{
		usage: "req [options]",
		opts: []optDef{
			{"new", flagOpt, "", "New request"},
			{"x509", flagOpt, "", "Output an X.509 certificate structure instead of a cert request"},
			{"key", valueOpt, "val", "Key for signing, and to include unless -in given"},
			{"keyform", formatOpt, "", "Key file format (DER or PEM)"},
			{"passin", valueOpt, "val", "Private key input pass phrase source (pass:<phrase> only)"},
			{"days", valueOpt, "+int", "Number of days cert is valid for"},
			{"subj", valueOpt, "val", "Set or modify subject of request or cert"},
			{"out", valueOpt, "outfile", "Output file"},
			{"outform", formatOpt, "", "Output format - DER or PEM"},
			{"sha256", flagOpt, "", "Sign with SHA-256 (the default)"},
			{"sha384", flagOpt, "", "Sign with SHA-384"},
			{"sha512", flagOpt, "", "Sign with SHA-512"},
		},
	}
	o, err := c.parse(spec, args)
	if err != nil || o == nil {
		return err
	}
	if len(o.pos) > 0 {
		return c.usageFail("Extra option: \"" + o.pos[0] + "\"")
	}
	if !o.has("x509") {
		c.note("only self-signed certificates (req -new -x509 -key <file>) are in the hsmsim simulator's openssl subset")
		return errFailed
	}
	if !o.has("key") {
		c.note("give the certificate's key with -key <file> (make one with openssl genrsa or genpkey); -newkey is not in the hsmsim simulator's openssl subset")
		return errFailed
	}
	days := 30
	if o.has("days") {
		d, err := strconv.Atoi(o.str("days"))
		if err != nil || d < 1 {
			return c.usageFail("Non-positive number \"" + o.str("days") + "\" for option -days")
		}
		days = d
	}
	subj := o.str("subj")
	if !o.has("subj") {
		subj = defaultSubject
	}
	attrs, err := cert.ParseSubject(subj)
	if err != nil {
		c.printf("%s: %s\n", c.cmd, err)
		return c.fail("Error making certificate request")
	}
	if err := c.checkOut(o.str("out")); err != nil {
		return err
	}
	keyForm := formatPEM
	if o.str("keyform") == formatDER {
		keyForm = formatDER
	}
	pass, err := c.passArg("passin", o.str("passin"))
	if err != nil {
		return err
	}
	key, err := c.loadPrivate(keySource{file: o.str("key"), format: keyForm, pass: pass, what: "private key"})
	if err != nil {
		return err
	}
	switch key.(type) {
	case *rsa.PrivateKey, *mech.ECKey:
	default:
		c.note("the simulator signs certificates with RSA and EC keys only")
		return errFailed
	}
	h := cert.SHA256
	switch o.last("sha256", "sha384", "sha512") {
	case "sha384":
		h = cert.SHA384
	case "sha512":
		h = cert.SHA512
	}
	der, err := cert.SelfSigned(c.rand, key, attrs, certEpoch, days, h)
	if err != nil {
		c.note("%v", err)
		return errFailed
	}
	if !o.has("subj") {
		c.note("there is no terminal for OpenSSL's distinguished name questions: the certificate has the names Enter gives (%s); choose them with -subj", defaultSubject)
	}
	out := der
	if o.str("outform") != formatDER {
		out = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	c.emit(o.str("out"), out, o.str("outform") == formatDER, "write it to a file with -out")
	return nil
}
