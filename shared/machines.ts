/** The virtual machine around a converted disk, as the command line and the wizard name it. */

import type { FormatName } from './formats.js';

export const HYPERVISORS = ['vmware', 'virtualbox', 'hyperv', 'libvirt', 'ovf'] as const;
export type Hypervisor = (typeof HYPERVISORS)[number];

export const FIRMWARES = ['bios', 'uefi'] as const;
export type Firmware = (typeof FIRMWARES)[number];

/** The kind of disk controller the guest boots from. */
export const CONTROLLERS = ['ide', 'sata', 'scsi', 'nvme', 'virtio'] as const;
export type Controller = (typeof CONTROLLERS)[number];

/**
 * The disk formats each hypervisor runs a machine from, its usual one first; `ferry convert`
 * refuses any other with --machine.
 */
export const FORMATS_BY_HYPERVISOR: Record<Hypervisor, readonly [FormatName, ...FormatName[]]> = {
  // streamOptimized is a transport format: VMware must convert it before a machine can use it.
  vmware: ['vmdk', 'vmdk-flat'],
  // Formats whose file carries the UUID that VirtualBox checks against the .vbox.
  virtualbox: ['vdi', 'vmdk', 'vmdk-flat', 'vhd', 'vhd-fixed'],
  hyperv: ['vhdx', 'vhd', 'vhd-fixed'],
  // QEMU reads others too, but runs machines from these two; the rest are for conversion.
  libvirt: ['qcow2', 'raw'],
  // OVF's disk format URL for VMDK names streamOptimized, which every consumer imports.
  ovf: ['vmdk-stream'],
};

/** Each hypervisor's definition file, named like the disk and written beside it. */
export const DEFINITION_EXTENSIONS: Record<Hypervisor, string> = {
  vmware: '.vmx',
  virtualbox: '.vbox',
  hyperv: '.ps1',
  libvirt: '.xml',
  ovf: '.ovf',
};
