package migrate

import (
	"strings"
	"testing"

	"github.com/hsmsim/hsmsim/engine/scenario"
)

// FuzzScript: any script rewrites without panicking, and every line it
// writes is a single line.
func FuzzScript(f *testing.F) {
	for _, s := range []string{
		"key_mgmt_util\ngenSymKey -t 31 -s 32 -l a -u 4,3\nexit",
		"cloudhsm_mgmt_util\nshareKey 524291 4 1\ny\nsetAttribute 1 3 x\nquit",
		"key_mgmt_util\nwrapKey -k 1 -w 2 -m 7 -t 9 -out f\nsign -k 1 -m 99 -f a -out b\nsetAttribute -o 1 -a 3 -v x",
		"key_mgmt_util\nloginHSM -u CO -s \"a b\" -p 'x y'\ngenECCKeyPair -i 99 -l e", "\"", "cloudhsm_mgmt_util\ncreateUser CU",
	} {
		f.Add(s)
	}
	c, _, err := scenario.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, script string) {
		m := &Migrator{Cluster: c}
		for _, l := range m.Script(strings.Split(script, "\n")) {
			if strings.ContainsAny(l, "\n") {
				t.Fatalf("a rewritten line holds a newline: %q", l)
			}
		}
	})
}
