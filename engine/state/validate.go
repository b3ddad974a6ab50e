package state

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/hsmsim/hsmsim/engine/internal/cert"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"

	keyder "github.com/hsmsim/hsmsim/internal/der"
)

// Limits a saved workspace is held to beyond the cluster's own (MaxUsers,
// MaxKeys): the tools never make anything larger, so anything larger was
// not written by them.
const (
	maxAddr     = 64
	maxValue    = 64 << 10 // the DER of an RSA-16384 private key is under 10 KiB
	maxQuorumPK = 16 << 10
	maxPassword = 128
)

// checkSaved is Check plus the rules only a saved workspace obeys: every
// key in it is a token key (session keys are never saved), and each key's
// material agrees with its class, type, size and check value.
func checkSaved(c *hsm.Cluster) error {
	if err := checkSavedKeys(c); err != nil {
		return err
	}
	seen := map[[32]byte]bool{}
	for _, n := range c.Nodes {
		for _, h := range n.Handles() {
			o, _ := n.Object(h)
			// The HSMs of a cluster in sync hold the same copies: each
			// distinct one is checked once.
			sum := objectSum(o)
			if seen[sum] {
				continue
			}
			if err := checkMaterial(o); err != nil {
				return fmt.Errorf("HSM %d: key %d: %v", n.ID, h, err)
			}
			seen[sum] = true
		}
	}
	return nil
}

// checkSavedKeys is checkSaved without the keys' material: what a
// workspace read from records checks on load, its keys' material being
// checked at first use (hsm.Cluster.DeferMaterialCheck).
func checkSavedKeys(c *hsm.Cluster) error {
	if err := Check(c); err != nil {
		return err
	}
	for _, n := range c.Nodes {
		// In the map's order (sorting every node's handles is a noticeable
		// part of opening a large workspace in wasm), naming the lowest.
		bad, found := uint64(0), false
		// Keys not decoded yet are held to this when they are
		// (decodeDeferred).
		for h, o := range n.LoadedObjects() {
			if (!o.Token || o.Session != "") && (!found || h < bad) {
				bad, found = h, true
			}
		}
		if found {
			return fmt.Errorf("HSM %d: key %d is a session key, which is never saved", n.ID, bad)
		}
	}
	return nil
}

// objectSum identifies the attributes checkMaterial reads.
func objectSum(o *hsm.Object) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00%d\x00%d\x00%d\x00%d\x00%d\x00%x\x00%x\x00", o.Class, o.KeyType, o.ValueLen, o.ModulusBits, o.PublicExponent, o.CurveID, o.ParameterSet, o.KCV, o.Modulus)
	h.Write(o.Value)
	var s [32]byte
	h.Sum(s[:0])
	return s
}

// checkUsers and checkObject hold the per-node rules of Check.
func checkUsers(n *hsm.Node) error {
	if len(n.Users) == 0 {
		return fmt.Errorf("HSM %d has no users (every HSM has at least its crypto officer)", n.ID)
	}
	for _, u := range n.Users {
		if len(u.PasswordHash) > maxPassword {
			return fmt.Errorf("HSM %d: user %s has a password hash of %d bytes", n.ID, u.Name, len(u.PasswordHash))
		}
		if u.FailedLogins < 0 {
			return fmt.Errorf("HSM %d: user %s has %d failed logins", n.ID, u.Name, u.FailedLogins)
		}
		if len(u.QuorumPubKey) > maxQuorumPK {
			return fmt.Errorf("HSM %d: user %s has a quorum key of %d bytes", n.ID, u.Name, len(u.QuorumPubKey))
		}
		if len(u.MFAPubKey) > maxQuorumPK {
			return fmt.Errorf("HSM %d: user %s has an MFA key of %d bytes", n.ID, u.Name, len(u.MFAPubKey))
		}
		// 2FA is on exactly when an MFA key is registered, and that key is
		// one the HSM takes (RSA-2048).
		if u.TwoFA != u.HasMFA() {
			return fmt.Errorf("HSM %d: user %s has 2FA %v but %s MFA key", n.ID, u.Name, u.TwoFA, map[bool]string{true: "an", false: "no"}[u.HasMFA()])
		}
		if u.HasMFA() {
			if _, err := hsm.ParseQuorumPublicKey([]byte(u.MFAPubKey)); err != nil {
				return fmt.Errorf("HSM %d: user %s has an MFA key the HSM does not take: %v", n.ID, u.Name, err)
			}
		}
	}
	return nil
}

