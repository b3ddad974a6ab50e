#!/usr/bin/env bash
# make bench: the figures of BENCHMARKS.md. Go benchmarks of the engine
# (natively, and as js/wasm under Node), RSA generation natively through
# the engine, then the playground in headless Chromium: engine size, cold
# and warm loads, round trips, commits with 3,300 keys, RSA in the browser,
# each beside its reference from the same run (native, or the floor: the
# same site with engine.wasm replaced by scripts/benchfloor, a Go program
# that answers the worker with no engine, built with the same flags).
# Raw results go to dist/bench; the medians replace the results section of
# BENCHMARKS.md. Not part of make test: it takes a few minutes.
#
# BENCH_N (default 15) sets the samples per browser figure; BENCH_RSA2048
# and BENCH_RSA4096 (10 and 4) the keys generated on each side;
# BENCH_GO_COUNT (5) and BENCH_WASM_COUNT (3) the runs of each Go
# benchmark, natively and under Node (1 and 1 take minutes less).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
SITE=${SITE:-dist/site}
OUT=${BENCH_DIR:-dist/bench}
export BENCH_N=${BENCH_N:-15}
export BENCH_RSA2048=${BENCH_RSA2048:-10}
export BENCH_RSA4096=${BENCH_RSA4096:-4}
GO_COUNT=${BENCH_GO_COUNT:-5}
WASM_COUNT=${BENCH_WASM_COUNT:-3}
mkdir -p "$OUT"

if [ ! -x /usr/bin/chromium ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
	else
		echo "bench: /usr/bin/chromium is missing: install Debian's chromium package" >&2
		exit 1
	fi
fi
if [ ! -f playwright/node_modules/.package-lock.json ] || [ playwright/package-lock.json -nt playwright/node_modules/.package-lock.json ]; then
	(cd playwright && npm ci --no-audit --no-fund)
fi

echo "== Go benchmarks, native"
# wasm/browser: BenchmarkOpenWorkspace, a reload's Go part for the default
# and the 3,300-key workspace.
"$GO" test -run '^$' -bench . -count "$GO_COUNT" ./engine/... ./wasm/browser | tee "$OUT/go-bench.txt"
echo "== Go benchmarks, js/wasm under Node"
GOOS=js GOARCH=wasm "$GO" test -run '^$' -bench 'GenerateRSA|Records|Delta|Encode|OpenWorkspace|ReadCommand' -count "$WASM_COUNT" \
	-exec="$("$GO" env GOROOT)/lib/wasm/go_js_wasm_exec" ./engine/internal/mech ./engine/state ./engine/shell ./wasm/browser | tee "$OUT/go-bench-wasm.txt"

echo "== RSA generation natively, through the engine"
"$GO" run ./scripts/benchnative rsa -seed 1 -n2048 "$BENCH_RSA2048" -n4096 "$BENCH_RSA4096" | tee "$OUT/native.json"
"$GO" run ./scripts/benchnative fixture "$OUT/fixture-3300.json"

echo "== browser"
bash scripts/build-site.sh "$SITE"
"$GO" build -o bin/hsmsim ./cmd/hsmsim

# The floor's site: the same files, engine.wasm replaced by the floor
# build (the flags are build-site.sh's), compressed the same way.
FLOOR=$OUT/floor-site
rm -rf "$FLOOR"
cp -R "$SITE" "$FLOOR"
rm -f "$FLOOR"/engine.wasm*
GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags='-s -w' -o "$FLOOR/engine.wasm" ./scripts/benchfloor
"$GO" run ./scripts/compress "$FLOOR" >/dev/null

log=$(mktemp)
flog=$(mktemp)
bin/hsmsim serve --addr 127.0.0.1:0 --root "$SITE" >"$log" 2>&1 &
server=$!
bin/hsmsim serve --addr 127.0.0.1:0 --root "$FLOOR" >"$flog" 2>&1 &
fserver=$!
cleanup() {
	kill "$server" "$fserver" 2>/dev/null || true
	wait "$server" "$fserver" 2>/dev/null || true
	rm -f "$log" "$flog"
}
trap cleanup EXIT INT TERM
# served LOG PID prints the URL hsmsim serve printed in LOG.
served() {
	local u=
	for _ in $(seq 100); do
		u=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$1" | head -n1 || true)
		[ -n "$u" ] && break
		kill -0 "$2" 2>/dev/null || { cat "$1" >&2; exit 1; }
		sleep 0.1
	done
	[ -n "$u" ] || { cat "$1" >&2; echo "bench: hsmsim serve printed no URL" >&2; exit 1; }
	echo "$u"
}
url=$(served "$log" "$server")
furl=$(served "$flog" "$fserver")

root=$(pwd)
(cd playwright && BASE_URL=$url FLOOR_URL=$furl BENCH_OUT="$root/$OUT/browser.json" BENCH_FIXTURE="$root/$OUT/fixture-3300.json" \
	npx --no-install playwright test --config playwright.bench.config.js)

echo "== report"
node playwright/bench/report.js "$OUT" "$SITE" BENCHMARKS.md

# ---- size breakdown (scripts/wasmsize) ---------------------------------
# engine.wasm by package group: a build of the same code that keeps its
# function names (no -s), checked to be the shipped module but for them,
# read by scripts/wasmsize. The table replaces the size markers' part of
# BENCHMARKS.md; the figures are in dist/bench/size.json and size.txt.
echo "== engine.wasm by package group"
GOOS=js GOARCH=wasm "$GO" build -trimpath -o "$OUT/engine-named.wasm" ./wasm/browser
"$GO" run ./scripts/wasmsize -check "$SITE/engine.wasm" -json "$OUT/size.json" -update BENCHMARKS.md \
	"$OUT/engine-named.wasm" | tee "$OUT/size.txt"
# ---- end of the size breakdown -----------------------------------------
