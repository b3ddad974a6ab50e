#!/usr/bin/env bash
# Runs every Fuzz target of the module for a short time each (default 5s).
# A run that ends only with Go's "context deadline exceeded" (the fuzzing
# engine failing to stop its workers in time on a loaded machine, with no
# failing input) is run once more; a real failure writes its input under
# testdata/fuzz and fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-5s}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    for attempt in 1 2; do
      echo "fuzz $pkg $f ($t)"
      if go test -run='^$' -parallel=1 -fuzz="^${f}\$" -fuzztime="$t" "$pkg" >"$log" 2>&1; then
        break
      fi
      if [ "$attempt" = 1 ] && grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
        echo "fuzz $pkg $f: the fuzzing engine did not stop in time; once more"
        continue
      fi
      cat "$log"
      exit 1
    done
  done
done
