import { describe, expect, it } from 'vitest';
import { gpt4kDisk, gptDisk, mbrWithLogicals } from '../test/fixtures/disks.js';
import { fuzzMutations } from '../test/fixtures/mutate.js';
import { inspectSource } from './inspect.js';
import { openSource } from './io/open-source.js';
import type { BlockSource } from './io/source.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 150);
const MiB = 2 ** 20;

/** Where the parsers look: the disk's first MiB and last 64 KiB, each partition's first 4 MiB. */
async function hotRanges(source: BlockSource): Promise<[number, number][]> {
  const report = await inspectSource(source);
  const ranges: [number, number][] = [
    [0, MiB],
    [source.size - 64 * 1024, 64 * 1024],
  ];
  for (const p of report.table.partitions) ranges.push([p.start, Math.min(p.size, 4 * MiB)]);
  return ranges;
}

describe.each([
  ['MBR with logical partitions', mbrWithLogicals, 1],
  ['GPT', gptDisk, 2],
  ['GPT with 4096-byte sectors', gpt4kDisk, 3],
])('inspect survives mutations of a real %s disk', (_name, fixture, seedBase) => {
  it(`${ITERATIONS} mutated copies: a report or a FerryError, never a crash or a hang`, async () => {
    const base = await openSource(await fixture());
    try {
      const plan = {
        hot: await hotRanges(base),
        iterations: ITERATIONS,
        firstSeed: seedBase * 100_000,
        timeoutMs: 5_000,
      };
      const { answered, refused } = await fuzzMutations(base, plan, inspectSource);
      expect(answered + refused).toBe(ITERATIONS);
    } finally {
      await base.close();
    }
  }, 120_000);
});
