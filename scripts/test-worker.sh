#!/usr/bin/env bash
# The Worker end to end: the API handler's tests under GOOS=js GOARCH=wasm,
# then the Worker built as it is deployed, run by `wrangler dev` on a free
# local port (offline, KV in a throw-away local folder), driven with curl:
# /api/run (compared byte for byte with the same handler built natively),
# its limits, a share round trip, and the security headers. wrangler and
# everything this script starts are stopped however it ends.
#   SKIP_WASM_TEST=1  leave out the js/wasm run of the handler's Go tests
set -euo pipefail
cd "$(dirname "$0")/.."

wrangler=wasm/worker/npm/node_modules/.bin/wrangler
tmp=$(mktemp -d)
pids=()

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    # Each server runs in its own process group (setsid): stop the group,
    # which holds wrangler's workerd as well, and nothing else.
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ "${SKIP_WASM_TEST:-}" != 1 ]; then
  echo "== server tests under js/wasm"
  GOOS=js GOARCH=wasm go test -count=1 -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./server/
fi

echo "== build"
bash scripts/build-worker.sh size
go build -o "$tmp/hsmsim" ./cmd/hsmsim
go build -o "$tmp/worker-native" ./wasm/worker

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
port=$(free_port)
inspector=$(free_port)
native=$(free_port)
while [ "$inspector" = "$port" ]; do inspector=$(free_port); done
while [ "$native" = "$port" ] || [ "$native" = "$inspector" ]; do native=$(free_port); done

echo "== wrangler dev on 127.0.0.1:$port"
CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false \
  setsid "$wrangler" dev -c wrangler.jsonc --local --ip 127.0.0.1 --port "$port" \
  --inspector-port "$inspector" --persist-to "$tmp/state" --show-interactive-dev-session=false \
  </dev/null >"$tmp/wrangler.log" 2>&1 &
pids+=($!)
PORT=$native setsid "$tmp/worker-native" </dev/null >"$tmp/native.log" 2>&1 &
pids+=($!)

wait_up() { # URL LOG
  local i
  for i in $(seq 1 120); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$1/api/run" || true)" = 204 ]; then
      return 0
    fi
    sleep 0.5
  done
  echo "server at $1 did not start:"
  cat "$2"
  exit 1
}
base=http://127.0.0.1:$port
wait_up "$base" "$tmp/wrangler.log"
wait_up "http://127.0.0.1:$native" "$tmp/native.log"

pass=0
fail=0
check() { # NAME COMMAND...
  local name=$1
  shift
  if "$@"; then
    echo "ok   $name"
    pass=$((pass + 1))
  else
    echo "FAIL $name"
    fail=$((fail + 1))
  fi
}

