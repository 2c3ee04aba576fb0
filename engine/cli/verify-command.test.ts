import { mkdtemp, open, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { dirtyDisk } from '../../test/fixtures/dirty-disk.js';
import { runFerry } from '../../test/fixtures/ferry.js';
import { KEEP_MARKER } from '../../test/fixtures/patterns.js';

let scratch: string;
let source: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'verify-cli-'));
  source = await dirtyDisk();
});

type Event = { type: string; [key: string]: unknown };
const eventsOf = (stdout: string): Event[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Event);

/** The byte offset of `marker`'s first occurrence in `file`, found by grep. */
async function offsetOf(file: string, marker: string): Promise<number> {
  const { stdout } = await execa('grep', ['-abo', '-m1', marker, file]);
  return Number(stdout.split(':')[0]);
}

async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

describe('ferry convert --verify', () => {
  it('reads the disk back after writing it and says so in its events', async () => {
    const output = join(scratch, 'verified.vmdk');
    const run = await runFerry([
      'convert',
      '--verify',
      '--json',
      '--format',
      'vmdk-stream',
      source,
      output,
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    const events = eventsOf(run.stdout);
    const verifying = events.findIndex((event) => event.type === 'verifying');
    expect(verifying).toBeGreaterThan(0);
    const copyBytes = events[0]!.copyBytes as number;
    // The second half of the progress is the read back: the total counts the copy twice.
    expect(events.at(verifying - 1)).toMatchObject({
      type: 'progress',
      done: copyBytes,
      total: 2 * copyBytes,
    });
    expect(events.at(-2)).toMatchObject({ type: 'progress', done: 2 * copyBytes });
    expect(events.at(-1)).toMatchObject({ type: 'done', path: output, verified: true });
  });
});

describe('ferry verify', () => {
  it('finds a conversion identical where it copied, and different in the free space it did not', async () => {
    const image = join(scratch, 'used.qcow2');
    expect((await runFerry(['convert', source, image])).exitCode).toBe(0);

    const run = await runFerry(['verify', '--json', source, image]);
    expect(run.exitCode, run.stderr).toBe(0);
    const events = eventsOf(run.stdout);
    expect(events[0]).toMatchObject({ type: 'plan' });
    expect(events.at(-1)).toEqual({ type: 'done', path: image, bytes: events[0]!.bytes });

    // The deleted files' data in the free space was not copied, and --all-blocks sees that.
    const all = await runFerry(['verify', '--all-blocks', source, image]);
    expect(all.exitCode).toBe(1);
    expect(all.stderr).toMatch(
      /ferry: .*used\.qcow2: differs from what was read in bytes \d+-\d+ \(1 MiB\)/,
    );
  });

  it('names the chunk where one byte of a live file changed', async () => {
    const image = join(scratch, 'flipped.img');
    expect((await runFerry(['convert', source, image])).exitCode).toBe(0);
    const at = await offsetOf(image, KEEP_MARKER);
    await flipByte(image, at);
    const run = await runFerry(['verify', source, image]);
    expect(run.exitCode).toBe(1);
    const [, first, last] = /in bytes (\d+)-(\d+) /.exec(run.stderr) ?? [];
    expect(Number(first)).toBeLessThanOrEqual(at);
    expect(Number(last)).toBeGreaterThanOrEqual(at);
    expect(Number(last) - Number(first)).toBeLessThan(2 ** 20);
    expect(run.stderr).toContain('convert again');
  });

  it('tells an image with another layout from a damaged one', async () => {
    const image = join(scratch, 'two-partitions.vmdk');
    expect((await runFerry(['convert', '--partitions', '1,2', source, image])).exitCode).toBe(0);
    const run = await runFerry(['verify', source, image]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      'two-partitions.vmdk: is laid out differently: partition 3 of the source is not on it',
    );
    expect(run.stderr).toContain('differs by design, and convert --verify checks it');
  });

  it('refuses an image smaller than the source, and bad usage with status 2', async () => {
    const image = join(scratch, 'short.img');
    expect((await runFerry(['convert', source, image])).exitCode).toBe(0);
    await truncate(image, 64 * 2 ** 20);
    const short = await runFerry(['verify', source, image]);
    expect(short.exitCode).toBe(1);
    expect(short.stderr).toMatch(/short\.img: holds a 64 MiB disk, smaller than the 160 MiB/);

    expect((await runFerry(['verify', source])).exitCode).toBe(2);
    expect((await runFerry(['verify', '--bogus', source, image])).exitCode).toBe(2);
    expect((await runFerry(['verify', join(scratch, 'absent.img'), image])).exitCode).toBe(2);
  });
});
