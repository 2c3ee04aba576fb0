/**
 * The engine host's jobs: a queue of conversions, each run in its own worker thread
 * (engine/jobs/job-worker.ts), with an in-memory history and a log per job. Everything that
 * happens to a job is pushed out as FerryEvents.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type {
  FerryEvent,
  JobError,
  JobInfo,
  JobProgress,
  JobSpec,
  JobState,
  LogLine,
} from '../../shared/api.js';
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';
import { resolveOutputs, type ConvertRequest } from '../jobs/convert.js';
import type { FromJobWorker, JobWorkerData, ToJobWorker } from '../jobs/job-worker.js';
import { Throttle } from './throttle.js';

export interface JobManagerOptions {
  /** The built job worker. The default is its place beside this module in dist/. */
  workerUrl?: URL;
  /** Jobs run at once; the others wait, queued. Two copies off one disk rarely beat one. */
  concurrency?: number;
  /** How long a cancelled job may take to stop before its thread is terminated. */
  stopTimeoutMs?: number;
  /** jobProgress events are sent at most this often per job. */
  progressIntervalMs?: number;
  /** Finished jobs remembered; the oldest are forgotten beyond this. */
  historyLimit?: number;
}

/** Choices for a job beyond its JobSpec. */
export interface JobOptions {
  /** Bytes per second to read at most. */
  throttle?: number;
}

const FINAL_STATES: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);

interface Job {
  info: JobInfo;
  log: LogLine[];
  request: ConvertRequest;
  /** Where the worker writes, so a terminated worker's partial files can be removed. */
  outputFiles: string[];
  worker: Worker | null;
  cancelRequested: boolean;
  terminated: boolean;
  crash: Error | null;
  stopTimer: ReturnType<typeof setTimeout> | null;
  progress: Throttle<JobProgress>;
  settled: Promise<void>;
  settle: () => void;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly workerUrl: URL;
  private readonly concurrency: number;
  private readonly stopTimeoutMs: number;
  private readonly progressIntervalMs: number;
  private readonly historyLimit: number;

  constructor(
    private readonly emit: (event: FerryEvent) => void,
    options: JobManagerOptions = {},
  ) {
    this.workerUrl = options.workerUrl ?? new URL('../jobs/job-worker.js', import.meta.url);
    this.concurrency = options.concurrency ?? 1;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.progressIntervalMs = options.progressIntervalMs ?? 250;
    this.historyLimit = options.historyLimit ?? 100;
  }

  start(spec: JobSpec, options: JobOptions = {}): JobInfo {
    const request: ConvertRequest = {
      ...spec,
      ...(options.throttle === undefined ? {} : { throttle: options.throttle }),
    };
    const { outputFiles } = resolveOutputs(request);
    const id = randomUUID();
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const job: Job = {
      info: {
        id,
        spec,
        state: 'queued',
        createdAt: new Date().toISOString(),
        finishedAt: null,
        progress: null,
        files: [],
        bytes: null,
        error: null,
      },
      log: [],
      request,
      outputFiles,
      worker: null,
      cancelRequested: false,
      terminated: false,
      crash: null,
      stopTimer: null,
      progress: new Throttle(this.progressIntervalMs, (progress) =>
        this.emit({ type: 'jobProgress', id, progress }),
      ),
      settled,
      settle,
    };
    this.jobs.set(id, job);
    this.forgetOldJobs();
    this.addLog(job, 'info', `Queued: ${spec.source} -> ${spec.destination} (${spec.format})`);
    this.emit({ type: 'jobState', job: snapshot(job) });
    this.startQueued();
    return snapshot(job);
  }

  /** Cancels a queued or running job; a finished one is returned as it is. */
  cancel(id: string): JobInfo {
    const job = this.find(id);
    if (job.info.state === 'queued') {
      this.addLog(job, 'info', 'Cancelled before it started');
      this.finish(job, 'cancelled');
      job.settle();
    } else if (job.worker && !job.cancelRequested) {
      job.cancelRequested = true;
      this.addLog(job, 'info', 'Cancelling');
      job.worker.postMessage({ type: 'cancel' } satisfies ToJobWorker);
      const worker = job.worker;
      job.stopTimer = setTimeout(() => {
        job.terminated = true;
        void worker.terminate();
      }, this.stopTimeoutMs);
    }
    return snapshot(job);
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map(snapshot);
  }

  log(id: string): LogLine[] {
    return this.find(id).log.map((line) => ({ ...line }));
  }

  /** Resolves with the job's final state once its worker has stopped. */
  async settled(id: string): Promise<JobInfo> {
    const job = this.find(id);
    await job.settled;
    return snapshot(job);
  }

