// mask.js — hides the passwords a command line holds, with the rules of
// engine/transcript.MaskLine (the Go side masks shared history the same
// way): the console's history and a share link carried in the URL never
// show a password typed on a command line. A port rather than a call into
// the engine because it runs on the page, synchronously, for every line
// typed, and must work before the engine has loaded.

export const MASK = '********';

// KMU_COMMANDS are key_mgmt_util's commands (engine/kmu's command table):
// inside a "singlecmd" line the -p of loginHSM stops at the next command.
const KMU_COMMANDS = new Set([
  'Error2String', 'IsValidKeyHandlefile', 'aesWrapUnwrap', 'deleteKey', 'exSymKey', 'exit',
  'exportPrivateKey', 'exportPubKey', 'extractMaskedObject', 'findKey', 'findSingleKey',
  'genDSAKeyPair', 'genECCKeyPair', 'genPBEKey', 'genRSAKeyPair', 'genSymKey', 'getAttribute',
  'getCaviumPrivKey', 'getCert', 'getKeyInfo', 'help', 'imSymKey', 'importPrivateKey',
  'importPubKey', 'insertMaskedObject', 'listAttributes', 'listUsers', 'loginHSM', 'logoutHSM',
  'setAttribute', 'sign', 'unWrapKey', 'verify', 'wrapKey',
]);

// splitSpans breaks a line into words as engine/cmdline does (blanks
// separate, quotes group, backslash escapes), keeping where each word
// sits; an unterminated quote ends the last word instead of failing.
function splitSpans(line) {
  const out = [];
  let cur = '';
  let start = 0;
  let inWord = false;
  let escaped = false;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const r = line[i];
    if (escaped) {
      cur += r;
      escaped = false;
    } else if (r === '\\' && quote !== "'") {
      if (!inWord) { start = i; inWord = true; }
      escaped = true;
    } else if (quote) {
      if (r === quote) quote = ''; else cur += r;
    } else if (r === "'" || r === '"') {
      if (!inWord) { start = i; inWord = true; }
      quote = r;
    } else if (r === ' ' || r === '\t' || r === '\r' || r === '\n') {
      if (inWord) {
        out.push({ start, end: i, word: cur });
        cur = '';
        inWord = false;
      }
    } else {
      if (!inWord) { start = i; inWord = true; }
      cur += r;
    }
  }
  if (inWord) out.push({ start, end: line.length, word: cur });
  return out;
}

function positional(sp, i, hide) {
  if (i < sp.length && sp[i].word !== '-hpswd' && sp[i].word !== '-2fa') hide.set(i, MASK);
}

// maskLine returns line with every password replaced by ********.
export function maskLine(line) {
  line = String(line ?? '');
  const sp = splitSpans(line);
  const hide = new Map();
  let openssl = false;
  sp.forEach((s, i) => {
    switch (s.word) {
      case 'openssl':
        openssl = true;
        break;
      case 'loginHSM':
        if (i + 1 < sp.length && !sp[i + 1].word.startsWith('-')) {
          positional(sp, i + 3, hide);
          return;
        }
        for (let j = i + 1; j < sp.length; j++) {
          if (j > i + 1 && KMU_COMMANDS.has(sp[j].word)) break;
          if (sp[j].word === '-p' && j + 1 < sp.length) hide.set(j + 1, MASK);
        }
        break;
      case 'createUser':
      case 'changePswd':
        positional(sp, i + 3, hide);
        break;
      case '--password':
      case '-password':
        if (i + 1 < sp.length) hide.set(i + 1, MASK);
        break;
      case '-k':
        if (openssl && i + 1 < sp.length) hide.set(i + 1, MASK);
        break;
      default:
    }
    if (s.word.startsWith('pass:')) hide.set(i, `pass:${MASK}`);
  });
  if (hide.size === 0) return line;
  let out = '';
  let last = 0;
  sp.forEach((s, i) => {
    if (hide.has(i)) {
      out += line.slice(last, s.start) + hide.get(i);
      last = s.end;
    }
  });
  return out + line.slice(last);
}

export function maskHistory(lines) {
  return (lines || []).map(maskLine);
}
