package hsm

import "fmt"

// Key material checked at first use. A workspace read from the browser's
// records has every rule about who owns, shares and may use a key checked
// on load, but not that each key's material agrees with its class, type,
// size and check value: parsing thousands of keys' DER is most of what
// opening a large workspace would cost, and a command uses only a few of
// them. The loader hands the check to the cluster (DeferMaterialCheck);
// Check runs it for a key the first time an operation uses its material
// (OpUse, OpExport, OpExportPublic, OpMask, OpSyncKey), and a key that
// fails it answers RCKeyMaterialDamaged to every such operation instead of
// reaching code that would parse it.

// RCKeyMaterialDamaged is a key whose saved material does not agree with
// its attributes (simulator number and text: a real HSM never holds one).
const RCKeyMaterialDamaged RC = 0xe8

func init() {
	rcText[RCKeyMaterialDamaged] = "HSM Error: The key's saved material does not agree with its attributes (the saved workspace is damaged)"
}

// DeferMaterialCheck marks every key of every node to have check run on
// it at its first use.
func (c *Cluster) DeferMaterialCheck(check func(*Object) error) {
	for _, n := range c.Nodes {
		for _, o := range n.LoadedObjects() {
			o.verify = check
		}
	}
	if c.pend != nil {
		// Keys decoded later get the same check (pendingKeys.take).
		c.pend.verify = check
	}
}

// usesMaterial reports whether op reads a key's material.
func usesMaterial(op Op) bool {
	switch op {
	case OpUse, OpExport, OpExportPublic, OpMask, OpSyncKey:
		return true
	}
	return false
}

// checkMaterial runs o's deferred check, if it has one.
func (o *Object) checkMaterial() error {
	if o.verify == nil {
		return nil
	}
	if err := o.verify(o); err != nil {
		return err
	}
	o.verify = nil
	return nil
}

// MaterialPending reports whether o's material is still to be checked.
func (o *Object) MaterialPending() bool { return o.verify != nil }

// CheckAllMaterial runs every deferred check now (before a workspace is
// written somewhere that is read with every check on load); the first key
// that fails is named.
func (c *Cluster) CheckAllMaterial() error {
	for _, n := range c.Nodes {
		for _, h := range n.Handles() {
			o, ok := n.Object(h)
			if !ok {
				continue
			}
			if err := o.checkMaterial(); err != nil {
				return fmt.Errorf("HSM %d: key %d: %v", n.ID, h, err)
			}
		}
	}
	return nil
}
