/**
 * The virtual hardware Ferry picks when the user does not, and what each hypervisor can name at
 * all. A converted system boots only from a controller its kernel already has a boot-time driver
 * for (Ferry injects no drivers), so the defaults favour what every release of the guest ships.
 */
import { FerryError } from '../../shared/errors.js';
import type { GuestOs } from '../../shared/guest.js';
import { windowsRelease, type WindowsRelease } from './guest-ids.js';
import type { Controller, Firmware, Hypervisor } from './types.js';

const GiB = 2 ** 30;

/** Controllers each hypervisor can put a boot disk on. */
export const CONTROLLERS_BY_HYPERVISOR: Record<Hypervisor, readonly Controller[]> = {
  // No virtio: VMware emulates none of it.
  vmware: ['ide', 'sata', 'scsi', 'nvme'],
  // virtio is VirtualBox's virtio-scsi (6.1 and later).
  virtualbox: ['ide', 'sata', 'scsi', 'nvme', 'virtio'],
  // Hyper-V has IDE (generation 1) and its synthetic SCSI (generation 2 boots only from it).
  hyperv: ['ide', 'scsi'],
  // libvirt 9 has no emulated NVMe disk bus; scsi is QEMU's virtio-scsi controller.
  libvirt: ['ide', 'sata', 'scsi', 'virtio'],
  // No virtio: VMware, the main OVF consumer, would refuse the appliance.
  ovf: ['ide', 'sata', 'scsi', 'nvme'],
};

/** Network adapter models, in each hypervisor's own spelling. The first is the generic one. */
export const NICS_BY_HYPERVISOR: Record<Hypervisor, readonly string[]> = {
  vmware: ['e1000', 'e1000e', 'vmxnet3'],
  virtualbox: ['82540EM', '82543GC', '82545EM', 'Am79C970A', 'Am79C973', 'virtio'],
  hyperv: ['synthetic', 'legacy'],
  libvirt: ['e1000', 'e1000e', 'virtio', 'rtl8139'],
  ovf: ['E1000', 'E1000e', 'VmxNet3', 'PCNet32'],
};

export interface HardwareDefaults {
  controller: Controller;
  nic: string;
  cpus: number;
  memoryBytes: number;
}

/** Releases older than Vista: no AHCI driver in the box, and 32-bit era memory sizes. */
const PRE_VISTA: readonly (WindowsRelease | null)[] = ['xp', '2003'];
/** Releases before Windows 8, whose network drivers stop at the e1000 generation. */
const PRE_WINDOWS_8: readonly (WindowsRelease | null)[] = [
  'xp',
  '2003',
  'vista',
  '2008',
  '7',
  '2008r2',
];
/** Windows 10 and later, and their servers: 4 GiB is Microsoft's practical floor. */
const MODERN_WINDOWS: readonly (WindowsRelease | null)[] = [
  '10',
  '11',
  '2016',
  '2019',
  '2022',
  '2025',
];

export function defaultHardware(
  hypervisor: Hypervisor,
  guest: GuestOs | null,
  firmware: Firmware,
): HardwareDefaults {
  return {
    // Two vCPUs: enough for a responsive first boot, and within every host's means.
    cpus: 2,
    memoryBytes: defaultMemory(guest),
    controller: defaultController(hypervisor, guest, firmware),
    nic: defaultNic(hypervisor, guest, firmware),
  };
}

function defaultMemory(guest: GuestOs | null): number {
  const release = windowsRelease(guest);
  if (guest?.family === 'windows') {
    // XP and 2003 ran in 512 MiB; 1 GiB leaves them room without wasting the host's.
    if (PRE_VISTA.includes(release)) return GiB;
    // Windows 10/11 and Server 2016+ need 4 GiB to update and run a browser without paging.
    if (MODERN_WINDOWS.includes(release) || release === null) return 4 * GiB;
    // Vista to 8.1 and Server 2008 to 2012 R2 ask for 1 to 2 GiB.
    return 2 * GiB;
  }
  // A Linux system, or one not recognised: 2 GiB runs any distribution's desktop.
  return 2 * GiB;
}

function defaultController(
  hypervisor: Hypervisor,
  guest: GuestOs | null,
  firmware: Firmware,
): Controller {
  const release = windowsRelease(guest);
  // Hyper-V generation 1 (BIOS) boots only from IDE, generation 2 (UEFI) only from SCSI.
  if (hypervisor === 'hyperv') return firmware === 'uefi' ? 'scsi' : 'ide';
  // XP and 2003 have no AHCI driver in the box: IDE is the only controller they boot from.
  if (guest?.family === 'windows' && PRE_VISTA.includes(release)) return 'ide';
  // Every Linux kernel has virtio_blk, and it is QEMU's fastest disk.
  if (hypervisor === 'libvirt' && guest?.family === 'linux') return 'virtio';
  // SATA AHCI: Windows (Vista on) and Linux both boot from it with in-box drivers, where
  // SCSI and NVMe depend on which drivers the physical machine happened to load at boot.
  return 'sata';
}

