package kmu

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// kmuECPinned are SHA-256 digests of a seeded key_mgmt_util session per
// curve, as the simulator printed and wrote it before EC keys were kept as
// bytes: the pair's generation, every attribute of both halves (the EC
// point, OBJ_ATTR_MODULUS, among them), the public key's PEM, the private key exported,
// wrapped, unwrapped and imported again, and a signature and its check.
var kmuECPinned = map[string]string{
	"2":  "fd70d12ad971d9f5bfbc995256cc269d59b3c44146774705e7c304e3a3cfbdec",
	"13": "f4f196b348acf16f3386cf25b174a99e212df7038df4fe4bd9b04e91e54ec026",
	"14": "26a48faff4fbf3c2a332b19173f84ea5a298cd6766d3c46b6867ebd720272b12",
	"15": "c1718fde6dfd48748e89fbe66bd4c8e874c8c9516078cd4de001d035422feffd",
	"16": "538ae73c3b680b329db91cff288379d58f8cce0e9686b3b1813393ec8f5e7660",
}

func kmuECPinDigest(t *testing.T, curveID int) string {
	t.Helper()
	e := ioNew(t).login(t)
	h := sha256.New()
	run := func(line string) string {
		out := e.run(line)
		fmt.Fprintf(h, "> %s\n%s", line, out)
		if testing.Verbose() {
			t.Logf("> %s\n%s", line, out)
		}
		return out
	}
	wk := ioHandleOf(t, run("genSymKey -t 31 -s 16 -l wk"), "Symmetric Key Created.  Key Handle: ")
	require.NoError(t, e.fs.WriteFile("msg.txt", []byte("message\n")))
	pub, priv := ioPairOf(t, run(sprintf("genECCKeyPair -i %d -l pin", curveID)))
	for _, l := range []string{
		sprintf("getAttribute -o %d -a 512 -out pub.attr", pub),
		sprintf("getAttribute -o %d -a 512 -out priv.attr", priv),
		sprintf("getAttribute -o %d -a 288 -out pt.attr", pub),
		sprintf("exportPubKey -k %d -out pub.pem", pub),
		sprintf("exportPrivateKey -k %d -w %d -out priv.pem", priv, wk),
		sprintf("wrapKey -k %d -w %d -out priv.wrapped -m 4", priv, wk),
		"genECCKeyPair -i 2 -l second",
		sprintf("sign -f msg.txt -k %d -m 17 -out msg.sig", priv),
		sprintf("verify -f msg.txt -k %d -m 17 -s msg.sig", pub),
	} {
		run(l)
	}
	back := ioHandleOf(t, run(sprintf("unWrapKey -f priv.wrapped -w %d -m 4 -l back", wk)), "Key Unwrapped.  Key Handle: ")
	again := ioHandleOf(t, run(sprintf("importPrivateKey -f priv.pem -l again -w %d", wk)), "Private Key Unwrapped.  Key Handle: ")
	run(sprintf("getAttribute -o %d -a 512 -out back.attr", back))
	run(sprintf("getAttribute -o %d -a 512 -out again.attr", again))
	run(sprintf("sign -f msg.txt -k %d -m 17 -out back.sig", back))
	run(sprintf("verify -f msg.txt -k %d -m 17 -s back.sig", pub))
	files, err := e.fs.List()
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	for _, n := range names {
		if b, err := e.fs.ReadFile(n); err == nil {
			fmt.Fprintf(h, "file %s %d\n", n, len(b))
			h.Write(b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestECSessionPinned(t *testing.T) {
	for _, id := range []int{2, 13, 14, 15, 16} {
		name := fmt.Sprint(id)
		got := kmuECPinDigest(t, id)
		if want, ok := kmuECPinned[name]; !ok || got != want {
			t.Errorf("%q: %q,", name, got)
		}
	}
}
