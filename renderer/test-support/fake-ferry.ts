/** A FerryApi whose answers the test decides, recording every request and pushing events on demand. */
import {
  JobSpecSchema,
  type FerryApi,
  type FolderListing,
  type FerryEvent,
  type RequestName,
  type RequestParams,
  type RequestResults,
  type ShellApi,
} from '../../shared/api.js';
import { DISKS, HOME_LISTING, IMAGES_LISTING, REPORTS, SPEC, jobFor, planFor } from './fixtures.js';

export type Handlers = {
  [N in RequestName]?: (params: RequestParams<N>) => RequestResults[N] | Promise<RequestResults[N]>;
};

export interface Call {
  name: RequestName;
  params: unknown;
}

export class FakeFerry implements FerryApi {
  readonly calls: Call[] = [];
  private readonly listeners = new Set<(event: FerryEvent) => void>();
  private readonly handlers: Handlers;

  constructor(
    handlers: Handlers = {},
    readonly shell: ShellApi | null = null,
  ) {
    this.handlers = { ...standardHandlers(), ...handlers };
  }

  async request<N extends RequestName>(
    name: N,
    params: RequestParams<N>,
  ): Promise<RequestResults[N]> {
    this.calls.push({ name, params });
    const handler = this.handlers[name] as
      ((params: RequestParams<N>) => RequestResults[N] | Promise<RequestResults[N]>) | undefined;
    if (!handler) throw new Error(`the fake engine has no answer to ${name}`);
    return handler(params);
  }

  onEvent(listener: (event: FerryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: FerryEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  callsTo(name: RequestName): unknown[] {
    return this.calls.filter((call) => call.name === name).map((call) => call.params);
  }
}

const LISTINGS: Record<string, FolderListing> = {
  '/home/ada': HOME_LISTING,
  '/home/ada/images': IMAGES_LISTING,
  '/home/ada/VMs': {
    path: '/home/ada/VMs',
    parent: '/home/ada',
    freeBytes: 8 * 2 ** 20,
    entries: [],
  },
};

function standardHandlers(): Handlers {
  return {
    listDisks: () => DISKS,
    inspect: ({ source }) => {
      const report = REPORTS[source];
      if (!report) throw new Error(`${source}: no such file or device`);
      return report;
    },
    // The engine fills what the renderer left out with the schema's defaults; so does the fake.
    plan: ({ spec }) => planFor(JobSpecSchema.parse(spec)),
    startJob: ({ spec }) => jobFor(JobSpecSchema.parse(spec)),
    cancelJob: ({ id }) => ({ ...jobFor(SPEC), id, state: 'cancelled' }),
    listJobs: () => [],
    jobLog: () => [],
    browse: ({ path }) => {
      const listing = LISTINGS[path ?? '/home/ada'];
      if (!listing) throw new Error(`${path}: no such folder`);
      return listing;
    },
  };
}
