#!/usr/bin/env bash
# Builds the playground as static files in DIR (default dist/site): the page
# from web/, wasm_exec.js from the Go toolchain, engine.wasm (the engine for
# GOOS=js GOARCH=wasm, stripped), and precompressed .br and .gz copies that
# hsmsim serve hands to browsers that accept them, and defaults.json (the
# default workspace in record form).
#
# Usage: bash scripts/build-site.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-dist/site}
GO=${GO:-go}

mkdir -p "$dest"
# Start from an empty folder but keep the engine and its compressed copies:
# when the new build is byte for byte the same they stay, and brotli's
# slow best quality is not paid again.
find "$dest" -mindepth 1 -maxdepth 1 ! -name engine.wasm ! -name engine.wasm.br ! -name engine.wasm.gz -exec rm -rf {} +
cp -R web/. "$dest/"
cp "$("$GO" env GOROOT)/lib/wasm/wasm_exec.js" "$dest/wasm_exec.js"

tmp=$(mktemp "$dest/.engine.XXXXXX")
trap 'rm -f "$tmp"' EXIT
GOOS=js GOARCH=wasm "$GO" build -trimpath -ldflags='-s -w' -o "$tmp" ./wasm/browser
if cmp -s "$tmp" "$dest/engine.wasm"; then
	rm -f "$tmp"
else
	rm -f "$dest/engine.wasm.br" "$dest/engine.wasm.gz"
	mv "$tmp" "$dest/engine.wasm"
	chmod 644 "$dest/engine.wasm"
fi

# The default workspace's records, which a first visit reads instead of
# having the engine build them.
"$GO" run ./scripts/defaults "$dest/defaults.json"

"$GO" run ./scripts/compress "$dest"
echo "site built in $dest"
