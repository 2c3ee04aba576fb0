import { mkdtemp, open } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, bash } from '../../test/fixtures/cache.js';
import { gptDisk, mbrWithLogicals } from '../../test/fixtures/disks.js';
import { runFerry } from '../../test/fixtures/ferry.js';
import type { InspectReport } from '../../shared/layout.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'bad-input-'));
});

/** Exit status 2, one line on stderr naming the problem, nothing on stdout, fast. */
async function expectRefusal(args: string[], pattern: RegExp): Promise<void> {
  const started = Date.now();
  const run = await runFerry(args);
  expect(run.exitCode, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\bat .*\.js:\d+/);
  expect(Date.now() - started).toBeLessThan(5_000);
}

describe('bad usage', () => {
  it('refuses an unknown command', () =>
    expectRefusal(['frobnicate'], /unknown command "frobnicate"/));
  it('refuses a missing source', () => expectRefusal(['inspect'], /expected <source>/));
  it('refuses an unknown option', () => expectRefusal(['inspect', '--jsn', 'x'], /--jsn/));
  it('refuses extra arguments to disks', () => expectRefusal(['disks', 'extra'], /ferry disks/));
});

describe('bad input', () => {
  it('names a source that does not exist', () =>
    expectRefusal(
      ['inspect', join(scratch, 'nope.img')],
      /nope\.img.*(not found|no such|does not exist)/i,
    ));

  it('refuses a folder', () => expectRefusal(['inspect', scratch], /folder|directory/i));

  it('refuses an image cut short inside a partition', async () => {
    const cut = join(scratch, 'cut.img');
    await bash(`head -c 50M ${await gptDisk()} > ${cut}`);
    await expectRefusal(['inspect', cut], /truncated/);
  });

  it('reads each logical partition once when the extended chain loops', async () => {
    const looped = join(scratch, 'looped.img');
    await bash(`cp --sparse=always ${await mbrWithLogicals()} ${looped}`);
    await linkSecondEbrBackToFirst(looped);
    const run = await runFerry(['inspect', '--json', looped]);
    expect(run.exitCode, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as InspectReport;
    expect(report.table.partitions.map((p) => p.number)).toEqual([1, 2, 3, 5, 6]);
    expect(report.warnings.join('\n')).toMatch(/loop/i);
  });
});

/**
 * Makes the extended chain of the MBR fixture circular: the link entry of the second EBR
 * (logical 6) is pointed at the first EBR, as a damaged or malicious disk might be.
 */
async function linkSecondEbrBackToFirst(image: string): Promise<void> {
  const file = await open(image, 'r+');
  try {
    const sector = async (lba: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(512);
      await file.read(buffer, 0, 512, lba * 512);
      return buffer;
    };
    const mbr = await sector(0);
    const extendedStart = mbr.readUInt32LE(446 + 2 * 16 + 8);
    const firstEbr = await sector(extendedStart);
    const secondEbrLba = extendedStart + firstEbr.readUInt32LE(446 + 16 + 8);
    const secondEbr = await sector(secondEbrLba);
    secondEbr.writeUInt32LE(0, 446 + 16 + 8);
    await file.write(secondEbr, 0, 512, secondEbrLba * 512);
  } finally {
    await file.close();
  }
}
