package hsm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChangesSinceAMark(t *testing.T) {
	c := newTestCluster(t)
	m0 := c.Mark()
	assert.True(t, c.ChangesSince(m0).Empty(), "nothing changed yet")

	s, _ := c.Login(RoleCU, "alice", "password", nil)
	require.NotNil(t, s)
	assert.True(t, c.ChangesSince(m0).Empty(), "a login that counts nothing changes nothing")

	o := &Object{KeyType: KeyTypeAES, Value: make([]byte, 16)}
	o.SecretDefaults()
	h, _, rc := c.CreateKey(s, o, KeyOptions{})
	require.Equal(t, RCSuccess, rc)
	m1 := c.Mark()
	assert.Equal(t, Changes{Keys: []uint64{h}, Cluster: true}, c.ChangesSince(m0), "a key and the handle cursor")

	c.Update(h, []int{1}, func(o *Object) { o.Label = "x" })
	assert.Equal(t, Changes{Keys: []uint64{h}}, c.ChangesSince(m1), "each saver's mark sees only what came after it")
	assert.Equal(t, Changes{Keys: []uint64{h}, Cluster: true}, c.ChangesSince(m0))

	m2 := c.Mark()
	_, st := c.Login(RoleCU, "ALICE", "wrong", nil)
	assert.Equal(t, RCLoginFailure, st.First())
	assert.Equal(t, Changes{Users: []int{4}, Nodes: []int{0, 1, 2}}, c.ChangesSince(m2), "a failed login is counted on every node")

	m3 := c.Mark()
	assert.True(t, c.SetUp(2, false))
	assert.False(t, c.SetUp(2, false), "already down")
	assert.Equal(t, Changes{Nodes: []int{2}}, c.ChangesSince(m3))

	m4 := c.Mark()
	c.Replace(newTestCluster(t))
	assert.True(t, c.ChangesSince(m4).All, "a replaced cluster changed as a whole")
	assert.Greater(t, c.Mark(), m4, "marks keep moving forward across Replace")
}

func TestOneLoginMatchesNamesInAnyCase(t *testing.T) {
	for _, nodes := range [][]int{nil, {0, 1, 2}} {
		c := newTestCluster(t)
		s, st := c.Login(RoleCU, "ALICE", "password", nodes)
		require.NotNil(t, s, "%v: %v", nodes, st)
		assert.Equal(t, "alice", s.User, "the session shows the name as created")
		assert.Equal(t, 4, s.UserID)
		assert.Equal(t, 2, s.Node, "session keys live on the highest node that accepted the login")
		assert.Equal(t, 3, st.Succeeded())
	}
	c := newTestCluster(t)
	co, _ := c.Login(RoleCO, "Admin", "password", nil)
	require.NotNil(t, co)
	assert.Equal(t, RCUserExists, c.CreateUserOn(co, 0, c.NextUserID(), RoleCU, "ALICE", "password1"),
		"a name that differs only in case is taken")
	assert.Equal(t, RCSuccess, c.CreateUserOn(co, 0, c.NextUserID(), RoleCU, "Bob", "password1"))
	assert.Equal(t, "Bob", c.Node(0).FindUser("bob").Name, "shown as created")
	b, _ := c.Login(RoleCU, "BOB", "password1", []int{0})
	require.NotNil(t, b)
	assert.Equal(t, "Bob", b.User)
}

func TestLabelLimitIsTheCluster(t *testing.T) {
	c := newTestCluster(t)
	s, _ := c.Login(RoleCU, "alice", "password", nil)
	require.NotNil(t, s)
	long := make([]byte, MaxLabelLen+1)
	for i := range long {
		long[i] = 'a'
	}
	assert.NoError(t, ValidateLabel(string(long[:MaxLabelLen])))
	assert.EqualError(t, ValidateLabel(string(long)), "label is longer than 127 characters")
	o := &Object{KeyType: KeyTypeAES, Label: string(long), Value: make([]byte, 16)}
	o.SecretDefaults()
	m := c.Mark()
	_, _, rc := c.CreateKey(s, o, KeyOptions{})
	assert.Equal(t, RCInvalidInput, rc, "whatever the tool, the cluster refuses a longer label")
	assert.True(t, c.ChangesSince(m).Empty(), "and changes nothing")
}

// changesSinceByScan is ChangesSince's key list as a look at every entry
// of the log gives it.
func changesSinceByScan(c *Cluster, m Mark) []uint64 {
	var out []uint64
	for h, s := range c.log.keys {
		if s > uint64(m) {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

// The log of key changes in order (what ChangesSince reads after its mark)
// gives the keys a look at every key's latest change gives, from any mark,
// however often handles change again and the log is compacted.
func TestChangesSinceFollowsEveryKeyChange(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for round := range 10 {
		c := NewCluster(3)
		var marks []Mark
		handles := 1 + r.IntN(300)
		for range 2000 {
			switch r.IntN(10) {
			case 0:
				marks = append(marks, c.Mark())
			case 1:
				c.changedCluster()
			default:
				c.changedKey(FirstHandle + uint64(r.IntN(handles)))
			}
			if r.IntN(100) == 0 {
				marks = append(marks, c.Mark())
				for _, m := range marks {
					if want, got := changesSinceByScan(c, m), c.ChangesSince(m).Keys; !slices.Equal(want, got) {
						require.Equal(t, want, got, "round %d, mark %d", round, m)
					}
				}
			}
		}
		assert.LessOrEqual(t, len(c.log.keyOrder), 2*len(c.log.keys)+64, "the ordered log stays compact")
		for _, m := range append(marks, 0, c.Mark()) {
			require.Equal(t, changesSinceByScan(c, m), c.ChangesSince(m).Keys, "round %d, mark %d", round, m)
		}
		assert.Empty(t, c.ChangesSince(c.Mark()).Keys)
	}
}

// BenchmarkChangesSinceNothing is the check a command that changed nothing
// makes (did the cluster change since the mark taken before it?) on a
// cluster read back from storage, whose every key was put once.
func BenchmarkChangesSinceNothing(b *testing.B) {
	for _, n := range []int{100, 3300} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			c := NewCluster(3)
			for i := range n {
				for _, nd := range c.Nodes {
					c.putObject(nd, &Object{Handle: FirstHandle + uint64(i), Token: true})
				}
			}
			m := c.Mark()
			for b.Loop() {
				if !c.ChangesSince(m).Empty() {
					b.Fatal("changed")
				}
			}
		})
	}
}
