package cli

import "github.com/hsmsim/hsmsim/engine/internal/hsm"

func init() {
	register(&command{path: "cluster hsm-info", run: hsmInfo})
}

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
