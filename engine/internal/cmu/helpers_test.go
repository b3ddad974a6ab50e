package cmu

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// cmuSnapshot is the saved form of the cluster, to compare states.
func cmuSnapshot(c *hsm.Cluster) string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// cmuVerifyChain parses PEM certificates, root first, and checks that each
// is signed by the one before it.
func cmuVerifyChain(pems ...string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for i, p := range pems {
		blk, _ := pem.Decode([]byte(p))
		if blk == nil {
			return nil, fmt.Errorf("certificate %d: no PEM block", i)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %v", i, err)
		}
		parent := c
		if i > 0 {
			parent = certs[i-1]
		}
		if err := c.CheckSignatureFrom(parent); err != nil {
			return nil, fmt.Errorf("certificate %d (%s): %v", i, c.Subject.CommonName, err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}
