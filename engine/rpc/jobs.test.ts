/** Jobs run in the built worker (dist/engine/jobs/job-worker.js): `npm run build` comes first. */
import { mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FerryEvent, JobInfo, JobSpec, JobState } from '../../shared/api.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { gptDisk } from '../../test/fixtures/disks.js';
import { JobManager, type JobManagerOptions } from './jobs.js';

const BUILT_WORKER = new URL('../../dist/engine/jobs/job-worker.js', import.meta.url);
/** Slow enough that a 200 MiB disk takes a minute: a job that is surely still copying. */
const CRAWL = 2 * 2 ** 20;

let scratch: string;
let source: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'jobs-'));
  source = await gptDisk();
});

async function folder(name: string): Promise<string> {
  const path = join(scratch, name);
  await mkdir(path);
  return path;
}

function spec(destination: string, extra: Partial<JobSpec> = {}): JobSpec {
  return {
    source,
    destination,
    format: 'qcow2',
    allBlocks: true,
    thick: false,
    compress: false,
    force: false,
    verify: false,
    ...extra,
  };
}

function managerWithEvents(options: JobManagerOptions = {}) {
  const events: FerryEvent[] = [];
  const waiters: { test: (event: FerryEvent) => boolean; resolve: () => void }[] = [];
  const manager = new JobManager(
    (event) => {
      events.push(event);
      for (const waiter of waiters.filter((w) => w.test(event))) waiter.resolve();
    },
    { workerUrl: BUILT_WORKER, ...options },
  );
  const statesOf = (id: string): JobState[] =>
    events.flatMap((e) => (e.type === 'jobState' && e.job.id === id ? [e.job.state] : []));
  const reaches = (id: string, state: JobState): Promise<void> =>
    new Promise((resolve) =>
      waiters.push({
        test: (e) => e.type === 'jobState' && e.job.id === id && e.job.state === state,
        resolve,
      }),
    );
  return { manager, events, statesOf, reaches };
}

