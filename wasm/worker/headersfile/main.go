// Command headersfile writes the _headers file that gives the Worker's
// static assets the site's security headers (server.CloudflareHeaders).
// Cloudflare serves assets without running the Worker, so the policy is
// written by the same Go code the API and `hsmsim serve` use, with the
// hashes of what the built pages in DIR carry inline.
//
// Usage: go run ./wasm/worker/headersfile DIR   (writes DIR/_headers)
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hsmsim/hsmsim/server"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: headersfile SITE-DIR")
		os.Exit(2)
	}
	in, err := server.SiteInline(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "headersfile:", err)
		os.Exit(1)
	}
	p := filepath.Join(os.Args[1], "_headers")
	if err := os.WriteFile(p, []byte(server.CloudflareHeaders(in)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "headersfile:", err)
		os.Exit(1)
	}
}
