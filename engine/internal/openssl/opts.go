package openssl

import (
	"fmt"
	"strings"
)

// Option parsing follows OpenSSL's opt_next: options come first, each
// "-name" or "--name", values in the next word; the first word that does
// not start with "-" (or a lone "--") ends the options and the rest are
// parameters.

type optKind int

const (
	flagOpt   optKind = iota // -noout
	valueOpt                 // -out file
	formatOpt                // -outform PEM|DER
	helpOpt                  // listed by -help only (cipher and digest names)
)

type optDef struct {
	name string
	kind optKind
	arg  string // value name shown by -help ("infile", "val")
	help string
}

// cmdSpec describes a command's options. unknown, when set, is offered
// options the table does not know (cipher or digest names); it returns
// false when the name is not one.
type cmdSpec struct {
	usage   string
	opts    []optDef
	unknown func(name string) (bool, error)
}

// opts is the parse result. Mutually exclusive flags where OpenSSL lets
// the last one win are resolved with last.
type opts struct {
	vals  map[string][]string
	seen  map[string]int // option name -> index of its last occurrence
	pos   []string
	extra []string // names accepted by the unknown hook, in order
}

func (o *opts) has(name string) bool { _, ok := o.seen[name]; return ok }

// str returns the last value of a value option.
func (o *opts) str(name string) string {
	v := o.vals[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

func (o *opts) all(name string) []string { return o.vals[name] }

// last returns whichever of names appeared last, or "".
func (o *opts) last(names ...string) string {
	best, at := "", -1
	for _, n := range names {
		if i, ok := o.seen[n]; ok && i > at {
			best, at = n, i
		}
	}
	return best
}

// parse parses args. It returns (nil, nil) after printing -help, and
// (nil, errFailed) after printing a usage error.
func (c *ctx) parse(spec *cmdSpec, args []string) (*opts, error) {
	o := &opts{vals: map[string][]string{}, seen: map[string]int{}}
	defs := map[string]optDef{}
	for _, d := range spec.opts {
		if d.kind != helpOpt {
			defs[d.name] = d
		}
	}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		name := a[1:]
		if strings.HasPrefix(name, "-") {
			name = name[1:]
		}
		if name == "help" {
			c.printHelp(spec)
			return nil, nil
		}
		d, ok := defs[name]
		if !ok {
			if spec.unknown != nil {
				known, err := spec.unknown(name)
				if err != nil {
					return nil, err
				}
				if known {
					o.extra = append(o.extra, name)
					o.seen["\x00extra"] = i
					continue
				}
			}
			return nil, c.unknownOption(name)
		}
		o.seen[name] = i
		if d.kind == flagOpt {
			continue
		}
		if i+1 >= len(args) {
			return nil, c.usageFail(fmt.Sprintf("Option -%s needs a value", name))
		}
		i++
		v := args[i]
		if d.kind == formatOpt {
			f, ok := parseFormat(v)
			if !ok {
				c.printf("%s: Bad format \"%s\"\n", c.cmd, v)
				return nil, c.usageFail(fmt.Sprintf("Invalid format \"%s\" for option -%s", v, name))
			}
			v = f
		}
		o.vals[name] = append(o.vals[name], v)
	}
	o.pos = append(o.pos, args[i:]...)
	return o, nil
}

// unknownOption prints OpenSSL's message for an option it does not know;
// commands that take cipher or digest names as options word it their way.
func (c *ctx) unknownOption(name string) error {
	switch c.cmd {
	case "genrsa", "rsa", "pkey", "ec", "genpkey", "enc":
		return c.usageFail("Unknown cipher: " + name)
	case "dgst":
		return c.usageFail("Unknown option or message digest: " + name)
	}
	return c.usageFail("Unknown option: -" + name)
}

const formatPEM, formatDER = "PEM", "DER"

// parseFormat accepts what OpenSSL's opt_format accepts for the two
// formats the subset writes.
func parseFormat(v string) (string, bool) {
	switch strings.ToUpper(v) {
	case "PEM", "P":
		return formatPEM, true
	case "DER", "D", "ASN1":
		return formatDER, true
	}
	return "", false
}

// printHelp prints the usage summary in OpenSSL's layout, listing only
// what this subset implements.
func (c *ctx) printHelp(spec *cmdSpec) {
	c.printf("Usage: %s\n", spec.usage)
	c.printf("(hsmsim simulator's openssl subset: only these options are implemented)\n")
	rows := [][2]string{{"-help", "Display this summary"}}
	for _, d := range spec.opts {
		left := "-" + d.name
		switch d.kind {
		case valueOpt:
			arg := d.arg
			if arg == "" {
				arg = "val"
			}
			left += " " + arg
		case formatOpt:
			left += " PEM|DER"
		}
		rows = append(rows, [2]string{left, d.help})
	}
	for _, r := range rows {
		if len(r[0]) >= 20 {
			c.printf(" %s\n %-20s%s\n", r[0], "", r[1])
		} else {
			c.printf(" %-20s%s\n", r[0], r[1])
		}
	}
}
