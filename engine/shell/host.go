package shell

import (
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/openssl"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// hostCommand is one command of the host shell.
type hostCommand struct {
	usage string
	help  string
	run   func(s *Session, args []string) tool.Result
}

var hostCommands map[string]*hostCommand

// hostAliases are the full paths the AWS pages start the tools by.
var hostAliases = map[string]string{
	"/opt/cloudhsm/bin/key_mgmt_util":      "key_mgmt_util",
	"/opt/cloudhsm/bin/cloudhsm_mgmt_util": "cloudhsm_mgmt_util",
}

func init() {
	hostCommands = map[string]*hostCommand{
		"help":               {"help", "list what can be done here", (*Session).hostHelp},
		"key_mgmt_util":      {"key_mgmt_util", "start key_mgmt_util (also /opt/cloudhsm/bin/key_mgmt_util)", func(s *Session, a []string) tool.Result { return s.startKMU(a) }},
		"cloudhsm_mgmt_util": {"cloudhsm_mgmt_util [cfg]", "start cloudhsm_mgmt_util (also /opt/cloudhsm/bin/cloudhsm_mgmt_util)", func(s *Session, a []string) tool.Result { return s.startCMU(a) }},
		"ls":                 {"ls [-l] [PATH...]", "list files and folders", (*Session).ls},
		"cd":                 {"cd [DIR]", "change the working folder (/ when DIR is left out)", (*Session).cd},
		"pwd":                {"pwd", "print the working folder", (*Session).pwd},
		"mkdir":              {"mkdir [-p] DIR...", "make folders", (*Session).mkdir},
		"cat":                {"cat FILE...", "print files", (*Session).cat},
		"xxd":                {"xxd FILE", "hex dump of a file (also hexdump -C)", (*Session).xxd},
		"hexdump":            {"hexdump -C FILE", "hex dump of a file", (*Session).xxd},
		"rm":                 {"rm [-r] [-f] PATH...", "delete files (and folders, with -r)", (*Session).rm},
		"cp":                 {"cp FROM TO", "copy a file (into TO when TO is a folder)", (*Session).cp},
		"mv":                 {"mv FROM TO", "move or rename a file", (*Session).mv},
		"echo":               {"echo TEXT [> FILE]", "print text, or write it to a file", (*Session).echo},
		"base64":             {"base64 [-d] [-w COLS] FILE [> OUT]", "Base64-encode a file, or decode one (-d)", (*Session).base64},
		"openssl":            {"openssl CMD ...", "the part of OpenSSL the AWS docs use: rand, genrsa, genpkey, ecparam, rsa, pkey, ec, dgst, pkeyutl, enc, req -x509", (*Session).openssl},
		"cluster":            {"cluster status | cluster node N down|up", "see the HSMs, take one offline and back", (*Session).cluster},
		"service":            {"sudo service cloudhsm-client start", "start the CloudHSM client daemon (always running here)", (*Session).service},
		"exit":               {"exit", "leave hsmsim", func(s *Session, a []string) tool.Result { return tool.Result{Exit: true} }},
	}
}

// host runs one line of the host shell.
func (s *Session) host(line string) tool.Result {
	words, err := cmdline.Split(line)
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("sh: %v\n", err)}
	}
	if len(words) == 0 {
		return tool.Result{}
	}
	if words[0] == "sudo" {
		words = words[1:]
		if len(words) == 0 {
			return tool.Result{Output: "usage: sudo command\n"}
		}
	}
	name := words[0]
	if alias, ok := hostAliases[name]; ok {
		name = alias
	}
	c := hostCommands[name]
	if c == nil {
		return tool.Result{Output: fmt.Sprintf("sh: %s: command not found (type help for what this shell can do)\n", words[0])}
	}
	return c.run(s, words[1:])
}

func (s *Session) hostHelp(args []string) tool.Result {
	var b strings.Builder
	b.WriteString("This is a simulated host with an AWS CloudHSM client. Commands:\n\n")
	names := make([]string, 0, len(hostCommands))
	for n := range hostCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c := hostCommands[n]
		fmt.Fprintf(&b, "  %-40s %s\n", c.usage, c.help)
	}
	b.WriteString("\nIn key_mgmt_util type help for its commands, <command> -h for one command's syntax.\n")
	b.WriteString("Default users: admin (CO), example_user and alice (CU), all with the password 'password'.\n")
	return tool.Result{Output: b.String()}
}

