package kmu

import (
	"github.com/hsmsim/hsmsim/engine/internal/format"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name:    "deleteKey",
		Summary: "Delete Key",
		API:     "Cfm3DeleteKey",
		Run:     deleteKey,
		About:   `Deletes a key from the HSMs. Only the owner of a key may delete it.`,
		Params:  `        -k       handle of the key to delete`,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<key handle>"},
		},
	})
	register(&Command{
		Name:    "getKeyInfo",
		Summary: "Get Key Info about shared users/sessions",
		API:     "Cfm3GetKey",
		Run:     getKeyInfo,
		About: `Gets the ids of the users who can use a key: its owner, the users it is
shared with, and the number of approvals its quorum needs.`,
		Params: `        -k       key handle`,
		Flags: []Flag{
			{Name: "k", Kind: tool.Handle, Required: true, Arg: "<key handle>"},
		},
	})
}

func deleteKey(t *Tool, a *Args) tool.Result {
	c := commands["deleteKey"]
	h, err := a.Handle("k")
	if err != nil {
		return t.usage(c, err)
	}
	st, rc := t.Cluster.DeleteKey(t.Session, h)
	switch rc {
	case hsm.RCSuccess:
		t.returned("Cfm3DeleteKey", rc)
		t.errorStatus(st)
		t.changed = true
	case hsm.RCInvalidHandle:
		// The tool looks the handle up first; that lookup is what fails.
		t.returned("Cfm3FindKey", rc)
		t.errorStatus(st)
	default:
		t.returned("Cfm3DeleteKey", rc)
	}
	return tool.Result{}
}

func getKeyInfo(t *Tool, a *Args) tool.Result {
	c := commands["getKeyInfo"]
	h, err := a.Handle("k")
	if err != nil {
		return t.usage(c, err)
	}
	o, rc := t.Cluster.Lookup(t.Session, h, hsm.OpReadAttributes)
	t.returned("Cfm3GetKey", rc)
	if rc != hsm.RCSuccess {
		return tool.Result{}
	}
	info := tool.KeyInfoOf(o)
	t.value(&tool.Value{KeyInfo: info})
	t.printf("%s", format.KeyInfo(format.KeyMgmtUtil, info))
	return tool.Result{}
}
