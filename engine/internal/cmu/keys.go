package cmu

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/format"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/keyobj"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&command{
		name:    "shareKey",
		summary: "Shares or unshares a key you own with crypto users",
		about: `Shares (1) or unshares (0) a key you own with other crypto users. Only
the key's owner, a crypto user, can run it. Users the key is shared with can
use it, but cannot export, delete or share it. Public keys cannot be shared.`,
		params: []param{arg("<key handle>", tool.Handle), arg("<user id(s), comma-separated>", tool.Users), {syntax: "<(share/unshare key?) 1/0>", kind: tool.Number, values: []tool.Choice{{Value: "1", Note: "share"}, {Value: "0", Note: "unshare"}}}},
		run:    shareKey,
	})
	register(&command{
		name:    "getKeyInfo",
		summary: "Gets the owner and users of a key",
		about: `Shows, for each HSM, who owns a key, whom it is shared with and how many
approvals its quorum needs. Crypto users run it on keys they own or that
are shared with them. The -k is optional.`,
		params: []param{{syntax: "-k", kind: tool.Literal, optional: true}, arg("<key-handle>", tool.Handle), {syntax: "[<output file>]", kind: tool.File, optional: true}},
		run:    getKeyInfo,
	})
	register(&command{
		name:    "findAllKeys",
		summary: "Lists the keys a user owns or shares, per HSM",
		about: `Lists, for each HSM, the keys a crypto user owns (o) or that are shared
with it (s). With 1 as second argument it also prints a hash of the users,
key owners and sharing on each HSM: equal hashes mean the HSMs agree.
Crypto officers and appliance users can run it.`,
		params: []param{arg("<user id>", tool.User), {syntax: "<key hash (0/1)>", kind: tool.Number, values: tool.Words("0", "1")}, {syntax: "[<output file>]", kind: tool.File, optional: true}},
		run:    findAllKeys,
	})
	register(&command{
		name:    "getAttribute",
		summary: "Gets a key attribute from each HSM",
		about: `Gets one attribute of a key (or all, with 512) from each HSM. Crypto
users run it on keys they own or that are shared with them. listAttributes
lists the attribute ids.`,
		params: []param{arg("<key handle>", tool.Handle), arg("<attribute id>", tool.Attribute), {syntax: "[<filename>]", kind: tool.File, optional: true}},
		run:    getAttribute,
	})
	register(&command{
		name:    "setAttribute",
		summary: "Changes a key attribute on each HSM",
		about: `Changes one attribute of a key you own on each HSM: OBJ_ATTR_LABEL (3),
OBJ_ATTR_TRUSTED (134), OBJ_ATTR_ENCRYPT (260), OBJ_ATTR_DECRYPT (261),
OBJ_ATTR_WRAP (262), OBJ_ATTR_UNWRAP (263), OBJ_ATTR_SIGN (264),
OBJ_ATTR_VERIFY (266), OBJ_ATTR_DERIVE (268), OBJ_ATTR_DESTROYABLE (370) or
OBJ_ATTR_WRAP_WITH_TRUSTED (528). Flags take 0 or 1, the label any text.`,
		params: []param{arg("<key handle>", tool.Handle), arg("<attribute id>", tool.Attribute), arg("<attribute value>", tool.Text)},
		run:    setAttribute,
	})
	register(&command{
		name:    "listAttributes",
		summary: "Lists the key attributes and their ids",
		about:   "Lists the key attributes and the constants getAttribute and setAttribute take.",
		run:     listAttributes,
	})
	register(&command{
		name:    "syncKey",
		summary: "Copies a key from this HSM to another (server mode)",
		about: `Copies a key from the HSM of server mode to another HSM. Crypto officers
can copy any key, crypto users the keys they own. The key's owner must exist
on the destination (syncUser first). Enter server mode on the source HSM
with "server <server-number>".`,
		params: []param{arg("<key handle>", tool.Handle), arg("<destination hsm>", tool.Server)},
		run:    syncKey,
	})
}

