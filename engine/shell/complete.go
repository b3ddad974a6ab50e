package shell

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/openssl"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// Completion is one candidate for the word being typed: the word itself and
// what it means ("355", "OBJ_ATTR_LOCAL"), for a list to show beside it.
type Completion = tool.Choice

// Complete returns the candidate words for the last word of line (the word
// being typed; "" after a trailing space). A user interface replaces that
// word with the candidate when there is one, and lists them otherwise.
func (s *Session) Complete(line string) []string {
	cs := s.Completions(line)
	if cs == nil {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Value
	}
	return out
}

// Completions is Complete with what each candidate means, where the command
// tables say: the name of an attribute id, a mechanism or a curve, the user
// of a user id, the label of a key handle.
func (s *Session) Completions(line string) []Completion {
	if s.ask != nil {
		return nil
	}
	var slot tool.Slot
	if s.tool != nil {
		slot = s.tool.Complete(line)
	} else {
		slot = s.hostSlot(line)
	}
	if slot.None {
		return nil
	}
	return s.fill(slot)
}

// hostSlot says what the word being typed at the host prompt is.
func (s *Session) hostSlot(line string) tool.Slot {
	words, err := cmdline.Split(line)
	if err != nil {
		return tool.Slot{None: true}
	}
	word := ""
	if len(words) > 0 && !strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\t") {
		word = words[len(words)-1]
		words = words[:len(words)-1]
	}
	if len(words) > 0 && words[0] == "sudo" {
		words = words[1:]
	}
	if len(words) == 0 {
		var names []string
		for n := range hostCommands {
			names = append(names, n)
		}
		if word != "" {
			names = append(names, "/opt/cloudhsm/bin/key_mgmt_util", "/opt/cloudhsm/bin/cloudhsm_mgmt_util")
		}
		return tool.Slot{Kind: tool.Literal, Choices: tool.Words(names...), Word: word}
	}
	switch words[0] {
	case "openssl":
		if len(words) == 1 {
			return tool.Slot{Kind: tool.Literal, Choices: tool.Words(openssl.Commands()...), Word: word}
		}
	case "cluster":
		switch len(words) {
		case 1:
			return tool.Slot{Kind: tool.Literal, Choices: tool.Words("status", "node"), Word: word}
		case 2:
			if words[1] == "node" {
				return tool.Slot{Kind: tool.Server, Word: word}
			}
		case 3:
			return tool.Slot{Kind: tool.Literal, Choices: tool.Words("down", "up"), Word: word}
		}
		return tool.Slot{None: true}
	case "key_mgmt_util", "/opt/cloudhsm/bin/key_mgmt_util":
		if len(words) == 1 {
			return tool.Slot{Kind: tool.Literal, Choices: tool.Words("singlecmd"), Word: word}
		}
		if words[1] != "singlecmd" {
			return tool.Slot{None: true}
		}
		// singlecmd: the command that last started on the line.
		cmd := words[2:]
		for i := len(cmd) - 1; i >= 0; i-- {
			if kmu.Lookup(cmd[i]) != nil {
				cmd = cmd[i:]
				break
			}
		}
		return kmu.CompleteWords(cmd, word)
	}
	return tool.Slot{Kind: tool.File, Word: word}
}

// fill adds what only the session knows to a slot's choices (the keys, the
// files, the users, the servers) and the catalogues of a kind (attribute
// ids, curves, user types), and keeps those that start with the word typed.
func (s *Session) fill(slot tool.Slot) []Completion {
	cands := slices.Clone(slot.Choices)
	word := slot.Word
	switch slot.Kind {
	case tool.Handle:
		for _, k := range s.Summary().Keys {
			cands = append(cands, Completion{Value: strconv.FormatUint(k.Handle, 10), Note: k.Label})
		}
	case tool.File:
		for _, name := range s.files(word) {
			cands = append(cands, Completion{Value: name})
		}
	case tool.User, tool.Users:
		head := ""
		if slot.Kind == tool.Users {
			if i := strings.LastIndex(word, ","); i >= 0 {
				head = word[:i+1]
			}
		}
		for _, u := range s.Cluster.Users() {
			cands = append(cands, Completion{Value: head + strconv.Itoa(u.ID), Note: u.Name})
		}
	case tool.UserName:
		for _, u := range s.Cluster.Users() {
			cands = append(cands, Completion{Value: u.Name, Note: string(u.Type)})
		}
	case tool.UserType:
		if len(cands) == 0 {
			for _, r := range []hsm.Role{hsm.RoleCU, hsm.RoleCO, hsm.RoleAU, hsm.RolePRECO} {
				cands = append(cands, Completion{Value: string(r)})
			}
		}
	case tool.Server:
		for _, n := range s.Cluster.Nodes {
			cands = append(cands, Completion{Value: strconv.Itoa(n.ID), Note: n.Addr})
		}
	case tool.Attribute:
		if len(cands) == 0 {
			for id, name := range hsm.AttrNames {
				cands = append(cands, Completion{Value: strconv.Itoa(id), Note: name})
			}
		}
	case tool.Curve:
		if len(cands) == 0 {
			for _, ci := range mech.CurveIDs() {
				if ci.Supported {
					cands = append(cands, Completion{Value: strconv.Itoa(ci.ID), Note: ci.Name})
				}
			}
		}
	}
	var out []Completion
	for _, c := range cands {
		if strings.HasPrefix(c.Value, word) {
			out = append(out, c)
		}
	}
	sortChoices(out)
	return dedupe(out)
}

// sortChoices orders numbers by value and words alphabetically (numbers
// first).
func sortChoices(cs []Completion) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, errA := strconv.ParseUint(cs[i].Value, 10, 64)
		b, errB := strconv.ParseUint(cs[j].Value, 10, 64)
		switch {
		case errA == nil && errB == nil:
			return a < b
		case errA == nil || errB == nil:
			return errA == nil
		}
		return cs[i].Value < cs[j].Value
	})
}

// files completes a path from the working folder: the entries of the
// folder the word names so far, folders with a "/" after them.
func (s *Session) files(last string) []string {
	dir, base := "", last
	if i := strings.LastIndexByte(last, '/'); i >= 0 {
		dir, base = last[:i+1], last[i+1:]
	}
	list := dir
	if list == "" {
		list = "."
	}
	ents, _ := s.wd().ReadDir(list)
	var out []string
	for _, f := range ents {
		if !strings.HasPrefix(f.Name, base) {
			continue
		}
		name := dir + f.Name
		if f.Dir {
			name += "/"
		}
		out = append(out, name)
	}
	return out
}

func dedupe(cs []Completion) []Completion {
	var out []Completion
	for i, c := range cs {
		if i == 0 || cs[i-1].Value != c.Value {
			out = append(out, c)
		}
	}
	return out
}
