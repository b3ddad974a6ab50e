package cli

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

func init() {
	register(&command{path: "cluster hsm-info", run: hsmInfo})
	register(&command{path: "cluster activate", run: activate})
	register(&command{path: "key replicate", login: "crypto-user", run: replicate})
	register(&command{path: "user replicate", login: "admin", run: replicate})
}

// activate sets the first admin password of a cluster that was never
// activated: the unactivated admin (the precrypto officer, whose password
// is still the default "password") becomes the admin, as cloudhsm_mgmt_util's
// changePswd of the PRECO does.
func activate(t *Tool, a *args) result {
	var preco *hsm.User
	for _, u := range t.Cluster.Users() {
		if u.Type == hsm.RolePRECO {
			preco = u
		}
	}
	if preco == nil {
		return fail("The cluster is already activated")
	}
	return withPassword(a, "password", true, func(pw string) result {
		if err := hsm.ValidatePassword(pw); err != nil {
			return fail("Invalid password: " + err.Error())
		}
		s, st := t.Cluster.Login(hsm.RolePRECO, preco.Name, "password", t.nodeIDs())
		if s == nil {
			return rcFail(st.First())
		}
		defer t.Cluster.Logout(s)
		rc := t.perNode(func(node int) hsm.RC {
			_, rc := t.Cluster.ChangePasswordOn(s, node, hsm.RolePRECO, preco.Name, pw)
			return rc
		})
		if rc != hsm.RCSuccess {
			return rcFail(rc)
		}
		return ok("Cluster activation successful")
	})
}

// replicate copies a key or user to a cloned cluster. The simulated
// configuration has one cluster, so every cluster id but its own is
// unknown, and its own is no destination.
func replicate(t *Tool, a *args) result {
	src, dst := a.get("source-cluster-id"), a.get("destination-cluster-id")
	for _, id := range []string{src, dst} {
		if id != ClusterID {
			return fail(fmt.Sprintf("The cluster %s is not in the configuration: this CloudHSM CLI is configured for the one cluster %s", id, ClusterID))
		}
	}
	return fail("The source and destination clusters are the same cluster: replicate copies to a cloned cluster")
}

// ClusterID is the id of the simulated cluster, as the AWS console shows
// cluster ids.
const ClusterID = "cluster-hsmsim0001"

// hsmInfo lists the HSMs that answer, with the fields cloudhsm_mgmt_util's
// getHSMInfo shows of the same HSM (hsm.Node.Info), under the CLI's names.
func hsmInfo(t *Tool, a *args) result {
	list := []any{}
	for _, n := range t.Cluster.Nodes {
		if !n.Up {
			continue
		}
		f := map[string]string{}
		for _, i := range n.Info() {
			f[i.Name] = i.Value
		}
		list = append(list, obj{
			{"vendor", "Marvell Semiconductors, Inc."},
			{"model", f["Model"]},
			{"serial-number", f["Serial Number"]},
			{"hardware-version-major", f["Hardware Major"]},
			{"hardware-version-minor", f["Hardware Minor"]},
			{"firmware-version-major", f["Firmware Major"]},
			{"firmware-version-minor", f["Firmware Minor"]},
			{"firmware-build-number", f["Build Number"]},
			{"firmware-id", f["Firmware ID"]},
			{"fips-state", f["FIPS state"]},
		})
	}
	if len(list) == 0 {
		return rcFail(hsm.RCServerUnavailable)
	}
	return ok(obj{{"hsms", list}})
}
