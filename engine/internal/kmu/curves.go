package kmu

import (
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name: "listECCCurveIds", Summary: "List HSM supported ECC CurveIds", NoLogin: true,
		Run: listECCCurveIds,
		About: `Lists the elliptic curves the HSMs generate keys on, with the id that
genECCKeyPair -i takes.`,
	})
}

// listECCCurveIds lists the curves genECCKeyPair accepts on these FIPS-mode
// HSMs. No AWS page shows this command's output; the layout is the
// simulator's, the ids and names are genECCKeyPair's.
func listECCCurveIds(t *Tool, a *Args) tool.Result {
	t.printf("Supported ECC Curve IDs:\n")
	for _, ci := range mech.CurveIDs() {
		if ci.Supported {
			t.printf("\t%2d : %s\n", ci.ID, ci.Name)
		}
	}
	return tool.Result{}
}
