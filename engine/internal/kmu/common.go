package kmu

import (
	"fmt"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// creation is what the shared generate parameters say.
type creation struct {
	label, id string
	opt       hsm.KeyOptions
	attest    bool
}

func parseCreation(a *Args) (creation, error) {
	var c creation
	c.label = a.Str("l")
	if err := hsm.ValidateLabel(c.label); err != nil {
		return c, err
	}
	c.id = a.Str("id")
	if len(c.id) > hsm.MaxLabelLen {
		return c, fmt.Errorf("id is longer than %d characters", hsm.MaxLabelLen)
	}
	var err error
	if c.opt.MinSrv, err = a.Int("min_srv", 0); err != nil {
		return c, err
	}
	if a.Has("min_srv") && c.opt.MinSrv < 1 {
		return c, fmt.Errorf("invalid value for -min_srv: at least 1")
	}
	if c.opt.MValue, err = a.Int("m_value", 0); err != nil {
		return c, err
	}
	if c.opt.MValue < 0 || c.opt.MValue > 8 {
		return c, fmt.Errorf("invalid value for -m_value: 0..8")
	}
	timeout, err := a.Int("timeout", 0)
	if err != nil {
		return c, err
	}
	if a.Has("timeout") && (!a.Has("min_srv") || timeout < 0) {
		return c, fmt.Errorf("-timeout is valid only together with -min_srv")
	}
	if c.opt.ShareTo, err = a.Users("u"); err != nil {
		return c, err
	}
	if c.opt.MValue > len(c.opt.ShareTo)+1 {
		return c, fmt.Errorf("-m_value %d needs at least %d users in -u", c.opt.MValue, c.opt.MValue-1)
	}
	c.opt.Session = a.Has("sess")
	c.opt.NoExport = a.Has("nex")
	c.attest = a.Has("attest")
	return c, nil
}

// usage prints an argument error followed by the command's help, which is
// how the simulator answers a malformed command line.
func (t *Tool) usage(c *Command, err error) tool.Result {
	return tool.Result{Output: fmt.Sprintf("\n\tError: %v\n\n%s", err, c.Help())}
}

// status prints the Cluster Error Status block when there is one.
func (t *Tool) errorStatus(st hsm.Status) {
	if st != nil {
		t.clusterStatus("Cluster Error Status", st)
	}
}
