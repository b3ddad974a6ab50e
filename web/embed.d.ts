// Types of embed.js, the <hsm-console> element (docs/embedding.md).
// Served beside it, with the same CORS headers, so a docs site written in
// TypeScript can declare the module it imports from the hsmsim site:
//
//   declare module 'https://HSMSIM-SITE/embed.js' { export * from './hsmsim-embed'; }
//
// with this file saved as hsmsim-embed.d.ts.

/** What run() resolves with. */
export interface HsmRunResult {
  /** what the command printed */
  output: string;
  /** the prompt after it: "$ ", "Command: " or "aws-cloudhsm>" */
  prompt: string;
  /** "host", "key_mgmt_util" or "cloudhsm_mgmt_util" */
  mode: string;
}

/** One line of transcript(). */
export interface HsmStep {
  prompt: string;
  /** "********" for a hidden answer */
  input: string;
  output: string;
}

/** detail of 'hsm-ready': the console's lines have run. */
export interface HsmReadyDetail {
  hsmsim: 1;
  event: 'ready';
  /** the element's id */
  embed: string;
  /** the prompt the console shows once its lines ran */
  prompt: string;
  /** the tool running then ("host" at the $ prompt) */
  mode: string;
  scenario: string;
  replay: boolean;
}

/** detail of 'hsm-reply', sent after every command. */
export interface HsmReplyDetail {
  hsmsim: 1;
  event: 'reply';
  embed: string;
  /** the line run ("********" for a hidden answer) */
  line?: string;
  output: string;
  prompt: string;
}

/** detail of 'hsm-error': the console did not start. */
export interface HsmErrorDetail {
  hsmsim: 1;
  event: 'error';
  embed: string;
  message: string;
}

export interface HsmConsoleEventMap extends HTMLElementEventMap {
  'hsm-ready': CustomEvent<HsmReadyDetail>;
  'hsm-reply': CustomEvent<HsmReplyDetail>;
  'hsm-error': CustomEvent<HsmErrorDetail>;
}

export declare class HsmConsole extends HTMLElement {
  /** settled when the lines have run; rejected when the console cannot start */
  readonly ready: Promise<HsmReadyDetail>;
  run(line: string): Promise<HsmRunResult>;
  transcript(): Promise<HsmStep[]>;
  markdown(): Promise<string>;
  script(): Promise<string>;
  addEventListener<K extends keyof HsmConsoleEventMap>(
    type: K, listener: (this: HsmConsole, ev: HsmConsoleEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
}

/** Defines the element under name (default "hsm-console", defined on load). */
export declare function defineHsmConsole(name?: string): typeof HsmConsole;

declare global {
  interface HTMLElementTagNameMap {
    'hsm-console': HsmConsole;
  }
}
