// paste.js — lines copied from documentation, read the way a learner
// means them. The AWS pages print sessions with their prompts and output
// ("Command: genSymKey …" then the tool's answer); a learner who pastes such
// a block, or types the "Command: " they see, means the commands only.

// PROMPTS are the prompts the AWS pages print before a typed line: the host
// shell's "$ ", key_mgmt_util's "Command: ", cloudhsm_mgmt_util's
// "aws-cloudhsm>" (also printed "aws-cloudhsm >"), and the question a
// CRITICAL operation asks.
const PROMPT = /^\s*(?:Command:(?=\s|$)|aws-cloudhsm ?>|\$(?=\s|$)|Do you want to continue\(y\/n\)\?)\s*/;

// TOOL_PROMPT is what a typed line may start with and still be meant as a
// command: the prompts alone, not the question (whose answer is typed
// after it only in a transcript).
const TOOL_PROMPT = /^\s*(?:Command:(?=\s|$)|aws-cloudhsm ?>|\$(?=\s))\s*/;

// transcriptCommands reads pasted text: when at least one of its lines
// starts with a prompt it is a transcript, and the result is the text after
// each prompt, in order (output lines and empty prompts dropped); otherwise
// it is null (a plain list of commands, run as pasted).
export function transcriptCommands(text) {
  const lines = String(text).split(/\r\n|\r|\n/);
  const out = [];
  let prompted = false;
  for (const l of lines) {
    const m = PROMPT.exec(l);
    if (!m) continue;
    prompted = true;
    const cmd = l.slice(m[0].length).trimEnd();
    if (cmd !== '') out.push(cmd);
  }
  return prompted ? out : null;
}

// dropPrompt takes the prompt off a typed line: a tool's prompt (as the
// docs print it) or the console's current one, when the line starts with it
// and goes on with something.
export function dropPrompt(line, current = '') {
  const m = TOOL_PROMPT.exec(line);
  if (m && m[0].length < line.length) return line.slice(m[0].length);
  const p = String(current).trim();
  const t = line.trimStart();
  if (p && t.startsWith(p) && t.length > p.length) return t.slice(p.length).trimStart();
  return line;
}
