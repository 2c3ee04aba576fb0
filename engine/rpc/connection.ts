/**
 * One client of a transport: wire messages in, results, errors and engine events out. The
 * stdio and WebSocket transports differ only in how text moves; this is what they share.
 */
import type { RequestName, WireMessage } from '../../shared/api.js';
import { FerryError } from '../../shared/errors.js';
import { toApiError } from './api-error.js';
import type { Engine } from './dispatch.js';

export interface Connection {
  /** Handles one message as the client sent it (a JSON text). */
  receive(text: string): void;
  /** Resolves once every request received so far has been answered. */
  idle(): Promise<void>;
  /** Stops sending: events are no longer relayed and late results are dropped. */
  close(): void;
}

/**
 * `onMalformed` hears of a message that is not a request with an id: there is no one to answer,
 * so the transport decides (log it, or drop the client).
 */
export function connectClient(
  engine: Engine,
  send: (message: WireMessage) => void,
  onMalformed: (error: FerryError) => void,
): Connection {
  let open = true;
  const inFlight = new Set<Promise<void>>();
  const deliver = (message: WireMessage): void => {
    if (open) send(message);
  };
  const unsubscribe = engine.onEvent((event) => deliver({ kind: 'event', event }));
  return {
    receive(text) {
      const request = parseRequest(text);
      if (request instanceof FerryError) {
        onMalformed(request);
        return;
      }
      const answered = engine
        .handle(request.name, request.params)
        .then(
          (result) => deliver({ kind: 'result', id: request.id, result }),
          (error: unknown) => deliver({ kind: 'error', id: request.id, error: toApiError(error) }),
        )
        .finally(() => inFlight.delete(answered));
      inFlight.add(answered);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    close() {
      open = false;
      unsubscribe();
    },
  };
}

type Request = Extract<WireMessage, { kind: 'request' }>;

function parseRequest(text: string): Request | FerryError {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return malformed('is not JSON');
  }
  if (typeof message !== 'object' || message === null) return malformed('is not an object');
  const { kind, id, name, params } = message as Record<string, unknown>;
  if (kind !== 'request') return malformed(`has kind ${JSON.stringify(kind)}, not "request"`);
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return malformed('has no integer id');
  if (typeof name !== 'string') return malformed('has no request name');
  return { kind, id, name: name as RequestName, params };
}

function malformed(what: string): FerryError {
  return new FerryError('USAGE', `a message ${what}`, {
    where: 'engine wire protocol',
    hint: 'send NDJSON WireMessages as shared/api.ts defines them',
  });
}
