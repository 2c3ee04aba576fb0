/**
 * A first estimate of the output, from the inspection alone, for the Destination screen's free
 * space check before the engine plans. It is an upper bound: the engine also drops zero runs.
 * And the engine's own estimate of the time, as people read it.
 */
import type { InspectReport } from '../../shared/layout.js';

export interface EstimateChoices {
  allBlocks: boolean;
  /** A preallocated output takes the whole disk whatever is copied. */
  thick: boolean;
}

export function estimateOutputBytes(report: InspectReport, choices: EstimateChoices): number {
  if (choices.thick) return report.size;
  const copied = choices.allBlocks ? report.size : usedEstimate(report);
  // A virtual disk source holds no more non-zero data than it stores.
  return report.storedBytes === null ? copied : Math.min(copied, report.storedBytes);
}

function usedEstimate(report: InspectReport): number {
  if (report.table.type === 'none') return report.filesystem?.usedBytes ?? report.size;
  let bytes = report.size;
  for (const partition of report.table.partitions) {
    const used = partition.filesystem?.usedBytes;
    if (partition.kind !== 'extended' && used !== null && used !== undefined) {
      bytes -= partition.size - Math.min(used, partition.size);
    }
  }
  return bytes;
}

/** The engine's duration estimate as whole minutes, one at least: it is rough. */
export function aboutMinutes(seconds: number): number {
  return Math.max(1, Math.round(seconds / 60));
}
