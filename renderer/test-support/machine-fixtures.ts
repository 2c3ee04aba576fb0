/**
 * The systems and machines the engine reports, for the renderer's tests: the guests are what
 * `ferry inspect` finds on a Debian 12 install (GPT, an EFI System partition holding GRUB's
 * removable-media path) and on a Windows 10 Pro 22H2 install (MBR, BIOS), and the machine
 * plans follow engine/machines/hardware-defaults.ts and engine/jobs/machine-targets.ts.
 */
import type { JobSpec, MachinePlan, PlanSummary } from '../../shared/api.js';
import type { GuestOs } from '../../shared/guest.js';
import type { InspectReport } from '../../shared/layout.js';
import type { Controller, Firmware, Hypervisor } from '../../shared/machines.js';

export const DEBIAN_GUEST: GuestOs = {
  family: 'linux',
  name: 'Debian GNU/Linux 12 (bookworm)',
  id: 'debian',
  version: '12',
  edition: null,
  build: null,
  architecture: 'x86_64',
  partition: 2,
};

export const WINDOWS_GUEST: GuestOs = {
  family: 'windows',
  name: 'Windows 10 Pro',
  id: 'windows',
  version: '10.0',
  edition: 'Professional',
  build: 19045,
  architecture: 'x86_64',
  partition: 1,
};

/** engine/machines/detect-firmware.ts's words. */
export const UEFI_REASON = 'GPT with an EFI System partition holding \\EFI\\BOOT\\BOOTX64.EFI';
export const BIOS_REASON = 'MBR disk: BIOS boot';

const EFI_SYSTEM = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const GiB = 2 ** 30;

export function firmwareOf(report: InspectReport): PlanSummary['firmware'] {
  const esp = report.table.partitions.some((p) => p.type === EFI_SYSTEM && p.filesystem);
  return esp
    ? { detected: 'uefi', reason: UEFI_REASON }
    : { detected: 'bios', reason: BIOS_REASON };
}

const CONTROLLERS: Record<Hypervisor, Controller[]> = {
  vmware: ['ide', 'sata', 'scsi', 'nvme'],
  virtualbox: ['ide', 'sata', 'scsi', 'nvme', 'virtio'],
  hyperv: ['ide', 'scsi'],
  libvirt: ['ide', 'sata', 'scsi', 'virtio'],
  ovf: ['ide', 'sata', 'scsi', 'nvme'],
};

const NICS: Record<Hypervisor, string[]> = {
  vmware: ['e1000', 'e1000e', 'vmxnet3'],
  virtualbox: ['82540EM', '82543GC', '82545EM', 'Am79C970A', 'Am79C973', 'virtio'],
  hyperv: ['synthetic', 'legacy'],
  libvirt: ['e1000', 'e1000e', 'virtio', 'rtl8139'],
  ovf: ['E1000', 'E1000e', 'VmxNet3', 'PCNet32'],
};

const NAMES: Record<Hypervisor, string> = {
  vmware: 'VMware',
  virtualbox: 'VirtualBox',
  hyperv: 'Hyper-V',
  libvirt: 'libvirt',
  ovf: 'OVF',
};

const DEFINITIONS: Record<Hypervisor, string> = {
  vmware: '.vmx',
  virtualbox: '.vbox',
  hyperv: '.ps1',
  libvirt: '.xml',
  ovf: '.ovf',
};

function defaultController(hypervisor: Hypervisor, guest: GuestOs | null, firmware: Firmware) {
  if (hypervisor === 'hyperv') return firmware === 'uefi' ? 'scsi' : 'ide';
  return hypervisor === 'libvirt' && guest?.family === 'linux' ? 'virtio' : 'sata';
}

function defaultNic(hypervisor: Hypervisor, guest: GuestOs | null): string {
  const linux = guest?.family === 'linux';
  const windows = guest?.family === 'windows';
  switch (hypervisor) {
    case 'vmware':
      return linux ? 'vmxnet3' : windows ? 'e1000e' : 'e1000';
    case 'virtualbox':
      return '82540EM';
    case 'hyperv':
      return 'synthetic';
    case 'libvirt':
      return linux ? 'virtio' : 'e1000e';
    case 'ovf':
      return windows ? 'E1000e' : 'E1000';
  }
}

export interface PlannedFiles {
  outputFiles: string[];
  machine: MachinePlan | null;
}

/** The files and machine of a spec, refusing what the engine refuses, in its words. */
export function machineFor(spec: JobSpec, report: InspectReport): PlannedFiles {
  const ova = spec.destination.endsWith('.ova');
  const hypervisor = spec.machine ?? (ova ? 'ovf' : undefined);
  const base = spec.destination.replace(/\.[^./\\]+$/, '');
  const disk = ova ? `${base}-disk1.vmdk` : spec.destination;
  const diskFiles = spec.format === 'vmdk-flat' ? [disk, `${base}-flat.vmdk`] : [disk];
  if (hypervisor === undefined) return { outputFiles: diskFiles, machine: null };

  const guest = report.guest;
  const hardware = spec.hardware ?? {};
  const firmware = hardware.firmware ?? firmwareOf(report).detected;
  const controller = hardware.controller ?? defaultController(hypervisor, guest, firmware);
  if (controller === 'nvme' && firmware === 'bios') {
    throw new Error(`${NAMES[hypervisor]} boots from NVMe only with UEFI firmware`);
  }
  const definition = `${base}${DEFINITIONS[hypervisor]}`;
  const files = ova
    ? [spec.destination]
    : [definition, ...(hypervisor === 'ovf' ? [`${base}.mf`] : [])];
  const machine: MachinePlan = {
    name: hardware.name ?? base.split(/[\\/]/).pop()!,
    cpus: hardware.cpus ?? 2,
    memoryBytes: hardware.memoryBytes ?? (guest?.family === 'windows' ? 4 * GiB : 2 * GiB),
    firmware,
    controller,
    nic: hardware.nic ?? defaultNic(hypervisor, guest),
    controllers: CONTROLLERS[hypervisor],
    nics: NICS[hypervisor],
    files,
  };
  return { outputFiles: [...(ova ? [] : diskFiles), ...files], machine };
}
