package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

func init() {
	register(&command{path: "key list", login: "any", run: keyList})
	register(&command{path: "key delete", login: "crypto-user", run: keyDelete})
	register(&command{path: "key share", login: "crypto-user", run: keyShare(true)})
	register(&command{path: "key unshare", login: "crypto-user", run: keyShare(false)})
	register(&command{path: "key set-attribute", login: "any", run: keySetAttribute})
}

func message(m string) result { return ok(obj{{"message", m}}) }

func keyList(t *Tool, a *args) result {
	f, err := parseFilter(a.list("filter"))
	if err != nil {
		return fail(err.Error())
	}
	maxItems, err := strconv.Atoi(a.get("max-items"))
	if err != nil || maxItems < 1 {
		return fail(fmt.Sprintf("Invalid value %q for --max-items: a number, 1 or more", a.get("max-items")))
	}
	start := 0
	if a.has("starting-token") {
		start, err = strconv.Atoi(a.get("starting-token"))
		if err != nil || start < 0 {
			return fail(fmt.Sprintf("Invalid starting token %q: use the next_token of an earlier key list", a.get("starting-token")))
		}
	}
	keys := t.matching(f)
	// Officers see only references and labels (the page: --verbose "has no
	// effect" for admins).
	verbose := a.has("verbose")
	page := []any{}
	end := min(len(keys), start+maxItems)
	t.note.value = &tool.Value{Keys: []tool.KeyRef{}}
	for i := start; i < end; i++ {
		o := keys[i]
		t.note.value.Keys = append(t.note.value.Keys, tool.KeyRef{Handle: o.Handle})
		if verbose && hsm.Check(t.Session, hsm.OpReadAttributes, hsm.OnKey(o)) == hsm.RCSuccess {
			page = append(page, t.keyObject(o))
		} else {
			page = append(page, obj{{"key-reference", KeyReference(o.Handle)}, {"attributes", obj{{"label", o.Label}}}})
		}
	}
	data := obj{{"matched_keys", page}, {"total_key_count", len(keys)}, {"returned_key_count", len(page)}}
	if end < len(keys) {
		data = append(data, field{"next_token", strconv.Itoa(end)})
	}
	return ok(data)
}

func keyDelete(t *Tool, a *args) result {
	o, e := t.oneKey(a.list("filter"))
	if e != nil {
		return result{err: e}
	}
	st, rc := t.Cluster.DeleteKey(t.Session, o.Handle)
	t.note.status(st)
	if rc != hsm.RCSuccess {
		return keyFail(rc)
	}
	return message("Key deleted successfully")
}

// keyFail words an access refusal of a key operation.
func keyFail(rc hsm.RC) result {
	if rc == hsm.RCKeyAccessDenied || rc == hsm.RCOperationNotAllowed {
		r := fail("Only the owner of a key may perform this operation on it")
		r.rc = rc
		return r
	}
	return rcFail(rc)
}

func keyShare(share bool) func(t *Tool, a *args) result {
	return func(t *Tool, a *args) result {
		o, e := t.oneKey(a.list("filter"))
		if e != nil {
			return result{err: e}
		}
		switch _, rc := t.Cluster.Lookup(t.Session, o.Handle, hsm.OpShare); rc {
		case hsm.RCSuccess:
		case hsm.RCInvalidInput:
			// The table's answer for a public key.
			return fail("Public keys are available to every crypto user and cannot be shared")
		default:
			return keyFail(rc)
		}
		u := t.findUser(a.get("username"))
		switch rc := hsm.Check(t.Session, hsm.OpShareWith, hsm.OnUser(u)); {
		case rc == hsm.RCUserNotFound || rc == hsm.RCInvalidUserType || a.get("role") != "crypto-user":
			return fail(fmt.Sprintf("Invalid crypto user %q", a.get("username")))
		case rc == hsm.RCInvalidInput:
			return fail("The key's owner cannot share the key with itself")
		case rc != hsm.RCSuccess:
			return keyFail(rc)
		}
		switch {
		case share && o.SharedWith(u.ID):
			return fail(fmt.Sprintf("The key is already shared with %s", strings.ToLower(u.Name)))
		case !share && !o.SharedWith(u.ID):
			return fail(fmt.Sprintf("The key is not shared with %s", strings.ToLower(u.Name)))
		}
		st := t.Cluster.Update(o.Handle, nil, func(k *hsm.Object) {
			if share {
				k.Shared = append(k.Shared, u.ID)
				slices.Sort(k.Shared)
			} else {
				k.Shared = slices.DeleteFunc(k.Shared, func(id int) bool { return id == u.ID })
			}
		})
		t.note.status(st)
		if !st.OK() {
			return rcFail(st.First())
		}
		if share {
			return message("Key shared successfully")
		}
		return message("Key unshared successfully")
	}
}

// modifiable are the attributes key set-attribute may change, with the
// only direction a change may go where the attribute table names one.
var modifiable = map[string]string{"decrypt": "", "encrypt": "", "label": "", "sign": "", "unwrap": "",
	"verify": "", "wrap": "", "wrap-with-trusted": "", "destroyable": "", "trusted": "",
	"modifiable": "false", "token": "true", "extractable": "false"}

func keySetAttribute(t *Tool, a *args) result {
	o, e := t.oneKey(a.list("filter"))
	if e != nil {
		return result{err: e}
	}
	name, value := a.get("name"), strings.Join(a.list("value"), " ")
	op := hsm.OpModify
	if name == "trusted" {
		op = hsm.OpSetTrusted
	}
	if _, rc := t.Cluster.Lookup(t.Session, o.Handle, op); rc != hsm.RCSuccess {
		switch {
		case rc != hsm.RCOperationNotAllowed:
			return keyFail(rc)
		case op == hsm.OpSetTrusted:
			return fail("Only admins may set the trusted attribute")
		case hsm.Check(t.Session, hsm.OpSetTrusted, nil) == hsm.RCSuccess:
			return fail("Admins may set only the trusted attribute")
		}
		return keyFail(rc)
	}
	dir, ok := modifiable[name]
	if !ok {
		if knownAttribute(name) {
			return fail(fmt.Sprintf("The attribute %s cannot be modified", name))
		}
		return fail(fmt.Sprintf("Invalid attribute name %q", name))
	}
	if o.NotModifiable && name != "trusted" {
		return fail("The key is not modifiable")
	}
	var b bool
	if name != "label" {
		var err error
		if b, err = strconv.ParseBool(strings.ToLower(value)); err != nil {
			return fail(fmt.Sprintf("Invalid value %q for %s: use true or false", value, name))
		}
		if dir != "" && strconv.FormatBool(b) != dir && strconv.FormatBool(*boolField(o, name)) != strconv.FormatBool(b) {
			return fail(fmt.Sprintf("The attribute %s can only be changed to %s", name, dir))
		}
	} else if e := checkLabel(value); e != nil {
		return result{err: e}
	}
	st := t.Cluster.Update(o.Handle, nil, func(k *hsm.Object) {
		switch name {
		case "label":
			k.Label = value
		case "modifiable":
			k.NotModifiable = !b
		default:
			*boolField(k, name) = b
		}
	})
	t.note.status(st)
	if !st.OK() {
		return rcFail(st.First())
	}
	return message("Attribute set successfully")
}
