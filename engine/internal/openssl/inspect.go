package openssl

import "strings"

// passOpts are the options whose value is a pass phrase source
// ("-passout pass:<phrase>"), or a pass phrase itself (enc's -k).
var passOpts = map[string]bool{"passin": true, "passout": true, "pass": true, "k": true}

// Inspection is what "openssl <args>" holds, read without running it.
type Inspection struct {
	// Secrets maps the index in args of each word holding a pass phrase to
	// where in the word the phrase starts (after "pass:").
	Secrets map[int]int
	// RSABits are the sizes of the RSA keys the line generates.
	RSABits []int
}

// Inspect reads the words after "openssl" as the subset's commands parse
// them: the pass phrases (the value of a pass phrase option, any
// "pass:<phrase>" word) and the RSA keys genrsa and genpkey would generate.
func Inspect(args []string) Inspection {
	in := Inspection{Secrets: map[int]int{}}
	for i, a := range args {
		if strings.HasPrefix(a, "pass:") {
			in.Secrets[i] = len("pass:")
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		if strings.HasPrefix(a, "-") && passOpts[name] && i+1 < len(args) {
			if strings.HasPrefix(args[i+1], "pass:") {
				in.Secrets[i+1] = len("pass:")
			} else {
				in.Secrets[i+1] = 0
			}
		}
	}
	if len(args) == 0 {
		return in
	}
	switch args[0] {
	case "genrsa":
		if bits, ok := genrsaBits(args[1:]); ok {
			in.RSABits = append(in.RSABits, bits)
		}
	case "genpkey":
		if bits, ok := genpkeyRSABits(args[1:]); ok {
			in.RSABits = append(in.RSABits, bits)
		}
	}
	return in
}

// Commands lists the subset's commands, for Tab completion.
func Commands() []string { return append([]string(nil), subsetNames...) }
