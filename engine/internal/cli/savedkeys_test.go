package cli

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/state"
)

// saveAndLoad writes the cluster as a state document and reads it back,
// as the loaders do: the keys of every type the CLI makes survive it, and
// one whose material no longer matches its attributes is refused.
func saveAndLoad(t *testing.T, c *hsm.Cluster, kt hsm.KeyType) {
	t.Helper()
	doc, err := state.Encode(c, nil)
	require.NoError(t, err)
	back, _, err := state.Decode(doc)
	require.NoError(t, err)
	n := 0
	for h, o := range c.Nodes[0].Objects {
		if o.KeyType != kt {
			continue
		}
		n++
		require.True(t, o.Equal(back.Nodes[0].Objects[h]), "%d", h)
	}
	require.Positive(t, n)
	// The browser's records too.
	recs, err := state.Records(c, nil)
	require.NoError(t, err)
	fromRecs, _, err := state.FromRecords(recs)
	require.NoError(t, err)
	for h, o := range c.Nodes[0].Objects {
		require.True(t, o.Equal(fromRecs.Nodes[0].AllObjects()[h]), "%d", h)
		require.Equal(t, o.ParameterSet, fromRecs.Nodes[0].AllObjects()[h].ParameterSet, "%d", h)
	}

	// A public key whose point is not its key's.
	for _, node := range c.Nodes {
		for _, o := range node.Objects {
			if o.KeyType == kt && o.Class == hsm.ClassPublic && len(o.Modulus) > 0 {
				o.Modulus[0] ^= 1
			}
			if o.KeyType == kt && o.Class == hsm.ClassPublic && len(o.Modulus) == 0 {
				o.ValueLen++
			}
		}
	}
	doc, err = state.Encode(c, nil)
	require.NoError(t, err)
	_, _, err = state.Decode(doc)
	require.Error(t, err)
}

func TestEd25519KeysSaveAndLoad(t *testing.T) {
	tl := ed25519Tool(t)
	saveAndLoad(t, tl.Cluster, hsm.KeyTypeECEdwards)
}
