/** What the Summary lists under "Layout changes": every way the destination differs from the source. */
import type { PlanSummary, VolumePlan } from '../../shared/api.js';

export type LayoutChange =
  | { kind: 'remove'; number: number }
  | { kind: 'move'; number: number; from: number; to: number; renumbered: number | null }
  | { kind: 'renumber'; number: number; to: number }
  | {
      kind: 'resize';
      number: number;
      from: number;
      to: number;
      resizer: string;
      renumbered: number | null;
    }
  /** The partition grows; its filesystem, which nothing can resize, keeps the size `from`. */
  | { kind: 'grow'; number: number; from: number; to: number; renumbered: number | null }
  | { kind: 'diskSize'; from: number; to: number }
  | { kind: 'temporary'; bytes: number };

/** In source order, then the disk, then the scratch space; empty when the layout is the source's. */
export function layoutChanges(plan: PlanSummary): LayoutChange[] {
  const changes = plan.volumes.flatMap(volumeChange);
  if (plan.diskSize !== plan.layout.size) {
    changes.push({ kind: 'diskSize', from: plan.layout.size, to: plan.diskSize });
  }
  if (plan.temporaryBytes > 0) changes.push({ kind: 'temporary', bytes: plan.temporaryBytes });
  return changes;
}

function volumeChange(volume: VolumePlan): LayoutChange[] {
  const { number, destinationNumber, start, size } = volume;
  if (volume.change === 'remove' || destinationNumber === null || start === null || size === null) {
    return [{ kind: 'remove', number }];
  }
  const renumbered = destinationNumber === number ? null : destinationNumber;
  const from = volume.sourceSize;
  switch (volume.change) {
    case 'copy':
      return renumbered === null ? [] : [{ kind: 'renumber', number, to: renumbered }];
    case 'move':
      return [{ kind: 'move', number, from: volume.sourceStart, to: start, renumbered }];
    case 'resize':
    case 'grow':
      return volume.change === 'resize' && volume.resizer !== null
        ? [{ kind: 'resize', number, from, to: size, resizer: volume.resizer, renumbered }]
        : [{ kind: 'grow', number, from, to: size, renumbered }];
  }
}
