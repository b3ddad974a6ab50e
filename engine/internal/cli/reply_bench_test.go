package cli

import (
	"strings"
	"testing"
)

// BenchmarkKeyListVerbose times key list --verbose over 20 AES keys: a
// reply made almost wholly of key objects, so mostly the JSON it prints.
func BenchmarkKeyListVerbose(b *testing.B) {
	tl := loggedInTool(b)
	for range 20 {
		if out := tl.Exec("key generate-symmetric aes --key-length-bytes 32 --label k").Output; !strings.Contains(out, `"error_code": 0`) {
			b.Fatal(out)
		}
	}
	for b.Loop() {
		if out := tl.Exec("key list --verbose --max-items 20").Output; !strings.Contains(out, `"returned_key_count": 20`) {
			b.Fatal(out)
		}
	}
}

// BenchmarkUserList times user list: a short reply with little work behind
// it.
func BenchmarkUserList(b *testing.B) {
	tl := loggedInTool(b)
	for b.Loop() {
		if out := tl.Exec("user list").Output; !strings.Contains(out, `"username": "cu1"`) {
			b.Fatal(out)
		}
	}
}

func loggedInTool(b *testing.B) *Tool {
	tl := testTool(b)
	if out := tl.Exec("login --username cu1 --role crypto-user --password password").Output; !strings.Contains(out, `"error_code": 0`) {
		b.Fatal(out)
	}
	return tl
}
