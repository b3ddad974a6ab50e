//go:build !(js && wasm)

package main

import "os"

// main explains itself when built for anything but the browser: the floor
// is built by scripts/bench.sh with GOOS=js GOARCH=wasm.
func main() {
	os.Stderr.WriteString("scripts/benchfloor is make bench's floor build: GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' ./scripts/benchfloor\n")
	os.Exit(2)
}
