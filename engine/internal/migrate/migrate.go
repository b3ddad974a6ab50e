// Package migrate rewrites a key_mgmt_util / cloudhsm_mgmt_util script (a
// host-shell session that starts the SDK 3 tools and types their commands)
// into the same work done with CloudHSM CLI. Each command becomes its
// CloudHSM CLI line, with the options that give the keys it makes the same
// attributes the SDK 3 tool gives them; a command with no equivalent
// becomes a comment that says so (engine/internal/toolmap's notes). Host
// shell lines stay as they are.
package migrate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
	"github.com/hsmsim/hsmsim/engine/internal/cmdline"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/kmu"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
	"github.com/hsmsim/hsmsim/engine/internal/tool"
	"github.com/hsmsim/hsmsim/engine/internal/toolmap"
	"github.com/hsmsim/hsmsim/engine/internal/vfs"
)

// Migrator rewrites scripts for a cluster: it names users by the names the
// cluster gives their ids (shareKey and -u take ids, CloudHSM CLI names),
// and reads public key files to tell RSA from EC.
type Migrator struct {
	Cluster *hsm.Cluster
	FS      vfs.FS

	names map[int]string
	next  int
}

type mode int

const (
	host mode = iota
	inKMU
	inCMU
)

// Script rewrites the lines of a script.
func (m *Migrator) Script(lines []string) []string {
	m.names = map[int]string{}
	if m.Cluster != nil {
		for _, u := range m.Cluster.Users() {
			m.names[u.ID] = strings.ToLower(u.Name)
		}
		m.next = m.Cluster.NextUserID()
	}
	var out []string
	md := host
	answers := 0 // (y/n) answer lines cloudhsm_mgmt_util will read next
	for _, line := range lines {
		words, err := cmdline.Split(line)
		trimmed := strings.TrimSpace(line)
		switch {
		case err != nil || len(words) == 0 || strings.HasPrefix(trimmed, "#"):
			out = append(out, line)
			continue
		case answers > 0 && md == inCMU && isAnswer(trimmed):
			answers--
			continue
		}
		answers = 0
		switch md {
		case host:
			switch strings.TrimPrefix(words[0], "/opt/cloudhsm/bin/") {
			case "key_mgmt_util":
				md = inKMU
				out = append(out, "cloudhsm-cli interactive")
			case "cloudhsm_mgmt_util":
				md = inCMU
				out = append(out, "cloudhsm-cli interactive")
			default:
				out = append(out, line)
			}
		case inKMU:
			if words[0] == "exit" {
				md = host
				out = append(out, "quit")
				continue
			}
			out = append(out, m.kmuLine(words)...)
		case inCMU:
			if words[0] == "quit" || words[0] == "exit" {
				md = host
				out = append(out, "quit")
				continue
			}
			var lines []string
			lines, answers = m.cmuLine(words)
			out = append(out, lines...)
		}
	}
	return out
}

func isAnswer(s string) bool {
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no":
		return true
	}
	return false
}

// none is the comment for a command with no CloudHSM CLI equivalent.
func none(tool string, words []string) []string {
	note := "CloudHSM CLI has no equivalent"
	if r, ok := toolmap.ForSDK3(tool, words[0]); ok && r.Note != "" {
		note += ": " + r.Note
	}
	out := []string{"# " + strings.Join(words, " "), "#   " + note}
	if makesKeys[words[0]] {
		out = append(out, "#   it made a key in "+tool+", so keys made after it get other key references than its handles")
	}
	return out
}

// makesKeys are the SDK 3 commands without an equivalent that make keys.
var makesKeys = map[string]bool{"imSymKey": true, "importPrivateKey": true, "unWrapKey": true,
	"genDSAKeyPair": true, "insertMaskedObject": true, "genPBEKey": true}

