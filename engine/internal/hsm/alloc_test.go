package hsm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// oracleAlloc is the handle allocation as it was before the cluster kept a
// free floor, kept here to hold the new one to it: the public half of a
// pair looks for the lowest free handle from FirstHandle up to the cursor,
// everything else (and a public key finding none) takes the next free
// handle at or after the cursor, which then moves past it. It works on a
// copy of what the cluster holds and of its cursor.
type oracleAlloc struct {
	occupied map[uint64]bool
	cursor   uint64
}

func newOracle(c *Cluster) *oracleAlloc {
	o := &oracleAlloc{occupied: map[uint64]bool{}, cursor: c.Cursor}
	for _, n := range c.Nodes {
		for h := range n.Objects {
			o.occupied[h] = true
		}
	}
	return o
}

func (o *oracleAlloc) allocHandle() uint64 {
	if o.cursor < FirstHandle {
		o.cursor = FirstHandle
	}
	h := o.cursor
	for o.occupied[h] {
		h++
	}
	o.cursor = h + 1
	return h
}

func (o *oracleAlloc) allocPublicHandle() uint64 {
	for h := FirstHandle; h < o.cursor; h++ {
		if !o.occupied[h] {
			return h
		}
	}
	return o.allocHandle()
}

// Random sequences of key creations (secret keys, lone public keys, pairs;
// token and session keys; with an HSM down, so that keys are missing on
// some), deletions, logouts that destroy session keys, failed creations
// (which use no handle), cursor moves and whole-cluster replacements: every
// handle handed out, and the cursor after, is the old allocator's.
func TestAllocationMatchesTheScanningAllocator(t *testing.T) {
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 99))
		c := newTestCluster(t)
		for _, h := range []uint64{524288, 524289, 524290, 524291, 524292, 524293, 524303} {
			for _, n := range c.Nodes {
				o := secret("fixture")
				o.Handle, o.Token = h, true
				c.putObject(n, o)
			}
		}
		c.Cursor = 524295
		sessions := []*Session{login(t, c, RoleCU, "example_user"), login(t, c, RoleCU, "alice")}
		var made []uint64
		steps := 150 + r.IntN(250)
		for step := range steps {
			what := fmt.Sprintf("seed %d step %d", seed, step)
			s := sessions[r.IntN(len(sessions))]
			opt := KeyOptions{Session: r.IntN(4) == 0}
			if r.IntN(20) == 0 {
				opt.MinSrv = 3 // refused while an HSM is down: no handle used
			}
			oracle := newOracle(c)
			switch k := r.IntN(14); {
			case k < 3:
				want := oracle.allocHandle()
				h, _, rc := c.CreateKey(s, secret("k"), opt)
				if rc == RCSuccess {
					require.Equal(t, want, h, "%s: a secret key", what)
					made = append(made, h)
				} else {
					oracle.cursor = c.Cursor
				}
			case k < 4:
				pub := secret("pub")
				pub.Class = ClassPublic
				want := oracle.allocPublicHandle()
				h, _, rc := c.CreateKey(s, pub, opt)
				if rc == RCSuccess {
					require.Equal(t, want, h, "%s: a public key", what)
					made = append(made, h)
				} else {
					oracle.cursor = c.Cursor
				}
			case k < 8:
				pub, priv := secret("p"), secret("q")
				pub.Class, priv.Class = ClassPublic, ClassPrivate
				wantPub := oracle.allocPublicHandle()
				wantPriv := oracle.allocHandle()
				hp, hv, _, rc := c.CreateKeyPair(s, pub, priv, opt)
				if rc == RCSuccess {
					require.Equal(t, []uint64{wantPub, wantPriv}, []uint64{hp, hv}, "%s: a pair", what)
					made = append(made, hp, hv)
				} else {
					oracle.cursor = c.Cursor
				}
			case k < 12:
				if len(made) > 0 {
					i := r.IntN(len(made))
					for _, s := range sessions {
						c.DeleteKey(s, made[i])
					}
					made = append(made[:i], made[i+1:]...)
				}
			case k == 12:
				i := r.IntN(len(sessions))
				c.Logout(sessions[i])
				sessions[i] = login(t, c, RoleCU, sessions[i].User)
			default:
				switch r.IntN(5) {
				case 0:
					// At most one HSM down at a time.
					down := r.IntN(4)
					for id := range 3 {
						c.SetUp(id, id != down)
					}
				case 1:
					// A deleted key's handle below the cursor, once the
					// cursor is set back (a scenario's cursor).
					c.SetCursor(max(FirstHandle, c.Cursor-uint64(r.IntN(4))))
				case 2:
					// Another tab's save: the same keys in a new cluster
					// value, this one's session keys carried over.
					other := NewCluster(3)
					other.Cursor = c.Cursor
					for _, n := range c.Nodes {
						other.Nodes[n.ID].Users = n.Users
						other.Nodes[n.ID].Up = n.Up
						for _, o := range n.Objects {
							if o.Token {
								other.putObject(other.Nodes[n.ID], o.Clone())
							}
						}
					}
					c.Replace(other)
				case 3:
					// The keys read back from records: every node emptied
					// and its keys put again, some of them lost.
					held := map[int][]*Object{}
					for _, n := range c.Nodes {
						for _, o := range n.Objects {
							held[n.ID] = append(held[n.ID], o)
						}
					}
					c.EmptyObjects()
					for id, objs := range held {
						for _, o := range objs {
							if r.IntN(8) != 0 {
								c.PutObject(id, o)
							}
						}
					}
				default:
					// One HSM loses a key the others keep.
					if len(made) > 0 {
						c.RemoveObject(r.IntN(3), made[r.IntN(len(made))])
					}
				}
			}
			if step%10 == 0 {
				require.Equal(t, newOracle(c).allocPublicHandle(), c.allocPublicHandleProbe(), "%s: the next public handle", what)
			}
		}
	}
}

// allocPublicHandleProbe is the handle allocPublicHandle would hand out
// now, the cursor left where it is.
func (c *Cluster) allocPublicHandleProbe() uint64 {
	cursor := c.Cursor
	h := c.allocPublicHandle()
	c.Cursor = cursor
	return h
}

// BenchmarkCreateKeyPair is a key pair's creation and deletion (the pair
// made without its key material: the handle allocation and the copies on
// every HSM) on clusters of 100 and 2,000 keys. The public half takes the
// handle the last deleted one freed, below the cursor.
func BenchmarkCreateKeyPair(b *testing.B) {
	for _, n := range []int{100, 2000, 3000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			c := newTestCluster(b)
			for i := range n {
				for _, nd := range c.Nodes {
					o := secret("fill")
					o.Handle, o.Token = FirstHandle+uint64(i), true
					c.putObject(nd, o)
				}
			}
			c.Cursor = FirstHandle + uint64(n)
			s, _ := c.Login(RoleCU, "example_user", "password", nil)
			for b.Loop() {
				pub, priv := secret("p"), secret("q")
				pub.Class, priv.Class = ClassPublic, ClassPrivate
				hp, hv, _, rc := c.CreateKeyPair(s, pub, priv, KeyOptions{})
				if rc != RCSuccess {
					b.Fatal(rc)
				}
				c.DeleteKey(s, hp)
				c.DeleteKey(s, hv)
			}
		})
	}
}
