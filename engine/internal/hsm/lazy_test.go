package hsm

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lazyCluster is a three-node cluster holding one decoded key (524288 on
// every node) and four undecoded ones: 524289 and 524290 on every node,
// 524291 on nodes 0 and 2 only, and 524292, whose record the decoder
// refuses. decoded lists the handles the decoder was asked for, in order.
func lazyCluster(t *testing.T) (c *Cluster, decoded *[]uint64) {
	t.Helper()
	c = NewCluster(3)
	for _, n := range c.Nodes {
		n.Users = []*User{{ID: 3, Name: "example_user", Type: RoleCU}}
		n.Objects[FirstHandle] = &Object{Handle: FirstHandle, Class: ClassSecret, KeyType: KeyTypeAES, Owner: 3, Token: true, Label: "loaded"}
	}
	var asked []uint64
	all := uint32(0b111)
	recs := map[uint64]KeyRecord{
		FirstHandle + 1: {Data: []byte("one"), Nodes: all},
		FirstHandle + 2: {Data: []byte("two"), Nodes: all},
		FirstHandle + 3: {Data: []byte("three"), Nodes: 0b101},
		FirstHandle + 4: {Data: []byte("bad"), Nodes: all},
	}
	nodes := map[uint64]uint32{}
	for h, r := range recs {
		nodes[h] = r.Nodes
	}
	c.DeferKeys(recs, func(cl *Cluster, h uint64, data []byte) (map[int]*Object, error) {
		asked = append(asked, h)
		if string(data) == "bad" {
			return nil, errors.New(`workspace is damaged: record "k/524292" holds an invalid copy for HSM 1`)
		}
		out := map[int]*Object{}
		for id := range cl.Nodes {
			if nodes[h]&(1<<id) != 0 {
				out[id] = &Object{Handle: h, Class: ClassSecret, KeyType: KeyTypeAES, Owner: 3, Token: true, Label: string(data)}
			}
		}
		return out, nil
	})
	return c, &asked
}

func TestUndecodedKeysAreCountedListedAndAllocatedAroundWithoutDecoding(t *testing.T) {
	c, asked := lazyCluster(t)
	assert.Equal(t, 4, c.Undecoded())
	assert.Equal(t, 5, c.Nodes[0].KeyCount())
	assert.Equal(t, 4, c.Nodes[1].KeyCount(), "524291 is not on node 1")
	assert.Equal(t, 5, c.CountObjects())
	assert.Equal(t, []uint64{FirstHandle, FirstHandle + 1, FirstHandle + 2, FirstHandle + 3, FirstHandle + 4}, c.Nodes[0].Handles())
	assert.Equal(t, []uint64{FirstHandle, FirstHandle + 1, FirstHandle + 2, FirstHandle + 4}, c.Nodes[1].Handles())
	assert.True(t, c.Nodes[2].Has(FirstHandle+3))
	assert.False(t, c.Nodes[1].Has(FirstHandle+3))
	assert.True(t, c.occupied(FirstHandle+4))
	assert.Contains(t, c.Nodes[1].PartitionInfo(), InfoField{"Occupied Objects", "4"})
	var tokens []uint64
	c.Nodes[2].EachTokenHandle(func(h uint64) { tokens = append(tokens, h) })
	slices.Sort(tokens)
	assert.Equal(t, c.Nodes[2].Handles(), tokens)
	// A new key pair's handles go past every handle held, decoded or not.
	pub := c.allocPublicHandle()
	assert.False(t, c.occupied(pub))
	assert.Greater(t, pub, FirstHandle+4)
	assert.Empty(t, *asked, "nothing was decoded")
	assert.NoError(t, c.Damaged())
}

func TestAKeyIsDecodedAtItsFirstUseOnly(t *testing.T) {
	c, asked := lazyCluster(t)
	m := c.Mark()
	o, ok := c.Nodes[1].Object(FirstHandle + 2)
	require.True(t, ok)
	assert.Equal(t, "two", o.Label)
	assert.Equal(t, []uint64{FirstHandle + 2}, *asked)
	// Every node's copy came in with it, and it is not decoded again.
	for _, n := range c.Nodes {
		p, ok := n.Object(FirstHandle + 2)
		require.True(t, ok)
		assert.Equal(t, "two", p.Label)
		if n.ID != 1 {
			assert.NotSame(t, o, p, "each node has its own copy")
		}
	}
	assert.Equal(t, c.Object(FirstHandle+2), c.Nodes[0].LoadedObjects()[FirstHandle+2])
	assert.Equal(t, []uint64{FirstHandle + 2}, *asked)
	assert.Equal(t, 3, c.Undecoded())
	assert.Equal(t, 5, c.Nodes[0].KeyCount(), "the count is the same decoded or not")
	// A decoding is not a change: nothing is saved for it.
	assert.Empty(t, c.ChangesSince(m).Keys)
	_, ok = c.Nodes[1].Object(FirstHandle + 3)
	assert.False(t, ok, "524291 is not on node 1")
	_, ok = c.Nodes[0].Object(FirstHandle + 99)
	assert.False(t, ok)
	assert.NoError(t, c.Damaged())
}

func TestLookingAtEveryKeyDecodesEveryKeyAndDamageIsNamed(t *testing.T) {
	c, asked := lazyCluster(t)
	all := c.Nodes[0].AllObjects()
	assert.Equal(t, []uint64{FirstHandle + 1, FirstHandle + 2, FirstHandle + 3, FirstHandle + 4}, *asked, "in ascending order")
	assert.Len(t, all, 4, "the damaged key is absent")
	assert.NotContains(t, all, FirstHandle+4)
	assert.False(t, c.Nodes[1].Has(FirstHandle+4))
	assert.Equal(t, 0, c.Undecoded())
	assert.EqualError(t, c.Damaged(), `workspace is damaged: record "k/524292" holds an invalid copy for HSM 1`)
	// The cluster's find sees what was decoded.
	assert.Len(t, c.Find(&Session{Role: RoleCU, UserID: 3}, Filter{}), 4)
}

func TestADecoderThatGivesOtherNodesThanTheRecordNamedIsDamage(t *testing.T) {
	c := NewCluster(2)
	c.DeferKeys(map[uint64]KeyRecord{FirstHandle: {Data: []byte("x"), Nodes: 0b01}}, func(cl *Cluster, h uint64, _ []byte) (map[int]*Object, error) {
		return map[int]*Object{0: {Handle: h, Token: true}, 1: {Handle: h, Token: true}}, nil
	})
	_, ok := c.Nodes[0].Object(FirstHandle)
	assert.False(t, ok)
	assert.ErrorContains(t, c.Damaged(), "workspace is damaged: key 524288: holds a copy for HSM 1, which its shape did not name")
	assert.Empty(t, c.Nodes[1].LoadedObjects())
}

func TestKeysDecodedLaterGetTheDeferredMaterialCheck(t *testing.T) {
	c, _ := lazyCluster(t)
	checked := 0
	c.DeferMaterialCheck(func(*Object) error { checked++; return nil })
	o, _ := c.Nodes[0].Object(FirstHandle + 1)
	assert.True(t, o.MaterialPending())
	require.NoError(t, o.checkMaterial())
	assert.Equal(t, 1, checked)
	assert.False(t, o.MaterialPending())
}

func TestEmptyObjectsForgetsUndecodedKeys(t *testing.T) {
	c, asked := lazyCluster(t)
	c.EmptyObjects()
	assert.Equal(t, 0, c.Undecoded())
	assert.Equal(t, 0, c.Nodes[0].KeyCount())
	assert.Empty(t, c.Nodes[0].AllObjects())
	assert.Empty(t, *asked)
}

func TestReplaceTakesTheOtherClustersUndecodedKeys(t *testing.T) {
	c := NewCluster(3)
	c.Nodes[0].Objects[FirstHandle+50] = &Object{Handle: FirstHandle + 50, Session: "s1", Owner: 3}
	other, asked := lazyCluster(t)
	c.Replace(other)
	assert.Equal(t, 4, c.Undecoded())
	o, ok := c.Nodes[2].Object(FirstHandle + 3)
	require.True(t, ok)
	assert.Equal(t, "three", o.Label)
	assert.Equal(t, []uint64{FirstHandle + 3}, *asked)
	assert.True(t, c.Nodes[0].Has(FirstHandle+50), "the session key stays")
}
