/**
 * Runlists (mapping pairs): where the clusters of a non-resident attribute lie, and reading an
 * attribute's bytes through them.
 */
import type { BlockSource } from '../io/source.js';
import { ntfsError } from './ntfs-boot.js';
import type { NonResidentHeader } from './ntfs-record.js';

/** `length` clusters from virtual cluster `vcn` stored at `lcn`; a null lcn is a sparse hole. */
export interface Run {
  vcn: number;
  lcn: number | null;
  length: number;
}

/**
 * Decodes mapping pairs: each starts with a byte whose low nibble is the size of the run
 * length and high nibble the size of a signed LCN delta from the previous run (0: sparse).
 */
export function decodeRunlist(
  attribute: NonResidentHeader,
  totalClusters: number,
  where: string,
): Run[] {
  const bad = (message: string): Error => ntfsError(message, where);
  const pairs = attribute.mappingPairs;
  const runs: Run[] = [];
  let vcn = attribute.lowestVcn;
  let lcn = 0;
  let at = 0;
  while (at < pairs.length && pairs[at] !== 0) {
    const header = pairs[at] ?? 0;
    const lengthSize = header & 0x0f;
    const deltaSize = header >> 4;
    if (lengthSize === 0 || lengthSize > 8 || deltaSize > 8) {
      throw bad(`runlist header byte 0x${header.toString(16)} is not valid`);
    }
    if (at + 1 + lengthSize + deltaSize > pairs.length) {
      throw bad('the runlist runs off its attribute');
    }
    const length = readInteger(pairs, at + 1, lengthSize, false);
    if (length === null || length <= 0) throw bad('a run has an impossible length');
    if (deltaSize === 0) {
      runs.push({ vcn, lcn: null, length });
    } else {
      const delta = readInteger(pairs, at + 1 + lengthSize, deltaSize, true);
      if (delta === null) throw bad('a run has an impossible cluster offset');
      lcn += delta;
      if (lcn < 0 || lcn + length > totalClusters) {
        throw bad(
          `a run of ${length} clusters at ${lcn} lies outside the ${totalClusters} clusters`,
        );
      }
      runs.push({ vcn, lcn, length });
    }
    vcn += length;
    at += 1 + lengthSize + deltaSize;
  }
  if (vcn !== attribute.highestVcn + 1) {
    throw bad(`the runlist maps VCNs up to ${vcn - 1}, the attribute says ${attribute.highestVcn}`);
  }
  return runs;
}

/** A little-endian integer of 1..8 bytes; null when it does not fit a safe JS number. */
function readInteger(bytes: Buffer, at: number, size: number, signed: boolean): number | null {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i] ?? 0);
  if (signed) value = BigInt.asIntN(size * 8, value);
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  return value > limit || value < -limit ? null : Number(value);
}

/**
 * Reads `length` bytes at `offset` of an attribute's stream. Sparse runs read as zeros; bytes
 * past the initialized size read as zeros, as NTFS defines them. Callers cap `length`.
 */
export async function readThroughRuns(
  volume: BlockSource,
  clusterSize: number,
  runs: readonly Run[],
  initializedSize: number,
  offset: number,
  length: number,
  where: string,
): Promise<Buffer> {
  const out = Buffer.alloc(length);
  if (length === 0) return out;
  const end = offset + length;
  let covered = offset;
  for (const run of runs) {
    const runStart = run.vcn * clusterSize;
    const runEnd = runStart + run.length * clusterSize;
    if (runEnd <= covered || runStart > covered) continue;
    const pieceEnd = Math.min(end, runEnd);
    const readEnd = Math.min(pieceEnd, Math.max(covered, initializedSize));
    if (run.lcn !== null && readEnd > covered) {
      const at = run.lcn * clusterSize + (covered - runStart);
      if (at + (readEnd - covered) > volume.size) {
        throw ntfsError(`clusters at ${run.lcn} lie beyond the end of the volume`, where);
      }
      (await volume.read(at, readEnd - covered)).copy(out, covered - offset);
    }
    covered = pieceEnd;
    if (covered === end) return out;
  }
  throw ntfsError(`bytes ${covered}..${end} of the attribute are not mapped by its runlist`, where);
}
