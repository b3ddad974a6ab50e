package shell

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// CloudHSM CLI in the host shell: "cloudhsm-cli interactive" starts it,
// "cloudhsm-cli <command>" runs one command with the credentials of
// CLOUDHSM_ROLE and CLOUDHSM_PIN (cloudhsm_cli-modes.md), which export sets.
func init() {
	hostCommands["cloudhsm-cli"] = &hostCommand{"cloudhsm-cli interactive | cloudhsm-cli COMMAND ...",
		"start CloudHSM CLI (also /opt/cloudhsm/bin/cloudhsm-cli); a command runs alone with CLOUDHSM_ROLE and CLOUDHSM_PIN", (*Session).startCLI}
	hostCommands["export"] = &hostCommand{"export NAME=VALUE", "set an environment variable (CLOUDHSM_ROLE, CLOUDHSM_PIN)", (*Session).export}
	hostCommands["unset"] = &hostCommand{"unset NAME", "remove an environment variable", (*Session).unset}
	hostCommands["env"] = &hostCommand{"env", "list the environment variables", (*Session).printEnv}
	hostAliases["/opt/cloudhsm/bin/cloudhsm-cli"] = "cloudhsm-cli"
}

func (s *Session) startCLI(args []string) tool.Result {
	t := cli.New(s.Cluster, s.FS, s.Rand)
	if len(args) == 0 {
		return tool.Result{Output: cli.Usage()}
	}
	if args[0] == "interactive" && len(args) == 1 {
		s.tool = t
		return tool.Result{}
	}
	return t.SingleCommand(args, s.env["CLOUDHSM_ROLE"], s.env["CLOUDHSM_PIN"])
}

func (s *Session) export(args []string) tool.Result {
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || !validEnvName(name) {
			return tool.Result{Output: fmt.Sprintf("sh: export: `%s': not a valid identifier\n", a)}
		}
		if s.env == nil {
			s.env = map[string]string{}
		}
		s.env[name] = value
	}
	return tool.Result{}
}

func (s *Session) unset(args []string) tool.Result {
	for _, a := range args {
		delete(s.env, a)
	}
	return tool.Result{}
}

func (s *Session) printEnv(args []string) tool.Result {
	names := make([]string, 0, len(s.env))
	for n := range s.env {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%s\n", n, s.env[n])
	}
	return tool.Result{Output: b.String()}
}

func validEnvName(n string) bool {
	if n == "" || n[0] >= '0' && n[0] <= '9' {
		return false
	}
	for _, r := range n {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