function defaultNic(hypervisor: Hypervisor, guest: GuestOs | null, firmware: Firmware): string {
  const windows = guest?.family === 'windows';
  const release = windowsRelease(guest);
  const oldWindows = windows && PRE_WINDOWS_8.includes(release);
  switch (hypervisor) {
    case 'vmware':
      // vmxnet3 is in every Linux kernel since 2.6.32; Windows has no in-box vmxnet3 driver,
      // but Windows 8 and later ship the e1000e (82574) one, older Windows the e1000 one.
      if (guest?.family === 'linux') return 'vmxnet3';
      return windows && !oldWindows ? 'e1000e' : 'e1000';
    case 'virtualbox':
      // VirtualBox's own defaults: Intel PRO/1000 MT Desktop, PRO/1000 T Server for 32-bit XP.
      return release === 'xp' && guest?.architecture === 'x86' ? '82543GC' : '82540EM';
    case 'hyperv':
      // The synthetic adapter has drivers in Linux (hv_netvsc) and Windows Vista on; XP and
      // 2003 only see the emulated legacy adapter, which generation 2 (UEFI) does not have.
      return windows && PRE_VISTA.includes(release) && firmware === 'bios' ? 'legacy' : 'synthetic';
    case 'libvirt':
      // virtio-net is in every Linux kernel; Windows has no virtio driver until one is
      // installed, but ships e1000e (Windows 8 on) or e1000 drivers.
      if (guest?.family === 'linux') return 'virtio';
      return oldWindows ? 'e1000' : 'e1000e';
    case 'ovf':
      // E1000 is understood by every OVF consumer; Windows 8 and later have no driver for it.
      return windows && !oldWindows ? 'E1000e' : 'E1000';
  }
}

/** Refuses a controller the hypervisor cannot name, or cannot boot with this firmware. */
export function checkController(
  hypervisor: Hypervisor,
  controller: Controller,
  firmware: Firmware,
): void {
  const usage = (message: string, hint: string): FerryError =>
    new FerryError('USAGE', message, { where: '--controller', hint });
  const supported = CONTROLLERS_BY_HYPERVISOR[hypervisor];
  if (!supported.includes(controller)) {
    throw usage(
      `${hypervisorName(hypervisor)} cannot attach a disk to a ${controller} controller`,
      `choose one of ${supported.join(', ')}`,
    );
  }
  if (controller === 'nvme' && firmware === 'bios') {
    throw usage(
      `${hypervisorName(hypervisor)} boots from NVMe only with UEFI firmware`,
      'add --firmware uefi (for a disk that boots with UEFI) or choose --controller sata',
    );
  }
  if (hypervisor === 'hyperv' && controller === 'ide' && firmware === 'uefi') {
    throw usage(
      'a Hyper-V generation 2 (UEFI) machine has no IDE controller',
      'choose --controller scsi, or --firmware bios for a generation 1 machine',
    );
  }
  if (hypervisor === 'hyperv' && controller === 'scsi' && firmware === 'bios') {
    throw usage(
      'a Hyper-V generation 1 (BIOS) machine boots only from IDE',
      'choose --controller ide, or --firmware uefi for a generation 2 machine',
    );
  }
}

/** Refuses a network adapter model the hypervisor does not have. */
export function checkNic(hypervisor: Hypervisor, nic: string, firmware: Firmware): void {
  const models = NICS_BY_HYPERVISOR[hypervisor];
  if (!models.includes(nic)) {
    throw new FerryError('USAGE', `${hypervisorName(hypervisor)} has no "${nic}" network adapter`, {
      where: 'network adapter',
      hint: `choose one of ${models.join(', ')}`,
    });
  }
  if (hypervisor === 'hyperv' && nic === 'legacy' && firmware === 'uefi') {
    throw new FerryError('USAGE', 'a Hyper-V generation 2 machine has no legacy network adapter', {
      where: 'network adapter',
      hint: 'use the synthetic adapter, or --firmware bios for a generation 1 machine',
    });
  }
}

export function hypervisorName(hypervisor: Hypervisor): string {
  const names: Record<Hypervisor, string> = {
    vmware: 'VMware',
    virtualbox: 'VirtualBox',
    hyperv: 'Hyper-V',
    libvirt: 'libvirt',
    ovf: 'OVF',
  };
  return names[hypervisor];
}
