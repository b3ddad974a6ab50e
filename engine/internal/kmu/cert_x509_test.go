package kmu

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// x509Issued and certIssueX509 are getCert's certificates as crypto/x509
// made them before the engine wrote its own DER; the signed part of each
// certificate must stay these bytes (the ECDSA signature is randomised).
type x509Issued struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func certIssueX509(name string, subject pkix.Name, ca bool, parent *x509Issued) (*x509Issued, error) {
	key, err := certKey(name)
	if err != nil {
		return nil, err
	}
	serial := sha256.Sum256([]byte("hsmsim partition certificate serial\x00" + name))
	ski := sha256.Sum256([]byte("hsmsim partition certificate ski\x00" + name))
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serial[:16]),
		Subject:               subject,
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		SubjectKeyId:          ski[:20],
		BasicConstraintsValid: true,
		IsCA:                  ca,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	parentCert, signer := tmpl, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &x509Issued{cert: cert, key: key, der: der}, nil
}

func partitionCertX509(kind int, node *hsm.Node) (*x509Issued, error) {
	org := []string{"hsmsim (simulated AWS CloudHSM)"}
	mfrRoot := func() (*x509Issued, error) {
		return certIssueX509("manufacturer-root", pkix.Name{Organization: org, CommonName: "HSM Manufacturer Root CA"}, true, nil)
	}
	hardware := func() (*x509Issued, error) {
		root, err := mfrRoot()
		if err != nil {
			return nil, err
		}
		return certIssueX509("hardware/"+node.Addr, pkix.Name{Organization: org,
			CommonName: fmt.Sprintf("HSM %d hardware (%s)", node.ID, node.Addr)}, true, root)
	}
	custRoot := func() (*x509Issued, error) {
		return certIssueX509("customer-root", pkix.Name{Organization: []string{"Customer"}, CommonName: "Customer Root CA"}, true, nil)
	}
	partition := pkix.Name{Organization: org, CommonName: fmt.Sprintf("HSM %d cluster partition (%s)", node.ID, node.Addr)}
	switch kind {
	case certManufacturerRoot:
		return mfrRoot()
	case certHardware:
		return hardware()
	case certCustomerRoot:
		return custRoot()
	}
	parent, err := custRoot()
	if kind == certClusterHardware {
		parent, err = hardware()
	}
	if err != nil {
		return nil, err
	}
	return certIssueX509("partition/"+node.Addr, partition, false, parent)
}

func TestPartitionCertsAreTheX509Ones(t *testing.T) {
	c, _, err := scenario.Default()
	if err != nil {
		t.Fatal(err)
	}
	tl := New(c, vfs.NewMem(), rand.Reader)
	for id := 0; id < 3; id++ {
		n := c.Node(id)
		roots := map[int]*x509.Certificate{}
		for _, kind := range []int{certManufacturerRoot, certHardware, certCustomerRoot, certClusterCustomer, certClusterHardware} {
			der, err := partitionCert(tl, kind, n)
			if err != nil {
				t.Fatal(err)
			}
			want, err := partitionCertX509(kind, n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := x509.ParseCertificate(der)
			if err != nil {
				t.Fatalf("node %d, certificate %d: crypto/x509 does not read it: %v", id, kind, err)
			}
			if !bytes.Equal(got.RawTBSCertificate, want.cert.RawTBSCertificate) {
				t.Errorf("node %d, certificate %d: the signed part is not crypto/x509's", id, kind)
			}
			// Around the signed part, the same algorithm and the same bytes
			// but for the signature, whose length varies with its random
			// numbers (CheckSignatureFrom below checks it).
			if got.SignatureAlgorithm != want.cert.SignatureAlgorithm {
				t.Errorf("node %d, certificate %d: signed with %v, crypto/x509 with %v", id, kind, got.SignatureAlgorithm, want.cert.SignatureAlgorithm)
			}
			if len(der)-len(got.Signature) != len(want.der)-len(want.cert.Signature) {
				t.Errorf("node %d, certificate %d: %d bytes with a %d-byte signature, crypto/x509 made %d with %d", id, kind, len(der), len(got.Signature), len(want.der), len(want.cert.Signature))
			}
			roots[kind] = got
		}
		for kind, parent := range map[int]int{certManufacturerRoot: certManufacturerRoot, certHardware: certManufacturerRoot,
			certCustomerRoot: certCustomerRoot, certClusterCustomer: certCustomerRoot, certClusterHardware: certHardware} {
			if err := roots[kind].CheckSignatureFrom(roots[parent]); err != nil {
				t.Errorf("node %d, certificate %d is not signed by %d: %v", id, kind, parent, err)
			}
		}
	}
}
