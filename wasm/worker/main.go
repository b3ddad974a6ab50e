//go:debug cryptocustomrand=1

// Command worker is hsmsim's Cloudflare Worker: the API of package server
// (POST /api/run, POST /api/share, GET /api/share/{id}) at the edge, with
// shares in Workers KV. Cloudflare serves the static site (dist/site) itself
// and calls the Worker only for /api/* (wrangler.jsonc), so the browser's
// engine.wasm stays an asset and is not part of this binary.
//
// Build it with GOOS=js GOARCH=wasm (scripts/build-worker.sh). Built
// natively, it serves the same handler on $PORT (default 9900) with shares
// in memory, which is handy for a quick look without wrangler.
//
// cryptocustomrand=1 makes key generation read the seeded randomness of a
// /api/run request with a seed, so the Worker answers the same bytes as
// `hsmsim serve` and the tests.
package main

import (
	"github.com/syumai/workers"

	"github.com/hsmsim/hsmsim/server"
)

// shareBinding is the KV namespace binding named in wrangler.jsonc.
const shareBinding = "SHARES"

func main() {
	// syumai/workers starts a fresh Go instance for every request, so
	// nothing is cached here: the handler is cheap to build.
	workers.Serve(server.New(server.Options{Store: newShareStore()}))
}
