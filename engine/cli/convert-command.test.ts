import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { dirtyDisk } from '../../test/fixtures/dirty-disk.js';
import { runFerry } from '../../test/fixtures/ferry.js';

const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

let scratch: string;
let source: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'convert-cli-'));
  source = await dirtyDisk();
});

describe('ferry convert', () => {
  it('--json prints a plan, progress and done as NDJSON, and leaves only the finished file', async () => {
    const output = join(scratch, 'events.qcow2');
    const run = await runFerry(['convert', '--json', source, output]);
    expect(run.exitCode, run.stderr).toBe(0);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
    expect(events[0]).toMatchObject({ type: 'plan', format: 'qcow2', files: [output] });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress)
      expect(Object.keys(p).sort()).toEqual(['done', 'eta', 'rate', 'total', 'type']);
    expect(progress.at(-1)).toMatchObject({
      done: events[0]!.copyBytes,
      total: events[0]!.copyBytes,
    });
    expect(events.at(-1)).toMatchObject({ type: 'done', path: output });
    expect(await readdir(scratch)).not.toContain('events.qcow2.partial');
  });

  it('refuses to replace an existing file without --force, and replaces it with', async () => {
    const output = join(scratch, 'existing.img');
    await writeFile(output, 'precious');
    const refused = await runFerry(['convert', source, output]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(await readFile(output, 'utf8')).toBe('precious');

    const forced = await runFerry(['convert', '--force', source, output]);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(await readFile(output, 'utf8')).not.toBe('precious');
  });

  it('refuses to write over its own source, even with --force', async () => {
    const copy = join(scratch, 'self.img');
    await execa('cp', ['--sparse=always', source, copy]);
    const run = await runFerry(['convert', '--force', copy, copy]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/is the source itself/);
  });

  it('plans a new layout, says what changes, and refuses what cannot fit with exit 2', async () => {
    const output = join(scratch, 'layout.vmdk');
    const run = await runFerry([
      'convert',
      '--json',
      '--partitions',
      '1,2',
      '--resize',
      '2=40M',
      '--disk-size',
      '100M',
      source,
      output,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout.split('\n')[0]!) as Record<string, unknown>;
    expect(plan).toMatchObject({ type: 'plan', diskSize: 100 * 2 ** 20 });
    expect(plan['partitions']).toEqual([
      expect.objectContaining({ number: 1, change: 'copy' }),
      expect.objectContaining({ number: 2, size: 40 * 2 ** 20, change: 'resize' }),
      expect.objectContaining({ number: 3, destinationNumber: null, change: 'remove' }),
    ]);

    for (const args of [
      ['--resize', '1=2M'],
      ['--disk-size', '64M'],
      ['--partitions', '9'],
      ['--resize', '2=big'],
      ['--cpus', '4'],
      ['--machine', 'qemu'],
    ]) {
      const refused = await runFerry(['convert', ...args, source, join(scratch, 'no.vmdk')]);
      expect(refused.exitCode, args.join(' ')).toBe(2);
      expect(refused.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(await readdir(scratch)).not.toContain('no.vmdk');
  });

  it('--resize N=max gives the partition the room the others leave on a larger disk', async () => {
    const output = join(scratch, 'filled.vmdk');
    const run = await runFerry([
      'convert',
      '--json',
      '--disk-size',
      '200M',
      '--resize',
      '1=max',
      source,
      output,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const plan = JSON.parse(run.stdout.split('\n')[0]!) as {
      partitions: { number: number; start: number; size: number; change: string }[];
    };
    const [first, , third] = plan.partitions;
    // The source leaves 15 MiB free after partition 3 and the disk grows by 40 MiB: partition 1
    // takes the room in whole MiB, which keeps the partitions after it on MiB boundaries.
    expect(first).toMatchObject({ number: 1, size: (48 + 54) * 2 ** 20, change: 'resize' });
    const end = third!.start + third!.size + 33 * 512;
    expect(end).toBeLessThanOrEqual(200 * 2 ** 20);
    expect(end).toBeGreaterThan(199 * 2 ** 20);
  });

  it('says when --thick cannot preallocate the format, and writes it thin', async () => {
    const output = join(scratch, 'thin.qcow2');
    const run = await runFerry(['convert', '--thick', source, output]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'warning: --thick has no effect on qcow2, which is always written thin; these formats can be preallocated: raw, vmdk-flat, vhd, vhd-fixed, vhdx, vdi',
    );
    expect(run.stderr).toMatch(/\(thin\)/);
  });

  it('refuses a destination whose format it cannot tell', async () => {
    const run = await runFerry(['convert', source, join(scratch, 'disk.xyz')]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/cannot tell the format.*--format/);
  });

  it('stops within a second on Ctrl-C, removes the partial output and exits 130', async () => {
    const output = join(scratch, 'cancelled.vdi');
    // Throttled so the copy is surely under way when the signal comes.
    const child = execa(
      'node',
      [BIN, 'convert', '--json', '--all-blocks', '--throttle', '8M', source, output],
      {
        reject: false,
      },
    );
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"progress"')) resolve();
      });
    });
    expect(existsSync(`${output}.partial`)).toBe(true);
    const signalled = Date.now();
    child.kill('SIGINT');
    const result = await child;
    expect(Date.now() - signalled).toBeLessThan(1_000);
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toMatch(/cancelled/);
    expect(existsSync(`${output}.partial`)).toBe(false);
    expect(existsSync(output)).toBe(false);
  });
});
