package cli

import (
	"strings"
	"testing"
)

// BenchmarkGenerateAsymmetricPairEC times key generate-asymmetric-pair ec
// on each curve the command offers, the whole command as
// BenchmarkGenECCKeyPair times genECCKeyPair (whose package holds the
// ecdsa.GenerateKey reference). The workspace is replaced, untimed, every
// 100 pairs.
func BenchmarkGenerateAsymmetricPairEC(b *testing.B) {
	for _, curve := range []string{"secp224r1", "prime256v1", "secp384r1", "secp521r1", "secp256k1"} {
		b.Run(curve, func(b *testing.B) {
			line := "key generate-asymmetric-pair ec --curve " + curve + " --public-label p --private-label k"
			login := func() *Tool {
				tl := testTool(b)
				if out := tl.Exec("login --username cu1 --role crypto-user --password password").Output; !strings.Contains(out, `"error_code": 0`) {
					b.Fatal(out)
				}
				return tl
			}
			tl, n := login(), 0
			for b.Loop() {
				if n == 100 {
					b.StopTimer()
					tl, n = login(), 0
					b.StartTimer()
				}
				if r := tl.Exec(line); !strings.Contains(r.Output, `"error_code": 0`) {
					b.Fatal(r.Output)
				}
				n++
			}
		})
	}
}