# req NAME METHOD URL [BODY-FILE]: the answer goes to $tmp/NAME.body and
# $tmp/NAME.head; the status is printed.
req() {
  local args=(-sS -X "$2" -o "$tmp/$1.body" -D "$tmp/$1.head" -w '%{http_code}')
  if [ $# -ge 4 ]; then
    args+=(--data-binary "@$4" -H 'Content-Type: application/json')
  fi
  curl "${args[@]}" "$3" || echo 000
}

# js NAME EXPR: EXPR holds for j, the JSON answer NAME (s is its status).
js() {
  node -e '
    const fs = require("fs");
    const j = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const ok = (new Function("j", "return (" + process.argv[2] + ");"))(j);
    if (!ok) { console.error("  not true: " + process.argv[2] + "\n  answer: " + JSON.stringify(j).slice(0, 600)); process.exit(1); }
  ' "$tmp/$1.body" "$2"
}

# header NAME REGEX: a header line of answer NAME matches (case-insensitive).
header() { grep -qiE "$2" "$tmp/$1.head"; }
no_header() { ! grep -qiE "$2" "$tmp/$1.head"; }
is() { [ "$1" = "$2" ] || { echo "  got $1, want $2"; return 1; }; }

echo "== /api/run"
cat >"$tmp/run.json" <<'EOF'
{"seed": 9, "script": "key_mgmt_util\nloginHSM -u CU -s example_user -hpswd\npassword\ngenSymKey -t 31 -s 32 -l e2e\ngenRSAKeyPair -m 2048 -e 65537 -l e2e-rsa\nexit\nopenssl rand -hex 8\n"}
EOF
check "run answers 200" is "$(req run POST "$base/api/run" "$tmp/run.json")" 200
check "run has every line" js run 'j.lines.length === 7 && j.lines[0].prompt === "$ " && j.lines[0].input === "key_mgmt_util"'
check "run masks the hidden password" js run 'j.lines[2].input === "********" && j.lines[2].output.includes("HSM Return: SUCCESS")'
check "run made the keys" js run 'j.summary.keys.some(k => k.label === "e2e") && j.summary.keys.some(k => k.label === "e2e-rsa" && k.class === "private")'
check "run is JSON with CORS" header run '^content-type: application/json'
check "run allows any origin" header run '^access-control-allow-origin: \*'
check "run again answers the same bytes" is "$(req run2 POST "$base/api/run" "$tmp/run.json")" 200
check "same seed, same JSON" cmp -s "$tmp/run.body" "$tmp/run2.body"
check "native handler answers 200" is "$(req native POST "http://127.0.0.1:$native/api/run" "$tmp/run.json")" 200
check "Worker and native answer the same bytes" cmp -s "$tmp/run.body" "$tmp/native.body"

echo '{"script": "key_mgmt_util\ngenRSAKeyPair -m 4096 -e 65537 -l big\n"}' >"$tmp/big.json"
check "RSA over 2048 bits is refused (422)" is "$(req big POST "$base/api/run" "$tmp/big.json")" 422
check "the refusal says why" js big 'j.error.includes("at most 2048 bits")'
echo '{"script": ' >"$tmp/bad.json"
check "bad JSON is refused (400)" is "$(req bad POST "$base/api/run" "$tmp/bad.json")" 400
check "bad JSON gets a JSON error" js bad 'typeof j.error === "string" && j.error.length > 0'
echo '{"script": "ls", "scenario": "nope"}' >"$tmp/scen.json"
check "unknown scenario is refused (400)" is "$(req scen POST "$base/api/run" "$tmp/scen.json")" 400
check "GET /api/run is 405" is "$(req get GET "$base/api/run")" 405
check "preflight is 204" is "$(req pre OPTIONS "$base/api/run")" 204
check "preflight allows POST" header pre '^access-control-allow-methods: .*POST'

echo "== /api/run output limits"
node -e 'process.stdout.write(JSON.stringify({seed: 1, script: "openssl rand -hex -out h 1048576\ncat" + " h".repeat(50) + "\n"}))' >"$tmp/huge.json"
check "a line printing over 1 MiB is refused (413)" is "$(req huge POST "$base/api/run" "$tmp/huge.json")" 413
check "the 413 names the line" js huge 'j.error.includes("line 2 (cat h h") && j.error.includes("1048576 bytes a line may print") && j.lines.length === 1'
check "the 413 is small" is "$(( $(wc -c <"$tmp/huge.body") < 65536 ))" 1
node -e 'process.stdout.write(JSON.stringify({seed: 1, script: "openssl rand -hex -out h 300000\n" + "cat h\n".repeat(10)}))' >"$tmp/long.json"
check "an answer over 2 MiB is refused (413)" is "$(req long POST "$base/api/run" "$tmp/long.json")" 413
check "the 413 says the answer is too large" js long 'j.error.includes("more than the 2097152 bytes allowed") && j.lines.length === 4'
check "the native handler refuses the same (413)" is "$(req longnative POST "http://127.0.0.1:$native/api/run" "$tmp/long.json")" 413

echo "== /api/share takes only JSON"
check "a text/plain share is refused (415)" is "$(curl -sS -o "$tmp/plain.body" -w '%{http_code}' -X POST -H 'Content-Type: text/plain' --data-binary '{"state":{}}' "$base/api/share" || echo 000)" 415
check "a form share is refused (415)" is "$(curl -sS -o "$tmp/form.body" -w '%{http_code}' -X POST --data 'state=x' "$base/api/share" || echo 000)" 415
check "the 415 says what to send" js plain 'j.error.includes("Content-Type: application/json")'

echo "== share round trip"
printf 'key_mgmt_util\nloginHSM -u CU -s example_user -p password\ngenSymKey -t 31 -s 16 -l shared-e2e\nexit\n' |
  "$tmp/hsmsim" --state "$tmp/ws.json" --seed 3 >/dev/null
node -e '
  const fs = require("fs");
  const st = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  fs.writeFileSync(process.argv[2], JSON.stringify({state: st, history: ["key_mgmt_util", "loginHSM -u CU -s example_user -p password", "genSymKey -t 31 -s 16 -l shared-e2e"]}));
' "$tmp/ws.json" "$tmp/share.json"
check "share answers 201" is "$(req share POST "$base/api/share" "$tmp/share.json")" 201
check "share id is 12 base62 characters" js share '/^[0-9A-Za-z]{12}$/.test(j.id)'
check "share is not open to other sites" no_header share '^access-control-allow-origin'
id=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).id || "none")' "$tmp/share.body")
check "GET share answers 200" is "$(req got GET "$base/api/share/$id")" 200
check "the state comes back unchanged" node -e '
  const fs = require("fs"), assert = require("assert");
  const sent = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const got = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  assert.deepStrictEqual(got.state, sent);
' "$tmp/ws.json" "$tmp/got.body"
check "the history comes back masked" js got 'j.history[1] === "loginHSM -u CU -s example_user -p ********" && j.history.length === 3'
check "an unknown id is 404" is "$(req missing GET "$base/api/share/AAAAAAAAAAAA")" 404
check "a 404 is a JSON error" js missing 'j.error.includes("no share")'
echo '{"state": {"format": "other"}}' >"$tmp/badstate.json"
check "a state that is no workspace is refused (422)" is "$(req badstate POST "$base/api/share" "$tmp/badstate.json")" 422

echo "== security headers"
for n in run got missing bad; do
  check "nosniff on $n" header "$n" '^x-content-type-options: nosniff'
  check "frames denied on $n" header "$n" '^x-frame-options: DENY'
  check "CSP on $n" header "$n" "^content-security-policy: .*frame-ancestors 'none'"
done
if [ -f dist/site/index.html ]; then
  check "page answers 200" is "$(req page GET "$base/")" 200
  check "page has the site CSP" header page "^content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'.*frame-ancestors 'none'"
  check "page may not be framed" header page '^x-frame-options: DENY'
  check "page has nosniff" header page '^x-content-type-options: nosniff'
fi
if [ -f dist/site/embed.html ]; then
  check "embed page answers 200" is "$(req embed GET "$base/embed")" 200
  check "embed page may be framed anywhere" header embed "^content-security-policy: .*frame-ancestors \*"
  check "embed page has one CSP" is "$(grep -ci '^content-security-policy' "$tmp/embed.head")" 1
  check "embed page has no X-Frame-Options" no_header embed '^x-frame-options'
fi

if [ "$fail" -gt 0 ]; then
  echo "--- wrangler log"
  tail -50 "$tmp/wrangler.log"
fi
echo "worker: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
