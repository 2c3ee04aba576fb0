import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { sh } from '../../test/fixtures/cache.js';
import { fuzzMutations } from '../../test/fixtures/mutate.js';
import { ntfsinfoDataRuns } from '../../test/fixtures/ntfs.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { parseNtfsBoot } from '../filesystems/ntfs-boot.js';
import { Mft } from '../filesystems/ntfs-mft.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import type { BlockSource } from '../io/source.js';
import { windowsVolume } from '../../test/fixtures/ntfs-trees.js';
import { openNtfsTree } from './ntfs-tree.js';
import type { FileTree } from './types.js';

const NTFS: DetectedFilesystem = { type: 'ntfs', label: null, uuid: null, size: null };

/** What each mutated copy is asked: every kind of structure the reader walks. */
const QUESTIONS: ((tree: FileTree) => Promise<unknown>)[] = [
  (tree) => tree.readFile('/Windows/System32/config/SOFTWARE'),
  (tree) => tree.readFile('/windows/system32/NTOSKRNL.EXE'),
  (tree) => tree.readFile('/Windows/Logs/setup.log'),
  (tree) => tree.readFile('/Windows/Temp/sparse.dat'),
  (tree) => tree.readFile('/PROGRA~1/App/readme.txt'),
  (tree) => tree.readFile('/Windows/System32/api-ms-win-core-0300-l1-1-0.dll'),
  (tree) => tree.list('/Windows/System32'),
  (tree) => tree.list('/'),
  (tree) => tree.list('/Documents and Settings'),
];

/** Each question on its own, so one refusal does not spare the walks after it. */
async function askAll(source: BlockSource): Promise<void> {
  const tree = await openNtfsTree(source, NTFS);
  for (const question of QUESTIONS) {
    try {
      await question(tree);
    } catch (error) {
      if (!(error instanceof FerryError)) throw error;
      expect(error.toLine()).not.toContain('\n');
    }
  }
}

/** `ntfsls -i`: the MFT record numbers of a directory's entries. */
async function recordsIn(image: string, directory: string): Promise<number[]> {
  const text = await sh('ntfsls', ['-a', '-i', '-p', directory, image]);
  return text
    .split('\n')
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((record) => Number.isInteger(record));
}

/**
 * Where the walks look: the boot sector, the MFT records of system files and of every directory
 * and file asked about (SOFTWARE's extent records follow its base record), every INDX block,
 * and the clusters of the compressed file.
 */
async function hotRanges(image: string, bytes: Buffer): Promise<[number, number][]> {
  const volume = bufferSource(bytes, image);
  const boot = parseNtfsBoot(bytes.subarray(0, 512), volume);
  const mft = await Mft.open(volume, boot);
  const mftRuns = (await mft.dataStream(await mft.record(0))).runs;
  const recordAt = (record: number): number => {
    const byte = record * boot.mftRecordSize;
    const run = mftRuns.find(
      (r) => byte >= r.vcn * boot.clusterSize && byte < (r.vcn + r.length) * boot.clusterSize,
    );
    if (!run || run.lcn === null) throw new Error(`MFT record ${record} is not mapped`);
    return run.lcn * boot.clusterSize + byte - run.vcn * boot.clusterSize;
  };
  const directories = ['/', '/Windows', '/Windows/System32', '/Windows/System32/config'];
  const listed = await Promise.all(
    [...directories, '/Windows/Logs', '/Windows/Temp', '/Program Files'].map((directory) =>
      recordsIn(image, directory),
    ),
  );
  const software = (await recordsIn(image, '/Windows/System32/config')).at(-1) ?? 0;
  const records = new Set([
    ...Array.from({ length: 16 }, (_, i) => i),
    ...listed.flat().filter((record) => record < 100),
    ...Array.from({ length: 5 }, (_, i) => software + i),
  ]);
  const hot: [number, number][] = [[0, 512]];
  for (const record of records) hot.push([recordAt(record), boot.mftRecordSize]);
  for (let at = 0; at < bytes.length; at += boot.clusterSize) {
    if (bytes.toString('latin1', at, at + 4) === 'INDX') hot.push([at, 4096]);
  }
  const logRecord = (await recordsIn(image, '/Windows/Logs')).at(-1) ?? 0;
  for (const run of await ntfsinfoDataRuns(image, logRecord)) {
    if (run.lcn !== null) hot.push([run.lcn * boot.clusterSize, run.length * boot.clusterSize]);
  }
  return hot;
}

it('answers mutated Windows-like volumes with content, null or a FerryError, never a hang', async () => {
  const { image } = await windowsVolume();
  const bytes = await readFile(image);
  const base = bufferSource(bytes, image);
  await askAll(base);
  const outcomes = await fuzzMutations(
    base,
    { hot: await hotRanges(image, bytes), iterations: 300, firstSeed: 0x17f5, timeoutMs: 2000 },
    askAll,
  );
  expect(outcomes.answered + outcomes.refused).toBe(300);
  expect(outcomes.answered).toBeGreaterThan(0);
  expect(outcomes.refused).toBeGreaterThan(0);
}, 60_000);
