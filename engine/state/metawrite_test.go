package state

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// marshalMeta is how the meta record was written before appendMeta: the
// cluster with its nodes' objects left out, through json.Marshal.
func marshalMeta(t testing.TB, c *hsm.Cluster) []byte {
	saved := *c
	saved.Nodes = make([]*hsm.Node, len(c.Nodes))
	for i, n := range c.Nodes {
		cp := *n
		cp.Objects = nil
		saved.Nodes[i] = &cp
	}
	b, err := json.Marshal(meta{Format: Format, Version: Version, Cluster: &saved})
	require.NoError(t, err)
	return b
}

// oddCluster has what encoding/json writes in its own ways: integer map
// keys sorted as text, negative and extreme numbers, nil and empty lists
// and byte strings, text to escape and invalid UTF-8.
func oddCluster() *hsm.Cluster {
	c := fullCluster()
	c.Cursor = math.MaxUint64
	c.Quorum = map[int]int{3: 2, 10: -1, -1: math.MaxInt64, 0: math.MinInt64}
	c.Tokens = append(c.Tokens, &hsm.QuorumToken{Service: -3, Data: nil, Approvals: map[int][]byte{20: nil, 3: {0xff}, -5: {}}})
	c.Nodes[0].Users = []*hsm.User{}
	c.Nodes[1].Users = nil
	c.Nodes[1].TrustAnchors = []*hsm.TrustAnchor{}
	c.Nodes[2].Addr = "<a> & \"b\" \\ \x00\x1f\u2028\u2029\xff\xfe é"
	c.Nodes[2].Users[0].Type = "\t"
	c.Nodes[2].Users[0].FailedLogins = -7
	c.MTLSEnforcement = "\u00e9"
	return c
}

func TestEncodeMetaIsJSONMarshal(t *testing.T) {
	clusters := []*hsm.Cluster{testCluster(), fullCluster(), oddCluster(), hsm.NewCluster(0)}
	for _, name := range scenario.Names() {
		sc, err := scenario.Builtin(name)
		require.NoError(t, err)
		c, _, err := sc.Build()
		require.NoError(t, err)
		clusters = append(clusters, c)
	}
	for _, c := range clusters {
		got, err := encodeMeta(c)
		require.NoError(t, err)
		require.Equal(t, string(marshalMeta(t, c)), string(got))
	}
}

// FuzzEncodeMeta: every cluster a meta record can hold (what decodeMeta
// accepts) is written as json.Marshal writes it.
func FuzzEncodeMeta(f *testing.F) {
	for _, s := range metaSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := decodeMeta(data)
		if err != nil {
			return
		}
		got, err := encodeMeta(c)
		require.NoError(t, err)
		require.Equal(t, string(marshalMeta(t, c)), string(got))
	})
}

// BenchmarkEncodeMeta writes the default workspace's meta record by hand
// and as it was written before (json.Marshal).
func BenchmarkEncodeMeta(b *testing.B) {
	c, _, err := scenario.Default()
	require.NoError(b, err)
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			_, _ = encodeMeta(c)
		}
	})
	b.Run("reflect", func(b *testing.B) {
		for b.Loop() {
			marshalMeta(b, c)
		}
	})
}