func parseHandle(s string) (uint64, error) {
	h, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("Invalid key handle %s", s)
	}
	return h, nil
}

// parseUserIDs reads a comma-separated list of user ids.
func parseUserIDs(s string) ([]int, error) {
	var ids []int
	for _, p := range strings.Split(s, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("Invalid user ID %q", p)
		}
		if slices.Contains(ids, id) {
			return nil, fmt.Errorf("user ID %d is given twice", id)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func shareKey(t *Tool, args []string) tool.Result {
	h, err := parseHandle(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	ids, err := parseUserIDs(args[1])
	if err != nil {
		return errorf("%v", err)
	}
	if args[2] != "0" && args[2] != "1" {
		return commands["shareKey"].usage("the last argument is 1 to share or 0 to unshare")
	}
	share := args[2] == "1"
	return t.confirm("", func() tool.Result {
		var b reply
		done := false
		for _, n := range t.targets() {
			rc := t.reach(n, hsm.OpShare)
			if rc == hsm.RCSuccess {
				rc = t.shareOn(n, h, ids, share)
			}
			if rc != hsm.RCSuccess {
				b.fail("shareKey", n, rc)
				continue
			}
			done = true
			b.ok("shareKey", n)
		}
		return tool.Result{Output: b.String(), Calls: b.calls, Changed: done}
	})
}

// shareOn shares or unshares key h with ids on one HSM. Who may share is
// the access table's (OpShare: the owner, not of a public key); the users
// shared with must be crypto users of that HSM other than the owner
// (OpShareWith).
func (t *Tool) shareOn(n *hsm.Node, h uint64, ids []int, share bool) hsm.RC {
	o, _ := n.Object(h)
	if rc := hsm.Check(t.Session, hsm.OpShare, hsm.OnKey(o)); rc != hsm.RCSuccess {
		return rc
	}
	if o.MValue >= hsm.MinMValue {
		// The key's own quorum must approve sharing; key quorum tokens
		// are not simulated.
		return hsm.RCMxNAuthFailed
	}
	for _, id := range ids {
		if rc := hsm.Check(t.Session, hsm.OpShareWith, hsm.OnUser(n.User(id))); rc != hsm.RCSuccess {
			return rc
		}
	}
	t.Cluster.ShareOn(n.ID, h, ids, share)
	return hsm.RCSuccess
}

// keyFor finds key h on one HSM for op by the session: the server must
// answer and the session be logged in there, then the access table decides
// (only crypto users run the key commands, as their pages say).
func (t *Tool) keyFor(n *hsm.Node, h uint64, op hsm.Op) (*hsm.Object, hsm.RC) {
	if rc := t.reach(n, op); rc != hsm.RCSuccess {
		return nil, rc
	}
	o, _ := n.Object(h)
	if rc := hsm.Check(t.Session, op, hsm.OnKey(o)); rc != hsm.RCSuccess {
		return nil, rc
	}
	return o, hsm.RCSuccess
}

func getKeyInfo(t *Tool, args []string) tool.Result {
	if args[0] == "-k" {
		args = args[1:]
	}
	if len(args) < 1 || len(args) > 2 {
		return commands["getKeyInfo"].usage("Invalid number of arguments")
	}
	h, err := parseHandle(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	file := ""
	if len(args) == 2 {
		file = args[1]
	}
	var b reply
	for _, n := range t.targets() {
		o, rc := t.keyFor(n, h, hsm.OpReadAttributes)
		if rc != hsm.RCSuccess {
			b.fail("getKeyInfo", n, rc)
			continue
		}
		info := tool.KeyInfoOf(o)
		b.read("getKeyInfo", n, &tool.Value{KeyInfo: info})
		fmt.Fprintf(&b, "Key Info on %s:\n", server(n))
		b.WriteString(format.KeyInfo(format.MgmtUtil, info))
	}
	return t.output(&b, file)
}

func findAllKeys(t *Tool, args []string) tool.Result {
	id, err := strconv.Atoi(args[0])
	if err != nil || id <= 0 {
		return errorf("Invalid user ID %s", args[0])
	}
	if args[1] != "0" && args[1] != "1" {
		return commands["findAllKeys"].usage("the key hash argument is 0 or 1")
	}
	withHash := args[1] == "1"
	file := ""
	if len(args) == 3 {
		file = args[2]
	}
	var b reply
	for _, n := range t.targets() {
		rc := t.reach(n, hsm.OpListAllKeys)
		if rc == hsm.RCSuccess && withHash {
			rc = hsm.Check(t.Session, hsm.OpSyncStatus, nil)
		}
		if rc == hsm.RCSuccess && n.User(id) == nil {
			rc = hsm.RCUserNotFound
		}
		if rc != hsm.RCSuccess {
			b.fail("findAllKeys", n, rc)
			continue
		}
		keys := []tool.KeyRef{}
		for _, h := range n.Handles() {
			o, _ := n.Object(h)
			if o == nil {
				continue
			}
			switch {
			case !o.Token:
			case o.Owner == id:
				keys = append(keys, tool.KeyRef{Handle: h, Relation: "o"})
			case o.SharedWith(id):
				keys = append(keys, tool.KeyRef{Handle: h, Relation: "s"})
			}
		}
		fmt.Fprintf(&b, "Keys on %s:\n", server(n))
		b.WriteString(format.Keys(format.MgmtUtil, keys))
		if len(keys) > 0 {
			if withHash {
				// The hash is only populated for a user who owns or
				// shares keys (findAllKeys.md).
				fmt.Fprintf(&b, "Key Hash:\n%s\n", n.KeyHash())
			}
		}
		b.okValue("findAllKeys", n, &tool.Value{Keys: keys})
	}
	return t.output(&b, file)
}

func getAttribute(t *Tool, args []string) tool.Result {
	h, err := parseHandle(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	id, err := strconv.Atoi(args[1])
	if err != nil || id != hsm.AttrAll && hsm.AttrNames[id] == "" {
		return errorf("Invalid attribute id %s (listAttributes lists them)", args[1])
	}
	file := ""
	if len(args) == 3 {
		file = args[2]
	}
	var b reply
	for _, n := range t.targets() {
		o, rc := t.keyFor(n, h, hsm.OpReadAttributes)
		var vals []hsm.AttrValue
		if rc == hsm.RCSuccess {
			o = keyobj.Reported(o)
			if id == hsm.AttrAll {
				vals = o.Attributes()
			} else if a, ok := o.Attribute(id); ok {
				vals = []hsm.AttrValue{a}
			} else {
				rc = hsm.RCInvalidAttribute
			}
		}
		if rc != hsm.RCSuccess {
			b.fail("getAttribute", n, rc)
			continue
		}
		b.read("getAttribute", n, &tool.Value{Attributes: vals})
		fmt.Fprintf(&b, "Attribute Value on %s:\n", server(n))
		b.WriteString(format.Attributes(format.MgmtUtil, vals, id != hsm.AttrAll))
	}
	return t.output(&b, file)
}

// settable lists the attributes setAttribute changes (setAttribute.md),
// each with how a value is stored on the object.
var settable = map[int]func(o *hsm.Object, v bool){
	hsm.AttrTrusted:         func(o *hsm.Object, v bool) { o.Trusted = v },
	hsm.AttrEncrypt:         func(o *hsm.Object, v bool) { o.Encrypt = v },
	hsm.AttrDecrypt:         func(o *hsm.Object, v bool) { o.Decrypt = v },
	hsm.AttrWrap:            func(o *hsm.Object, v bool) { o.Wrap = v },
	hsm.AttrUnwrap:          func(o *hsm.Object, v bool) { o.Unwrap = v },
	hsm.AttrSign:            func(o *hsm.Object, v bool) { o.Sign = v },
	hsm.AttrVerify:          func(o *hsm.Object, v bool) { o.Verify = v },
	hsm.AttrDerive:          func(o *hsm.Object, v bool) { o.Derive = v },
	hsm.AttrDestroyable:     func(o *hsm.Object, v bool) { o.Destroyable = v },
	hsm.AttrWrapWithTrusted: func(o *hsm.Object, v bool) { o.WrapWithTrusted = v },
}

func setAttribute(t *Tool, args []string) tool.Result {
	h, err := parseHandle(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	id, err := strconv.Atoi(args[1])
	if err != nil {
		return errorf("Invalid attribute id %s", args[1])
	}
	var apply func(o *hsm.Object)
	switch {
	case id == hsm.AttrLabel:
		label := args[2]
		if label == "" || hsm.ValidateLabel(label) != nil {
			return errorf("a label is 1 to %d characters", hsm.MaxLabelLen)
		}
		apply = func(o *hsm.Object) { o.Label = label }
	case id == hsm.AttrWrapTemplate || id == hsm.AttrUnwrapTemplate:
		return errorf("%s is not supported by this simulator", hsm.AttrNames[id])
	case settable[id] != nil:
		if args[2] != "0" && args[2] != "1" {
			return errorf("%s takes 0 or 1", hsm.AttrNames[id])
		}
		set, v := settable[id], args[2] == "1"
		apply = func(o *hsm.Object) { set(o, v) }
	default:
		return errorf("attribute %s cannot be changed (setAttribute changes 3, 134, 260-264, 266, 268, 370 and 528)", args[1])
	}
	return t.confirm("", func() tool.Result {
		var b reply
		done := false
		for _, n := range t.targets() {
			_, rc := t.keyFor(n, h, hsm.OpModify)
			if rc != hsm.RCSuccess {
				b.fail("setAttribute", n, rc)
				continue
			}
			t.Cluster.Update(h, []int{n.ID}, apply)
			done = true
			b.ok("setAttribute", n)
		}
		return tool.Result{Output: b.String(), Calls: b.calls, Changed: done}
	})
}

func listAttributes(t *Tool, args []string) tool.Result {
	return tool.Result{Output: format.AttributeList(format.MgmtUtil)}
}

func syncKey(t *Tool, args []string) tool.Result {
	if r, ok := t.needServerMode("syncKey", "the source HSM"); !ok {
		return r
	}
	h, err := parseHandle(args[0])
	if err != nil {
		return errorf("%v", err)
	}
	dst, err := t.serverArg(args[1])
	if err != nil {
		return errorf("%v", err)
	}
	if dst == t.server {
		return errorf("server %d is the source HSM; name another server", dst)
	}
	rc := t.reach(t.Cluster.Node(t.server), hsm.OpSyncKey)
	if rc == hsm.RCSuccess {
		rc = t.Cluster.MaySyncKey(t.Session, h, t.server)
	}
	if d := t.Cluster.Node(dst); rc == hsm.RCSuccess && d.Up && d.User(t.Session.UserID) == nil {
		// Both HSMs must know the user doing the copy (syncKey.md:
		// "consistent CO and CU credentials").
		rc = hsm.RCUserNotFound
	}
	if rc == hsm.RCSuccess {
		rc = t.Cluster.SyncKey(h, t.server, []int{dst}).First()
	}
	if rc != hsm.RCSuccess {
		return tool.Result{Output: fmt.Sprintf("syncKey failed: %s\n", rc.Name()), Calls: []tool.Call{{API: "syncKey", RC: rc}}}
	}
	return tool.Result{Output: "syncKey success\n", Calls: []tool.Call{{API: "syncKey", Handles: []uint64{h}}}, Changed: true}
}
