package shell

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// base64 is coreutils' base64, as the MFA pages use it to take a token out
// of a token file and to put its signature back: "base64 -d token1.b64 >
// token1.bin", "base64 -w0 token1.sig.bin > token1.sig.b64". It encodes a
// file (lines of 76 characters, -w COLS to change, -w0 for one line) or
// decodes one (-d, ignoring line breaks), to the console or, after ">", to
// a file.
func (s *Session) base64(args []string) tool.Result {
	const usage = "usage: base64 [-d] [-w COLS] FILE [> OUT]\n"
	var out string
	if n := len(args); n >= 2 && args[n-2] == ">" {
		out, args = args[n-1], args[:n-2]
	}
	decode, wrap := false, 76
	var file string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-d" || a == "--decode":
			decode = true
		case a == "-w" || a == "--wrap":
			if i+1 == len(args) {
				return tool.Result{Output: "base64: option requires an argument -- 'w'\n" + usage}
			}
			i++
			a = "-w" + args[i]
			fallthrough
		case strings.HasPrefix(a, "-w") || strings.HasPrefix(a, "--wrap="):
			v := strings.TrimPrefix(strings.TrimPrefix(a, "--wrap="), "-w")
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return tool.Result{Output: fmt.Sprintf("base64: invalid wrap size: '%s'\n", v)}
			}
			wrap = n
		case strings.HasPrefix(a, "-") && a != "-":
			return tool.Result{Output: fmt.Sprintf("base64: invalid option -- '%s'\n%s", strings.TrimLeft(a, "-"), usage)}
		case file != "":
			return tool.Result{Output: fmt.Sprintf("base64: extra operand '%s'\n%s", a, usage)}
		default:
			file = a
		}
	}
	if file == "" || file == "-" {
		return tool.Result{Output: "base64: there is no standard input in the simulator; name the file\n" + usage}
	}
	data, err := s.wd().ReadFile(file)
	if err != nil {
		return tool.Result{Output: fmt.Sprintf("base64: %s: %s\n", file, fileErr(err))}
	}
	var result []byte
	if decode {
		clean := strings.Join(strings.Fields(string(data)), "")
		result, err = base64.StdEncoding.DecodeString(clean)
		if err != nil {
			return tool.Result{Output: "base64: invalid input\n"}
		}
	} else {
		enc := base64.StdEncoding.EncodeToString(data)
		var b strings.Builder
		for wrap > 0 && len(enc) > wrap {
			b.WriteString(enc[:wrap] + "\n")
			enc = enc[wrap:]
		}
		b.WriteString(enc)
		if wrap > 0 && b.Len() > 0 {
			b.WriteString("\n")
		}
		result = []byte(b.String())
	}
	if out != "" {
		if err := s.wd().WriteFile(out, result); err != nil {
			return tool.Result{Output: fmt.Sprintf("sh: %s: %s\n", out, fileErr(err))}
		}
		return tool.Result{Changed: true}
	}
	if decode {
		return tool.Result{Output: fmt.Sprintf("base64: %d bytes of binary output are not shown on this console; write them to a file with > FILE\n", len(result))}
	}
	return tool.Result{Output: string(result)}
}
