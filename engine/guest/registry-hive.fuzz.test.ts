/**
 * The hive parser on mutated real hives: special (written by Windows XP) and amcache.hve (written
 * by Windows 10, with ri and db records). Every copy must be read or refused with
 * BAD_REGISTRY_HIVE, quickly: never a RangeError, a TypeError or a hang.
 */
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fuzzMutations } from '../../test/fixtures/mutate.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { RegistryHive, type RegistryKey } from './registry-hive.js';

const ITERATIONS = Number(process.env.FERRY_FUZZ_ITERATIONS ?? 150);
/** Keys walked per copy: enough to reach every kind of record, few enough to stay fast. */
const KEYS_PER_COPY = 400;
/** A copy that takes longer than this to read counts as a hang. */
const BUDGET_MS = 2_000;
const BINS_START = 0x1000;
const CHECKSUM_OFFSET = 0x1fc;

function checksum(bytes: Buffer): number {
  let sum = 0;
  for (let at = 0; at < CHECKSUM_OFFSET; at += 4) sum ^= bytes.readUInt32LE(at);
  return sum >>> 0;
}

/**
 * Opens the mutated hive and reads keys, names and every value of them, breadth first. The base
 * block's checksum is made right again first, so that mutations of its fields reach the parser
 * instead of all stopping at the checksum (which registry-hive.test.ts checks on its own).
 */
async function readMutatedHive(source: BlockSource): Promise<number> {
  const started = performance.now();
  const bytes = await source.read(0, source.size);
  if (bytes.length >= CHECKSUM_OFFSET + 4) bytes.writeUInt32LE(checksum(bytes), CHECKSUM_OFFSET);
  const hive = new RegistryHive(bytes, source.path);
  const pending: RegistryKey[] = [hive.root];
  let read = 0;
  for (
    let key = pending.shift();
    key !== undefined && read < KEYS_PER_COPY;
    key = pending.shift()
  ) {
    read++;
    key.valueNames();
    key.values();
    pending.push(...key.subkeys());
  }
  hive.key('Root\\File\\ccbe4c57-0000-0000-0000-100000000000')?.subkeyNames();
  hive.key('Root\\Programs\\0000ef102566ebfe23b1eb764609c40e56b70000ffff')?.value('Files');
  const elapsed = performance.now() - started;
  if (elapsed > BUDGET_MS) throw new Error(`reading took ${Math.round(elapsed)} ms`);
  return read;
}

/**
 * Where cells with the given signatures lie, found by walking the bins of the intact hive, so
 * that mutations can aim at the rare records (ri, db) as well as anywhere.
 */
function cellsSigned(bytes: Buffer, signatures: readonly string[]): [number, number][] {
  const found: [number, number][] = [];
  const binsEnd = BINS_START + bytes.readUInt32LE(0x28);
  for (let bin = BINS_START; bin < binsEnd; bin += bytes.readUInt32LE(bin + 8)) {
    const end = bin + bytes.readUInt32LE(bin + 8);
    for (let cell = bin + 0x20; cell < end; cell += Math.abs(bytes.readInt32LE(cell))) {
      if (signatures.includes(bytes.toString('latin1', cell + 4, cell + 6))) {
        found.push([cell, Math.abs(bytes.readInt32LE(cell))]);
      }
    }
  }
  return found;
}

async function fuzzHive(bytes: Buffer, hot: [number, number][], firstSeed: number): Promise<void> {
  expect(() => new RegistryHive(bytes, 'intact')).not.toThrow();
  const plan = { hot, iterations: ITERATIONS, firstSeed };
  const { answered, refused } = await fuzzMutations(
    bufferSource(bytes, 'hive'),
    plan,
    async (source) => {
      try {
        return await readMutatedHive(source);
      } catch (error) {
        if (error instanceof FerryError) {
          expect(error.code).toBe('BAD_REGISTRY_HIVE');
        }
        throw error;
      }
    },
  );
  expect(answered + refused).toBe(ITERATIONS);
}

describe('RegistryHive survives mutations of real hives', () => {
  it(`${ITERATIONS} mutated copies of special: a hive or BAD_REGISTRY_HIVE`, async () => {
    const bytes = await readFile('test/data/guest/registry/special');
    await fuzzHive(bytes, [[0, bytes.length]], 7_100_000);
  }, 60_000);

  it(`${ITERATIONS} mutated copies of amcache.hve: a hive or BAD_REGISTRY_HIVE`, async () => {
    const { stdout } = await execa('xz', ['-dc', 'test/data/guest/registry/amcache.hve.xz'], {
      encoding: 'buffer',
    });
    const bytes = Buffer.from(stdout);
    const rare = cellsSigned(bytes, ['ri', 'db']);
    expect(rare).toHaveLength(2);
    const binsLength = bytes.readUInt32LE(0x28);
    const hot: [number, number][] = [[0, 0x200], ...rare, [BINS_START, binsLength]];
    await fuzzHive(bytes, hot, 7_200_000);
  }, 120_000);
});