// kmuArgs reads a key_mgmt_util line by its command's table.
func kmuArgs(words []string) (map[string]string, bool) {
	c := kmu.Lookup(words[0])
	if c == nil {
		return nil, false
	}
	a := map[string]string{}
	for i := 1; i < len(words); i++ {
		name := strings.TrimPrefix(words[i], "-")
		var f *kmu.Flag
		for j := range c.Flags {
			if c.Flags[j].Name == name {
				f = &c.Flags[j]
			}
		}
		if f == nil || !strings.HasPrefix(words[i], "-") {
			return nil, false
		}
		if f.Kind == tool.Switch {
			a[name] = ""
			continue
		}
		if i+1 >= len(words) {
			return nil, false
		}
		a[name] = words[i+1]
		i++
	}
	return a, true
}

func ref(handle string) string {
	h, err := strconv.ParseUint(handle, 0, 64)
	if err != nil {
		return "key-reference=" + handle
	}
	return "key-reference=" + cli.KeyReference(h)
}

func quote(s string) string { return cmdline.Quote(s) }

// userNames turns a -u list of ids into CloudHSM CLI's list of names.
func (m *Migrator) userNames(ids string) (string, bool) {
	var names []string
	for _, s := range strings.Split(ids, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || m.names[id] == "" {
			return "", false
		}
		names = append(names, m.names[id])
	}
	return strings.Join(names, " "), true
}

// creation is what the creation flags of key_mgmt_util give a key.
func (m *Migrator) creation(a map[string]string) (string, []string, bool) {
	var opts string
	var attrs []string
	if _, ok := a["sess"]; ok {
		opts += " --session"
	}
	if _, ok := a["nex"]; ok {
		attrs = append(attrs, "extractable=false")
	}
	if id, ok := a["id"]; ok {
		attrs = append(attrs, "id="+id)
	}
	if u, ok := a["u"]; ok {
		names, ok := m.userNames(u)
		if !ok {
			return "", nil, false
		}
		opts += " --share-crypto-users " + names
	}
	if v, ok := a["m_value"]; ok && v != "0" {
		opts += " --use-key-quorum-value " + v
	}
	return opts, attrs, true
}

func attrList(flag string, attrs []string) string {
	if len(attrs) == 0 {
		return ""
	}
	return " " + flag + " " + strings.Join(attrs, " ")
}

// curves names genECCKeyPair's curve ids as --curve takes them.
var curves = map[string]string{"2": "prime256v1", "13": "secp224r1", "14": "secp384r1", "15": "secp521r1", "16": "secp256k1"}

// wrapMechs names wrapKey's -m values as key wrap's mechanisms.
var wrapMechs = map[string]string{"4": "aes-pkcs5-pad", "5": "aes-no-pad", "7": "rsa-aes", "8": "rsa-oaep",
	"10": "aes-gcm", "11": "cloudhsm-aes-gcm", "12": "rsa-pkcs"}

var wrapHashes = map[string]string{"2": "sha1", "3": "sha256", "4": "sha384", "5": "sha512", "6": "sha224"}

// attrNames names setAttribute's attribute ids as key set-attribute's.
var attrNames = map[string]string{"1": "token", "3": "label", "134": "trusted", "260": "encrypt", "261": "decrypt",
	"262": "wrap", "263": "unwrap", "264": "sign", "266": "verify", "354": "extractable", "370": "destroyable", "528": "wrap-with-trusted"}

