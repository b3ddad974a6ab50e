package cmu

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// certificateX509 is getCert's certificate as crypto/x509 made it before
// the engine wrote its own DER: the certificates must stay these bytes.
func certificateX509(n *hsm.Node, typ int) ([]byte, error) {
	notBefore := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	notAfter := time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	type ca struct {
		cn  string
		key ed25519.PrivateKey
	}
	mfr := ca{"HSM Manufacturer Root CA (hsmsim)", certKey("manufacturer")}
	hw := ca{"HSM " + n.SerialNumber() + " Hardware (hsmsim)", certKey("hardware " + n.Addr)}
	cust := ca{"Customer Root CA (hsmsim)", certKey("customer")}
	cluster := ca{n.PartitionID() + " Cluster (hsmsim)", certKey("cluster " + n.Addr)}
	var subject, issuer ca
	isCA := true
	switch typ {
	case 1:
		subject, issuer = mfr, mfr
	case 2:
		subject, issuer = hw, mfr
	case 4:
		subject, issuer = cust, cust
	case 8:
		subject, issuer, isCA = cluster, cust, false
	case 16:
		subject, issuer, isCA = cluster, hw, false
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(int64(1000*(n.ID+1) + typ)),
		Subject:               pkix.Name{CommonName: subject.cn, Organization: []string{"hsmsim"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	parent := tmpl
	if issuer.cn != subject.cn {
		parent = &x509.Certificate{
			Subject:               pkix.Name{CommonName: issuer.cn, Organization: []string{"hsmsim"}},
			BasicConstraintsValid: true,
			IsCA:                  true,
			KeyUsage:              x509.KeyUsageCertSign,
		}
	}
	return x509.CreateCertificate(nil, tmpl, parent, subject.key.Public(), issuer.key)
}

func TestCertificatesAreTheX509Ones(t *testing.T) {
	c, _, err := scenario.Default()
	if err != nil {
		t.Fatal(err)
	}
	for id := 0; id < 3; id++ {
		n := c.Node(id)
		for _, typ := range []int{1, 2, 4, 8, 16} {
			got, err := certificate(n, typ)
			if err != nil {
				t.Fatal(err)
			}
			want, err := certificateX509(n, typ)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("node %d, certificate %d: not crypto/x509's bytes", id, typ)
			}
		}
	}
}
