import { describe, expect, it } from 'vitest';
import { FerryError } from '../shared/errors.js';
import { gpt4kDisk, gptDisk, mbrWithLogicals } from '../test/fixtures/disks.js';
import { mutate, mutatedSource, random } from '../test/fixtures/mutate.js';
import { inspectSource } from './inspect.js';
import { openSource } from './io/open-source.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 150);
const MiB = 2 ** 20;

/** Where the parsers look: the disk's first MiB and last 64 KiB, each partition's first 4 MiB. */
async function hotRanges(image: string): Promise<{ size: number; ranges: [number, number][] }> {
  const source = await openSource(image);
  try {
    const report = await inspectSource(source);
    const ranges: [number, number][] = [
      [0, MiB],
      [source.size - 64 * 1024, 64 * 1024],
    ];
    for (const p of report.table.partitions) ranges.push([p.start, Math.min(p.size, 4 * MiB)]);
    return { size: source.size, ranges };
  } finally {
    await source.close();
  }
}

/** Fails the test if a promise takes longer than `ms`: a hang on hostile input is a bug. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe.each([
  ['MBR with logical partitions', mbrWithLogicals, 1],
  ['GPT', gptDisk, 2],
  ['GPT with 4096-byte sectors', gpt4kDisk, 3],
])('inspect survives mutations of a real %s disk', (_name, fixture, seedBase) => {
  it(`${ITERATIONS} mutated copies: a report or a FerryError, never a crash or a hang`, async () => {
    const image = await fixture();
    const { size, ranges } = await hotRanges(image);
    const base = await openSource(image);
    const outcomes = { reports: 0, errors: 0 };
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        const seed = seedBase * 100_000 + i;
        const source = mutatedSource(base, mutate(random(seed), size, ranges));
        try {
          await within(5_000, `seed ${seed}`, inspectSource(source));
          outcomes.reports++;
        } catch (error) {
          if (!(error instanceof FerryError)) {
            throw new Error(
              `seed ${seed}: ${error instanceof Error ? error.stack : String(error)}`,
            );
          }
          expect(error.toLine()).not.toContain('\n');
          outcomes.errors++;
        }
      }
    } finally {
      await base.close();
    }
    expect(outcomes.reports + outcomes.errors).toBe(ITERATIONS);
  }, 120_000);
});