func (m *Migrator) kmuLine(words []string) []string {
	a, ok := kmuArgs(words)
	if !ok {
		return []string{"# " + strings.Join(words, " "), "#   not a key_mgmt_util command line this rewrite reads"}
	}
	switch words[0] {
	case "loginHSM":
		role := "crypto-user"
		if a["u"] == "CO" {
			role = "admin"
		}
		if a["u"] != "CU" && a["u"] != "CO" {
			return none(kmu.Name, words)
		}
		line := "login --username " + quote(a["s"]) + " --role " + role
		if p, ok := a["p"]; ok {
			line += " --password " + quote(p)
		}
		return []string{line}
	case "logoutHSM":
		return []string{"logout"}
	case "listUsers":
		return []string{"user list"}
	case "getHSMInfo":
		return []string{"cluster hsm-info"}
	case "genSymKey":
		opts, attrs, ok := m.creation(a)
		if !ok {
			return none(kmu.Name, words)
		}
		switch a["t"] {
		case "31":
			// key_mgmt_util's AES keys encrypt, decrypt, wrap and unwrap,
			// and neither sign nor verify.
			attrs = append([]string{"encrypt=true", "decrypt=true", "wrap=true", "unwrap=true", "sign=false", "verify=false"}, attrs...)
			return []string{"key generate-symmetric aes --label " + quote(a["l"]) + " --key-length-bytes " + a["s"] + opts + attrList("--attributes", attrs)}
		case "16":
			attrs = append([]string{"sign=false", "verify=false"}, attrs...)
			return []string{"key generate-symmetric generic-secret --label " + quote(a["l"]) + " --key-length-bytes " + a["s"] + opts + attrList("--attributes", attrs)}
		}
		return []string{"# " + strings.Join(words, " "), "#   CloudHSM CLI generates only AES and generic secret keys"}
	case "genRSAKeyPair", "genECCKeyPair":
		opts, attrs, ok := m.creation(a)
		if !ok {
			return none(kmu.Name, words)
		}
		label := quote(a["l"])
		pub := []string{"verify=true"}
		priv := append([]string{"sign=true"}, attrs...)
		var line string
		if words[0] == "genRSAKeyPair" {
			pub = append([]string{"encrypt=true", "wrap=true"}, pub...)
			priv = append([]string{"decrypt=true", "unwrap=true"}, priv...)
			line = "key generate-asymmetric-pair rsa --modulus-size-bits " + a["m"] + " --public-exponent " + a["e"]
		} else {
			c, ok := curves[a["i"]]
			if !ok {
				return []string{"# " + strings.Join(words, " "), "#   CloudHSM CLI has no curve for id " + a["i"]}
			}
			line = "key generate-asymmetric-pair ec --curve " + c
		}
		opts = strings.Replace(opts, "--use-key-quorum-value", "--use-private-key-quorum-value", 1)
		return []string{line + " --public-label " + label + " --private-label " + label + opts +
			attrList("--public-attributes", pub) + attrList("--private-attributes", priv)}
	case "deleteKey":
		return []string{"key delete --filter " + ref(a["k"])}
	case "findKey":
		var filter []string
		if c, ok := a["c"]; ok {
			filter = append(filter, "attr.class="+map[string]string{"2": "public-key", "3": "private-key", "4": "secret-key"}[c])
		}
		if t, ok := a["t"]; ok {
			filter = append(filter, "attr.key-type="+map[string]string{"0": "rsa", "3": "ec", "16": "generic-secret", "21": "des3", "31": "aes"}[t])
		}
		if l, ok := a["l"]; ok {
			filter = append(filter, "attr.label="+quote(l))
		}
		if id, ok := a["id"]; ok {
			filter = append(filter, "attr.id="+quote(id))
		}
		if kcv, ok := a["kcv"]; ok {
			filter = append(filter, "attr.check-value="+kcv)
		}
		line := "key list"
		if filter != nil {
			line += " --filter " + strings.Join(filter, " ")
		}
		return []string{line}
	case "findSingleKey":
		return []string{"key list --filter " + ref(a["k"])}
	case "getAttribute", "getKeyInfo":
		h := a["o"]
		if words[0] == "getKeyInfo" {
			h = a["k"]
		}
		return []string{"key list --filter " + ref(h) + " --verbose"}
	case "setAttribute":
		line, ok := setAttribute(a["o"], a["a"], a["v"])
		if a["a"] != "1" {
			// key_mgmt_util refuses every attribute but OBJ_ATTR_TOKEN, so
			// the line did nothing; what it meant is shown, not run.
			return []string{"# " + strings.Join(words, " "), "#   key_mgmt_util's setAttribute changes only OBJ_ATTR_TOKEN (1); in CloudHSM CLI: " + line}
		}
		if !ok {
			return none(kmu.Name, words)
		}
		return []string{line}
	case "exportPubKey":
		return []string{"key generate-file --encoding pem --path " + quote(a["out"]) + " --filter " + ref(a["k"])}
	case "getCaviumPrivKey":
		return []string{"key generate-file --encoding reference-pem --path " + quote(a["out"]) + " --filter " + ref(a["k"])}
	case "importPubKey":
		class := "rsa-public"
		if m.FS != nil {
			if b, err := m.FS.ReadFile(a["f"]); err == nil {
				if k, err := mech.ParsePublicKeyPEM(b); err == nil {
					if _, isEC := k.(*mech.ECPublicKey); isEC {
						class = "ec-public"
					}
				}
			}
		}
		// key_mgmt_util's imported public keys encrypt, verify and wrap.
		return []string{"key import pem --path " + quote(a["f"]) + " --label " + quote(a["l"]) + " --key-type-class " + class +
			" --attributes encrypt=true verify=true wrap=true"}
	case "wrapKey":
		mech, ok := wrapMechs[a["m"]]
		if !ok {
			return []string{"# " + strings.Join(words, " "), "#   key wrap has no mechanism for wrapKey -m " + a["m"]}
		}
		line := "key wrap " + mech + " --payload-filter " + ref(a["k"]) + " --wrapping-filter " + ref(a["w"]) + " --path " + quote(a["out"])
		if mech == "rsa-aes" || mech == "rsa-oaep" {
			h := wrapHashes[a["t"]]
			if h == "" {
				h = "sha256"
			}
			line += " --hash-function " + h + " --mgf mgf1-" + h
		}
		if mech == "aes-gcm" || mech == "cloudhsm-aes-gcm" {
			line += " --tag-length-bits 128"
		}
		return []string{line}
	case "sign", "verify":
		return m.signLine(words, a)
	}
	return none(kmu.Name, words)
}

