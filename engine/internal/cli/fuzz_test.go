package cli

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/internal/vfs"
	"github.com/hsmsim/hsmsim/engine/scenario"
)

// FuzzExec feeds arbitrary lines to a logged-in CloudHSM CLI: no line may
// panic; every answer is either the argument parser's text or one JSON
// object with an error_code; and every key the line changed is in the
// cluster's record of its changes.
func FuzzExec(f *testing.F) {
	for _, s := range []string{
		"key list", "key list --verbose --max-items 1 --starting-token 2", "key list --filter attr.label=alice-aes256",
		"key generate-symmetric aes --label x --key-length-bytes 32 --attributes encrypt=true id=0x0102",
		"key generate-symmetric generic-secret --label g --key-length-bytes 800", "key delete --filter key-reference=0x0000000000080003",
		"key share --filter attr.label=team-shared-aes128 --username alice --role crypto-user",
		"key set-attribute --filter attr.label=x --name label --value y", "key wrap aes-gcm --payload-filter a --wrapping-filter b --tag-length-bits 64",
		"key unwrap aes-no-pad --filter attr.label=k --key-type-class aes --label u --data AAAA", "crypto sign ecdsa --key-filter attr.label=x --hash-function sha256 --data YQ==",
		"user create --username bob --role crypto-user --password password1", "quorum token-sign generate --service user --token t",
		"help key", "key --help", "key frobnicate", "--filter", `"`, "user list --filter", "login --username x --role admin --password y",
		"key list --filter attr.", "key list --filter key-reference=0xzz", "cluster hsm-info --cluster-id c",
		"key generate-asymmetric-pair ec --curve ed25519 --public-label p --private-label k --private-attributes sign=true",
		"key generate-asymmetric-pair ml-dsa --mldsa-algorithm ML-DSA-44 --public-label p --private-label k",
		"crypto sign ed25519ph --key-filter attr.label=k --data-type digest --hash-function sha512 --data YQ==",
		"crypto verify ml-dsa --key-filter attr.label=p --data-type raw --hash-function shake256 --data-path x --signature AA==",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		if strings.Contains(line, "asymmetric-pair rsa") {
			return // RSA generation is slow and proves nothing here
		}
		c, files, err := scenario.Default()
		if err != nil {
			t.Fatal(err)
		}
		fs := vfs.NewMem()
		_ = fs.Restore(files)
		tl := New(c, fs, rand.NewChaCha8([32]byte{1}))
		tl.Exec("login --username example_user --role crypto-user --password password")
		before := map[uint64]string{}
		for _, n := range c.Nodes {
			for h, o := range n.Objects {
				b, _ := json.Marshal(o)
				before[h] += string(b)
			}
		}
		mark := c.Mark()
		r := tl.Exec(line)
		for r.Ask != nil {
			r = r.Ask.Answer("password1")
		}
		out := r.Output
		if out != "" && !strings.HasPrefix(out, "error: ") && !strings.HasPrefix(out, "Usage:") && !strings.Contains(out, "\nUsage:") {
			var v struct {
				Code *int `json:"error_code"`
			}
			if err := json.Unmarshal([]byte(strings.TrimSpace(out[strings.Index(out, "{"):])), &v); err != nil || v.Code == nil {
				t.Fatalf("%q answered neither parser text nor one JSON reply:\n%s", line, out)
			}
		}
		recorded := map[uint64]bool{}
		for _, h := range c.ChangesSince(mark).Keys {
			recorded[h] = true
		}
		after := map[uint64]string{}
		for _, n := range c.Nodes {
			for h, o := range n.Objects {
				b, _ := json.Marshal(o)
				after[h] += string(b)
			}
		}
		for h, v := range after {
			if before[h] != v && !recorded[h] {
				t.Fatalf("%q changed key %d without recording it", line, h)
			}
		}
		for h := range before {
			if _, ok := after[h]; !ok && !recorded[h] {
				t.Fatalf("%q destroyed key %d without recording it", line, h)
			}
		}
	})
}
