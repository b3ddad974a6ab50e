//go:build !(js && wasm)

package main

import "github.com/hsmsim/hsmsim/server"

// newShareStore keeps shares in memory when the Worker's main runs
// natively: there is no KV outside Cloudflare, and a native run is only a
// quick look (hsmsim serve is the native server with a share directory).
func newShareStore() server.Store { return server.NewMemStore() }
