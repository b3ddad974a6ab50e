//go:debug cryptocustomrand=1

// Command browser is the hsmsim engine compiled for the browser
// (GOOS=js GOARCH=wasm). It runs inside a dedicated Web Worker (web/worker.js),
// never on the page's main thread, so generating an RSA-4096 key or loading
// 3,300 keys never freezes the page. This package is the only place where Go
// meets JavaScript, and it does so through github.com/hack-pad/safejs, which
// turns JavaScript exceptions into Go errors instead of panics.
//
// # The engine's JavaScript interface
//
// main installs globalThis.hsmsimEngine. Every function returns a Promise
// resolved from a goroutine: a js.FuncOf callback that blocked would
// deadlock the whole Go program, so none does. Go never yields to
// JavaScript in the middle of a computation, so the worker queues the
// page's messages and calls one function at a time. Records travel as
// two parallel arrays, {keys: string[], values: Uint8Array[]}; records
// going into Go may also come packed into one Uint8Array, {packed}, which
// the worker sends (one copy across the boundary for a whole workspace:
// packed.go, web/store.js packRecords); structured answers as JSON text.
//
//	defaults()              -> records of the default cluster
//	open(records, seed)     -> {prompt, mode}; seed "" means crypto/rand
//	exec(line)              -> {reply: JSON of shell.Reply + engineMs + masked, puts?, dels?}
//	interrupt()             -> same as exec (Ctrl-C: a pending question is dropped)
//	saved()                 -> the last puts/dels are committed
//	reload(records)         -> another tab's newer state; keeps this tab's login
//	complete(line)          -> JSON string[]
//	summary()               -> JSON shell.Summary (keys, users, nodes, files)
//	listFiles()             -> JSON [{name, size}]
//	readFile(name)          -> Uint8Array (of a folder: a zip archive of it)
//	writeFile(name, bytes)  -> {puts, dels}
//	removeFile(name)        -> {puts, dels}
//	exportBackup(name, history JSON) -> Uint8Array (a backup file)
//	importBackup(bytes)     -> {name, history JSON, records}
//	salvage(records)        -> Uint8Array backup of what can be read, and the records left out
//	memory()                -> JSON of the Go heap figures
//	exit(code)              -> ends the Go program (the worker restarts it)
//
// A rejected Promise carries an Error whose kind property says what went
// wrong: "damaged" (a record or file cannot be read), "too-new" (written by
// a newer hsmsim), "closed" (no workspace is open), "invalid" (bad
// arguments or input), "internal" (a bug: the engine exits afterwards so
// that the worker restarts it from the saved state).
//
// # The page's interface to the worker
//
// The page (web/app.js) never touches the engine or the storage; it posts
// {id, op, args} to the worker and gets {id, ok, result} or {id, ok: false,
// error: {message, kind}} back, plus unsolicited {event, ...} messages
// (notices, another tab's change, the engine restarting). The operations:
//
//	init {ns, seed, module}         start; the answer says workspace, prompt, history, notices
//	module {module}                 the engine the page compiled (no answer; init said module: "page")
//	exec {line}                     run a line: output, next prompt, question pending, changed
//	interrupt                       Ctrl-C
//	complete {line}                 completion candidates
//	summary                         keys, users, nodes, files
//	files.list / files.read {name} / files.write {name, data} / files.remove {name}
//	ws.list / ws.create {name} / ws.switch {id} / ws.rename {id, name}
//	ws.delete {id} / ws.reset {id}  reset puts back the default cluster
//	ws.export                       a backup file (state document and history)
//	ws.import {data}                a backup (or a bare state document) as a new workspace
//	memory                          the worker's memory (benchmarks)
//	engine.exit {code}              end the Go program, to exercise the restart path
//
// # Persistence
//
// The worker keeps workspaces in IndexedDB through a small JavaScript layer
// (web/store.js) rather than a Go IndexedDB binding, because an IndexedDB
// transaction commits as soon as it has no pending request when control
// returns to the event loop: awaiting anything but the transaction's own
// requests (a Go call, a lock) would commit it early. In JavaScript the
// transaction's lifetime is plain to see: the delta is computed by Go first,
// then one readwrite transaction puts and deletes its records and bumps the
// workspace's revision, and only when it completes does the reply go back to
// the page. A command therefore writes only the records it changed (see
// engine/state.Tracker), which keeps a commit small with 3,300 keys.
package main
