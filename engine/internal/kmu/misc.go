package kmu

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/internal/der"
)

func init() {
	register(&Command{
		Name:    "getCert",
		Summary: "Gets Partition Certificates stored on HSM",
		API:     "Cfm3GetCert()",
		// getCert words its result its own way, not logged in included.
		NoLogin: true,
		Run:     getCert,
		About: `Gets one of the partition certificates of the HSM and saves it to a file in
PEM format.`,
		Params: `        -f       file to write the certificate to
        -s       certificate type:
                  1 : manufacturer root certificate
                  2 : manufacturer hardware certificate
                  4 : customer root certificate
                  8 : cluster certificate (signed by the customer root)
                 16 : cluster certificate (chained to the manufacturer root)`,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Required: true, Arg: "<file-name>"},
			{Name: "s", Kind: tool.Number, Required: true, Arg: "<certificate-type>", Values: certTypes},
		},
	})
	register(&Command{
		Name:    "genPBEKey",
		Summary: "Generates a PBE DES3 key",
		API:     "Cfm3GeneratePBEKey",
		Run:     genPBEKey,
		About: `Generates a Triple DES key from a password. The FIPS-validated HSMs of AWS
CloudHSM do not support it: every HSM refuses it by its FIPS policy. Use
genSymKey for symmetric keys.`,
		Flags: []Flag{
			{Name: "pwd", Kind: tool.Secret, Syntax: "-pwd <password>"},
			{Name: "s", Kind: tool.Text, Syntax: "-s <salt>"},
			{Name: "i", Kind: tool.Number, Syntax: "-i <iteration count>"},
			{Name: "l", Kind: tool.Text, Syntax: "-l <label>"},
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
		Name:    "IsValidKeyHandlefile",
		Summary: "Checks if private key file has\nan HSM key handle or a real key",
		NoLogin: true,
		Run:     isValidKeyHandlefile,
		About: `Checks whether a PEM private key file holds a real private key or is a fake
PEM file written by getCaviumPrivKey, which holds only the handle of a
private key in the HSM. For a fake PEM file it prints the key handle the
file references ("Input file has invalid key handle: <handle>": the file
holds a handle, not key material).`,
		Params: `        -f       the PEM private key file to check`,
		Flags: []Flag{
			{Name: "f", Kind: tool.File, Required: true, Arg: "<private-key-file>"},
		},
	})
}

func genPBEKey(t *Tool, a *Args) tool.Result {
	c := commands["genPBEKey"]
	t.returned(c.API, hsm.RCFIPSPolicy)
	t.errorStatus(statusEvery(t.Cluster, hsm.RCFIPSPolicy))
	return tool.Result{}
}

// Certificate types of getCert -s.
const (
	certManufacturerRoot = 1
	certHardware         = 2
	certCustomerRoot     = 4
	certClusterCustomer  = 8
	certClusterHardware  = 16
)

func getCert(t *Tool, a *Args) tool.Result {
	c := commands["getCert"]
	kind, err := a.Int("s", 0)
	if err != nil {
		return t.usage(c, err)
	}
	switch kind {
	case certManufacturerRoot, certHardware, certCustomerRoot, certClusterCustomer, certClusterHardware:
	default:
		return t.usage(c, fmt.Errorf("invalid certificate type %d for -s (1, 2, 4, 8 or 16)", kind))
	}
	file := a.Str("f")
	if err := t.ioCheckOut("f", file); err != nil {
		return t.ioError(err)
	}
	if rc := hsm.Check(t.Session, commandOps[c.Name], nil); rc != hsm.RCSuccess {
		t.certReturned(rc)
		return tool.Result{}
	}
	node := t.Cluster.Node(t.Session.Node)
	if node == nil || !node.Up {
		node = nil
		if up := t.Cluster.UpNodes(); len(up) > 0 {
			node = up[0]
		}
	}
	if node == nil {
		t.certReturned(hsm.RCServerUnavailable)
		return tool.Result{}
	}
	der, err := partitionCert(t, kind, node)
	if err != nil {
		t.certReturned(hsm.RCInvalidInput)
		return tool.Result{}
	}
	if err := t.ioWriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
		return t.ioError(err)
	}
	t.certReturned(hsm.RCSuccess)
	return tool.Result{}
}

// certReturned prints getCert's result line, which unlike the other
// commands' shows the code without 0x and no space after the colon
// ("Cfm3GetCert() returned 0 :HSM Return: SUCCESS").
func (t *Tool) certReturned(rc hsm.RC) {
	t.returnedText("Cfm3GetCert", rc, fmt.Sprintf("Cfm3GetCert() returned %x :%s\n", uint32(rc), rc))
}

// certIssued is a certificate with the key that signs below it and what
// the certificates it signs name of it.
type certIssued struct {
	issuer der.Issuer
	key    *ecdsa.PrivateKey
	der    []byte
}

// certValidity is fixed so that a node's certificates are the same each
// time they are fetched.
var (
	certNotBefore = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2043, 1, 1, 0, 0, 0, 0, time.UTC)
)

