/**
 * What a conversion writes, as the Destination screen offers it: a virtual machine for one
 * hypervisor (its definition beside the disk, in a disk format that hypervisor runs), or the
 * virtual disk alone in any format.
 */
import { FORMAT_EXTENSIONS, THICK_FORMATS, type FormatName } from '../../shared/formats.js';
import {
  DEFINITION_EXTENSIONS,
  FORMATS_BY_HYPERVISOR,
  HYPERVISORS,
  type Hypervisor,
} from '../../shared/machines.js';

export type TargetId = Hypervisor | 'disk';

export const TARGET_IDS: readonly TargetId[] = [...HYPERVISORS, 'disk'];

/** A disk alone may be written in every format, grouped by the hypervisors that read them. */
const DISK_FORMATS: readonly [FormatName, ...FormatName[]] = [
  'vmdk',
  'vmdk-flat',
  'vmdk-stream',
  'vdi',
  'vhdx',
  'vhd',
  'vhd-fixed',
  'qcow2',
  'raw',
];

/** The formats offered for a target; for a hypervisor, the first is the one it is given. */
export function formatsFor(target: TargetId): readonly [FormatName, ...FormatName[]] {
  return target === 'disk' ? DISK_FORMATS : FORMATS_BY_HYPERVISOR[target];
}

/** The hypervisor whose machine is written, or undefined for the disk alone. */
export function machineOf(target: TargetId): Hypervisor | undefined {
  return target === 'disk' ? undefined : target;
}

export function definitionExtension(hypervisor: Hypervisor): string {
  return DEFINITION_EXTENSIONS[hypervisor];
}

export function supportsThick(format: FormatName): boolean {
  return THICK_FORMATS.has(format);
}

/** Only the qcow2 writer compresses on request; a stream-optimized VMDK always does. */
export function supportsCompression(format: FormatName): boolean {
  return format === 'qcow2';
}

export function extensionOf(format: FormatName): string {
  return FORMAT_EXTENSIONS[format];
}
