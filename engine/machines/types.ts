/**
 * What a VM definition describes: the machine around a converted disk. The generators in this
 * folder turn one MachineSpec into the file each hypervisor reads; hardware-defaults.ts fills in
 * what the user did not choose.
 */
import type { FormatName } from '../../shared/formats.js';
import type { GuestOs } from '../../shared/guest.js';

import type { Controller, Firmware } from '../../shared/machines.js';

export {
  CONTROLLERS,
  FIRMWARES,
  HYPERVISORS,
  type Controller,
  type Firmware,
  type Hypervisor,
} from '../../shared/machines.js';

export interface MachineDisk {
  /** The disk's file name, relative to the definition (a name beside it). */
  path: string;
  format: FormatName;
  /** The size of the virtual disk in bytes. */
  virtualSize: number;
  /**
   * The UUID the disk file itself carries, where the hypervisor checks it against the definition
   * (VirtualBox refuses a medium whose own UUID differs from the one in the .vbox).
   */
  uuid?: string;
}

export interface MachineSpec {
  name: string;
  cpus: number;
  memoryBytes: number;
  firmware: Firmware;
  controller: Controller;
  /** The network adapter model in the hypervisor's own words (e1000e, vmxnet3, 82540EM, virtio…). */
  nic: string;
  /** The system found on the disk; null when none was recognised. */
  guest: GuestOs | null;
  disk: MachineDisk;
}