// setAttribute is key set-attribute of an attribute id and value.
func setAttribute(handle, id, value string) (string, bool) {
	name, ok := attrNames[id]
	if !ok {
		return "key set-attribute has no name for attribute " + id, false
	}
	if name != "label" {
		value = map[string]string{"1": "true", "0": "false"}[value]
	}
	return "key set-attribute --filter " + ref(handle) + " --name " + name + " --value " + quote(value), true
}

// signMechs names sign's -m values as crypto sign's mechanism and hash.
var signMechs = map[string][2]string{"0": {"rsa-pkcs", "sha1"}, "1": {"rsa-pkcs", "sha256"}, "2": {"rsa-pkcs", "sha384"},
	"3": {"rsa-pkcs", "sha512"}, "4": {"rsa-pkcs", "sha224"}, "15": {"ecdsa", "sha1"}, "16": {"ecdsa", "sha224"},
	"17": {"ecdsa", "sha256"}, "18": {"ecdsa", "sha384"}, "19": {"ecdsa", "sha512"}}

func (m *Migrator) signLine(words []string, a map[string]string) []string {
	mh, ok := signMechs[a["m"]]
	if !ok {
		return []string{"# " + strings.Join(words, " "), "#   crypto " + words[0] + " has no mechanism for -m " + a["m"] + " (PSS takes --mgf and --salt-length)"}
	}
	if words[0] == "sign" {
		return []string{"crypto sign " + mh[0] + " --key-filter " + ref(a["k"]) + " --hash-function " + mh[1] + " --data-path " + quote(a["f"]),
			"#   crypto sign prints the signature (Base64) instead of writing " + a["out"]}
	}
	return []string{"crypto verify " + mh[0] + " --key-filter " + ref(a["k"]) + " --hash-function " + mh[1] + " --data-path " + quote(a["f"]) +
		" --signature-path " + quote(a["s"])}
}

