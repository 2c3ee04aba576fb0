/**
 * Where a converted disk is going, as the Destination screen offers it: each target maps to the
 * formats its hypervisor reads. Ferry writes the virtual disk only; VM definitions come later.
 */
import type { FormatName } from '../../shared/formats.js';

export type TargetId = 'workstation' | 'esxi' | 'virtualbox' | 'hyperv' | 'kvm' | 'azure' | 'raw';

export interface Target {
  id: TargetId;
  /** The variants offered; the first is the default. */
  formats: readonly [FormatName, ...FormatName[]];
}

export const TARGETS: readonly Target[] = [
  { id: 'workstation', formats: ['vmdk', 'vmdk-flat'] },
  { id: 'esxi', formats: ['vmdk-stream'] },
  { id: 'virtualbox', formats: ['vdi'] },
  { id: 'hyperv', formats: ['vhdx'] },
  { id: 'kvm', formats: ['qcow2'] },
  { id: 'azure', formats: ['vhd-fixed', 'vhd'] },
  { id: 'raw', formats: ['raw'] },
];

export function targetById(id: TargetId): Target {
  const target = TARGETS.find((t) => t.id === id);
  if (!target) throw new Error(`unknown target ${id}`);
  return target;
}

/** The formats whose engine writer preallocates when asked for `thick`; the others ignore it. */
const THICK_FORMATS: ReadonlySet<FormatName> = new Set(['raw', 'vhd', 'vhd-fixed', 'vhdx', 'vdi']);

export function supportsThick(format: FormatName): boolean {
  return THICK_FORMATS.has(format);
}

/** Only the qcow2 writer compresses on request; a stream-optimized VMDK always does. */
export function supportsCompression(format: FormatName): boolean {
  return format === 'qcow2';
}

const EXTENSIONS: Record<FormatName, string> = {
  raw: '.img',
  vmdk: '.vmdk',
  'vmdk-stream': '.vmdk',
  'vmdk-flat': '.vmdk',
  vhd: '.vhd',
  'vhd-fixed': '.vhd',
  vhdx: '.vhdx',
  vdi: '.vdi',
  qcow2: '.qcow2',
};

export function extensionOf(format: FormatName): string {
  return EXTENSIONS[format];
}
