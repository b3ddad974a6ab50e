//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains itself when the package is built for anything but the
// browser: the engine's browser form needs GOOS=js GOARCH=wasm and a Web
// Worker around it (make site builds both).
func main() {
	fmt.Fprintln(os.Stderr, "wasm/browser is the engine for the browser: build it with GOOS=js GOARCH=wasm (make site), or use cmd/hsmsim natively")
	os.Exit(2)
}