// checkTrustAnchors holds a node's trust anchors to what register-trust-anchor
// stores: at most two, references 1 and 2 each once, in order, each a chain
// the HSM accepts, stored as the PEM of its certificates.
func checkTrustAnchors(n *hsm.Node) error {
	if len(n.TrustAnchors) > hsm.MaxTrustAnchors {
		return fmt.Errorf("HSM %d has %d trust anchors, more than %d", n.ID, len(n.TrustAnchors), hsm.MaxTrustAnchors)
	}
	prev := 0
	for _, a := range n.TrustAnchors {
		if a == nil || a.Ref <= prev || a.Ref > hsm.MaxTrustAnchors {
			return fmt.Errorf("HSM %d has an invalid or duplicate trust anchor reference", n.ID)
		}
		prev = a.Ref
		certs, err := hsm.CheckTrustAnchor([]byte(a.PEM))
		if err != nil {
			return fmt.Errorf("HSM %d: trust anchor %d: %v", n.ID, a.Ref, err)
		}
		if string(cert.EncodeChain(certs)) != a.PEM {
			return fmt.Errorf("HSM %d: trust anchor %d is not in the form the HSM stores", n.ID, a.Ref)
		}
	}
	return nil
}

func checkObject(n *hsm.Node, o *hsm.Object) error {
	if len(o.Label) > hsm.MaxLabelLen {
		return fmt.Errorf("a label of %d bytes (at most %d)", len(o.Label), hsm.MaxLabelLen)
	}
	if len(o.KeyID) > hsm.MaxLabelLen {
		return fmt.Errorf("an id of %d bytes (at most %d)", len(o.KeyID), hsm.MaxLabelLen)
	}
	if len(o.Value) > maxValue {
		return fmt.Errorf("key material of %d bytes (at most %d)", len(o.Value), maxValue)
	}
	owner := n.User(o.Owner)
	if owner == nil || owner.Type != hsm.RoleCU {
		return fmt.Errorf("owner %d is not a crypto user of this HSM", o.Owner)
	}
	for i, id := range o.Shared {
		u := n.User(id)
		switch {
		case id == o.Owner:
			return fmt.Errorf("is shared with its owner %d", id)
		case u == nil || u.Type != hsm.RoleCU:
			return fmt.Errorf("is shared with %d, not a crypto user of this HSM", id)
		case slices.Contains(o.Shared[:i], id):
			return fmt.Errorf("is shared with %d twice", id)
		}
	}
	if o.MValue < 0 || o.MValue > hsm.MaxUsers {
		return fmt.Errorf("an M value of %d", o.MValue)
	}
	return nil
}

// checkMaterial rebuilds the attributes that follow from a key's material
// the way the tools build them (package keyobj) and compares: an "RSA"
// key holding an EC key, a flipped byte in a secret key (its check value
// no longer matches), a modulus that is not the key's, are all refused.
func checkMaterial(o *hsm.Object) error {
	var want *hsm.Object
	var err error
	switch o.Class {
	case hsm.ClassSecret:
		want, err = keyobj.Secret(o.KeyType, o.Value)
	case hsm.ClassPublic:
		var pub any
		if pub, err = keyobj.PublicKey(o); err == nil {
			want, err = keyobj.Public(pub)
		}
	case hsm.ClassPrivate:
		want, err = privateAttrs(o)
	default:
		return fmt.Errorf("class %d", o.Class)
	}
	if err != nil {
		return fmt.Errorf("its key material cannot be read: %v", err)
	}
	switch {
	case want.KeyType != o.KeyType:
		return fmt.Errorf("its key material is of key type %d, not %d", want.KeyType, o.KeyType)
	case !bytes.Equal(want.KCV, o.KCV):
		return fmt.Errorf("its key check value %x does not match its material (%x)", o.KCV, want.KCV)
	case want.ValueLen != o.ValueLen:
		return fmt.Errorf("its size %d does not match its material (%d)", o.ValueLen, want.ValueLen)
	case !bytes.Equal(want.Modulus, o.Modulus) || want.ModulusBits != o.ModulusBits:
		return errors.New("its modulus or public point does not match its material")
	case want.PublicExponent != o.PublicExponent || want.CurveID != o.CurveID || want.ParameterSet != o.ParameterSet:
		return errors.New("its public exponent, curve or parameter set does not match its material")
	case o.Class == hsm.ClassPublic && !bytes.Equal(want.Value, o.Value):
		return errors.New("its key material is not in the form the HSM writes")
	}
	return nil
}

// privateAttrs is keyobj.Private's attributes for the key an object
// holds. An RSA key is read without the full validation (a modular
// exponentiation per key, seconds for thousands of keys): its primes must
// multiply to its modulus, which a damaged key does not.
func privateAttrs(o *hsm.Object) (*hsm.Object, error) {
	if p8, err := keyder.ParsePrivateKeyInfo(o.Value); err == nil && p8.Algorithm.Algorithm.Equal(keyder.OIDRSA) {
		k, err := keyder.ParsePKCS8RSAPrivateKeyUnvalidated(o.Value)
		if err != nil {
			return nil, errors.New("not an RSA private key")
		}
		if len(k.Primes) != 2 || k.N.Sign() <= 0 || new(big.Int).Mul(k.Primes[0], k.Primes[1]).Cmp(k.N) != 0 {
			return nil, errors.New("its primes do not make its modulus")
		}
		pub, err := keyobj.Public(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		return pub, nil
	}
	priv, err := keyobj.PrivateKey(o)
	if err != nil {
		return nil, err
	}
	return keyobj.Private(priv)
}
