// client.js — the page's side of the worker's message API (see worker.js):
// request(op, args) posts {id, op, args} and resolves with the result or
// rejects with an Error carrying the worker's kind; events go to listeners.

export class EngineClient {
  constructor(url) {
    this.worker = new Worker(url, { type: 'module' });
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.worker.onmessage = (ev) => this.receive(ev.data);
    this.worker.onerror = (ev) => {
      const text = `The engine's worker failed to start: ${ev.message || 'unknown error'}. Reload the page; if it persists, this browser may lack module workers or WebAssembly.`;
      for (const [, p] of this.pending) p.reject(Object.assign(new Error(text), { kind: 'worker' }));
      this.pending.clear();
      this.emit({ event: 'notice', level: 'error', text });
    };
  }

  request(op, args = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args }, transfer);
    });
  }

  // send posts a message that gets no answer.
  send(op, args = {}) {
    this.worker.postMessage({ op, args });
  }

  on(fn) {
    this.listeners.add(fn);
  }

  emit(ev) {
    for (const fn of this.listeners) fn(ev);
  }

  receive(msg) {
    if (!msg) return;
    if (msg.event) {
      this.emit(msg);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(Object.assign(new Error(msg.error.message), { kind: msg.error.kind }));
  }
}
