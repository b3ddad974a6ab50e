package tour

import (
	"bytes"
	"strconv"

	"github.com/hsmsim/hsmsim/engine/internal/cli"
	"github.com/hsmsim/hsmsim/engine/internal/hsm"
	"github.com/hsmsim/hsmsim/engine/internal/mech"
)

var tours = []Tour{
	{
		ID: "sdk3", Title: "Managing keys with key_mgmt_util", Tool: "key_mgmt_util", Steps: sdk3Steps,
		Intro: "The walkthrough of “Managing Keys in AWS CloudHSM”, in the Client SDK 3 tools key_mgmt_util and cloudhsm_mgmt_util.",
	},
	{
		ID: "cli", Title: "Managing keys with CloudHSM CLI", Tool: cli.Name, Steps: cliSteps,
		Intro: "The same learning path in CloudHSM CLI (cloudhsm-cli, Client SDK 5), the tool AWS documents today: log in, generate keys, find them with filters, share, wrap and unwrap, import and export, change an attribute, delete, log out. Its keys are the same keys key_mgmt_util sees.",
	},
}

// The CloudHSM CLI tour uses labels of its own (cli-…), so that it can
// follow the SDK 3 tour in the same workspace: its filters then match the
// keys it made, not the walkthrough's aes256 and rsa2048.
var cliSteps = []Step{
	{
		ID: "cli-login", Title: "Log in as a crypto user", Tool: cli.Name,
		Why:      "CloudHSM CLI does the work of both SDK 3 tools. Start it in interactive mode and log in as example_user with the role crypto-user (key_mgmt_util's CU): only crypto users create and own keys. Leave --password out and the CLI asks for it.",
		Commands: []string{"cloudhsm-cli interactive", "login --username example_user --role crypto-user --password password"},
		Notice:   "Every answer is JSON: error_code 0 is success, and data says who is logged in, with which role.",
		done: func(c check) bool {
			ls := c.s.Login()
			return ls != nil && ls.Role == hsm.RoleCU && c.s.Mode() == cli.Name
		},
	},
	{
		ID: "cli-gen-aes", Title: "Generate a 256-bit AES key", Tool: cli.Name,
		Why:      "key generate-symmetric aes makes an AES key inside the HSMs; --key-length-bytes 32 is 256 bits. Keys are named by label here, and found by filters, not by number.",
		Commands: []string{"key generate-symmetric aes --label cli-aes256 --key-length-bytes 32"},
		Notice:   "key-reference is the key's handle in hex: 0x0000000000080007 is key_mgmt_util's handle 524295. key-info names its owner and says the key is on every HSM (cluster-coverage full); attributes are its attributes, with the defaults of the attribute table (no encrypt until asked).",
		done: func(c check) bool {
			return c.made(func(o *hsm.Object) bool { return o.KeyType == hsm.KeyTypeAES && o.ValueLen == 32 && o.Local })
		},
	},
	{
		ID: "cli-gen-rsa", Title: "Generate an RSA key pair", Tool: cli.Name,
		Why:      "key generate-asymmetric-pair rsa makes a public and a private key, each with a label of its own. --modulus-size-bits is 2048 at least, --public-exponent 65537 or more.",
		Commands: []string{"key generate-asymmetric-pair rsa --modulus-size-bits 2048 --public-exponent 65537 --public-label cli-rsa2048-public --private-label cli-rsa2048-private"},
		Notice:   "Two keys come back, public_key and private_key, with two key references. The public key's modulus is in its attributes.",
		done: func(c check) bool {
			return c.made(func(o *hsm.Object) bool {
				return o.KeyType == hsm.KeyTypeRSA && o.Class == hsm.ClassPrivate && o.Local
			})
		},
	},
	{
		ID: "cli-gen-ec", Title: "Generate an EC key pair", Tool: cli.Name,
		Why:      "key generate-asymmetric-pair ec takes the curve by name: secp384r1 is key_mgmt_util's genECCKeyPair -i 14 (P-384), prime256v1 is -i 2.",
		Commands: []string{"key generate-asymmetric-pair ec --curve secp384r1 --public-label cli-ec-p384-public --private-label cli-ec-p384-private"},
		Notice:   "The public key's ec-point and curve are among its attributes.",
		done: func(c check) bool {
			return c.made(func(o *hsm.Object) bool {
				return o.KeyType == hsm.KeyTypeEC && o.Class == hsm.ClassPrivate && o.Local
			})
		},
	},
	{
		ID: "cli-list", Title: "Find keys with a filter", Tool: cli.Name,
		Why:      "key list does what findKey, getAttribute and getKeyInfo did: --filter picks keys by attr.NAME=VALUE (several pairs must all match) or by key-reference=0x…, and --verbose prints every attribute and who owns the key.",
		Commands: []string{"key list --filter attr.label=cli-aes256 --verbose"},
		Notice:   "matched_keys holds what the filter found; total_key_count counts them. Without --verbose only the key reference and label are shown.",
		done:     listedWithFilter,
	},
	{
		ID: "cli-share", Title: "Share a key with another user", Tool: cli.Name,
		Why:      "key share is cloudhsm_mgmt_util's shareKey, run by the key's owner: the filter picks the key, --username and --role the crypto user it is shared with. alice may then use the key, not export, delete or share it.",
		Commands: []string{"key share --filter attr.label=cli-aes256 --username alice --role crypto-user"},
		Notice:   "No confirmation is asked. key list --filter attr.label=cli-aes256 --verbose now lists alice under shared-users.",
		done:     sharedOne,
	},
	{
		ID: "cli-unshare", Title: "Unshare it again", Tool: cli.Name,
		Why:      "key unshare takes the sharing back, with the same filter and user.",
		Commands: []string{"key unshare --filter attr.label=cli-aes256 --username alice --role crypto-user"},
		Notice:   "The key's shared-users list is empty again.",
		done:     unsharedOne,
	},
	{
		ID: "cli-wrap", Title: "Wrap a key to take it out", Tool: cli.Name,
		Why:      "CloudHSM CLI never exports a secret key in plaintext (exSymKey has no equivalent): it wraps it, encrypted with a wrapping key. Make an AES key that may wrap and unwrap, then wrap cli-aes256 with it (aes-no-pad is RFC 3394 key wrap) into a file.",
		Commands: []string{"key generate-symmetric aes --label cli-wrapping-key --key-length-bytes 32 --attributes wrap=true unwrap=true", "key wrap aes-no-pad --payload-filter attr.label=cli-aes256 --wrapping-filter attr.label=cli-wrapping-key --path cli-aes256.wrapped"},
		Notice:   "The reply names the payload and wrapping keys by reference and prints the wrapped bytes in Base64; --path wrote the same bytes to the file (ls, xxd cli-aes256.wrapped at the $ prompt).",
		done:     wrappedOne,
	},
	{
		ID: "cli-unwrap", Title: "Unwrap it as a new key", Tool: cli.Name,
		Why:      "key unwrap brings wrapped key material in (where key_mgmt_util had imSymKey and unWrapKey): the filter picks the unwrapping key, --key-type-class says what the bytes are, and the new key gets a label.",
		Commands: []string{"key unwrap aes-no-pad --filter attr.label=cli-wrapping-key --key-type-class aes --label cli-aes256-unwrapped --data-path cli-aes256.wrapped"},
		Notice:   "The new key has a new key reference but the same check-value as cli-aes256: the same key material. Its local attribute is false, as for every key not generated in the HSMs.",
		done: func(c check) bool {
			return c.made(func(o *hsm.Object) bool { return o.Class == hsm.ClassSecret && !o.Local })
		},
	},
	{
		ID: "cli-import", Title: "Import a public key", Tool: cli.Name,
		Why:      "key import pem reads a PEM public key (rsa2048.pub is in your workspace); --key-type-class says which kind. Public keys need no wrapping key.",
		Commands: []string{"key import pem --path rsa2048.pub --label cli-rsa2048-public-imported --key-type-class rsa-public"},
		Notice:   "The imported key's local attribute is false.",
		done: func(c check) bool {
			return c.made(func(o *hsm.Object) bool { return o.Class == hsm.ClassPublic && !o.Local })
		},
	},
	{
		ID: "cli-export", Title: "Export a public key", Tool: cli.Name,
		Why:      "key generate-file --encoding pem writes a public key as PEM, as exportPubKey did. OpenSSL reads it: openssl pkey -pubin -in cli-rsa2048.pub.exp -noout -text at the $ prompt.",
		Commands: []string{"key generate-file --encoding pem --path cli-rsa2048.pub.exp --filter attr.label=cli-rsa2048-public"},
		Notice:   "For a private key, --encoding reference-pem writes only a reference to the key in the HSM, never the key.",
		done:     exportedPublic,
	},
	{
		ID: "cli-set-attribute", Title: "Change an attribute", Tool: cli.Name,
		Why:      "key set-attribute changes one attribute of one key: here it lets cli-aes256 encrypt. The attribute table says which attributes may change and in which direction.",
		Commands: []string{"key set-attribute --filter attr.label=cli-aes256 --name encrypt --value true"},
		Notice:   "key list --filter attr.label=cli-aes256 --verbose now shows \"encrypt\": true.",
		done: func(c check) bool {
			return c.owned(func(o *hsm.Object) bool {
				was, ok := c.marks.Attrs[strconv.FormatUint(o.Handle, 10)]
				return ok && was != attrDigest(o)
			})
		},
	},
	{
		ID: "cli-delete", Title: "Delete a key", Tool: cli.Name,
		Why:      "key delete destroys one key on every HSM; its filter must match exactly one key (else: Key selection criteria matched N keys). Only the owner may delete.",
		Commands: []string{"key delete --filter attr.label=cli-rsa2048-public-imported"},
		Notice:   "key list --filter attr.label=cli-rsa2048-public-imported now matches no key.",
		done:     deletedOne,
	},
	{
		ID: "cli-logout", Title: "Log out", Tool: cli.Name,
		Why:      "logout ends the login; session keys go with it. quit leaves the CLI. The keys stay: key_mgmt_util's findKey -l cli-aes256 finds the same key, handle 524295 if this tour started on a fresh workspace.",
		Commands: []string{"logout"},
		Notice:   "The reply says Logout successful; key commands now answer that you must be logged in.",
		done: func(c check) bool {
			return c.marks.LoggedIn && c.s.Login() == nil
		},
	},
}

