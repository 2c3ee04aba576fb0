import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FerryEvent, RequestName } from '../../shared/api.js';
import type { Disk } from '../../shared/disks.js';
import { FerryError } from '../../shared/errors.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { gptDisk } from '../../test/fixtures/disks.js';
import { toApiError } from './api-error.js';
import { createEngine } from './dispatch.js';

const BUILT_WORKER = new URL('../../dist/engine/jobs/job-worker.js', import.meta.url);

let scratch: string;
let source: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'dispatch-'));
  source = await gptDisk();
});

describe('createEngine().handle', () => {
  const engine = createEngine();

  it.each<[RequestName, unknown, RegExp]>([
    ['inspect', {}, /^request inspect: source: /],
    ['inspect', { source: '' }, /^request inspect: source: /],
    ['plan', { spec: { source: 'a', destination: 'b', format: 'floppy' } }, /spec\.format: /],
    ['startJob', { spec: { destination: 'b.img', format: 'raw' } }, /spec\.source: /],
    ['cancelJob', { id: 7 }, /^request cancelJob: id: /],
    ['jobLog', null, /^request jobLog: id: /],
    ['browse', { path: ['/'] }, /^request browse: path: /],
    ['listDisks', 'everything', /^request listDisks: /],
  ])('refuses %s with %j as a one-line usage error', async (name, params, message) => {
    const error = await engine.handle(name, params).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'USAGE' });
    const line = (error as FerryError).toLine();
    expect(line).toMatch(message);
    expect(line).not.toContain('\n');
  });

  it('refuses a request it does not know', async () => {
    await expect(engine.handle('format' as RequestName, {})).rejects.toMatchObject({
      code: 'USAGE',
      message: 'unknown request "format"',
    });
    await expect(engine.handle('toString' as RequestName, {})).rejects.toMatchObject({
      code: 'USAGE',
    });
  });

  it('inspects a source as sgdisk made it', async () => {
    const report = await engine.handle('inspect', { source });
    const sgdisk = await sh('sgdisk', ['--print', source]);
    const names = [...sgdisk.matchAll(/^\s+\d+\s+\d+\s+\d+\s+.*\s(\S+)$/gm)].map((m) => m[1]);
    expect(report.table.type).toBe('gpt');
    expect(report.table.partitions.map((p) => p.name)).toEqual(names);
  });

  it('plans with the spec defaults filled in: only used blocks', async () => {
    const destination = join(scratch, 'plan.vhdx');
    const plan = await engine.handle('plan', { spec: { source, destination, format: 'vhdx' } });
    expect(plan.outputFiles).toEqual([destination]);
    expect(plan.copyBytes).toBeLessThan(plan.diskSize / 2);
  });

  it('passes listDisks through, and browses the home folder by default', async () => {
    const disk = { path: '/dev/sdz' } as Disk;
    const home = await mkdtemp(join(FIXTURE_ROOT, 'home-'));
    await writeFile(join(home, 'notes.txt'), 'hi');
    const local = createEngine({ listDisks: async () => [disk], home });
    expect(await local.handle('listDisks', {})).toEqual([disk]);
    const listing = await local.handle('browse', {});
    expect(listing.path).toBe(home);
    expect(listing.entries.map((e) => e.name)).toEqual(['notes.txt']);
  });

  it('runs jobs and sends their events to subscribers until they unsubscribe', async () => {
    const local = createEngine({ jobs: { workerUrl: BUILT_WORKER } });
    const events: FerryEvent[] = [];
    const unsubscribe = local.onEvent((event) => events.push(event));
    const destination = join(scratch, 'taken.img');
    await writeFile(destination, 'taken');
    const job = await local.handle('startJob', {
      spec: { source, destination, format: 'raw' },
    });
    await local.close();
    const [info] = await local.handle('listJobs', {});
    expect(info).toMatchObject({
      id: job.id,
      state: 'failed',
      error: { code: 'DESTINATION_EXISTS' },
    });
    expect(events.filter((e) => e.type === 'jobState').map((e) => e.job.state)).toEqual([
      'queued',
      'planning',
      'failed',
    ]);
    const log = await local.handle('jobLog', { id: job.id });
    expect(events.filter((e) => e.type === 'jobLog').map((e) => e.line)).toEqual(log);

    unsubscribe();
    const seen = events.length;
    await local.handle('startJob', { spec: { source, destination, format: 'raw' } });
    await local.close();
    expect(events).toHaveLength(seen);
  });
});

describe('toApiError', () => {
  it('carries a FerryError code and its one line, and anything else as INTERNAL', () => {
    const error = new FerryError('SOURCE_NOT_FOUND', 'no such file', {
      where: '/dev/sdz',
      hint: 'check the path',
    });
    expect(toApiError(error)).toEqual({
      code: 'SOURCE_NOT_FOUND',
      message: '/dev/sdz: no such file (check the path)',
    });
    expect(toApiError(new TypeError('x is undefined'))).toEqual({
      code: 'INTERNAL',
      message: 'internal error: x is undefined',
    });
  });
});
