/**
 * The engine behind shared/api.ts: every request validated against its schema, then served.
 * Transports (stdio, WebSocket) and the CLI all go through `handle`.
 */
import { homedir } from 'node:os';
import type { z } from 'zod';
import {
  RequestSchemas,
  type FerryEvent,
  type RequestName,
  type RequestResults,
} from '../../shared/api.js';
import type { Disk } from '../../shared/disks.js';
import { FerryError } from '../../shared/errors.js';
import { listDisks } from '../disks/list-disks.js';
import { inspectSource } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import { summarizePlan } from '../jobs/plan-summary.js';
import { browseFolder } from './browse.js';
import { JobManager, type JobManagerOptions } from './jobs.js';

export interface Engine {
  /**
   * Serves one request. `params` is untrusted and checked here; a failure rejects with a
   * FerryError (USAGE for a request that does not fit its schema).
   */
  handle<N extends RequestName>(name: N, params: unknown): Promise<RequestResults[N]>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: FerryEvent) => void): () => void;
  /** Cancels the jobs still running and waits for them to stop. */
  close(): Promise<void>;
}

export interface EngineOptions {
  listDisks?: () => Promise<Disk[]>;
  jobs?: JobManagerOptions;
  /** Where `browse` starts; the user's home folder by default. */
  home?: string;
}

type Params<N extends RequestName> = z.output<(typeof RequestSchemas)[N]>;
type Handlers = { [N in RequestName]: (params: Params<N>) => Promise<RequestResults[N]> };

export function createEngine(options: EngineOptions = {}): Engine {
  const listeners = new Set<(event: FerryEvent) => void>();
  const emit = (event: FerryEvent): void => {
    for (const listener of listeners) listener(event);
  };
  const jobs = new JobManager(emit, options.jobs);
  const home = options.home ?? homedir();

  const handlers: Handlers = {
    listDisks: () => (options.listDisks ?? listDisks)(),
    inspect: async ({ source }) => {
      const opened = await openSource(source);
      try {
        return await inspectSource(opened);
      } finally {
        await opened.close();
      }
    },
    plan: ({ spec }) => summarizePlan(spec),
    startJob: async ({ spec }) => jobs.start(spec),
    cancelJob: async ({ id }) => jobs.cancel(id),
    listJobs: async () => jobs.list(),
    jobLog: async ({ id }) => jobs.log(id),
    browse: ({ path }) => browseFolder(path ?? home),
  };

  return {
    async handle<N extends RequestName>(name: N, params: unknown): Promise<RequestResults[N]> {
      // The name comes off the wire: "toString" or "__proto__" must not reach an inherited member.
      if (!Object.hasOwn(RequestSchemas, name)) {
        throw new FerryError('USAGE', `unknown request "${String(name)}"`, {
          where: 'engine',
          hint: `requests are ${Object.keys(RequestSchemas).join(', ')}`,
        });
      }
      const handler = handlers[name] as (params: Params<N>) => Promise<RequestResults[N]>;
      return handler(validate(name, params));
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: () => jobs.close(),
  };
}

function validate<N extends RequestName>(name: N, params: unknown): Params<N> {
  const result = RequestSchemas[name].safeParse(params ?? {});
  if (result.success) return result.data as Params<N>;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  const message = (issue?.message ?? 'invalid parameters').split('\n')[0];
  throw new FerryError('USAGE', `${field}${message}`, {
    where: `request ${name}`,
    hint: 'the caller sent parameters that do not match shared/api.ts; this is a bug in the caller',
  });
}