describe('JobManager', () => {
  it('runs a conversion in a worker: states, log, progress and a disk qemu-img finds identical', async () => {
    const { manager, events, statesOf } = managerWithEvents();
    const destination = join(await folder('done'), 'disk.qcow2');
    const began = performance.now();
    const started = manager.start(spec(destination));
    expect(started.state).toBe('planning');
    const done = await manager.settled(started.id);
    const seconds = (performance.now() - began) / 1000;

    expect(done.state).toBe('done');
    expect(statesOf(done.id)).toEqual(['queued', 'planning', 'copying', 'done']);
    expect(done.files).toEqual([destination]);
    expect(done.bytes).toBe((await stat(destination)).blocks * 512);
    expect(done.error).toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(
      await sh('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', source, destination]),
    ).toMatch(/Images are identical/);

    const log = manager.log(done.id);
    expect(log.map((line) => line.message)).toEqual([
      expect.stringMatching(/^Queued: /),
      expect.stringMatching(
        /^Converting .* \(qcow2\): reading all 200 MiB, writing about [\d.]+ MiB \(thin\)$/,
      ),
      expect.stringMatching(/^Wrote .*disk\.qcow2 \(.* on disk\)$/),
    ]);
    const logged = events.flatMap((e) => (e.type === 'jobLog' ? [e.line] : []));
    expect(logged).toEqual(log);

    const progress = events.flatMap((e) => (e.type === 'jobProgress' ? [e.progress] : []));
    const size = (await stat(source)).size;
    expect(progress.at(-1)).toMatchObject({ done: size, total: size });
    expect(done.progress).toMatchObject({ done: size, total: size });
    // 4 a second at most, plus the first and the last.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds * 4) + 2);
    expect(manager.list()).toEqual([done]);
  });

  it('cancels a throttled job through its worker, leaving no file behind', async () => {
    const { manager, reaches } = managerWithEvents({ stopTimeoutMs: 30_000 });
    const out = await folder('cancelled');
    const job = manager.start(spec(join(out, 'disk.qcow2')), { throttle: CRAWL });
    await reaches(job.id, 'copying');
    expect(await readdir(out)).toEqual(['disk.qcow2.partial']);

    const asked = performance.now();
    expect(manager.cancel(job.id).state).toBe('copying');
    const final = await manager.settled(job.id);
    expect(performance.now() - asked).toBeLessThan(5_000);
    expect(final.state).toBe('cancelled');
    expect(final.error).toBeNull();
    expect(await readdir(out)).toEqual([]);
    expect(manager.log(job.id).map((line) => line.message)).not.toContain(
      expect.stringMatching(/by force/),
    );
  });

  it('queues jobs one at a time; a queued job cancelled never starts', async () => {
    const { manager, statesOf } = managerWithEvents();
    const out = await folder('queue');
    const first = manager.start(spec(join(out, 'first.qcow2')), { throttle: CRAWL });
    const second = manager.start(spec(join(out, 'second.qcow2')));
    expect(second.state).toBe('queued');
    expect(manager.cancel(second.id).state).toBe('cancelled');
    await manager.close();

    expect(statesOf(second.id)).toEqual(['queued', 'cancelled']);
    expect((await manager.settled(first.id)).state).toBe('cancelled');
    expect(await readdir(out)).toEqual([]);
  });

  it('reports a failed job with the FerryError code and line, and keeps the existing file', async () => {
    const { manager } = managerWithEvents();
    const destination = join(await folder('exists'), 'disk.qcow2');
    await writeFile(destination, 'keep me');
    const job = manager.start(spec(destination));
    const final = await manager.settled(job.id);

    expect(final.state).toBe('failed');
    expect(final.error).toEqual({
      code: 'DESTINATION_EXISTS',
      message: expect.stringMatching(/disk\.qcow2: already exists \(.*--force/),
    });
    expect(manager.log(job.id).at(-1)).toMatchObject({ level: 'error' });
    expect(await stat(destination)).toMatchObject({ size: 'keep me'.length });
  });

  it('terminates a worker that does not stop when asked, and removes its partial file', async () => {
    const out = await folder('stuck');
    const destination = join(out, 'disk.img');
    // A worker that ignores `cancel`, as a conversion stuck in a system call would.
    const stuck = new URL(
      `data:text/javascript,${encodeURIComponent(`
        import { parentPort } from 'node:worker_threads';
        import { writeFileSync } from 'node:fs';
        writeFileSync(${JSON.stringify(`${destination}.partial`)}, 'half');
        parentPort.postMessage({ type: 'plan', outputFiles: [${JSON.stringify(destination)}] });
        parentPort.postMessage({ type: 'progress', progress: { done: 1, total: 2, rate: 1, eta: 1 } });
        setInterval(() => {}, 1000);
      `)}`,
    );
    const { manager, reaches } = managerWithEvents({ workerUrl: stuck, stopTimeoutMs: 200 });
    const job = manager.start(spec(destination, { format: 'raw' }));
    await reaches(job.id, 'copying');
    manager.cancel(job.id);
    const final = await manager.settled(job.id);

    expect(final.state).toBe('cancelled');
    expect(manager.log(job.id).at(-1)?.message).toMatch(/by force/);
    expect(await readdir(out)).toEqual([]);
  });

  it('fails a job whose worker cannot start, as an internal error', async () => {
    const missing = new URL('../../dist/engine/jobs/no-such-worker.js', import.meta.url);
    const { manager } = managerWithEvents({ workerUrl: missing });
    const job = manager.start(spec(join(scratch, 'never.qcow2')));
    const final: JobInfo = await manager.settled(job.id);
    expect(final.state).toBe('failed');
    expect(final.error?.code).toBe('INTERNAL');
  });

  it('refuses an unknown job id with a usage error', () => {
    const { manager } = managerWithEvents();
    expect(() => manager.cancel('nope')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => manager.log('nope')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