// wd is the workspace seen from the shell's working folder; the tools
// started from the shell see it the same way.
func (s *Session) wd() vfs.WorkDir { return vfs.WorkDir{FS: s.FS, Cwd: s.cwd} }

// fileErr is the reason of a failed file operation in the words of the C
// library, as the shell's commands print it.
func fileErr(err error) string { return vfs.Reason(err) }

func (s *Session) ls(args []string) tool.Result {
	long := false
	var paths []string
	for _, a := range args {
		switch {
		case a == "-l" || a == "-la" || a == "-al":
			long = true
		case strings.HasPrefix(a, "-") && a != "-":
			return tool.Result{Output: fmt.Sprintf("ls: unsupported argument %q\n", a)}
		default:
			paths = append(paths, a)
		}
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var b strings.Builder
	listed := false // a blank line goes between what is listed, not after errors
	line := func(f vfs.FileInfo) {
		listed = true
		switch {
		case long && f.Dir:
			fmt.Fprintf(&b, "drwxr-xr-x 2 ec2-user ec2-user %8d %s\n", 4096, f.Name)
		case long:
			fmt.Fprintf(&b, "-rw-r--r-- 1 ec2-user ec2-user %8d %s\n", f.Size, f.Name)
		default:
			b.WriteString(f.Name + "\n")
		}
	}
	var dirs []string
	for _, p := range paths {
		st, err := s.wd().Stat(p)
		if err != nil {
			fmt.Fprintf(&b, "ls: cannot access '%s': %s\n", p, fileErr(err))
			continue
		}
		if !st.Dir {
			st.Name = p
			line(st)
			continue
		}
		dirs = append(dirs, p)
	}
	for _, p := range dirs {
		ents, err := s.wd().ReadDir(p)
		if err != nil {
			fmt.Fprintf(&b, "ls: cannot open directory '%s': %s\n", p, fileErr(err))
			continue
		}
		if len(paths) > 1 {
			if listed {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s:\n", p)
			listed = true
		}
		for _, f := range ents {
			line(f)
		}
	}
	return tool.Result{Output: b.String()}
}

func (s *Session) cd(args []string) tool.Result {
	if len(args) > 1 {
		return tool.Result{Output: "sh: cd: too many arguments\n"}
	}
	target := "/"
	if len(args) == 1 && args[0] != "~" {
		target = args[0]
	}
	st, err := s.wd().Stat(target)
	if err == nil && !st.Dir {
		err = vfs.ErrNotDir
	}
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("sh: cd: %s: %s\n", target, fileErr(err))}
	}
	p, err := vfs.Resolve(s.cwd, target)
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("sh: cd: %s: %s\n", target, fileErr(err))}
	}
	s.cwd = p
	return tool.Result{}
}

func (s *Session) pwd(args []string) tool.Result {
	return tool.Result{Output: "/" + s.cwd + "\n"}
}

func (s *Session) mkdir(args []string) tool.Result {
	parents := false
	var dirs []string
	for _, a := range args {
		if a == "-p" {
			parents = true
		} else {
			dirs = append(dirs, a)
		}
	}
	if len(dirs) == 0 {
		return tool.Result{Output: "usage: mkdir [-p] DIR...\n"}
	}
	var b strings.Builder
	changed := false
	for _, d := range dirs {
		if !parents {
			if err := s.wd().Mkdir(d); err != nil {
				fmt.Fprintf(&b, "mkdir: cannot create directory '%s': %s\n", d, fileErr(err))
				continue
			}
			changed = true
			continue
		}
		// -p: each missing folder of the path, and no complaint about
		// those that exist.
		prefix := ""
		if strings.HasPrefix(d, "/") {
			prefix = "/"
		}
		for _, part := range strings.Split(strings.Trim(d, "/"), "/") {
			prefix = path.Join(prefix, part)
			if st, err := s.wd().Stat(prefix); err == nil && st.Dir {
				continue
			}
			if err := s.wd().Mkdir(prefix); err != nil {
				fmt.Fprintf(&b, "mkdir: cannot create directory '%s': %s\n", d, fileErr(err))
				break
			}
			changed = true
		}
	}
	return tool.Result{Output: b.String(), Changed: changed}
}

