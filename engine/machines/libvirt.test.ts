import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { buildLibvirtDomain, type LibvirtOptions } from './libvirt.js';
import { resolveMachineSpec, type MachineChoices } from './machine-spec.js';
import type { Controller, Firmware } from './types.js';
import { GUESTS, HOSTILE_NAMES } from '../../test/fixtures/machines.js';

const GiB = 2 ** 30;
const DOMAIN_UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-libvirt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Writes the domain, has libvirt's own schema check it (virt-xml-validate, from
 * libvirt-clients), and returns an XPath reader over it.
 */
async function domain(
  overrides: Partial<MachineChoices> = {},
  options: Partial<LibvirtOptions> = {},
): Promise<(path: string) => Promise<string>> {
  const spec = resolveMachineSpec('libvirt', {
    name: 'web01',
    guest: GUESTS.debian12!,
    firmware: 'uefi',
    disk: { path: 'web01.qcow2', format: 'qcow2', virtualSize: 20 * GiB },
    ...overrides,
  });
  const file = join(dir, `${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(
    file,
    buildLibvirtDomain(spec, { directory: '/var/lib/libvirt/images', ...options }),
  );
  await sh('virt-xml-validate', [file, 'domain']);
  return (path: string) => sh('xmllint', ['--xpath', `string(${path})`, file]);
}

describe('buildLibvirtDomain', () => {
  it('passes libvirt’s schema and reads back to exactly the chosen hardware', async () => {
    const read = await domain(
      { cpus: 4, memoryBytes: 6 * GiB },
      { uuid: DOMAIN_UUID, macAddress: '52:54:00:AB:CD:EF' },
    );
    expect(await read('/domain/@type')).toBe('kvm');
    expect(await read('/domain/name')).toBe('web01');
    expect(await read('/domain/uuid')).toBe(DOMAIN_UUID);
    expect(await read('/domain/vcpu')).toBe('4');
    expect(await read('/domain/memory')).toBe(String((6 * GiB) / 1024));
    expect(await read('/domain/memory/@unit')).toBe('KiB');
    expect(await read('/domain/os/@firmware')).toBe('efi');
    expect(await read("/domain/os/firmware/feature[@name='secure-boot']/@enabled")).toBe('no');
    expect(await read('/domain/os/type/@machine')).toBe('q35');
    expect(await read('/domain/devices/disk/driver/@type')).toBe('qcow2');
    expect(await read('/domain/devices/disk/source/@file')).toBe(
      '/var/lib/libvirt/images/web01.qcow2',
    );
    expect(await read('/domain/devices/disk/target/@bus')).toBe('virtio');
    expect(await read('/domain/devices/disk/target/@dev')).toBe('vda');
    expect(await read('/domain/devices/interface/model/@type')).toBe('virtio');
    expect(await read('/domain/devices/interface/mac/@address')).toBe('52:54:00:ab:cd:ef');
    expect(await read('/domain/devices/console/target/@type')).toBe('serial');
    expect(await read('/domain/clock/@offset')).toBe('utc');
    expect(
      await read("/domain/metadata/*[local-name()='libosinfo']/*[local-name()='os']/@id"),
    ).toBe('http://debian.org/debian/12');
  });

  it('boots BIOS machines without a firmware choice', async () => {
    const read = await domain({ firmware: 'bios' });
    expect(await read('count(/domain/os/@firmware)')).toBe('0');
    expect(await read('count(/domain/os/firmware)')).toBe('0');
  });

  const controllers: [Controller, Firmware, string, string, string][] = [
    ['sata', 'uefi', 'sata', 'sda', 'q35'],
    ['scsi', 'uefi', 'scsi', 'sda', 'q35'],
    ['ide', 'bios', 'ide', 'hda', 'pc'],
    ['ide', 'uefi', 'ide', 'hda', 'pc'],
  ];
  it.each(controllers)(
    'attaches the disk to %s (%s)',
    async (controller, firmware, bus, dev, machine) => {
      const read = await domain({ controller, firmware });
      expect(await read('/domain/devices/disk/target/@bus')).toBe(bus);
      expect(await read('/domain/devices/disk/target/@dev')).toBe(dev);
      expect(await read('/domain/os/type/@machine')).toBe(machine);
      expect(await read("count(/domain/devices/controller[@model='virtio-scsi'])")).toBe(
        controller === 'scsi' ? '1' : '0',
      );
    },
  );

  it('gives Windows SATA, e1000e, local time and the Hyper-V enlightenments', async () => {
    const read = await domain({
      guest: GUESTS.win10!,
      disk: { path: 'w.img', format: 'raw', virtualSize: GiB },
    });
    expect(await read('/domain/devices/disk/target/@bus')).toBe('sata');
    expect(await read('/domain/devices/disk/driver/@type')).toBe('raw');
    expect(await read('/domain/devices/interface/model/@type')).toBe('e1000e');
    expect(await read('/domain/clock/@offset')).toBe('localtime');
    expect(await read('/domain/features/hyperv/relaxed/@state')).toBe('on');
    expect(await read('/domain/memory')).toBe(String((4 * GiB) / 1024));
  });

  it('keeps any printable name intact, and refuses "/" as libvirt does', async () => {
    for (const name of HOSTILE_NAMES.filter((n) => !n.includes('/'))) {
      const read = await domain({ name });
      expect(await read('/domain/name')).toBe(name);
    }
    await expect(domain({ name: 'a/b' })).rejects.toThrow(/"\/"/);
  });

  it('needs the absolute folder of the disk on the KVM host', async () => {
    await expect(domain({}, { directory: 'images' })).rejects.toThrow(/absolute/);
    await expect(domain({}, { uuid: 'nope' })).rejects.toThrow(/UUID/);
    await expect(domain({}, { macAddress: '01:00:00:00:00:00' })).rejects.toThrow(/unicast/);
  });

  it('refuses what libvirt cannot run', async () => {
    await expect(domain({ controller: 'nvme' })).rejects.toThrow(/libvirt cannot attach/);
    await expect(
      domain({ disk: { path: 'a.vmdk', format: 'vmdk', virtualSize: GiB } }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', hint: 'convert with --format qcow2 or raw' });
  });
});