// cmuLine rewrites a cloudhsm_mgmt_util line, and says how many (y/n)
// answers follow it in the script.
func (m *Migrator) cmuLine(words []string) ([]string, int) {
	cmd, args := words[0], words[1:]
	role := func(r string) (string, bool) {
		switch strings.ToUpper(r) {
		case "CO", "PCO":
			return "admin", true
		case "CU":
			return "crypto-user", true
		}
		return "", false
	}
	switch {
	case cmd == "loginHSM" && len(args) >= 2:
		r, ok := role(args[0])
		if !ok {
			return none("cloudhsm_mgmt_util", words), 0
		}
		line := "login --username " + quote(args[1]) + " --role " + r
		if len(args) >= 3 && args[2] != "-hpswd" {
			line += " --password " + quote(args[2])
		}
		return []string{line}, 0
	case cmd == "logoutHSM":
		return []string{"logout"}, 0
	case cmd == "listUsers":
		return []string{"user list"}, 0
	case cmd == "findAllKeys":
		return []string{"key list"}, 0
	case cmd == "getHSMInfo" || cmd == "info":
		return []string{"cluster hsm-info"}, 0
	case cmd == "createUser" && len(args) >= 3:
		r, ok := role(args[0])
		if !ok {
			return none("cloudhsm_mgmt_util", words), 1
		}
		m.names[m.next] = strings.ToLower(args[1])
		m.next++
		return []string{"user create --username " + quote(args[1]) + " --role " + r + " --password " + quote(args[2])}, 1
	case cmd == "deleteUser" && len(args) >= 2:
		r, ok := role(args[0])
		if !ok {
			return none("cloudhsm_mgmt_util", words), 1
		}
		return []string{"user delete --username " + quote(args[1]) + " --role " + r}, 1
	case cmd == "changePswd" && len(args) >= 3:
		r, ok := role(args[0])
		if !ok {
			return none("cloudhsm_mgmt_util", words), 1
		}
		return []string{"user change-password --username " + quote(args[1]) + " --role " + r + " --password " + quote(args[2])}, 1
	case cmd == "shareKey" && len(args) == 3:
		id, err := strconv.Atoi(args[1])
		if err != nil || m.names[id] == "" {
			return []string{"# " + strings.Join(words, " "), "#   no user has id " + args[1]}, 1
		}
		verb := "share"
		if args[2] == "0" {
			verb = "unshare"
		}
		return []string{"key " + verb + " --filter " + ref(args[0]) + " --username " + m.names[id] + " --role crypto-user"}, 1
	case cmd == "setAttribute" && len(args) == 3:
		line, ok := setAttribute(args[0], args[1], args[2])
		if !ok {
			return []string{"# " + strings.Join(words, " "), "#   " + line}, 1
		}
		return []string{line}, 1
	case (cmd == "getAttribute" || cmd == "getKeyInfo") && len(args) >= 1:
		return []string{"key list --filter " + ref(args[0]) + " --verbose"}, 0
	case cmd == "getMValue":
		return []string{"quorum token-sign list-quorum-values"}, 0
	case cmd == "setMValue" && len(args) == 2:
		svc := map[string]string{"3": "user", "4": "quorum"}[args[0]]
		if svc == "" {
			return none("cloudhsm_mgmt_util", words), 1
		}
		return []string{"quorum token-sign set-quorum-value --service " + svc + " --value " + args[1]}, 1
	case cmd == "syncKey" || cmd == "syncUser":
		return none("cloudhsm_mgmt_util", words), 1
	}
	return none("cloudhsm_mgmt_util", words), 0
}

// Text rewrites a script given as text.
func (m *Migrator) Text(script string) string {
	lines := strings.Split(strings.TrimRight(script, "\n"), "\n")
	out := m.Script(lines)
	return fmt.Sprintln(strings.Join(out, "\n"))
}
