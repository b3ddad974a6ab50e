#!/usr/bin/env bash
# The browser half of make test: Go's js/wasm tests of the bridge under
# node, then the playground built and served by hsmsim serve and driven by
# Playwright in Debian's headless Chromium. Installs what is missing (the
# npm packages from playwright/package-lock.json; chromium through apt-get
# when running as root) and stops the server it started, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
SITE=${SITE:-dist/site}

echo "== js/wasm tests of the engine's bridge and of seeded determinism (node)"
command -v node >/dev/null || { echo "test-browser: node is needed (Node.js 20 or later)" >&2; exit 1; }
# engine/shell replays the seed walkthrough against the same golden
# transcript as natively: a seeded run is byte for byte the same in wasm.
GOOS=js GOARCH=wasm "$GO" test -count=1 -exec="$("$GO" env GOROOT)/lib/wasm/go_js_wasm_exec" ./wasm/browser/... ./engine/shell/ ./engine/internal/mech/

echo "== browser"
if [ ! -x /usr/bin/chromium ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
	else
		echo "test-browser: /usr/bin/chromium is missing: install Debian's chromium package (apt-get install chromium, as root)" >&2
		exit 1
	fi
fi
if [ ! -f playwright/node_modules/.package-lock.json ] || [ playwright/package-lock.json -nt playwright/node_modules/.package-lock.json ]; then
	(cd playwright && npm ci --no-audit --no-fund)
fi

bash scripts/build-site.sh "$SITE"
"$GO" build -o bin/hsmsim ./cmd/hsmsim

log=$(mktemp)
# Shares made by the tests go to a throw-away directory.
shares=$(mktemp -d)
bin/hsmsim serve --addr 127.0.0.1:0 --root "$SITE" --data "$shares" >"$log" 2>&1 &
server=$!
cleanup() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	rm -f "$log"
	rm -rf "$shares"
}
trap cleanup EXIT INT TERM

url=
for _ in $(seq 100); do
	url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$log" | head -n1 || true)
	[ -n "$url" ] && break
	kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "test-browser: hsmsim serve did not start" >&2; exit 1; }
	sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; echo "test-browser: hsmsim serve printed no URL" >&2; exit 1; }
echo "serving $SITE at $url"

cd playwright
BASE_URL=$url npx --no-install playwright test "$@"
