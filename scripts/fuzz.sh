#!/usr/bin/env bash
# Runs every Fuzz target of the module for a short time each (default 5s).
# New inputs are not minimized (-fuzzminimizetime=0): minimizing one found in
# the last moments outlives -fuzztime and Go then fails the run with "context
# deadline exceeded" and no failing input. A run that still ends only that
# way (the engine failing to stop its workers in time on a loaded machine) is
# run again, up to three times; a real failure writes its input under
# testdata/fuzz and fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-5s}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    for attempt in 1 2 3; do
      echo "fuzz $pkg $f ($t)"
      if go test -run='^$' -parallel=1 -fuzz="^${f}\$" -fuzztime="$t" -fuzzminimizetime=0 "$pkg" >"$log" 2>&1; then
        break
      fi
      if [ "$attempt" != 3 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
        echo "fuzz $pkg $f: the fuzzing engine did not stop in time; once more"
        continue
      fi
      cat "$log"
      exit 1
    done
  done
done
