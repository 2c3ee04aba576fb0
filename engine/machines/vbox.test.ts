import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { resolveMachineSpec, type MachineChoices } from './machine-spec.js';
import type { Controller, Firmware } from './types.js';
import { buildVbox, VBOX_SETTINGS_VERSION } from './vbox.js';
import { GUESTS, HOSTILE_NAMES } from '../../test/fixtures/machines.js';

const GiB = 2 ** 30;
const DISK_UUID = '5a2b8c41-2f7e-4d9a-b6c3-1d4e5f6a7b8c';
const MACHINE_UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-vbox-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the .vbox, checks it with xmllint, and returns an XPath reader over it. */
async function vbox(
  overrides: Partial<MachineChoices> = {},
): Promise<(path: string) => Promise<string>> {
  const spec = resolveMachineSpec('virtualbox', {
    name: 'web01',
    guest: GUESTS.debian12!,
    firmware: 'uefi',
    disk: { path: 'web01.vdi', format: 'vdi', virtualSize: 20 * GiB, uuid: DISK_UUID },
    ...overrides,
  });
  const file = join(dir, `${Math.random().toString(36).slice(2)}.vbox`);
  await writeFile(file, buildVbox(spec, { machineUuid: MACHINE_UUID, macAddress: '080027a1b2c3' }));
  await sh('xmllint', ['--noout', file]);
  // VirtualBox's namespace is the default one; local-name() reads past it.
  return (path: string) =>
    sh('xmllint', [
      '--xpath',
      `string(${path.replace(/\/(\w+)/g, "/*[local-name()='$1']")})`,
      file,
    ]);
}

describe('buildVbox', () => {
  it('writes the chosen hardware, and reads back to exactly it', async () => {
    const read = await vbox({ cpus: 4, memoryBytes: 6 * GiB });
    expect(await read('/VirtualBox/@version')).toBe(VBOX_SETTINGS_VERSION);
    expect(await read('/VirtualBox/Machine/@uuid')).toBe(`{${MACHINE_UUID}}`);
    expect(await read('/VirtualBox/Machine/@name')).toBe('web01');
    expect(await read('/VirtualBox/Machine/@OSType')).toBe('Debian_64');
    expect(await read('//Hardware/CPU/@count')).toBe('4');
    expect(await read('//Hardware/CPU/LongMode/@enabled')).toBe('true');
    expect(await read('//Hardware/Memory/@RAMSize')).toBe('6144');
    expect(await read('//Hardware/Firmware/@type')).toBe('EFI');
    expect(await read('//Hardware/BIOS/IOAPIC/@enabled')).toBe('true');
    expect(await read("//Hardware/Boot/Order[@position='1']/@device")).toBe('HardDisk');
    expect(await read('//Network/Adapter/@type')).toBe('82540EM');
    expect(await read('//Network/Adapter/@MACAddress')).toBe('080027A1B2C3');
    expect(await read('//Hardware/RTC/@localOrUTC')).toBe('UTC');
  });

  it('registers the disk under its own UUID and attaches that same medium', async () => {
    const read = await vbox();
    expect(await read('//MediaRegistry/HardDisks/HardDisk/@uuid')).toBe(`{${DISK_UUID}}`);
    expect(await read('//MediaRegistry/HardDisks/HardDisk/@location')).toBe('web01.vdi');
    expect(await read('//MediaRegistry/HardDisks/HardDisk/@format')).toBe('VDI');
    expect(await read('//StorageControllers/StorageController/AttachedDevice/Image/@uuid')).toBe(
      `{${DISK_UUID}}`,
    );
    expect(await read('//StorageControllers/StorageController/AttachedDevice/@type')).toBe(
      'HardDisk',
    );
  });

  it('keeps any printable name intact', async () => {
    for (const name of HOSTILE_NAMES) {
      const read = await vbox({ name });
      expect(await read('/VirtualBox/Machine/@name')).toBe(name);
    }
  });

  it('leaves the firmware out for BIOS, as VirtualBox does', async () => {
    const read = await vbox({ firmware: 'bios' });
    expect(await read('count(//Hardware/Firmware)')).toBe('0');
  });

  const controllers: [Controller, Firmware, string, string][] = [
    ['sata', 'bios', 'SATA', 'AHCI'],
    ['ide', 'bios', 'IDE', 'PIIX4'],
    ['nvme', 'uefi', 'NVMe', 'NVMe'],
    ['virtio', 'bios', 'VirtioSCSI', 'VirtioSCSI'],
    ['scsi', 'bios', 'SCSI', 'LsiLogic'],
  ];
  it.each(controllers)('attaches the disk to %s', async (controller, firmware, name, type) => {
    const read = await vbox({ controller, firmware });
    expect(await read('//StorageController/@name')).toBe(name);
    expect(await read('//StorageController/@type')).toBe(type);
    expect(await read('//StorageController/@Bootable')).toBe('true');
  });

  it('gives Windows SAS rather than LSI parallel SCSI, local time and its OS type', async () => {
    const read = await vbox({ guest: GUESTS.win11!, controller: 'scsi' });
    expect(await read('//StorageController/@type')).toBe('LsiLogicSas');
    expect(await read('/VirtualBox/Machine/@OSType')).toBe('Windows11_64');
    expect(await read('//Hardware/RTC/@localOrUTC')).toBe('local');
  });

  it('names each disk format as VirtualBox does', async () => {
    for (const [format, name] of [
      ['vmdk', 'VMDK'],
      ['vmdk-flat', 'VMDK'],
      ['vhd', 'VHD'],
      ['vhd-fixed', 'VHD'],
    ] as const) {
      const read = await vbox({
        disk: { path: 'web01.disk', format, virtualSize: GiB, uuid: DISK_UUID },
      });
      expect(await read('//HardDisk/@format')).toBe(name);
    }
  });

  it('makes fresh machine UUIDs and VirtualBox MAC addresses when none are given', () => {
    const spec = resolveMachineSpec('virtualbox', {
      name: 'web01',
      guest: null,
      firmware: 'bios',
      disk: { path: 'web01.vdi', format: 'vdi', virtualSize: GiB, uuid: DISK_UUID },
    });
    const first = buildVbox(spec);
    const second = buildVbox(spec);
    const machine = /Machine uuid="\{([^}]+)\}"/;
    expect(machine.exec(first)?.[1]).not.toBe(machine.exec(second)?.[1]);
    expect(first).toMatch(/MACAddress="080027[0-9A-F]{6}"/);
    expect(() => buildVbox(spec, { macAddress: '010203040506' })).toThrow(/unicast/);
    expect(() => buildVbox(spec, { machineUuid: 'x' })).toThrow(/UUID/);
  });
});
