/**
 * A MachineSpec made whole and checked before anything is written: the user's choices, the
 * defaults for the rest, and a refusal (with what to do instead) for anything the chosen
 * hypervisor could not load. Every generator checks its spec again, so none writes a
 * definition that names impossible hardware.
 */
import { FerryError } from '../../shared/errors.js';
import type { GuestOs } from '../../shared/guest.js';
import { formatSize } from '../../shared/units.js';
import { checkController, checkNic, defaultHardware, hypervisorName } from './hardware-defaults.js';
import type { Controller, Firmware, Hypervisor, MachineDisk, MachineSpec } from './types.js';

const MiB = 2 ** 20;
/** VirtualBox's ceiling (TCPUCount), and more than a converted desktop or server needs. */
const MAX_CPUS = 64;
/** VirtualBox's ceiling (2 TiB); the others allow more, but no converted machine needs it. */
const MAX_MEMORY = 2 * 2 ** 40;
const MIN_MEMORY = 64 * MiB;
/** Long enough for any real name; libvirt and Hyper-V refuse far longer ones anyway. */
const MAX_NAME_LENGTH = 100;

import { FORMATS_BY_HYPERVISOR } from '../../shared/machines.js';
import { isGuidText } from '../partitions/guid.js';

/** What the user chose; everything optional is filled in by defaultHardware. */
export interface MachineChoices {
  name: string;
  guest: GuestOs | null;
  firmware: Firmware;
  disk: MachineDisk;
  cpus?: number;
  memoryBytes?: number;
  controller?: Controller;
  nic?: string;
}

export function resolveMachineSpec(hypervisor: Hypervisor, choices: MachineChoices): MachineSpec {
  checkGuest(choices.guest);
  const defaults = defaultHardware(hypervisor, choices.guest, choices.firmware);
  const spec: MachineSpec = {
    name: choices.name,
    guest: choices.guest,
    firmware: choices.firmware,
    disk: choices.disk,
    cpus: choices.cpus ?? defaults.cpus,
    memoryBytes: choices.memoryBytes ?? defaults.memoryBytes,
    controller: choices.controller ?? defaults.controller,
    nic: choices.nic ?? defaults.nic,
  };
  checkMachineSpec(hypervisor, spec);
  return spec;
}

/** Throws the FerryError that says what in `spec` `hypervisor` cannot take, if anything. */
export function checkMachineSpec(hypervisor: Hypervisor, spec: MachineSpec): void {
  checkGuest(spec.guest);
  checkText(spec.name, '--name', 'the machine name');
  if (spec.name.trim() === '' || [...spec.name].length > MAX_NAME_LENGTH) {
    throw new FerryError('USAGE', `a machine name needs 1 to ${MAX_NAME_LENGTH} characters`, {
      where: '--name',
      hint: 'choose a shorter name',
    });
  }
  if (!Number.isInteger(spec.cpus) || spec.cpus < 1 || spec.cpus > MAX_CPUS) {
    throw new FerryError('USAGE', `${spec.cpus} is not a CPU count from 1 to ${MAX_CPUS}`, {
      where: '--cpus',
      hint: 'give a whole number of virtual CPUs',
    });
  }
  checkMemory(hypervisor, spec.memoryBytes);
  checkController(hypervisor, spec.controller, spec.firmware);
  checkNic(hypervisor, spec.nic, spec.firmware);
  checkDisk(hypervisor, spec);
}

function checkGuest(guest: GuestOs | null): void {
  if (guest?.architecture === 'arm64') {
    throw new FerryError('UNSUPPORTED', 'the system on this disk is built for arm64', {
      where: guest.name,
      hint: 'Ferry writes x86 machine definitions; create an arm64 VM by hand around the disk',
    });
  }
}

function checkMemory(hypervisor: Hypervisor, bytes: number): void {
  // Hyper-V allocates memory in 2 MiB pages; VMware refuses a memsize that is not a multiple
  // of 4 MB (and so does an OVF import into ESXi); the others take whole MiB.
  const unit =
    hypervisor === 'hyperv'
      ? 2 * MiB
      : hypervisor === 'vmware' || hypervisor === 'ovf'
        ? 4 * MiB
        : MiB;
  if (!Number.isSafeInteger(bytes) || bytes < MIN_MEMORY || bytes > MAX_MEMORY) {
    throw new FerryError('USAGE', `${bytes} bytes is not a memory size Ferry can give a machine`, {
      where: '--memory',
      hint: `give ${formatSize(MIN_MEMORY)} to ${formatSize(MAX_MEMORY)}, e.g. 4G`,
    });
  }
  if (bytes % unit !== 0) {
    throw new FerryError(
      'USAGE',
      `${hypervisorName(hypervisor)} needs memory in multiples of ${formatSize(unit)}`,
      {
        where: '--memory',
        hint: `round ${formatSize(bytes)} to a multiple of ${formatSize(unit)}`,
      },
    );
  }
}

function checkDisk(hypervisor: Hypervisor, spec: MachineSpec): void {
  const { disk } = spec;
  checkText(disk.path, 'disk file name', 'the disk file name');
  if (disk.path === '' || /[/\\]/.test(disk.path) || disk.path === '.' || disk.path === '..') {
    throw new FerryError('USAGE', `"${disk.path}" is not a file name beside the definition`, {
      where: 'disk file name',
      hint: 'write the disk into the same folder as the machine definition',
    });
  }
  if (!Number.isSafeInteger(disk.virtualSize) || disk.virtualSize <= 0) {
    throw new FerryError('USAGE', `${disk.virtualSize} is not a disk size in bytes`, {
      where: disk.path,
      hint: 'give the virtual disk size the writer was created with',
    });
  }
  const formats = FORMATS_BY_HYPERVISOR[hypervisor];
  if (!formats.includes(disk.format)) {
    throw new FerryError(
      'UNSUPPORTED',
      `${hypervisorName(hypervisor)} cannot run a machine from a ${disk.format} disk`,
      { where: disk.path, hint: `convert with --format ${formats.join(' or ')}` },
    );
  }
  if (hypervisor === 'hyperv' && spec.firmware === 'uefi' && disk.format !== 'vhdx') {
    throw new FerryError(
      'UNSUPPORTED',
      'a Hyper-V generation 2 (UEFI) machine boots only from VHDX',
      {
        where: disk.path,
        hint: 'convert with --format vhdx',
      },
    );
  }
  if (hypervisor === 'virtualbox' && disk.uuid === undefined) {
    throw new FerryError('USAGE', "a .vbox must name the disk by the UUID in the disk's header", {
      where: disk.path,
      hint: 'pass the UUID the disk writer stored; VirtualBox refuses any other',
    });
  }
  if (disk.uuid !== undefined && !isGuidText(disk.uuid)) {
    throw new FerryError('USAGE', `"${disk.uuid}" is not a UUID`, {
      where: disk.path,
      hint: 'write it as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx',
    });
  }
}

/**
 * Names end up in XML, .vmx lines, PowerShell and file systems: control characters (line breaks
 * included) and broken UTF-16 have no faithful form in all of them, so they are refused.
 */
function checkText(value: string, where: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f\ufffe\uffff]/;
  const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  if (control.test(value) || loneSurrogate.test(value)) {
    throw new FerryError('USAGE', `${what} contains a control character or broken text`, {
      where,
      hint: 'use printable characters only (no line breaks or tabs)',
    });
  }
}
