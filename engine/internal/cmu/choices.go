package cmu

import (
	"slices"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// This file holds the values arguments take, as Tab completion offers them,
// made from the tables the commands check their input against.

// certTypes are the certificates getCert takes.
var certTypes = func() []tool.Choice {
	ids := make([]int, 0, len(certNames))
	for id := range certNames {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []tool.Choice
	for _, id := range ids {
		out = append(out, tool.Choice{Value: strconv.Itoa(id), Note: certNames[id]})
	}
	return out
}()

// services are the quorum services of getToken, delToken and the M values.
var services = func() []tool.Choice {
	var out []tool.Choice
	for _, svc := range []int{hsm.ServiceUserMgmt, hsm.ServiceMiscCO} {
		name, _ := hsm.ServiceName(svc)
		out = append(out, tool.Choice{Value: strconv.Itoa(svc), Note: name})
	}
	return out
}()

// choices is what an argument takes, when it has a list of its own; the
// lists of a kind (attributes, user types) are the host shell's.
func (p param) choices() []tool.Choice { return p.values }