func (s *Session) cat(args []string) tool.Result {
	if len(args) == 0 {
		return tool.Result{Output: "usage: cat FILE...\n"}
	}
	var b strings.Builder
	for _, a := range args {
		if s.outputFull(&b) {
			break
		}
		data, err := s.wd().ReadFile(a)
		if err != nil {
			fmt.Fprintf(&b, "cat: %s: %s\n", a, fileErr(err))
			continue
		}
		if !utf8.Valid(data) || strings.ContainsRune(string(data), 0) {
			fmt.Fprintf(&b, "cat: %s: binary file (%d bytes); use xxd %s to see it\n", a, len(data), a)
			continue
		}
		b.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			b.WriteString("\n")
		}
	}
	return tool.Result{Output: b.String()}
}

// xxd prints a file the way xxd does: offset, 16 bytes in pairs, text.
func (s *Session) xxd(args []string) tool.Result {
	var files []string
	for _, a := range args {
		if a != "-C" {
			files = append(files, a)
		}
	}
	if len(files) != 1 {
		return tool.Result{Output: "usage: xxd FILE\n"}
	}
	data, err := s.wd().ReadFile(files[0])
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("xxd: %s: %s\n", files[0], fileErr(err))}
	}
	if s.maxOutput > 0 {
		// Each 16 bytes print as a line of 68 characters: dump no more
		// than the output limit can hold.
		data = data[:min(len(data), s.maxOutput/68*16+16)]
	}
	return tool.Result{Output: HexDump(data)}
}