// certKey derives the P-256 key of one certificate role from its name.
// The keys never change, so the chains verify across calls: a cluster
// certificate fetched with -s 16 is signed by the hardware certificate of
// -s 2, which the manufacturer root of -s 1 signs; -s 8 is signed by the
// customer root of -s 4.
func certKey(name string) (*ecdsa.PrivateKey, error) {
	seed := sha256.Sum256([]byte("hsmsim partition certificate key\x00" + name))
	n := elliptic.P256().Params().N
	d := new(big.Int).SetBytes(seed[:])
	d.Mod(d, new(big.Int).Sub(n, big.NewInt(1)))
	d.Add(d, big.NewInt(1))
	return ecdsa.ParseRawPrivateKey(elliptic.P256(), d.FillBytes(make([]byte, 32)))
}

// certIssue makes the certificate of role name, signed by parent (self-signed
// when parent is nil). The signature's randomness comes from the tool's
// reader.
func certIssue(t *Tool, name string, subject der.Name, ca bool, parent *certIssued) (*certIssued, error) {
	key, err := certKey(name)
	if err != nil {
		return nil, err
	}
	serial := sha256.Sum256([]byte("hsmsim partition certificate serial\x00" + name))
	ski := sha256.Sum256([]byte("hsmsim partition certificate ski\x00" + name))
	tmpl := &der.Certificate{
		SerialNumber: new(big.Int).SetBytes(serial[:16]),
		Subject:      subject,
		NotBefore:    certNotBefore,
		NotAfter:     certNotAfter,
		SubjectKeyID: ski[:20],
		IsCA:         ca,
		KeyUsage:     der.KeyUsageDigitalSignature,
	}
	if ca {
		tmpl.KeyUsage |= der.KeyUsageCertSign | der.KeyUsageCRLSign
	}
	var issuer *der.Issuer // self-signed
	signer := key
	if parent != nil {
		issuer, signer = &parent.issuer, parent.key
	}
	cert, err := der.CreateCertificate(t.Rand, tmpl, issuer, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	return &certIssued{issuer: der.Issuer{Subject: subject.Marshal(), SubjectKeyID: tmpl.SubjectKeyID}, key: key, der: cert}, nil
}

// partitionCert builds certificate kind of one HSM.
func partitionCert(t *Tool, kind int, node *hsm.Node) ([]byte, error) {
	org := []string{"hsmsim (simulated AWS CloudHSM)"}
	mfrRoot := func() (*certIssued, error) {
		return certIssue(t, "manufacturer-root", der.Name{Organization: org, CommonName: "HSM Manufacturer Root CA"}, true, nil)
	}
	hardware := func() (*certIssued, error) {
		root, err := mfrRoot()
		if err != nil {
			return nil, err
		}
		return certIssue(t, "hardware/"+node.Addr, der.Name{Organization: org,
			CommonName: fmt.Sprintf("HSM %d hardware (%s)", node.ID, node.Addr)}, true, root)
	}
	custRoot := func() (*certIssued, error) {
		return certIssue(t, "customer-root", der.Name{Organization: []string{"Customer"}, CommonName: "Customer Root CA"}, true, nil)
	}
	partition := der.Name{Organization: org, CommonName: fmt.Sprintf("HSM %d cluster partition (%s)", node.ID, node.Addr)}
	var ci *certIssued
	var err error
	switch kind {
	case certManufacturerRoot:
		ci, err = mfrRoot()
	case certHardware:
		ci, err = hardware()
	case certCustomerRoot:
		ci, err = custRoot()
	case certClusterCustomer, certClusterHardware:
		parent, perr := custRoot()
		if kind == certClusterHardware {
			parent, perr = hardware()
		}
		if perr != nil {
			return nil, perr
		}
		ci, err = certIssue(t, "partition/"+node.Addr, partition, false, parent)
	default:
		return nil, fmt.Errorf("unknown certificate type %d", kind)
	}
	if err != nil {
		return nil, err
	}
	return ci.der, nil
}

// isValidKeyHandlefile tells a fake PEM file of getCaviumPrivKey (see
// ParseFakePEM in export.go) from a real private key. The real tool words a
// fake file's handle as "invalid" (key_mgmt_util-IsValidKeyHandlefile.md
// shows it for a file getCaviumPrivKey made): the file holds a handle,
// not key material.
func isValidKeyHandlefile(t *Tool, a *Args) tool.Result {
	name := a.Str("f")
	data, err := t.ioReadFile("f", name)
	if err != nil {
		return t.ioError(err)
	}
	if h, ok := ParseFakePEM(data); ok {
		t.printf("Input file has invalid key handle: %d\n", h)
		return tool.Result{}
	}
	if _, err := mech.ParsePrivateKeyPEM(data); err != nil {
		return t.ioError(fmt.Errorf("file %q holds no PEM private key", name))
	}
	t.printf("Input key file has real private key\n")
	return tool.Result{}
}
