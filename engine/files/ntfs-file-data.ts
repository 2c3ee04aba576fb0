/**
 * The content of a file: its unnamed $DATA, resident in the record or in clusters (sparse runs
 * and bytes past the initialized size read as zeros), LZNT1-compressed or not, its runlist
 * possibly spread over extent records. The size is checked before anything is allocated.
 */
import { constants } from 'node:buffer';
import { FerryError } from '../../shared/errors.js';
import type { NtfsBoot } from '../filesystems/ntfs-boot.js';
import { ntfsError } from '../filesystems/ntfs-boot.js';
import type { DataStream, Mft } from '../filesystems/ntfs-mft.js';
import { DATA, type MftRecord } from '../filesystems/ntfs-record.js';
import { decompressLznt1 } from './ntfs-lznt1.js';

const COMPRESSION_MASK = 0x00ff;
const ENCRYPTED = 0x4000;
/** Windows compresses in units of 16 clusters, and only on volumes of clusters up to 4 KiB. */
const COMPRESSION_UNIT = 4;
const MAX_COMPRESSED_CLUSTER = 4096;

/** The whole content of a file, its size checked against `maxBytes` before anything is read. */
export function readFileData(
  mft: Mft,
  boot: NtfsBoot,
  file: MftRecord,
  maxBytes: number,
  where: string,
): Promise<Buffer> {
  return readData(mft, boot, file, where, (size) => {
    checkSize(size, maxBytes, where);
    return size;
  });
}

/** The first `min(length, size)` bytes of a file, reading only the clusters that hold them. */
export function readFileHead(
  mft: Mft,
  boot: NtfsBoot,
  file: MftRecord,
  length: number,
  where: string,
): Promise<Buffer> {
  return readData(mft, boot, file, where, (size) => Math.min(length, size));
}

/** The first `wanted(size)` bytes of the file's $DATA. */
async function readData(
  mft: Mft,
  boot: NtfsBoot,
  file: MftRecord,
  where: string,
  wanted: (size: number) => number,
): Promise<Buffer> {
  const pieces = await mft.attributePieces(file, DATA, '');
  const first = pieces.find((a) => (a.nonResident?.lowestVcn ?? 0) === 0);
  if (!first) throw ntfsError('the file has no $DATA attribute', where);
  if (first.flags & ENCRYPTED) {
    throw unsupported('the file is encrypted (EFS)', where, 'Ferry cannot decrypt EFS files');
  }
  if (first.value) {
    if (pieces.length > 1) throw ntfsError('a resident $DATA has more than one piece', where);
    return Buffer.from(first.value.subarray(0, wanted(first.value.length)));
  }
  const stream = mft.joinPieces(pieces, '$DATA', where);
  const length = wanted(stream.dataSize);
  const compression = first.flags & COMPRESSION_MASK;
  if (compression === 0) return mft.readStream(stream, 0, length, where);
  const unit = first.nonResident?.compressionUnit ?? 0;
  if (compression !== 1 || unit !== COMPRESSION_UNIT || boot.clusterSize > MAX_COMPRESSED_CLUSTER) {
    throw unsupported(
      `the file is compressed in a way Windows does not write (method ${compression}, unit ${unit})`,
      where,
      'only LZNT1 with 16-cluster units on volumes of clusters up to 4 KiB is read',
    );
  }
  return readCompressed(mft, boot.clusterSize << unit, boot.clusterSize, stream, length, where);
}

function checkSize(size: number, maxBytes: number, where: string): void {
  if (size > maxBytes || size > constants.MAX_LENGTH) {
    throw unsupported(
      `the file holds ${size} bytes, more than the ${maxBytes} asked for`,
      where,
      'ask for a larger maxBytes if the file is really needed',
    );
  }
}

function unsupported(message: string, where: string, hint: string): FerryError {
  return new FerryError('UNSUPPORTED', message, { where, hint });
}

/**
 * Each compression unit is sparse (zeros) when its first cluster is a hole, stored as is when
 * every cluster is allocated, and LZNT1-compressed otherwise; as ntfs-3g does, a compressed unit
 * is read whole, its holes as zeros, and decompression stops at the first empty chunk header.
 * Only the units holding the first `length` bytes are read.
 */
async function readCompressed(
  mft: Mft,
  unitSize: number,
  clusterSize: number,
  stream: DataStream,
  length: number,
  where: string,
): Promise<Buffer> {
  const out = Buffer.alloc(length);
  const mapped = stream.runs.reduce((end, run) => Math.max(end, run.vcn + run.length), 0);
  const raw = { ...stream, initializedSize: mapped * clusterSize };
  const unitClusters = unitSize / clusterSize;
  const wanted = Math.min(length, stream.initializedSize);
  for (let start = 0; start < wanted; start += unitSize) {
    const firstVcn = start / clusterSize;
    const holes = holeClusters(stream, firstVcn, unitClusters);
    if (holes.first) continue;
    const length = Math.min(unitSize, raw.initializedSize - start);
    if (length <= 0) throw ntfsError(`the compression unit at ${start} is not mapped`, where);
    const bytes = await mft.readStream(raw, start, length, where);
    const unit = holes.count === 0 ? bytes : decompressLznt1(bytes, unitSize, where);
    unit.copy(out, start, 0, Math.min(unit.length, wanted - start));
  }
  return out;
}

/** How many clusters of a unit are sparse, and whether its first one is. */
function holeClusters(
  stream: DataStream,
  firstVcn: number,
  clusters: number,
): { first: boolean; count: number } {
  const end = firstVcn + clusters;
  let first = false;
  let count = 0;
  for (const run of stream.runs) {
    const overlap = Math.min(end, run.vcn + run.length) - Math.max(firstVcn, run.vcn);
    if (overlap <= 0 || run.lcn !== null) continue;
    count += overlap;
    if (run.vcn <= firstVcn) first = true;
  }
  return { first, count };
}