// listedWithFilter: the reply is a key list that found some of the
// learner's keys and fewer keys than the learner can see, so a filter (or a
// page of --max-items) picked them out.
func listedWithFilter(c check) bool {
	ls := c.s.Login()
	if ls == nil {
		return false
	}
	visible := len(c.s.Cluster.Find(ls, hsm.Filter{}))
	for _, call := range c.calls {
		if call.API != "key list" || call.RC != hsm.RCSuccess || call.Value == nil {
			continue
		}
		keys := call.Value.Keys
		if len(keys) == 0 || len(keys) >= visible {
			continue
		}
		for _, k := range keys {
			if o := c.s.Cluster.Object(k.Handle); o != nil && o.Owner == c.user {
				return true
			}
		}
	}
	return false
}

// wrappedOne: a file written since the step started unwraps (RFC 3394,
// with or without padding) with one of the learner's wrapping keys into the
// key material of one of the learner's keys.
func wrappedOne(c check) bool {
	return c.fileHolds(func(data []byte) bool {
		return c.owned(func(w *hsm.Object) bool {
			if w.KeyType != hsm.KeyTypeAES || !w.Wrap {
				return false
			}
			for _, m := range []int{mech.WrapAESNoPad, mech.WrapAESPKCS5} {
				plain, err := mech.Unwrap(mech.WrapParams{Mechanism: m}, w.Value, data)
				if err != nil {
					continue
				}
				if c.owned(func(o *hsm.Object) bool { return o.Class != hsm.ClassPublic && bytes.Equal(o.Value, plain) }) {
					return true
				}
			}
			return false
		})
	})
}
