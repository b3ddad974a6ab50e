// Package server is hsmsim's HTTP API: one http.Handler that serves
// /api/... in `hsmsim serve` on a laptop and in the Cloudflare Worker
// (wasm/worker), so both behave alike. It imports nothing of the Worker
// runtime, so it builds and tests natively and under GOOS=js GOARCH=wasm;
// the Worker brings its own Store (Workers KV).
//
// # Endpoints
//
// Every answer is JSON (Content-Type: application/json). An error is
// {"error": "a sentence saying what is wrong"} with a 4xx or 5xx status.
//
// POST /api/run runs a script on a fresh cluster. Body:
//
//	{"script": "key_mgmt_util\nloginHSM -u CU -s example_user -p password\n...",
//	 "seed": 42,            // optional: same script + seed => same answer, byte for byte
//	 "scenario": "default"} // optional: a name from engine/scenario.Names()
//
// Answer (200):
//
//	{"lines": [{"prompt": "$ ", "input": "key_mgmt_util", "output": "..."}, ...],
//	 "summary": {...shell.Summary: mode, keys, users, nodes, files...}}
//
// Each line is typed at the prompt shown before it; the answer to a hidden
// question (a password asked by -hpswd) comes back as "********". A line
// that ends the host shell (exit) ends the script. Limits: 413 for a body
// over 64 KiB or more than 200 lines; 422 for an RSA key over 2048 bits
// or more than 8 RSA keys (genRSAKeyPair, openssl genrsa/genpkey), checked
// before anything runs; 503 when the time budget runs out between lines,
// with "error", the "lines" that ran and the "summary"; 400 for bad JSON,
// an unknown field or an unknown scenario; 405 for another method. CORS is
// open (Access-Control-Allow-Origin: *, OPTIONS preflight answered), so
// any site may call it from a browser.
//
// POST /api/share stores a workspace. Body:
//
//	{"state": <the document shell.Session.Snapshot returns, as JSON or as a string>,
//	 "history": ["key_mgmt_util", "loginHSM -u CU -s alice -p password", ...]}
//
// Answer (201): {"id": "3xK9mQ2vLp7A"}, with Location: /api/share/{id}.
// The id is 12 base62 characters (71 random bits). Passwords in the
// history are replaced by "********" before storing (transcript.MaskLine). Limits:
// 413 for a body over 2 MiB or more than 10,000 history lines; 422 when
// the state is not a workspace engine/state can load; 400 for bad JSON.
// A server without a store answers 503. No CORS: only the site itself
// stores shares.
//
// GET /api/share/{id} answers the stored document (200):
//
//	{"format": "hsmsim-share", "version": 1, "state": {...}, "history": [...]}
//
// and {"error": ...} with 404 for an id that does not exist or is not of
// the id form.
//
// # For the page (the Share button)
//
//   - Share: POST /api/share with the current workspace's state and
//     history. On 201 build the link from the id (for example
//     /?share=ID, whatever the page chooses to read back). On a network
//     error, a 404 (a static host without the API), a 503 or any answer
//     that is not JSON, fall back to putting the session in the URL
//     fragment; mask its history with the same rules first (transcript.MaskLine is
//     exported so the browser's Go side can call it).
//   - Open: GET /api/share/{id}; on 200 ask before replacing the current
//     workspace, then load "state" into a new workspace (it is exactly what
//     Session.Snapshot wrote, so shell.Options{State: ...} or Reload takes
//     it) and show "history". On 404 say the link is unknown.
//   - The Content-Security-Policy the site is served with (SiteCSP) allows
//     scripts, styles, workers, fonts and fetches from the site's own origin
//     only, WebAssembly compilation ('wasm-unsafe-eval'), and images from
//     the site and data: URLs. There is no 'unsafe-inline': the only inline
//     <script> and <style> elements are those the build puts in the pages
//     (scripts/inline: the console's first prompt and what it waits for),
//     each allowed by its hash (Inline, SiteInline, read from the built
//     pages); no on...= handlers, no style="..." attributes in HTML nor set
//     through setAttribute or innerHTML (assigning element.style.prop from
//     a script is allowed), no eval, no Web Workers from blob: URLs. Pages other than the embed page
//     cannot be framed; embed.html (also /embed) can be framed by any site
//     (EmbedCSP). In the Worker, unknown paths get dist/site/404.html if
//     the site has one.
package server
