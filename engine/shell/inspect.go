package shell

import (
	"sort"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/cmu"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/openssl"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
)

// Secret is a word of a line that holds a secret, from byte Offset of the
// word on ("-p=pw" holds it after "-p=", "pass:pw" after "pass:").
type Secret struct {
	Word   int
	Offset int
}

// LineInfo is what the command tables say about a line, read without
// running it: which words are secrets (to mask in history and shares),
// whether the line makes a tool ask for a hidden answer (so the line after
// it, in a list of typed lines, is that answer), and the RSA keys it would
// generate (the API's limits).
type LineInfo struct {
	Secrets    []Secret
	AsksSecret bool
	RSABits    []int
}

// Inspect reads a line's words by the tables of every tool, whatever the
// mode: a line typed at the wrong prompt is read as well, so that masking
// misses no password and the API's limits hold for a script whose modes are
// not known before it runs. Commands are recognised in any case (the tools
// themselves take their names as the tables write them): key_mgmt_util's
// anywhere (a singlecmd line holds several), cloudhsm_mgmt_util's as the
// line's first word, also by a prefix, as that tool accepts them. A
// key_mgmt_util loginHSM is told from cloudhsm_mgmt_util's by its flags.
func Inspect(words []string) LineInfo {
	var in LineInfo
	for i := 0; i < len(words); {
		w := words[i]
		rest := words[i+1:]
		switch {
		case w == "openssl":
			o := openssl.Inspect(rest)
			for j, off := range o.Secrets {
				in.Secrets = append(in.Secrets, Secret{i + 1 + j, off})
			}
			in.RSABits = append(in.RSABits, o.RSABits...)
			return in.sorted()
		case kmu.IsCommandFold(w) && (i > 0 || len(rest) == 0 || strings.HasPrefix(rest[0], "-") || !isCMUCommand(w)):
			kinds, end, _ := kmu.Inspect(words[i:])
			in.addKMU(words, i, kinds)
			i += end
			continue
		case i == 0 && isCMUCommand(w) && !(len(rest) > 0 && strings.HasPrefix(rest[0], "--")):
			// (A "--" option after the first word is CloudHSM CLI's:
			// "login --username …" is no cloudhsm_mgmt_util loginHSM.)
			// The arguments are read again after this, by the rules for
			// any word: a word taken for a command by mistake hides
			// nothing.
			kinds, _ := cmu.Inspect(words[i:])
			for j, k := range kinds {
				in.add(words, i+1+j, k)
			}
		case w == "--password" || w == "-password" || w == "--change-password":
			// The CloudHSM CLI's form, and any tool's that spells it so.
			if i+1 < len(words) {
				in.add(words, i+1, tool.Secret)
			}
		case w == "--modulus-size-bits" && i+1 < len(words):
			// CloudHSM CLI's key generate-asymmetric-pair rsa.
			if n, err := strconv.ParseInt(words[i+1], 10, 64); err == nil {
				in.RSABits = append(in.RSABits, clamp(n))
			}
		case strings.HasPrefix(w, "pass:"):
			in.Secrets = append(in.Secrets, Secret{i, len("pass:")})
		case strings.HasPrefix(w, "CLOUDHSM_PIN="):
			// The CloudHSM CLI's credentials, "export CLOUDHSM_PIN=user:password".
			in.Secrets = append(in.Secrets, Secret{i, len("CLOUDHSM_PIN=")})
		}
		i++
	}
	return in.sorted()
}

// InspectLine is Inspect of a line's words; a line that does not split
// (an open quote) holds nothing the tools would run.
func InspectLine(line string) LineInfo {
	words, err := cmdline.Split(line)
	if err != nil {
		return LineInfo{}
	}
	return Inspect(words)
}

func isCMUCommand(w string) bool {
	_, ok := cmu.Inspect([]string{w})
	return ok
}

// addKMU records the kinds of one key_mgmt_util command's words (words[i]
// is the command).
func (in *LineInfo) addKMU(words []string, i int, kinds []tool.Kind) {
	bits, sized := 0, false
	for j, k := range kinds {
		at := i + 1 + j
		switch {
		case k == tool.RSABits:
			// key_mgmt_util reads numbers in C's bases and keeps the last
			// of a repeated flag.
			if n, err := strconv.ParseInt(valueOf(words[at]), 0, 64); err == nil {
				bits, sized = clamp(n), true
			}
		case k == tool.Literal && strings.EqualFold(words[at], "-hpswd"):
			in.AsksSecret = true
		default:
			in.add(words, at, k)
		}
	}
	if sized {
		in.RSABits = append(in.RSABits, bits)
	}
}

// add records word at as a secret when its kind is one; -hpswd, or the
// mask itself, in a secret's place means the tool will ask for it.
func (in *LineInfo) add(words []string, at int, k tool.Kind) {
	if k != tool.Secret {
		return
	}
	w := words[at]
	off := 0
	if strings.HasPrefix(w, "-") {
		if eq := strings.Index(w, "="); eq >= 0 {
			off = eq + 1
		}
	}
	switch w[off:] {
	case "-hpswd":
		in.AsksSecret = true
		return
	case tool.Masked:
		in.AsksSecret = true
	}
	in.Secrets = append(in.Secrets, Secret{at, off})
}

// valueOf is the value of a "-flag=value" word, else the word.
func valueOf(w string) string {
	if strings.HasPrefix(w, "-") {
		if _, v, ok := strings.Cut(w, "="); ok {
			return v
		}
	}
	return w
}

func clamp(n int64) int {
	if n > 1<<30 {
		return 1 << 30
	}
	return int(n)
}

// sorted orders the secrets by word, one for each word (the first offset
// found wins).
func (in LineInfo) sorted() LineInfo {
	sort.SliceStable(in.Secrets, func(i, j int) bool { return in.Secrets[i].Word < in.Secrets[j].Word })
	var out []Secret
	for _, s := range in.Secrets {
		if len(out) == 0 || out[len(out)-1].Word != s.Word {
			out = append(out, s)
		}
	}
	in.Secrets = out
	return in
}

// IsCommandLine reports whether a line starts with a command of the host
// shell or of a tool (in any case), that is, whether it reads as a command
// rather than as the answer to a question.
func IsCommandLine(line string) bool {
	words, err := cmdline.Split(line)
	if err != nil || len(words) == 0 {
		return false
	}
	w := words[0]
	if w == "sudo" || hostCommands[w] != nil || strings.HasPrefix(w, "/opt/cloudhsm/bin/") {
		return true
	}
	return kmu.IsCommandFold(w) || cmu.IsNameFold(w) || w == "openssl"
}
