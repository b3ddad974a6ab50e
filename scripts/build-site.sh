#!/usr/bin/env bash
# Builds the playground as static files in DIR (default dist/site): the page
# from web/, the terminal (xterm.js from npm, pinned in web/package-lock.json
# and installed with npm ci) in vendor/, wasm_exec.js from the Go toolchain,
# engine.wasm (the engine for GOOS=js GOARCH=wasm, stripped), and
# precompressed .br and .gz copies that hsmsim serve hands to browsers that
# accept them, and defaults.json (the default workspace in record form).
#
# Usage: bash scripts/build-site.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-dist/site}
GO=${GO:-go}

# The page's npm packages, installed when missing or when the lock changed.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
	command -v npm >/dev/null || { echo "build-site: npm is needed to install xterm.js (Node.js 20 or later)" >&2; exit 1; }
	(cd web && npm ci --no-audit --no-fund)
fi

mkdir -p "$dest"
# Start from an empty folder but keep the engine and its compressed copies:
# when the new build is byte for byte the same they stay, and brotli's
# slow best quality is not paid again.
find "$dest" -mindepth 1 -maxdepth 1 ! -name engine.wasm ! -name engine.wasm.br ! -name engine.wasm.gz -exec rm -rf {} +
for f in web/* web/.[!.]*; do
	[ -e "$f" ] || continue
	case "$(basename "$f")" in
	node_modules | package.json | package-lock.json) ;;
	*) cp -R "$f" "$dest/" ;;
	esac
done
# xterm.js as plain ES modules served from the site itself (no CDN), named
# .js so they get the compressed copies; their source-map comments are
# dropped (the maps are not shipped).
xterm=web/node_modules/@xterm
mkdir -p "$dest/vendor"
# The DOM renderer gives a cell a 24-bit colour (a selection, a contrast
# fix) with setAttribute("style", ...), which the site's CSP (style-src
# 'self', no 'unsafe-inline') refuses, once per cell. The same declarations
# set through the CSSOM (style.cssText) are not inline markup and pass: the
# one helper that does it is rewritten here, and the build stops if a new
# xterm.js no longer has it, rather than ship a terminal that logs CSP errors.
addstyle='_addStyle(t,e){t.setAttribute("style",`${t.getAttribute("style")||""}${e};`)}'
grep -qF "$addstyle" "$xterm/xterm/lib/xterm.mjs" || { echo "build-site: xterm.js's DOM renderer no longer has the _addStyle this build rewrites (see the comment)" >&2; exit 1; }
sed -e '/^\/\/# sourceMappingURL=/d' -e 's/_addStyle(t,e){t\.setAttribute("style",`${t\.getAttribute("style")||""}${e};`)}/_addStyle(t,e){t.style.cssText+=`${e};`}/' \
	"$xterm/xterm/lib/xterm.mjs" >"$dest/vendor/xterm.js"
if grep -q 'setAttribute("style"' "$dest/vendor/xterm.js"; then echo "build-site: vendor/xterm.js still sets style attributes" >&2; exit 1; fi
sed '/^\/\/# sourceMappingURL=/d' "$xterm/addon-fit/lib/addon-fit.mjs" >"$dest/vendor/addon-fit.js"
cp "$xterm/xterm/css/xterm.css" "$dest/vendor/xterm.css"
cp "$xterm/xterm/LICENSE" "$dest/vendor/xterm-LICENSE.txt"
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

# The scripts that draw the console's first prompt, and the stylesheets
# they would wait for, go inline in the pages (data-inline), so that the
# prompt takes keys without waiting for more files; the site's policy
# allows them by hash (server.SiteInline).
"$GO" run ./scripts/inline "$dest" index.html embed.html

# The service worker's list of the site's files and the build's version (a
# hash of all of them): a change to any file is a new sw.js, so browsers
# that keep the site offline fetch the whole new build (web/sw.js).
files=$(cd "$dest" && find . -type f ! -name '*.br' ! -name '*.gz' ! -name '_headers' ! -name 'sw.js' ! -name '.*' | sed 's|^\./||' | LC_ALL=C sort)
version=$(cd "$dest" && printf '%s\n' $files | xargs sha256sum | sha256sum | cut -c1-16)
list=$(printf '%s\n' $files | sed 's/.*/"&"/' | paste -sd, -)
grep -q "^const VERSION = 'dev';$" "$dest/sw.js" && grep -q '^const FILES = \[\];$' "$dest/sw.js" || { echo "build-site: sw.js has no VERSION and FILES lines to fill" >&2; exit 1; }
sed -i -e "s/^const VERSION = 'dev';$/const VERSION = '$version';/" -e "s|^const FILES = \[\];$|const FILES = [$list];|" "$dest/sw.js"

"$GO" run ./scripts/compress "$dest"
echo "site built in $dest"
