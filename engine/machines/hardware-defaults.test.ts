import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import type { GuestOs } from '../../shared/guest.js';
import {
  checkController,
  checkNic,
  CONTROLLERS_BY_HYPERVISOR,
  defaultHardware,
  NICS_BY_HYPERVISOR,
} from './hardware-defaults.js';
import { CONTROLLERS, HYPERVISORS, type Controller, type Hypervisor } from './types.js';
import { GUESTS } from '../../test/fixtures/machines.js';

const guest = (name: string): GuestOs => GUESTS[name]!;
const GiB = 2 ** 30;

function usageError(run: () => void): FerryError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FerryError);
    return error as FerryError;
  }
  throw new Error('expected a FerryError');
}

describe('defaultHardware', () => {
  it('gives two CPUs, 2 GiB to Linux and 4 GiB to Windows 10 and later', () => {
    expect(defaultHardware('vmware', guest('debian12'), 'bios')).toMatchObject({
      cpus: 2,
      memoryBytes: 2 * GiB,
    });
    for (const name of ['win10', 'win11', 'server2019']) {
      expect(defaultHardware('vmware', guest(name), 'uefi').memoryBytes).toBe(4 * GiB);
    }
    expect(defaultHardware('vmware', guest('win7'), 'bios').memoryBytes).toBe(2 * GiB);
    expect(defaultHardware('vmware', guest('xp32'), 'bios').memoryBytes).toBe(GiB);
    expect(defaultHardware('vmware', null, 'bios').memoryBytes).toBe(2 * GiB);
  });

  it('boots from SATA by default, where every current system has an in-box driver', () => {
    for (const hypervisor of ['vmware', 'virtualbox', 'ovf'] as const) {
      for (const name of ['debian12', 'win11', 'win7']) {
        expect(defaultHardware(hypervisor, guest(name), 'uefi').controller).toBe('sata');
      }
    }
  });

  it('gives libvirt virtio for Linux and SATA for Windows, which has no virtio driver', () => {
    expect(defaultHardware('libvirt', guest('debian12'), 'bios').controller).toBe('virtio');
    expect(defaultHardware('libvirt', guest('win10'), 'bios').controller).toBe('sata');
    expect(defaultHardware('libvirt', null, 'bios').controller).toBe('sata');
  });

  it('follows the Hyper-V generation: IDE for BIOS, SCSI for UEFI', () => {
    expect(defaultHardware('hyperv', guest('win10'), 'bios').controller).toBe('ide');
    expect(defaultHardware('hyperv', guest('win10'), 'uefi').controller).toBe('scsi');
  });

  it('puts XP on IDE, since it has no AHCI driver', () => {
    for (const hypervisor of HYPERVISORS) {
      expect(defaultHardware(hypervisor, guest('xp32'), 'bios').controller).toBe('ide');
    }
  });

  it('picks network adapters the guest has drivers for', () => {
    expect(defaultHardware('vmware', guest('debian12'), 'bios').nic).toBe('vmxnet3');
    expect(defaultHardware('vmware', guest('win10'), 'bios').nic).toBe('e1000e');
    expect(defaultHardware('vmware', guest('win7'), 'bios').nic).toBe('e1000');
    expect(defaultHardware('virtualbox', guest('win11'), 'uefi').nic).toBe('82540EM');
    expect(defaultHardware('virtualbox', guest('xp32'), 'bios').nic).toBe('82543GC');
    expect(defaultHardware('libvirt', guest('debian12'), 'bios').nic).toBe('virtio');
    expect(defaultHardware('libvirt', guest('win10'), 'bios').nic).toBe('e1000e');
    expect(defaultHardware('hyperv', guest('win10'), 'uefi').nic).toBe('synthetic');
    expect(defaultHardware('hyperv', guest('xp32'), 'bios').nic).toBe('legacy');
    expect(defaultHardware('ovf', guest('win10'), 'bios').nic).toBe('E1000e');
    expect(defaultHardware('ovf', guest('debian12'), 'bios').nic).toBe('E1000');
  });

  it('only ever chooses hardware the hypervisor can name and boot', () => {
    for (const hypervisor of HYPERVISORS) {
      for (const g of [...Object.values(GUESTS), null]) {
        for (const firmware of ['bios', 'uefi'] as const) {
          const defaults = defaultHardware(hypervisor, g, firmware);
          expect(() => checkController(hypervisor, defaults.controller, firmware)).not.toThrow();
          expect(() => checkNic(hypervisor, defaults.nic, firmware)).not.toThrow();
        }
      }
    }
  });
});

describe('checkController', () => {
  it('refuses controllers a hypervisor cannot name, with the ones it can', () => {
    const refused: [Hypervisor, Controller][] = [
      ['hyperv', 'nvme'],
      ['hyperv', 'sata'],
      ['hyperv', 'virtio'],
      ['vmware', 'virtio'],
      ['libvirt', 'nvme'],
      ['ovf', 'virtio'],
    ];
    for (const [hypervisor, controller] of refused) {
      const error = usageError(() => checkController(hypervisor, controller, 'uefi'));
      expect(error.code).toBe('USAGE');
      expect(error.where).toBe('--controller');
      expect(error.hint).toContain(CONTROLLERS_BY_HYPERVISOR[hypervisor].join(', '));
    }
  });

  it('accepts every other combination the firmware allows', () => {
    for (const hypervisor of HYPERVISORS) {
      for (const controller of CONTROLLERS) {
        if (!CONTROLLERS_BY_HYPERVISOR[hypervisor].includes(controller)) continue;
        if (hypervisor === 'hyperv') continue;
        expect(() => checkController(hypervisor, controller, 'uefi')).not.toThrow();
      }
    }
  });

  it('refuses to boot NVMe with BIOS firmware', () => {
    for (const hypervisor of ['vmware', 'virtualbox', 'ovf'] as const) {
      const error = usageError(() => checkController(hypervisor, 'nvme', 'bios'));
      expect(error.message).toMatch(/NVMe only with UEFI/);
    }
  });

  it('ties Hyper-V controllers to their generation', () => {
    expect(() => checkController('hyperv', 'ide', 'bios')).not.toThrow();
    expect(() => checkController('hyperv', 'scsi', 'uefi')).not.toThrow();
    expect(usageError(() => checkController('hyperv', 'ide', 'uefi')).message).toMatch(
      /generation 2/,
    );
    expect(usageError(() => checkController('hyperv', 'scsi', 'bios')).message).toMatch(
      /generation 1/,
    );
  });
});

describe('checkNic', () => {
  it('accepts each hypervisor’s own models and refuses the others', () => {
    for (const hypervisor of HYPERVISORS) {
      for (const nic of NICS_BY_HYPERVISOR[hypervisor]) {
        if (hypervisor === 'hyperv' && nic === 'legacy') continue;
        expect(() => checkNic(hypervisor, nic, 'uefi')).not.toThrow();
      }
    }
    expect(usageError(() => checkNic('vmware', 'virtio', 'bios')).hint).toContain('vmxnet3');
    expect(usageError(() => checkNic('libvirt', 'vmxnet3', 'bios')).code).toBe('USAGE');
  });

  it('has no legacy adapter on a Hyper-V generation 2 machine', () => {
    expect(() => checkNic('hyperv', 'legacy', 'bios')).not.toThrow();
    expect(usageError(() => checkNic('hyperv', 'legacy', 'uefi')).message).toMatch(/generation 2/);
  });
});
