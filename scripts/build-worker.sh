#!/usr/bin/env bash
# hsmsim's Cloudflare Worker.
#   build-worker.sh [build]  build dist/worker (Go, GOOS=js GOARCH=wasm, and
#                            syumai/workers' JS glue) and dist/site/_headers
#   build-worker.sh install  install the pinned wrangler (wasm/worker/npm)
#   build-worker.sh size     build, then report the Worker's size raw and
#                            gzipped, as wrangler would upload it
#   build-worker.sh dev      build, then run it with wrangler dev on
#                            127.0.0.1:${PORT:-8787}, offline, KV kept locally
#   build-worker.sh deploy   build, then wrangler deploy (needs a Cloudflare
#                            login; not run in CI)
# The site itself (dist/site) is built by scripts/build-site.sh; `make worker`
# runs that first.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist/worker
site=dist/site
npmdir=wasm/worker/npm
wrangler="$npmdir/node_modules/.bin/wrangler"

build() {
  # The version comes from go.mod (github.com/syumai/workers v0.32.0), the
  # same one the Worker's Go code is built with.
  go run github.com/syumai/workers/cmd/workers-assets-gen -mode=go -o "$out"
  GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o "$out/app.wasm" ./wasm/worker
  mkdir -p "$site"
  go run ./wasm/worker/headersfile "$site"
  local raw gz
  raw=$(wc -c <"$out/app.wasm")
  gz=$(gzip -9c "$out/app.wasm" | wc -c)
  echo "worker: $out/app.wasm $raw bytes, $gz gzipped (Cloudflare: 3 MB compressed on the free plan, 10 MB paid)"
}

# install_wrangler installs the pinned wrangler (package-lock.json) once.
install_wrangler() {
  if [ ! -x "$wrangler" ] || [ "$npmdir/package-lock.json" -nt "$npmdir/node_modules/.package-lock.json" ]; then
    npm ci --prefix "$npmdir" --no-audit --no-fund --loglevel=error
  fi
}

offline() {
  export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
}

case "${1:-build}" in
build)
  build
  ;;
install)
  install_wrangler
  ;;
size)
  build
  install_wrangler
  offline
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$wrangler" deploy -c wrangler.jsonc --dry-run --outdir "$tmp" 2>&1 | grep -E "Total Upload|gzip" || true
  ;;
dev)
  build
  install_wrangler
  offline
  exec "$wrangler" dev -c wrangler.jsonc --local --ip 127.0.0.1 --port "${PORT:-8787}"
  ;;
deploy)
  build
  install_wrangler
  exec "$wrangler" deploy -c wrangler.jsonc
  ;;
*)
  echo "usage: $0 [build|install|size|dev|deploy]" >&2
  exit 2
  ;;
esac
