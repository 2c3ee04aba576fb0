/**
 * FerryApi over a WebSocket, for the browser console: `ferry console` serves this page and the
 * API on the same origin, and the first page load set the token cookie the handshake carries.
 * A lost connection rejects what was waiting on it and comes back by itself, with backoff.
 */
import type {
  ApiError,
  FerryApi,
  FerryEvent,
  RequestName,
  RequestParams,
  RequestResults,
  WireMessage,
} from '../../shared/api.js';

export interface SocketEvents {
  open: unknown;
  close: unknown;
  message: { data: unknown };
}

/** The part of a browser WebSocket the client uses, so tests can hand it a fake. */
export interface SocketLike {
  send(data: string): void;
  close(): void;
  addEventListener<K extends keyof SocketEvents>(
    type: K,
    listener: (event: SocketEvents[K]) => void,
  ): void;
}

export interface SocketFerryOptions {
  url: string;
  connect?: (url: string) => SocketLike;
  /** Milliseconds to wait before reconnection attempt `attempt` (0 for the first retry). */
  retryDelay?: (attempt: number) => number;
}

export interface SocketFerry extends FerryApi {
  /** Closes the connection for good; pending and later requests are rejected. */
  close(): void;
}

/** A failure reported by the engine, or the loss of the connection (code DISCONNECTED). */
export class FerryRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createSocketFerry(options: SocketFerryOptions): SocketFerry {
  return new SocketFerryClient(options);
}

const backoff = (attempt: number): number => Math.min(10_000, 250 * 2 ** attempt);

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

class SocketFerryClient implements SocketFerry {
  readonly shell = null;
  private socket: SocketLike | null = null;
  private isOpen = false;
  private everOpened = false;
  private closedForGood = false;
  private nextId = 1;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Requests made while connecting, sent once the socket opens. */
  private outbox: string[] = [];
  private readonly listeners = new Set<(event: FerryEvent) => void>();

  constructor(private readonly options: SocketFerryOptions) {
    this.connect();
  }

  request<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResults[N]> {
    if (this.closedForGood) {
      return Promise.reject(new FerryRequestError('DISCONNECTED', 'The Ferry client was closed.'));
    }
    const id = this.nextId++;
    const message: WireMessage = { kind: 'request', id, name, params };
    return new Promise<RequestResults[N]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const text = JSON.stringify(message);
      if (this.isOpen) {
        this.socket?.send(text);
        return;
      }
      this.outbox.push(text);
      // Someone is waiting: try now rather than at the end of the backoff.
      if (this.socket === null) this.connect();
    });
  }

  onEvent(listener: (event: FerryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closedForGood = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.socket?.close();
    this.failPending('The Ferry client was closed.');
  }

  private connect(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const connect: (url: string) => SocketLike =
      this.options.connect ?? ((url) => new WebSocket(url));
    const socket = connect(this.options.url);
    this.socket = socket;
    socket.addEventListener('open', () => this.opened(socket));
    socket.addEventListener('message', (event) => this.received(event.data));
    socket.addEventListener('close', () => this.lost(socket));
  }

  private opened(socket: SocketLike): void {
    this.isOpen = true;
    this.everOpened = true;
    this.attempt = 0;
    for (const text of this.outbox) socket.send(text);
    this.outbox = [];
  }

  private lost(socket: SocketLike): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.isOpen = false;
    if (this.closedForGood) return;
    this.failPending(
      this.everOpened
        ? `Lost the connection to the Ferry engine at ${this.options.url}; reconnecting. Is ferry console still running?`
        : `Cannot reach the Ferry engine at ${this.options.url}. Is ferry console running?`,
    );
    const delay = (this.options.retryDelay ?? backoff)(this.attempt++);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private failPending(message: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.outbox = [];
    for (const request of waiting) request.reject(new FerryRequestError('DISCONNECTED', message));
  }

  private received(data: unknown): void {
    const message = parseWireMessage(data);
    if (message === null) return;
    if (message.kind === 'event') {
      for (const listener of [...this.listeners]) listener(message.event);
      return;
    }
    if (message.kind === 'request') return;
    const request = this.pending.get(message.id);
    if (!request) return;
    this.pending.delete(message.id);
    if (message.kind === 'result') request.resolve(message.result);
    else request.reject(toError(message.error));
  }
}

function toError(error: ApiError): FerryRequestError {
  return new FerryRequestError(error.code, error.message);
}

/** The engine host is trusted, but a frame that is not a message is dropped, not thrown on. */
function parseWireMessage(data: unknown): WireMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('kind' in value)) return null;
  const kind = (value as { kind: unknown }).kind;
  if (kind === 'event') return 'event' in value ? (value as WireMessage) : null;
  if (kind !== 'result' && kind !== 'error') return null;
  if (!('id' in value) || typeof value.id !== 'number') return null;
  if (kind === 'error' && !isApiError((value as { error?: unknown }).error)) return null;
  return value as WireMessage;
}

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiError).code === 'string' &&
    typeof (value as ApiError).message === 'string'
  );
}