  /** Cancels every job that has not finished and waits for their workers to stop. */
  async close(): Promise<void> {
    // Queued jobs are cancelled at once, before any running one can stop and make room for them.
    const open = [...this.jobs.values()].filter((job) => !FINAL_STATES.has(job.info.state));
    for (const job of open) this.cancel(job.info.id);
    await Promise.all(open.map((job) => job.settled));
  }

  private find(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) {
      throw new FerryError('USAGE', `no job with id "${id}"`, {
        where: 'jobs',
        hint: 'list the jobs for their ids; finished jobs are forgotten when the engine restarts',
      });
    }
    return job;
  }

  private startQueued(): void {
    const running = [...this.jobs.values()].filter((job) => job.worker !== null).length;
    const next = [...this.jobs.values()].find((job) => job.info.state === 'queued');
    if (next && running < this.concurrency) {
      this.run(next);
      this.startQueued();
    }
  }

  private run(job: Job): void {
    this.setState(job, 'planning');
    let worker: Worker;
    try {
      worker = new Worker(this.workerUrl, {
        workerData: { request: job.request } satisfies JobWorkerData,
        stdout: true,
      });
    } catch (error) {
      job.crash = error instanceof Error ? error : new Error(String(error));
      void this.onWorkerExit(job, null);
      return;
    }
    job.worker = worker;
    // The host's stdout may be a protocol stream (stdio NDJSON); a worker's stray output goes to stderr.
    worker.stdout.pipe(process.stderr, { end: false });
    worker.on('message', (message: FromJobWorker) => this.onWorkerMessage(job, message));
    worker.on('error', (error) => (job.crash = error));
    worker.on('exit', (code) => void this.onWorkerExit(job, code));
  }

  private onWorkerMessage(job: Job, message: FromJobWorker): void {
    switch (message.type) {
      case 'plan':
        job.outputFiles = message.outputFiles;
        return;
      case 'progress':
        if (job.info.state === 'planning') this.setState(job, 'copying');
        job.info.progress = message.progress;
        job.progress.push(message.progress);
        return;
      case 'verifying':
        this.setState(job, 'verifying');
        this.addLog(job, 'info', 'Written; reading it back to verify');
        return;
      case 'log':
        this.addLog(job, message.level, message.message);
        return;
      case 'done':
        job.info.files = message.files;
        job.info.bytes = message.bytes;
        this.addLog(
          job,
          'info',
          `Wrote ${message.files.join(', ')} (${formatSize(message.bytes)} on disk)`,
        );
        this.finish(job, 'done');
        return;
      case 'failed':
        if (message.error.code === 'CANCELLED') {
          this.addLog(job, 'info', 'Cancelled; nothing finished was left behind');
          this.finish(job, 'cancelled');
        } else {
          this.addLog(job, 'error', message.error.message);
          this.finish(job, 'failed', message.error);
        }
        return;
    }
  }

  private async onWorkerExit(job: Job, code: number | null): Promise<void> {
    if (job.stopTimer) clearTimeout(job.stopTimer);
    job.worker = null;
    if (!FINAL_STATES.has(job.info.state)) await this.settleUnfinished(job, code);
    job.settle();
    this.startQueued();
  }

  /** A worker that stopped without saying how the job ended: terminated, or crashed. */
  private async settleUnfinished(job: Job, code: number | null): Promise<void> {
    if (job.terminated) {
      await this.removePartialFiles(job);
      this.addLog(job, 'info', 'Cancelled (stopped by force); partial files removed');
      this.finish(job, 'cancelled');
      return;
    }
    const reason = job.crash?.message ?? `its thread exited with code ${code ?? 'none'}`;
    const error = { code: 'INTERNAL', message: `internal error: the job stopped: ${reason}` };
    this.addLog(job, 'error', error.message);
    this.finish(job, 'failed', error);
  }

  private async removePartialFiles(job: Job): Promise<void> {
    for (const file of job.outputFiles) {
      await rm(`${file}.partial`, { force: true }).catch((error: Error) =>
        this.addLog(job, 'warning', `could not remove ${file}.partial: ${error.message}`),
      );
    }
  }

  private finish(job: Job, state: JobState, error: JobError | null = null): void {
    job.progress.flush();
    job.info.finishedAt = new Date().toISOString();
    job.info.error = error;
    this.setState(job, state);
  }

  private setState(job: Job, state: JobState): void {
    job.info.state = state;
    this.emit({ type: 'jobState', job: snapshot(job) });
  }

  private addLog(job: Job, level: LogLine['level'], message: string): void {
    const line: LogLine = { at: new Date().toISOString(), level, message };
    job.log.push(line);
    this.emit({ type: 'jobLog', id: job.info.id, line });
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter((job) => FINAL_STATES.has(job.info.state));
    for (const job of finished.slice(0, Math.max(0, finished.length - this.historyLimit)))
      this.jobs.delete(job.info.id);
  }
}

function snapshot(job: Job): JobInfo {
  return structuredClone(job.info);
}
