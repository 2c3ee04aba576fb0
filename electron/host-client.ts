/**
 * One engine host seen from the main process: NDJSON WireMessages out on one stream and in on
 * the other, answers matched to requests by id, events handed on as they come. It passes
 * results and errors through untouched; the only error it makes itself is for an answer the
 * host can no longer give because it went away.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { FerryEvent, RequestName, WireMessage } from '../shared/api.js';
import { FerryError } from '../shared/errors.js';

export type Reply = Extract<WireMessage, { kind: 'result' | 'error' }>;

export interface HostClientOptions {
  /** The host's output: its stdout, or the socket of an elevated host. */
  input: Readable;
  /** The host's input. */
  output: Writable;
  /** Runs as root / Administrator. */
  elevated: boolean;
  onEvent(event: FerryEvent): void;
  /** A line that is not a WireMessage (a stray log line from a library, say). */
  onNoise(line: string): void;
}

export class HostClient {
  readonly elevated: boolean;
  /** Settles when the host's output has ended: it exited or the connection closed. */
  readonly closed: Promise<void>;
  private open = true;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  constructor(private readonly options: HostClientOptions) {
    this.elevated = options.elevated;
    const lines = createInterface({ input: options.input, crlfDelay: Infinity });
    lines.on('line', (line) => this.receive(line));
    // A write after the host died fails with EPIPE; the input's close reports the death.
    options.output.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      const close = (): void => {
        this.drop();
        resolve();
      };
      lines.once('close', close);
      options.input.once('close', close);
      options.input.once('error', close);
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  request(name: RequestName, params: unknown): Promise<Reply> {
    const id = this.nextId++;
    if (!this.open) return Promise.resolve(lostReply(id));
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      const message: WireMessage = { kind: 'request', id, name, params };
      this.options.output.write(`${JSON.stringify(message)}\n`);
    });
  }

  /** Ends the host's input; the host finishes what it is doing and exits. */
  end(): void {
    this.options.output.end();
  }

  private receive(line: string): void {
    if (line.trim() === '') return;
    const message = parseMessage(line);
    if (message?.kind === 'result' || message?.kind === 'error') {
      const resolve = this.pending.get(message.id);
      if (!resolve) return this.options.onNoise(line);
      this.pending.delete(message.id);
      resolve(message);
    } else if (message?.kind === 'event') {
      this.options.onEvent(message.event);
    } else {
      this.options.onNoise(line);
    }
  }

  private drop(): void {
    if (!this.open) return;
    this.open = false;
    for (const [id, resolve] of this.pending) resolve(lostReply(id));
    this.pending.clear();
  }
}

/** Only the envelope is checked: what is inside belongs to the host and the renderer. */
function parseMessage(line: string): WireMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  switch (message.kind) {
    case 'result':
      return typeof message.id === 'number' ? (value as WireMessage) : null;
    case 'error':
      return typeof message.id === 'number' && isApiError(message.error)
        ? (value as WireMessage)
        : null;
    case 'event':
      return typeof message.event === 'object' && message.event !== null
        ? (value as WireMessage)
        : null;
    default:
      return null;
  }
}

function isApiError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const error = value as Record<string, unknown>;
  return typeof error.code === 'string' && typeof error.message === 'string';
}

function lostReply(id: number): Reply {
  const error = new FerryError('IO', 'the engine stopped before it answered', {
    where: 'engine host',
    hint: 'try again: Ferry starts the engine anew',
  });
  return { kind: 'error', id, error: { code: error.code, message: error.toLine() } };
}
