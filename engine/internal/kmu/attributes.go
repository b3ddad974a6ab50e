package kmu

import (
	"fmt"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/format"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&Command{
		Name:    "getAttribute",
		Summary: "Reads an attribute from an object",
		API:     "Cfm3GetAttribute",
		Run:     getAttribute,
		About: `Writes one or all attribute values of a key to a file: each attribute's
name on one line and its value on the next. Works on keys you own, keys
shared with you and public keys.`,
		Params: `        -o       key handle
        -a       attribute constant (see listAttributes), or 512 for all
        -out     file to write; an existing file is overwritten`,
		Flags: []Flag{
			{Name: "o", Kind: tool.Handle, Required: true, Arg: "<key handle>"},
			{Name: "a", Kind: tool.Attribute, Required: true, Arg: "<attribute constant>"},
			{Name: "out", Kind: tool.File, Required: true, Arg: "<file>"},
		},
	})
	register(&Command{
		Name:    "listAttributes",
		Summary: "List all attributes for getAttributes",
		NoLogin: true,
		Run:     listAttributes,
		About: `Lists the key attributes and the constants that represent them in
getAttribute and setAttribute. Use 512 in getAttribute for all attributes.`,
		BareSyntax: true,
	})
	register(&Command{
		Name:    "setAttribute",
		Summary: "Sets an attribute of an object",
		API:     "Cfm3SetAttribute",
		Run:     setAttribute,
		About: `Makes a session key persistent by setting its OBJ_ATTR_TOKEN attribute from
0 to 1; the key is then copied to every HSM of the cluster. Only the owner
of a key may change it. key_mgmt_util changes no other attribute: use
setAttribute in cloudhsm_mgmt_util for the label, wrap, unwrap, encrypt
and decrypt attributes.`,
		Params: `        -o       key handle
        -a       attribute constant: only 1 (OBJ_ATTR_TOKEN)
        -v       the value, 1; without -v the command asks for it`,
		Flags: []Flag{
			{Name: "o", Kind: tool.Handle, Required: true, Arg: "<object handle>"},
			{Name: "a", Kind: tool.Attribute, Required: true, Arg: "1", Values: []tool.Choice{{Value: "1", Note: hsm.AttrNames[hsm.AttrToken]}}},
			{Name: "v", Kind: tool.Text, Arg: "1", Values: []tool.Choice{{Value: "1"}}},
		},
	})
}

func listAttributes(t *Tool, a *Args) tool.Result {
	t.printf("%s", format.AttributeList(format.KeyMgmtUtil))
	return tool.Result{}
}

func getAttribute(t *Tool, a *Args) tool.Result {
	c := commands["getAttribute"]
	h, err := a.Handle("o")
	if err != nil {
		return t.usage(c, err)
	}
	id, err := a.Int("a", 0)
	if err != nil {
		return t.usage(c, err)
	}
	out := a.Str("out")
	if err := t.ioCheckOut("out", out); err != nil {
		return t.ioError(err)
	}
	o, rc := t.Cluster.Lookup(t.Session, h, hsm.OpReadAttributes)
	if rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	view := keyobj.Reported(o)
	var attrs []hsm.AttrValue
	single := id != hsm.AttrAll
	if single {
		v, ok := view.Attribute(id)
		if !ok {
			// No such attribute, or none for this kind of key (the modulus
			// of an AES key).
			t.returned(c.API, hsm.RCInvalidAttribute)
			return tool.Result{}
		}
		attrs = []hsm.AttrValue{v}
	} else {
		attrs = view.Attributes()
	}
	if err := t.ioWriteFile(out, []byte(format.Attributes(format.KeyMgmtUtil, attrs, single))); err != nil {
		return t.ioError(err)
	}
	if !single {
		t.printf("got all attributes of size %d attr cnt %d\n", hsm.DumpSize(attrs), len(attrs))
	}
	t.printf("Attributes dumped into %s file\n", out)
	t.returned(c.API, hsm.RCSuccess)
	t.value(&tool.Value{Attributes: attrs})
	return tool.Result{}
}

func setAttribute(t *Tool, a *Args) tool.Result {
	c := commands["setAttribute"]
	h, err := a.Handle("o")
	if err != nil {
		return t.usage(c, err)
	}
	id, err := a.Int("a", 0)
	if err != nil {
		return t.usage(c, err)
	}
	if id != hsm.AttrToken {
		return t.usage(c, fmt.Errorf("key_mgmt_util can change only OBJ_ATTR_TOKEN (-a 1), not attribute %d; use setAttribute in cloudhsm_mgmt_util", id))
	}
	if a.Has("v") {
		if err := setAttrCheckValue(a.Str("v")); err != nil {
			return t.usage(c, err)
		}
	}
	if _, rc := t.Cluster.Lookup(t.Session, h, hsm.OpModify); rc != hsm.RCSuccess {
		t.returned(c.API, rc)
		return tool.Result{}
	}
	if a.Has("v") {
		t.setToken(h)
		return tool.Result{}
	}
	return tool.Result{
		Output: "This attribute is defined as a boolean value.\n",
		Ask: &tool.Question{Prompt: "Enter the boolean attribute value (0 or 1):", Answer: func(v string) tool.Result {
			v = strings.TrimSpace(v)
			if err := setAttrCheckValue(v); err != nil {
				// Answers do not pass through run, so flush here.
				t.ioError(err)
				return t.flush()
			}
			t.setToken(h)
			return t.flush()
		}},
	}
}

// setAttrCheckValue accepts the one value the page allows: 1, which makes
// a key persistent. A persistent key never becomes a session key again.
func setAttrCheckValue(v string) error {
	switch v {
	case "1":
		return nil
	case "0":
		return fmt.Errorf("invalid value 0 for OBJ_ATTR_TOKEN: the only valid value is 1, which makes a session key persistent")
	}
	return fmt.Errorf("invalid value %q for OBJ_ATTR_TOKEN: a boolean, 0 or 1", v)
}

// setToken sets OBJ_ATTR_TOKEN of key h to 1. A session key made
// persistent leaves its session and is copied to every HSM that is up, the
// way a token key is created; a node that is down misses it, which leaves
// the cluster out of sync as any key creation would.
func (t *Tool) setToken(h uint64) {
	api := "Cfm3SetAttribute"
	// The key is looked up again (in MakeToken): the answer to the prompt
	// comes later.
	mark := t.Cluster.Mark()
	st, rc := t.Cluster.MakeToken(t.Session, h)
	t.returned(api, rc)
	if rc == hsm.RCSuccess {
		t.errorStatus(st)
	}
	// A key that was persistent already stays as it was.
	t.changed = t.changed || !t.Cluster.ChangesSince(mark).Empty()
}
