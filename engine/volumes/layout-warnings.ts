import type { FilesystemType, PartitionReport } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import { MBR_MAX_SECTORS } from '../partitions/write-mbr.js';
import type { LayoutPlan, PlannedPartition } from './types.js';

/**
 * What a person should know about a new layout that Ferry can write but that may not do what
 * they expect: a boot partition left out, a filesystem that stays smaller than its partition,
 * references that a new number or offset breaks.
 */

const ESP_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const ESP_MBR_TYPE = '0xef';
/** GRUB's BIOS boot partition on GPT: its core.img records its own sectors. */
const BIOS_BOOT_GUID = '21686148-6449-6e6f-744e-656564454649';

/** How to grow a filesystem Ferry leaves at its old size, once the VM runs. */
const GROW_TOOLS: Partial<Record<FilesystemType, string>> = {
  xfs: 'xfs_growfs',
  btrfs: 'btrfs filesystem resize max',
  lvm2: 'pvresize',
  luks: 'cryptsetup resize',
  swap: 'mkswap',
};

export function layoutWarnings(
  plan: Omit<LayoutPlan, 'warnings'>,
  removed: readonly PartitionReport[],
  hybrid: boolean,
): string[] {
  const warnings: string[] = [];
  for (const p of removed) {
    const role = bootRole(p.type, p.bootable);
    if (role) warnings.push(`partition ${p.number} (${role}) is not copied; the VM may not boot`);
  }
  for (const p of plan.partitions) {
    if (p.kind === 'extended') continue;
    if (p.action === 'copy' && p.size > p.sourceSize) warnings.push(grownWarning(p));
    if (p.number !== p.sourceNumber) {
      warnings.push(
        `logical partition ${p.sourceNumber} becomes ${p.number}: references to it by number (/etc/fstab, the boot loader) must change`,
      );
    }
    if (p.start !== p.sourceStart) warnings.push(...movedWarnings(p, plan.table));
  }
  if (hybrid) {
    warnings.push('the hybrid MBR is not kept: the new disk has a protective MBR only');
  }
  if (plan.table === 'mbr' && plan.diskSize / plan.sectorSize > MBR_MAX_SECTORS + 1) {
    warnings.push(
      `an MBR reaches only the first ${formatSize((MBR_MAX_SECTORS + 1) * plan.sectorSize)} of the ${formatSize(plan.diskSize)} disk`,
    );
  }
  return warnings;
}

function bootRole(type: string, bootable: boolean): string | null {
  if (type === ESP_GUID || type === ESP_MBR_TYPE) return 'the EFI system partition';
  if (type === BIOS_BOOT_GUID) return 'the BIOS boot partition';
  return bootable ? 'marked bootable' : null;
}

function grownWarning(p: PlannedPartition): string {
  const what = p.filesystem ? `its ${p.filesystem} filesystem` : 'what it holds';
  const tool = p.filesystem ? GROW_TOOLS[p.filesystem] : undefined;
  const how = tool ? `grow it in the VM with ${tool}` : 'grow it in the VM with its own tools';
  return `partition ${p.number} grows to ${formatSize(p.size)} but ${what} keeps its size; ${how}`;
}

function movedWarnings(p: PlannedPartition, table: LayoutPlan['table']): string[] {
  if (p.type === BIOS_BOOT_GUID) {
    return [
      `partition ${p.number} holds GRUB's core.img, which records its own sectors, and moves; reinstall GRUB in the VM`,
    ];
  }
  if (table === 'mbr' && p.filesystem === 'ntfs') {
    return [
      `partition ${p.number} moves: Windows on an MBR disk finds its partitions by offset, so its boot configuration may need repair (bcdboot)`,
    ];
  }
  return [];
}
