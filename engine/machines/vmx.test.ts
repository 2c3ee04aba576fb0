import { describe, expect, it } from 'vitest';
import { resolveMachineSpec, type MachineChoices } from './machine-spec.js';
import type { Controller, Firmware } from './types.js';
import { buildVmx, vmdkAdapterType, VMX_HARDWARE_VERSION } from './vmx.js';
import { parseVmx } from './vmx-reader.js';
import { GUESTS, HOSTILE_NAMES } from '../../test/fixtures/machines.js';

const GiB = 2 ** 30;

function vmx(overrides: Partial<MachineChoices> = {}): Map<string, string> {
  const spec = resolveMachineSpec('vmware', {
    name: 'web01',
    guest: GUESTS.debian12!,
    firmware: 'uefi',
    disk: { path: 'web01.vmdk', format: 'vmdk', virtualSize: 20 * GiB },
    ...overrides,
  });
  return parseVmx(buildVmx(spec));
}

describe('buildVmx', () => {
  it('writes the chosen hardware, and reads back to exactly it', () => {
    const settings = vmx({ cpus: 4, memoryBytes: 6 * GiB });
    expect(
      buildVmx(
        resolveMachineSpec('vmware', {
          name: 'x',
          guest: null,
          firmware: 'bios',
          disk: { path: 'x.vmdk', format: 'vmdk', virtualSize: GiB },
        }),
      ).startsWith('.encoding = "UTF-8"\n'),
    ).toBe(true);
    expect(Object.fromEntries(settings)).toMatchObject({
      '.encoding': 'UTF-8',
      'virtualhw.version': String(VMX_HARDWARE_VERSION),
      displayname: 'web01',
      guestos: 'debian12-64',
      firmware: 'efi',
      numvcpus: '4',
      memsize: '6144',
      'sata0.present': 'TRUE',
      'sata0:0.present': 'TRUE',
      'sata0:0.filename': 'web01.vmdk',
      'ethernet0.present': 'TRUE',
      'ethernet0.virtualdev': 'vmxnet3',
    });
  });

  it('keeps any printable name intact', () => {
    for (const name of HOSTILE_NAMES) {
      const settings = vmx({ name });
      expect(settings.get('displayname')).toBe(name);
    }
  });

  it('writes BIOS firmware when asked', () => {
    expect(vmx({ firmware: 'bios' }).get('firmware')).toBe('bios');
  });

  const attachments: [Controller, Firmware, string, Record<string, string>][] = [
    ['ide', 'bios', 'ide0:0', {}],
    ['nvme', 'uefi', 'nvme0:0', { 'nvme0.present': 'TRUE' }],
    ['scsi', 'uefi', 'scsi0:0', { 'scsi0.present': 'TRUE', 'scsi0.virtualdev': 'pvscsi' }],
  ];
  it.each(attachments)('attaches the disk to %s', (controller, firmware, device, extra) => {
    const settings = vmx({ controller, firmware });
    expect(settings.get(`${device}.present`)).toBe('TRUE');
    expect(settings.get(`${device}.filename`)).toBe('web01.vmdk');
    expect(Object.fromEntries(settings)).toMatchObject(extra);
    expect(settings.has('sata0.present')).toBe(false);
  });

  it('gives Windows the LSI SAS controller it has a driver for, and e1000e', () => {
    const settings = vmx({ guest: GUESTS.win10!, controller: 'scsi' });
    expect(settings.get('scsi0.virtualdev')).toBe('lsisas1068');
    expect(settings.get('ethernet0.virtualdev')).toBe('e1000e');
    expect(settings.get('guestos')).toBe('windows9-64');
    expect(settings.get('memsize')).toBe('4096');
  });

  it('refuses what VMware cannot run', () => {
    expect(() => vmx({ controller: 'virtio' })).toThrow(/VMware cannot attach/);
    expect(() => vmx({ controller: 'nvme', firmware: 'bios' })).toThrow(/UEFI/);
  });

  it('names the VMDK adapter type that matches the controller', () => {
    expect(vmdkAdapterType('ide')).toBe('ide');
    expect(vmdkAdapterType('sata')).toBe('lsilogic');
    expect(vmdkAdapterType('scsi')).toBe('lsilogic');
  });
});