// HexDump formats data as xxd does.
func HexDump(data []byte) string {
	var b strings.Builder
	for off := 0; off < len(data); off += 16 {
		end := min(off+16, len(data))
		line := data[off:end]
		fmt.Fprintf(&b, "%08x: ", off)
		h := hex.EncodeToString(line)
		for i := 0; i < 32; i += 4 {
			if i < len(h) {
				b.WriteString(h[i:min(i+4, len(h))])
				b.WriteString(strings.Repeat(" ", 4-(min(i+4, len(h))-i)))
			} else {
				b.WriteString("    ")
			}
			b.WriteString(" ")
		}
		b.WriteString(" ")
		for _, c := range line {
			if c >= 32 && c < 127 {
				b.WriteByte(c)
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (s *Session) rm(args []string) tool.Result {
	recursive, force := false, false
	var paths []string
	for _, a := range args {
		if len(a) > 1 && strings.HasPrefix(a, "-") && strings.Trim(a[1:], "rRf") == "" {
			recursive = recursive || strings.ContainsAny(a, "rR")
			force = force || strings.Contains(a, "f")
			continue
		}
		paths = append(paths, a)
	}
	if len(paths) == 0 {
		if force {
			return tool.Result{}
		}
		return tool.Result{Output: "usage: rm [-r] [-f] PATH...\n"}
	}
	var b strings.Builder
	changed := false
	for _, a := range paths {
		if c, err := vfs.Resolve(s.cwd, a); err == nil && (c == "" || c == s.cwd || strings.HasPrefix(s.cwd, c+"/")) || path.Base(a) == "." || path.Base(a) == ".." {
			fmt.Fprintf(&b, "rm: refusing to remove '%s': it is the working folder, one above it or the root\n", a)
			continue
		}
		st, err := s.wd().Stat(a)
		if err != nil {
			if !force || !vfs.IsNotExist(err) {
				fmt.Fprintf(&b, "rm: cannot remove '%s': %s\n", a, fileErr(err))
			}
			continue
		}
		if st.Dir && !recursive {
			fmt.Fprintf(&b, "rm: cannot remove '%s': Is a directory\n", a)
			continue
		}
		if err := s.wd().RemoveAll(a); err != nil {
			fmt.Fprintf(&b, "rm: cannot remove '%s': %s\n", a, fileErr(err))
			continue
		}
		changed = true
	}
	return tool.Result{Output: b.String(), Changed: changed}
}

// copyTarget is where cp and mv put FROM: into TO when TO is a folder.
func (s *Session) copyTarget(from, to string) string {
	if st, err := s.wd().Stat(to); err == nil && st.Dir {
		return path.Join(to, path.Base(from))
	}
	return to
}

func (s *Session) cp(args []string) tool.Result {
	return s.copyFile("cp", args)
}

func (s *Session) copyFile(cmd string, args []string) tool.Result {
	if len(args) != 2 {
		return tool.Result{Output: fmt.Sprintf("usage: %s FROM TO\n", cmd)}
	}
	data, err := s.wd().ReadFile(args[0])
	if vfs.IsDir(err) {
		return tool.Result{Output: fmt.Sprintf("%s: -r not specified; omitting directory '%s' (this shell copies and moves files only)\n", cmd, args[0])}
	}
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("%s: cannot stat '%s': %s\n", cmd, args[0], fileErr(err))}
	}
	to := s.copyTarget(args[0], args[1])
	if err := s.wd().WriteFile(to, data); err != nil {
		return tool.Result{Output: fmt.Sprintf("%s: cannot create regular file '%s': %s\n", cmd, to, fileErr(err))}
	}
	return tool.Result{Changed: true}
}

func (s *Session) mv(args []string) tool.Result {
	r := s.copyFile("mv", args)
	if !r.Changed {
		return r
	}
	from, _ := vfs.Resolve(s.cwd, args[0])
	to, _ := vfs.Resolve(s.cwd, s.copyTarget(args[0], args[1]))
	if from != to {
		_ = s.wd().Remove(args[0])
	}
	return r
}

func (s *Session) echo(args []string) tool.Result {
	for i, a := range args {
		if a == ">" || a == ">>" {
			if i != len(args)-2 {
				return tool.Result{Output: "usage: echo TEXT > FILE\n"}
			}
			text := strings.Join(args[:i], " ") + "\n"
			if a == ">>" {
				if old, err := s.wd().ReadFile(args[i+1]); err == nil {
					text = string(old) + text
				}
			}
			if err := s.wd().WriteFile(args[i+1], []byte(text)); err != nil {
				return tool.Result{Output: fmt.Sprintf("sh: %s: %s\n", args[i+1], fileErr(err))}
			}
			return tool.Result{Changed: true}
		}
	}
	return tool.Result{Output: strings.Join(args, " ") + "\n"}
}

func (s *Session) openssl(args []string) tool.Result {
	out, changed := openssl.Run(args, s.wd(), s.Rand)
	return tool.Result{Output: out, Changed: changed}
}

func (s *Session) service(args []string) tool.Result {
	if len(args) == 2 && args[0] == "cloudhsm-client" {
		switch args[1] {
		case "start", "restart":
			return tool.Result{}
		case "status":
			return tool.Result{Output: "cloudhsm-client is running\n"}
		case "stop":
			return tool.Result{Output: "The simulated client daemon stays running; nothing to stop.\n"}
		}
	}
	return tool.Result{Output: "usage: sudo service cloudhsm-client start|stop|status\n"}
}

func (s *Session) cluster(args []string) tool.Result {
	usage := tool.Result{Output: "usage: cluster status | cluster node N down | cluster node N up\n"}
	switch {
	case len(args) == 1 && args[0] == "status":
		return tool.Result{Output: s.clusterStatus()}
	case len(args) == 3 && args[0] == "node":
		id, err := strconv.Atoi(args[1])
		n := s.Cluster.Node(id)
		if err != nil || n == nil {
			return tool.Result{Output: fmt.Sprintf("cluster: no HSM %q (the nodes are 0 to %d)\n", args[1], len(s.Cluster.Nodes)-1)}
		}
		switch args[2] {
		case "down":
			if s.Cluster.SetUp(id, false) {
				return tool.Result{Output: fmt.Sprintf("HSM %d (%s) is now offline.\n", id, n.Addr), Changed: true}
			}
			return tool.Result{Output: fmt.Sprintf("HSM %d (%s) is already offline.\n", id, n.Addr)}
		case "up":
			if s.Cluster.SetUp(id, true) {
				return tool.Result{Output: fmt.Sprintf("HSM %d (%s) is back online. Keys and users changed while it was offline are not on it: see findAllKeys and listUsers per server in cloudhsm_mgmt_util, and syncKey/syncUser.\n", id, n.Addr), Changed: true}
			}
			return tool.Result{Output: fmt.Sprintf("HSM %d (%s) is already online.\n", id, n.Addr)}
		}
	}
	return usage
}

func (s *Session) clusterStatus() string {
	var b strings.Builder
	sum := s.Summary()
	fmt.Fprintf(&b, "%-6s %-12s %-8s %-6s %-6s %s\n", "HSM", "address", "state", "keys", "users", "sync")
	for _, n := range sum.Nodes {
		st := "up"
		if !n.Up {
			st = "down"
		}
		sync := "in sync"
		if !n.InSync {
			sync = "out of sync"
		}
		fmt.Fprintf(&b, "%-6d %-12s %-8s %-6d %-6d %s\n", n.ID, n.Addr, st, n.Keys, n.Users, sync)
	}
	if drift := s.Cluster.Diff(); len(drift) > 0 {
		b.WriteString("\nOut of sync (cloudhsm_mgmt_util's syncKey and syncUser copy them across):\n")
		for _, d := range drift {
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	return b.String()
}
