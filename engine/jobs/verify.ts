import { FerryError } from '../../shared/errors.js';
import type { PartitionReport } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import { readLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import { readPartitionTable } from '../partitions/read-table.js';
import { totalLength } from '../ranges.js';
import { copyRanges } from './copy-ranges.js';
import { ProgressMeter, type Progress } from './progress.js';
import { checkChunks, digestChunks } from './verify-chunks.js';

type Placed = Pick<PartitionReport, 'number' | 'start' | 'size'>;

const RESHAPED_HINT =
  'compare an image with the disk it was made from; one converted with --partitions, --resize or --disk-size differs by design, and convert --verify checks it as it is written';

export interface VerifyRequest {
  source: string;
  image: string;
  /** Compare every block, as a conversion with --all-blocks copies them. */
  allBlocks?: boolean;
}

export interface VerifyEvents {
  /** Before reading: how many bytes of each side will be compared. */
  onPlan?(bytes: number): void;
  onProgress?(progress: Progress): void;
}

/**
 * `ferry verify`: whether `image` (any readable format) holds what a conversion of `source`
 * copies, the used blocks of its filesystems or, with allBlocks, every block. The source is read
 * first and checksummed chunk by chunk, then the image is read back and checked; nothing is
 * written. An image whose layout was changed (--partitions, --resize, --disk-size) differs by
 * design: `convert --verify` checks those as they are written.
 */
export async function verifyImage(
  request: VerifyRequest,
  events: VerifyEvents = {},
  signal?: AbortSignal,
): Promise<{ bytes: number }> {
  const opening = signal ? { signal } : {};
  const source = await openSource(request.source, opening);
  try {
    const image = await openSource(request.image, opening);
    try {
      if (image.size < source.size) {
        throw new FerryError(
          'VERIFY_MISMATCH',
          `holds a ${formatSize(image.size)} disk, smaller than the ${formatSize(source.size)} of ${request.source}`,
          {
            where: request.image,
            hint: RESHAPED_HINT,
          },
        );
      }
      const layout = await readLayout(source);
      // The table alone, read as the source's was: the image's filesystems need no second look.
      const imageTable = await readPartitionTable(image, { sectorSize: layout.report.sectorSize });
      const reshaped = layoutDifference(layout.report.table.partitions, imageTable.partitions);
      if (reshaped) {
        throw new FerryError('VERIFY_MISMATCH', `is laid out differently: ${reshaped}`, {
          where: request.image,
          hint: RESHAPED_HINT,
        });
      }
      const ranges = copyRanges(layout, request.allBlocks ?? false);
      const bytes = totalLength(ranges);
      events.onPlan?.(bytes);
      const meter = new ProgressMeter(2 * bytes);
      const digests = await digestChunks(source, ranges, {
        ...opening,
        onRead: (done) => events.onProgress?.(meter.update(done)),
      });
      await checkChunks(image, ranges, digests, {
        ...opening,
        hint: 'the image is damaged, or was converted with --disk-size (a GPT disk gets new headers); check the disk it is on, and convert again',
        onRead: (done) => events.onProgress?.(meter.update(bytes + done)),
      });
      return { bytes };
    } finally {
      await image.close();
    }
  } finally {
    await source.close();
  }
}

/** How the image's partitions differ from the source's, in words; null when they are the same. */
function layoutDifference(source: readonly Placed[], image: readonly Placed[]): string | null {
  const theirs = new Map(image.map((p) => [p.number, p]));
  for (const ours of source) {
    const match = theirs.get(ours.number);
    if (!match) return `partition ${ours.number} of the source is not on it`;
    if (match.start !== ours.start || match.size !== ours.size) {
      return `partition ${ours.number} is ${formatSize(match.size)} at byte ${match.start}, not ${formatSize(ours.size)} at byte ${ours.start}`;
    }
    theirs.delete(ours.number);
  }
  const extra = [...theirs.keys()][0];
  return extra === undefined ? null : `it has a partition ${extra} the source has not`;
}
