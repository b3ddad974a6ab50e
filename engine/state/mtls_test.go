package state

import (
	"encoding/pem"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/cert"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

// A document written before the cluster kept trust anchors, an enforcement
// level and MFA keys (none of their fields) still opens: no trust anchors,
// enforcement none, no user with MFA.
func TestDocumentsWithoutMTLSOrMFAStillOpen(t *testing.T) {
	old := fmt.Sprintf(`{"format":"hsmsim-workspace","version":1,"cluster":{"nodes":[`+
		`{"id":0,"addr":"10.0.2.9","up":true,"users":[{"id":1,"type":"PCO","name":"admin","password":%q}],"objects":{}},`+
		`{"id":1,"addr":"10.0.3.11","up":true,"users":[{"id":1,"type":"PCO","name":"admin","password":%q}],"objects":{}}`+
		`],"cursor":524288},"files":{}}`, hsm.HashPassword("admin", "password"), hsm.HashPassword("admin", "password"))
	c, _, err := Decode([]byte(old))
	require.NoError(t, err)
	assert.Equal(t, hsm.MTLSNone, c.MTLSLevel())
	for _, n := range c.Nodes {
		assert.Empty(t, n.TrustAnchors)
		assert.False(t, n.Users[0].HasMFA())
		assert.False(t, n.Users[0].TwoFA)
	}
	// And a workspace without them is still written without them.
	b, err := Encode(c, nil)
	require.NoError(t, err)
	for _, field := range []string{"trustAnchors", "mtlsEnforcement", "mfaPubKey"} {
		assert.NotContains(t, string(b), field)
	}
}

func testAnchor(t *testing.T) string {
	t.Helper()
	k, err := mech.GenerateRSA(rand.NewChaCha8([32]byte{5}), 2048, 65537)
	require.NoError(t, err)
	der, err := cert.SelfSigned(rand.NewChaCha8([32]byte{6}), k, []cert.Attribute{{Type: "CN", Value: "rootCA"}}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 30, cert.SHA256)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Trust anchors and the enforcement level are saved and read back; a
// document whose trust anchors or level the HSM could not hold is refused.
func TestTrustAnchorsAreSavedAndChecked(t *testing.T) {
	anchor := testAnchor(t)
	c := testCluster()
	for _, n := range c.Nodes {
		n.TrustAnchors = []*hsm.TrustAnchor{{Ref: 2, PEM: anchor}}
	}
	c.MTLSEnforcement = hsm.MTLSCluster
	b, err := Encode(c, nil)
	require.NoError(t, err)
	back, _, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, hsm.MTLSCluster, back.MTLSLevel())
	for _, n := range back.Nodes {
		assert.Equal(t, []*hsm.TrustAnchor{{Ref: 2, PEM: anchor}}, n.TrustAnchors)
	}
	recs, err := Records(c, nil)
	require.NoError(t, err)
	fromRecs, _, err := FromRecords(recs)
	require.NoError(t, err)
	assert.Equal(t, back.Nodes[1].TrustAnchors, fromRecs.Nodes[1].TrustAnchors)

	for name, damage := range map[string]func(c *hsm.Cluster){
		"a level the HSM has not": func(c *hsm.Cluster) { c.MTLSEnforcement = "everywhere" },
		"reference 3":             func(c *hsm.Cluster) { c.Nodes[0].TrustAnchors[0].Ref = 3 },
		"reference 0":             func(c *hsm.Cluster) { c.Nodes[0].TrustAnchors[0].Ref = 0 },
		"a reference twice": func(c *hsm.Cluster) {
			c.Nodes[0].TrustAnchors = append(c.Nodes[0].TrustAnchors, &hsm.TrustAnchor{Ref: 2, PEM: anchor})
		},
		"three trust anchors": func(c *hsm.Cluster) {
			c.Nodes[0].TrustAnchors = []*hsm.TrustAnchor{{Ref: 1, PEM: anchor}, {Ref: 2, PEM: anchor}, {Ref: 3, PEM: anchor}}
		},
		"no certificate":        func(c *hsm.Cluster) { c.Nodes[0].TrustAnchors[0].PEM = "hello" },
		"a damaged certificate": func(c *hsm.Cluster) { c.Nodes[0].TrustAnchors[0].PEM = strings.Replace(anchor, "MII", "MIA", 1) },
		"not the stored form":   func(c *hsm.Cluster) { c.Nodes[0].TrustAnchors[0].PEM = "\n" + anchor },
		"a null trust anchor":   func(c *hsm.Cluster) { c.Nodes[0].TrustAnchors[0] = nil },
	} {
		bad := testCluster()
		for _, n := range bad.Nodes {
			n.TrustAnchors = []*hsm.TrustAnchor{{Ref: 2, PEM: anchor}}
		}
		damage(bad)
		b, err := Encode(bad, nil)
		require.NoError(t, err, name)
		_, _, err = Decode(b)
		assert.Error(t, err, name)
		recs, err := Records(bad, nil)
		require.NoError(t, err, name)
		_, _, err = FromRecords(recs)
		assert.Error(t, err, name)
	}
}

// A user's MFA key is saved and read back; 2FA without a key, a key without
// 2FA, and a key the HSM would not take are refused.
func TestMFAKeysAreSavedAndChecked(t *testing.T) {
	k, err := mech.GenerateRSA(rand.NewChaCha8([32]byte{5}), 2048, 65537)
	require.NoError(t, err)
	pub, err := mech.MarshalPublicKeyPEM(&k.PublicKey)
	require.NoError(t, err)
	small, err := mech.GenerateRSAUnrestricted(rand.NewChaCha8([32]byte{7}), 1024, 65537)
	require.NoError(t, err)
	smallPub, err := mech.MarshalPublicKeyPEM(&small.PublicKey)
	require.NoError(t, err)
	withMFA := func(key string, twoFA bool) *hsm.Cluster {
		c := testCluster()
		for _, n := range c.Nodes {
			n.Users[1].MFAPubKey, n.Users[1].TwoFA = key, twoFA
		}
		return c
	}
	b, err := Encode(withMFA(string(pub), true), nil)
	require.NoError(t, err)
	back, _, err := Decode(b)
	require.NoError(t, err)
	assert.Equal(t, string(pub), back.Nodes[2].FindUser("alice").MFAPubKey)
	for name, c := range map[string]*hsm.Cluster{
		"2FA without a key": withMFA("", true),
		"a key without 2FA": withMFA(string(pub), false),
		"RSA-1024":          withMFA(string(smallPub), true),
		"not a key":         withMFA("hello", true),
	} {
		b, err := Encode(c, nil)
		require.NoError(t, err, name)
		_, _, err = Decode(b)
		assert.Error(t, err, name)
		recs, err := Records(c, nil)
		require.NoError(t, err, name)
		_, _, err = FromRecords(recs)
		assert.Error(t, err, name)
	}
}
