/**
 * A VMware .vmx: the machine VMware Workstation, Fusion, Player and ESXi power on. Lines are
 * `key = "value"`; values are escaped as VMware's own dictionary code does (open-vm-tools
 * lib/dict/dictll.c): `"`, `|`, DEL and control characters other than tab become `|XX`.
 */
import { FerryError } from '../../shared/errors.js';
import type { VmdkAdapterType } from '../formats/vmdk-descriptor.js';
import { vmwareGuestOs } from './guest-ids.js';
import { checkMachineSpec } from './machine-spec.js';
import type { Controller, MachineSpec } from './types.js';

/**
 * Hardware version 20: VMware Workstation 17 and ESXi 8.0, the oldest products that know every
 * guestOS id guest-ids.ts hands out (debian12-64, windows11-64…).
 */
export const VMX_HARDWARE_VERSION = 20;

const MiB = 2 ** 20;

/** The bytes VMware escapes (DictLL_MarshalLine's toEscape table). */
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u0008\u000a-\u001f"|\u007f]/g;

/** A .vmx value as VMware writes it, without the surrounding quotes. */
export function escapeVmxValue(value: string): string {
  return value.replace(
    ESCAPED,
    (c) => `|${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** The controller's lines and the disk's attachment to its first port. */
function controllerLines(spec: MachineSpec): [string, string][] {
  const disk = escapeVmxValue(spec.disk.path);
  const attach = (device: string): [string, string][] => [
    [`${device}.present`, 'TRUE'],
    [`${device}.fileName`, disk],
  ];
  switch (spec.controller) {
    case 'ide':
      return attach('ide0:0');
    case 'sata':
      return [['sata0.present', 'TRUE'], ...attach('sata0:0')];
    case 'nvme':
      return [['nvme0.present', 'TRUE'], ...attach('nvme0:0')];
    case 'scsi':
      return [
        ['scsi0.present', 'TRUE'],
        ['scsi0.virtualDev', scsiDevice(spec)],
        ...attach('scsi0:0'),
      ];
    case 'virtio':
      // checkMachineSpec refuses it first; this keeps the switch whole for the compiler.
      throw new FerryError('USAGE', 'VMware has no virtio controller', { where: '--controller' });
  }
}

/**
 * LSI Logic SAS for Windows (lsi_sas is in the box since Vista, pvscsi needs VMware Tools),
 * PVSCSI for Linux (vmw_pvscsi is in the kernel since 2.6.33), LSI Logic parallel otherwise.
 */
function scsiDevice(spec: MachineSpec): string {
  if (spec.guest?.family === 'windows') return 'lsisas1068';
  if (spec.guest?.family === 'linux') return 'pvscsi';
  return 'lsilogic';
}

/**
 * The ddb.adapterType the disk's descriptor should carry for this controller. It only sets the
 * BIOS geometry (16 heads for IDE, 255 otherwise); VMDK has no SATA or NVMe adapter type.
 */
export function vmdkAdapterType(controller: Controller): VmdkAdapterType {
  return controller === 'ide' ? 'ide' : 'lsilogic';
}

export function buildVmx(spec: MachineSpec): string {
  checkMachineSpec('vmware', spec);
  const lines: [string, string][] = [
    ['.encoding', 'UTF-8'],
    ['config.version', '8'],
    ['virtualHW.version', String(VMX_HARDWARE_VERSION)],
    ['displayName', escapeVmxValue(spec.name)],
    ['guestOS', vmwareGuestOs(spec.guest)],
    ['firmware', spec.firmware === 'uefi' ? 'efi' : 'bios'],
    ['numvcpus', String(spec.cpus)],
    ['memsize', String(spec.memoryBytes / MiB)],
    // The PCI Express root ports VMware itself writes: e1000e, vmxnet3, AHCI and NVMe sit on them.
    ['pciBridge0.present', 'TRUE'],
    ...[4, 5, 6, 7].flatMap((n): [string, string][] => [
      [`pciBridge${n}.present`, 'TRUE'],
      [`pciBridge${n}.virtualDev`, 'pcieRootPort'],
      [`pciBridge${n}.functions`, '8'],
    ]),
    ['vmci0.present', 'TRUE'],
    ['hpet0.present', 'TRUE'],
    ...controllerLines(spec),
    ['ethernet0.present', 'TRUE'],
    ['ethernet0.virtualDev', spec.nic],
    ['ethernet0.connectionType', 'nat'],
    ['ethernet0.addressType', 'generated'],
    ['floppy0.present', 'FALSE'],
  ];
  return lines.map(([key, value]) => `${key} = "${value}"\n`).join('');
}
