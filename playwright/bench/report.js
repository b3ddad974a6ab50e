// report.js — turns make bench's raw results into the tables of
// BENCHMARKS.md: medians, the goals of the browser issue, and the machine.
//
// Usage: node bench/report.js DIR SITE [BENCHMARKS.md]
// DIR holds browser.json, native.json, go-bench.txt and go-bench-wasm.txt
// (scripts/bench.sh writes them); SITE is the built site (for the sizes).
// With a BENCHMARKS.md, the part between its results markers is replaced;
// without, the tables go to stdout.
const fs = require('fs');
const path = require('path');
const os = require('os');
const { execSync } = require('child_process');

const [dir, site, target] = process.argv.slice(2);
if (!dir || !site) {
  console.error('usage: node bench/report.js DIR SITE [BENCHMARKS.md]');
  process.exit(2);
}

const read = (f, d) => {
  try {
    return fs.readFileSync(path.join(dir, f), 'utf8');
  } catch {
    return d;
  }
};
const browser = JSON.parse(read('browser.json', '{}'));
const native = JSON.parse(read('native.json', '{}'));

function median(xs) {
  if (!xs || xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const ms = (x) => (Number.isNaN(x) ? 'n/a' : x >= 100 ? `${Math.round(x)} ms` : `${x.toFixed(1)} ms`);
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
const verdict = (value, goal) => (Number.isNaN(value) ? 'not measured' : value <= goal ? 'met' : `missed by ${Math.round((value / goal - 1) * 100)}%`);
const n = (xs) => (xs ? xs.length : 0);

function sh(cmd) {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const size = (f) => {
  try {
    return fs.statSync(path.join(site, f)).size;
  } catch {
    return NaN;
  }
};
const raw = size('engine.wasm');
const gz = size('engine.wasm.gz');
const br = size('engine.wasm.br');

const cpu = (os.cpus()[0] || {}).model || 'unknown CPU';
const machine = [
  `${cpu}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} when the report was written`,
  `${sh('uname -sr')}; ${sh('/usr/bin/chromium --version 2>/dev/null | tail -n1')} headless; ${sh('go version')}; Node ${process.version}`,
];

const rows = [];
const row = (what, value, goal, samples, note = '', unit = 'ms') => rows.push({ what, value, goal, samples, note, unit });
const ratio = (a, b) => a / b;
const x = (r) => (Number.isNaN(r) ? 'n/a' : `${r.toFixed(2)}×`);

// The floor (scripts/benchfloor, served in engine.wasm's place by the same
// page and worker) is the reference of the start-up figures.
const floorSize = (f) => {
  try {
    return fs.statSync(path.join(dir, 'floor-site', f)).size;
  } catch {
    return NaN;
  }
};
const cold = browser.cold || { engine: [], floor: [] };
const pick = (list, f) => (list || []).map((s) => s[f]).filter((v) => typeof v === 'number');
const ce = (f) => median(pick(cold.engine, f));
const cf = (f) => median(pick(cold.floor, f));
const nc = n(cold.engine);

row('engine.wasm, brotli', br, 1.5e6, 1, `raw ${mb(raw)}, gzip ${mb(gz)}; the floor build: ${mb(floorSize('engine.wasm.br'))} brotli, ${mb(floorSize('engine.wasm'))} raw`, 'MB');
row('cold: the prompt takes keys (navigation → hsmsim-keys)', ce('keys'), 250, nc, `floor ${ms(cf('keys'))} (same page; the engine's load competes for the machine)`);
row('cold: first answered command, engine / floor', ratio(ce('answer'), cf('answer')), 2, nc, `${ms(ce('answer'))} / ${ms(cf('answer'))}: a line sent as the page starts, answered after init`, '×');
row('cold: to the first ready prompt (hsmsim-ready), engine / floor', ratio(ce('ready'), cf('ready')), NaN, nc, `${ms(ce('ready'))} / ${ms(cf('ready'))}`, '×');
row('cold: the page\'s main thread busy until the first answer', ce('busy'), NaN, nc, `floor ${ms(cf('busy'))}; the engine's share ${ms(ce('busy') - cf('busy'))} (CDP TaskDuration)`);
const warm = median(browser.warmLoadMs);
const fwarm = median(browser.floorWarmLoadMs);
row('warm load (HTTP cache, saved workspace), engine / floor', ratio(warm, fwarm), NaN, n(browser.warmLoadMs), `${ms(warm)} / ${ms(fwarm)}`, '×');
const frt = median(browser.floorRoundTripMs);
row('round trip of getKeyInfo (a key example_user may read) from the page', median(browser.readRoundTripMs), 5, n(browser.readRoundTripMs), `floor ${ms(frt)}: the page → worker → Go → page messaging alone`);
row('genSymKey from the page, with its IndexedDB commit', median(browser.writeRoundTripMs), 15, n(browser.writeRoundTripMs), `engine ${ms(median(browser.writeEngineMs))}; floor round trip ${ms(frt)}`);
row('getKeyInfo with 3,300 keys', median(browser.readRoundTrip3300Ms), 5, n(browser.readRoundTrip3300Ms), `floor ${ms(frt)}`);
row('genSymKey + commit with 3,300 keys', median(browser.writeRoundTrip3300Ms), 15, n(browser.writeRoundTrip3300Ms), `floor ${ms(frt)}`);
row('deleteKey + commit with 3,300 keys', median(browser.deleteRoundTrip3300Ms), 15, n(browser.deleteRoundTrip3300Ms), `floor ${ms(frt)}`);
const r3300 = median(browser.reload3300Ms);
const rdef = median(browser.reloadDefaultMs);
row('reload to ready with 3,300 keys / with the default workspace', ratio(r3300, rdef), 1.5, n(browser.reload3300Ms), `${ms(r3300)} / ${ms(rdef)}`, '×');

const rsa = [];
for (const bits of [2048, 4096]) {
  const b = median(browser[`rsa${bits}EngineMs`]);
  const nat = median(native[`rsa${bits}Ms`]);
  rsa.push({ bits, b, nat, ratio: b / nat, nb: n(browser[`rsa${bits}EngineMs`]), nn: n(native[`rsa${bits}Ms`]) });
}
const rsaWeb = [];
for (const bits of [2048, 4096]) {
  const b = median(browser[`rsaUnseeded${bits}EngineMs`] || []);
  const nat = median(native[`rsa${bits}Ms`]);
  rsaWeb.push({ bits, b, nat, ratio: b / nat, nb: n(browser[`rsaUnseeded${bits}EngineMs`] || []), nn: n(native[`rsa${bits}Ms`]) });
}

const mem = (browser.memory3300 || []).at(-1) || {};

function steps(list) {
  if (!list || list.length === 0) return 'n/a';
  const names = ['worker', 'started', 'store', 'read', 'compiled', 'instantiated', 'engine', 'defaults', 'open'];
  return names
    .filter((k) => list.some((s) => k in s))
    .map((k) => `${k} ${Math.round(median(list.filter((s) => k in s).map((s) => s[k])))}`)
    .join(' · ');
}

// Go benchmarks: the median ns/op of each, natively and under node.
function goBench(text) {
  const by = new Map();
  for (const line of (text || '').split('\n')) {
    const m = /^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns\/op/.exec(line);
    if (!m) continue;
    if (!by.has(m[1])) by.set(m[1], []);
    by.get(m[1]).push(Number(m[2]) / 1e6);
  }
  return by;
}
const gn = goBench(read('go-bench.txt', ''));
const gw = goBench(read('go-bench-wasm.txt', ''));

// EC key generation natively (go-bench.txt): genECCKeyPair and key
// generate-asymmetric-pair ec, each the whole command, against the
// standard library's ecdsa.GenerateKey on the same curve in the same run
// (P-256 for secp256k1, which the standard library lacks).
const cliCurve = { 'P-224': 'secp224r1', 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1', secp256k1: 'secp256k1' };
const ecGen = [];
for (const [name, xs] of gn) {
  const m = /^BenchmarkGenECCKeyPair\/(.+)$/.exec(name);
  const ref = m && gn.get(`BenchmarkEcdsaGenerateKey/${m[1]}`);
  if (!ref) continue;
  ecGen.push({ tool: 'genECCKeyPair', curve: m[1], eng: median(xs), ref: median(ref), ne: xs.length, nr: ref.length });
  const cli = gn.get(`BenchmarkGenerateAsymmetricPairEC/${cliCurve[m[1]]}`);
  if (cli) ecGen.push({ tool: 'key generate-asymmetric-pair ec', curve: cliCurve[m[1]], eng: median(cli), ref: median(ref), ne: cli.length, nr: ref.length });
}
const usec = (x) => `${Math.round(x * 1000)} µs`;

let out = '';
out += `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on:\n\n`;
for (const m of machine) out += `- ${m}\n`;
out += '\nMedians; "n" is the number of samples.\n\n';
out += '| measure | median | goal | | n | notes |\n|---|---|---|---|---|---|\n';
for (const r of rows) {
  const fmt = r.unit === 'MB' ? mb : r.unit === '×' ? x : ms;
  const value = fmt(r.value);
  const goal = Number.isNaN(r.goal) ? '' : `≤ ${fmt(r.goal)}`;
  const v = Number.isNaN(r.goal) ? '' : verdict(r.value, r.goal);
  out += `| ${r.what} | ${value} | ${goal} | ${v} | ${r.samples} | ${r.note} |\n`;
}
for (const r of rsa) {
  out += `| RSA-${r.bits} generation, browser / native | ${ms(r.b)} / ${ms(r.nat)} = ${r.ratio.toFixed(1)}× | ≤ 3× | ${verdict(r.ratio, 3)} | ${r.nb} / ${r.nn} | same seed and lines: the same keys |\n`;
}
for (const r of rsaWeb) {
  out += `| RSA-${r.bits} generation without a seed, browser (WebCrypto) / native | ${ms(r.b)} / ${ms(r.nat)} = ${r.ratio.toFixed(1)}× | ≤ 3× | ${verdict(r.ratio, 3)} | ${r.nb} / ${r.nn} | unseeded sessions make RSA keys with crypto.subtle (e = 65537) |\n`;
}
for (const r of ecGen) {
  const ratio = r.eng / r.ref;
  const ref = r.curve === 'secp256k1' ? 'ecdsa.GenerateKey on P-256' : 'ecdsa.GenerateKey';
  const kmu = r.tool === 'genECCKeyPair';
  const note = `the whole command (go test -bench)${r.curve === 'secp256k1' ? '; the standard library has no secp256k1' : ''}${kmu ? '' : '; with its JSON reply of both keys (2.6 KB)'}`;
  out += `| ${r.tool} ${r.curve} natively / ${ref} | ${usec(r.eng)} / ${usec(r.ref)} = ${ratio.toFixed(1)}× | ${kmu ? '≤ 3×' : ''} | ${kmu ? verdict(ratio, 3) : ''} | ${r.ne} / ${r.nr} | ${note} |\n`;
}
out += `| worker memory after the 3,300-key reload | ${mb(mem.wasmBytes || NaN)} | | | 1 | WebAssembly memory; Go heap in use ${mb(mem.heapAlloc || NaN)}, from the OS ${mb(mem.sys || NaN)} |\n`;
// The cold start-up's timeline, engine and floor side by side.
const worker = (list, f) => median((list || []).map((s) => (s.worker || {})[f]).filter((v) => typeof v === 'number'));
const line = [
  ['the prompt takes keys (hsmsim-keys: boot.js, parsed with the page)', (l) => median(pick(l, 'keys'))],
  ['page script runs (hsmsim-script)', (l) => median(pick(l, 'script'))],
  ['the terminal has the prompt and what was typed (hsmsim-terminal)', (l) => median(pick(l, 'terminal'))],
  ['worker created', (l) => worker(l, 'worker')],
  ['worker script runs (its fetch and compile start)', (l) => worker(l, 'started')],
  ['IndexedDB open', (l) => worker(l, 'store')],
  ['engine.wasm compiled', (l) => worker(l, 'compiled')],
  ['instantiated', (l) => worker(l, 'instantiated')],
  ['Go started (hsmsimEngine installed)', (l) => worker(l, 'engine')],
  ['workspace read, or the default one written', (l) => worker(l, 'read')],
  ['workspace open in the engine', (l) => worker(l, 'open')],
  ['ready prompt (hsmsim-ready)', (l) => median(pick(l, 'ready'))],
  ['first answered command', (l) => median(pick(l, 'answer'))],
];
out += `\nThe cold start-up, step by step (median ms since the navigation started, when each step ended; ${nc} cold loads of each, interleaved):\n\n`;
out += '| step | engine | floor |\n|---|---|---|\n';
for (const [what, f] of line) out += `| ${what} | ${ms(f(cold.engine))} | ${ms(f(cold.floor))} |\n`;
out += '\nWhere the time of a load goes (median ms since the navigation started, when each step ended):\n\n';
out += `- cold: ${steps(browser.coldLoadSteps)}\n`;
out += `- warm: ${steps(browser.warmLoadSteps)}\n`;
out += `- 3,300 keys: ${steps(browser.reload3300Steps)}\n`;
out += '\n(worker: the worker created; started: its script runs; store: IndexedDB open; read: the workspace read, or the default one written; compiled: engine.wasm compiled; instantiated: and instantiated; engine: the Go program running; defaults: the default records at hand; open: the workspace open in the engine.)\n';
if (gn.size || gw.size) {
  out += '\nGo benchmarks (`go test -bench`), median ms/op, natively and as js/wasm under Node:\n\n| benchmark | native | js/wasm | ratio |\n|---|---|---|---|\n';
  for (const [name, xs] of gn) {
    const w = gw.get(name);
    const a = median(xs);
    const b = w ? median(w) : NaN;
    out += `| ${name} | ${a.toFixed(3)} | ${Number.isNaN(b) ? '' : b.toFixed(3)} | ${Number.isNaN(b) ? '' : `${(b / a).toFixed(1)}×`} |\n`;
  }
}

if (!target) {
  process.stdout.write(out);
} else {
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  let doc = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '# Benchmarks\n\n';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  const block = `${begin}\n${out}${end}`;
  doc = i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${block}\n`;
  fs.writeFileSync(target, doc);
  process.stdout.write(out);
}
