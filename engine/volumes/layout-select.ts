import { FerryError } from '../../shared/errors.js';
import type { InspectReport, PartitionReport } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import type { VolumeRequest } from './types.js';
import { canResize } from './resize-filesystem.js';

/**
 * Which source partitions the destination keeps, at which size, and whether each filesystem is
 * resized or copied as it is: everything `--partitions` and `--resize` ask, checked against the
 * source before anything is placed.
 */

export const MIB = 1024 * 1024;

export interface KeptPartition {
  entry: PartitionReport;
  /** Its size on the destination. */
  size: number;
  action: 'copy' | 'resize';
}

export interface Selection {
  /** Kept partitions other than extended containers, in source order. */
  kept: KeptPartition[];
  removed: PartitionReport[];
  /** The extended container of the kept logical partitions, if any. */
  container: PartitionReport | null;
}

/**
 * The partitions `request` keeps. Naming an extended container in `--partitions` keeps it with
 * every logical partition inside it; the container itself follows its logicals and cannot be
 * resized.
 */
export function selectPartitions(report: InspectReport, request: VolumeRequest): Selection {
  const partitions = report.table.partitions;
  if (report.table.type === 'none') {
    throw refused(
      'the source has no partition table',
      report.source,
      'choosing or resizing partitions needs a partitioned disk; convert it without --partitions, --resize or --disk-size',
    );
  }
  const byNumber = new Map(partitions.map((p) => [p.number, p]));
  const known = (number: number, option: string): PartitionReport => {
    const entry = byNumber.get(number);
    if (!entry) {
      throw refused(
        `${option} names partition ${number}, which the source does not have`,
        report.source,
        `the source's partitions are ${[...byNumber.keys()].join(', ')} (see \`ferry inspect\`)`,
      );
    }
    return entry;
  };

  const wanted = new Set<number>();
  for (const number of request.partitions ?? partitions.map((p) => p.number)) {
    const entry = known(number, '--partitions');
    const inside =
      entry.kind === 'extended' ? partitions.filter((p) => p.kind === 'logical') : [entry];
    for (const p of inside) wanted.add(p.number);
  }
  const keptEntries = partitions.filter((p) => p.kind !== 'extended' && wanted.has(p.number));
  if (keptEntries.length === 0) {
    throw refused(
      'no partitions are left to copy',
      report.source,
      'name at least one partition that holds data in --partitions',
    );
  }

  const sizes = requestedSizes(report, request, wanted, known);
  return {
    kept: keptEntries.map((entry) => keep(entry, sizes.get(entry.number), report)),
    removed: partitions.filter((p) => p.kind !== 'extended' && !wanted.has(p.number)),
    container: containerOf(report, keptEntries),
  };
}

function requestedSizes(
  report: InspectReport,
  request: VolumeRequest,
  wanted: ReadonlySet<number>,
  known: (number: number, option: string) => PartitionReport,
): Map<number, number> {
  const sizes = new Map<number, number>();
  for (const [number, size] of request.resize ?? []) {
    const entry = known(number, '--resize');
    const where = `${report.source} partition ${number}`;
    if (entry.kind === 'extended') {
      throw refused(
        'the extended partition cannot be resized itself',
        where,
        'resize its logical partitions; the extended partition is sized to hold them',
      );
    }
    if (!wanted.has(number)) {
      throw refused(
        'the partition is resized but not copied',
        where,
        `add ${number} to --partitions, or drop --resize ${number}=…`,
      );
    }
    if (!Number.isSafeInteger(size) || size < MIB) {
      throw refused(
        `a size of ${size} bytes is below the 1 MiB a partition needs`,
        where,
        'give a size of at least 1M',
      );
    }
    if (size % report.sectorSize !== 0) {
      throw refused(
        `${size} bytes is not a whole number of ${report.sectorSize}-byte sectors`,
        where,
        'give the size in K, M or G',
      );
    }
    sizes.set(number, size);
  }
  return sizes;
}

/**
 * A changed size resizes a filesystem Ferry can resize. Any other content may grow (it keeps its
 * own size inside the larger partition) but may only shrink down to its filesystem's own size:
 * cutting off the end of data Ferry cannot resize would destroy it.
 */
function keep(
  entry: PartitionReport,
  requested: number | undefined,
  report: InspectReport,
): KeptPartition {
  const size = requested ?? entry.size;
  if (size === entry.size) return { entry, size, action: 'copy' };
  const filesystem = entry.filesystem;
  const where = `${report.source} partition ${entry.number}`;
  if (filesystem && canResize(filesystem.type)) {
    if (filesystem.usedBytes !== null && size < filesystem.usedBytes) {
      throw refused(
        `its ${filesystem.type} filesystem uses ${formatSize(filesystem.usedBytes)}, more than ${formatSize(size)}`,
        where,
        `give --resize ${entry.number}= a size above what the filesystem uses`,
      );
    }
    return { entry, size, action: 'resize' };
  }
  const fits = (filesystem?.size ?? Infinity) <= size;
  if (size > entry.size || fits) {
    return { entry, size, action: 'copy' };
  }
  const what = filesystem ? `its ${filesystem.type} filesystem` : 'what it holds';
  throw refused(
    `Ferry cannot shrink ${what}`,
    where,
    'keep its size, or shrink the filesystem with its own tools on the source first',
  );
}

/** The one extended container logical partitions live in; two of them is a layout Ferry will not rewrite. */
function containerOf(
  report: InspectReport,
  kept: readonly PartitionReport[],
): PartitionReport | null {
  if (!kept.some((p) => p.kind === 'logical')) return null;
  const containers = report.table.partitions.filter((p) => p.kind === 'extended');
  if (containers.length !== 1) {
    throw refused(
      `the source has ${containers.length} extended partitions`,
      report.source,
      'keep only primary partitions with --partitions, or convert the disk as it is',
    );
  }
  return containers[0] as PartitionReport;
}

export function refused(message: string, where: string, hint: string): FerryError {
  return new FerryError('LAYOUT_REFUSED', message, { where, hint });
}
