package shell

import (
	"sort"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
)

// Flags whose value is a key handle, a file, or a user.
var (
	handleFlags = map[string]bool{"-k": true, "-o": true, "-w": true}
	fileFlags   = map[string]bool{"-f": true, "-out": true, "-wk": true, "-in": true, "-signature": true, "-sigfile": true, "-inkey": true, "-iv_file": true, "-aad": true}
)

// Complete returns the candidates for the last word of line (the word
// being typed; "" after a trailing space). A user interface replaces that
// word with the candidate when there is one, and lists them otherwise.
func (s *Session) Complete(line string) []string {
	if s.ask != nil {
		return nil
	}
	words, err := cmdline.Split(line)
	if err != nil {
		return nil
	}
	last := ""
	if len(words) > 0 && !strings.HasSuffix(line, " ") {
		last = words[len(words)-1]
		words = words[:len(words)-1]
	}
	var cands []string
	if s.tool != nil {
		cands = s.tool.Complete(line)
		if len(cands) == 0 && len(words) > 0 {
			cands = s.completeValue(words, last)
		}
	} else {
		cands = s.completeHost(words, last)
	}
	sort.Strings(cands)
	return dedupe(cands)
}

func (s *Session) completeHost(words []string, last string) []string {
	if len(words) == 0 || len(words) == 1 && words[0] == "sudo" {
		var out []string
		for n := range hostCommands {
			if strings.HasPrefix(n, last) {
				out = append(out, n)
			}
		}
		for _, p := range []string{"/opt/cloudhsm/bin/key_mgmt_util", "/opt/cloudhsm/bin/cloudhsm_mgmt_util"} {
			if strings.HasPrefix(p, last) && last != "" {
				out = append(out, p)
			}
		}
		return out
	}
	if words[0] == "cluster" {
		switch len(words) {
		case 1:
			return prefixed([]string{"status", "node"}, last)
		case 3:
			return prefixed([]string{"down", "up"}, last)
		}
		return nil
	}
	return s.files(last)
}

// completeValue offers handles, files or user names for the flag before
// the word being typed.
func (s *Session) completeValue(words []string, last string) []string {
	prev := words[len(words)-1]
	switch {
	case handleFlags[prev] || s.Mode() == "cloudhsm_mgmt_util" && len(words) == 1 && isKeyCommand(words[0]):
		var out []string
		for _, k := range s.Summary().Keys {
			out = append(out, strconv.FormatUint(k.Handle, 10))
		}
		return prefixed(out, last)
	case fileFlags[prev]:
		return s.files(last)
	case prev == "-s" && words[0] == "loginHSM" || s.Mode() == "cloudhsm_mgmt_util" && len(words) == 2 && words[0] == "loginHSM":
		var out []string
		for _, u := range s.Cluster.Users() {
			out = append(out, u.Name)
		}
		return prefixed(out, last)
	case prev == "-u" && words[0] == "loginHSM" || s.Mode() == "cloudhsm_mgmt_util" && len(words) == 1 && words[0] == "loginHSM":
		return prefixed([]string{string(hsm.RoleCU), string(hsm.RoleCO), string(hsm.RoleAU), string(hsm.RolePRECO)}, last)
	}
	return nil
}

func isKeyCommand(w string) bool {
	switch w {
	case "shareKey", "getKeyInfo", "getAttribute", "setAttribute", "syncKey":
		return true
	}
	return false
}

func (s *Session) files(last string) []string {
	fs, _ := s.FS.List()
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return prefixed(out, last)
}

func prefixed(xs []string, p string) []string {
	var out []string
	for _, x := range xs {
		if strings.HasPrefix(x, p) {
			out = append(out, x)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || xs[i-1] != x {
			out = append(out, x)
		}
	}
	return out
}
