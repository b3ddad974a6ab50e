// Command defaults writes the default workspace in record form (the same
// records wasm/browser's defaults() returns) as JSON,
// {"format": "hsmsim-records", "version": 1, "schema": 2, "records": {key:
// base64}} (the records sealed with their checksums, state.RecordSchema), for
// the site: a first visit reads it instead of having the engine build the
// default cluster, which in a cold browser costs a first run of much of the
// engine's code.
//
// Usage: go run ./scripts/defaults FILE
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/hsmsim/hsmsim/engine/scenario"
	"github.com/hsmsim/hsmsim/engine/state"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: defaults FILE")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "defaults:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	c, files, err := scenario.Default()
	if err != nil {
		return err
	}
	recs, err := state.Records(c, files)
	if err != nil {
		return err
	}
	b, err := json.Marshal(struct {
		Format  string            `json:"format"`
		Version int               `json:"version"`
		Schema  int               `json:"schema"`
		Records map[string][]byte `json:"records"`
	}{"hsmsim-records", state.Version, state.RecordSchema, state.SealRecords(recs)})
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
