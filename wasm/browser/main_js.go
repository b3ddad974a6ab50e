//go:build js && wasm

package main

import (
	"fmt"
	"os"
)

// main installs globalThis.hsmsimEngine and waits. Returning from main
// would end the Go program, so it returns only when exit is called or an
// internal error made the engine's state untrustworthy; the worker then
// starts a new instance from the saved workspace.
func main() {
	quit := make(chan int, 1)
	if err := install(&engine{unseeded: webCrypto{}}, quit); err != nil {
		fmt.Fprintln(os.Stderr, "hsmsim engine:", err)
		os.Exit(1)
	}
	os.Exit(<-quit)
}
