/**
 * `ferry convert --machine`: the definitions written around real converted disks, checked by
 * the hypervisors' own validators where Debian has them, parsed back, and booted in QEMU with the
 * firmware and disk bus the definition names.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BOOT_MARKER, biosBootDisk, uefiBootDisk } from '../../test/fixtures/boot.js';
import { FIXTURE_ROOT, bash, sh } from '../../test/fixtures/cache.js';
import { bootAndWaitForMarker, type BootController } from '../../test/fixtures/qemu-boot.js';
import { parseVmx } from '../machines/vmx-reader.js';
import { convert } from './convert.js';

const BOOT_TIMEOUT = 180_000;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'convert-machine-'));
});

/** The values of an XPath over `file`, through xmllint (an independent XML reader). */
async function xpath(file: string, expression: string): Promise<string> {
  return (await sh('xmllint', ['--xpath', expression, file])).trim();
}

describe('libvirt', () => {
  const cases: [string, () => Promise<string>, 'bios' | 'uefi', BootController][] = [
    ['BIOS', biosBootDisk, 'bios', 'ide'],
    ['BIOS', biosBootDisk, 'bios', 'sata'],
    ['BIOS', biosBootDisk, 'bios', 'scsi'],
    ['BIOS', biosBootDisk, 'bios', 'virtio'],
    ['UEFI', uefiBootDisk, 'uefi', 'sata'],
    ['UEFI', uefiBootDisk, 'uefi', 'virtio'],
  ];
  for (const [kind, fixture, firmware, controller] of cases) {
    it(
      `writes a valid domain for the ${kind} disk on ${controller}, and it boots as the XML says`,
      async () => {
        const definition = join(scratch, `${kind}-${controller}.xml`);
        const result = await convert({
          source: await fixture(),
          destination: definition,
          machine: 'libvirt',
          hardware: { controller, cpus: 1, memoryBytes: 512 * 2 ** 20 },
        });
        const disk = join(scratch, `${kind}-${controller}.qcow2`);
        expect(result.files.sort()).toEqual([definition, disk].sort());
        await sh('virt-xml-validate', [definition, 'domain']);

        // The firmware was detected, not given: GPT with a bootloader in its ESP means UEFI.
        const efi = await xpath(definition, 'string(/domain/os/@firmware)');
        expect(efi === 'efi' ? 'uefi' : 'bios').toBe(firmware);
        const bus = await xpath(definition, 'string(/domain/devices/disk/target/@bus)');
        const source = await xpath(definition, 'string(/domain/devices/disk/source/@file)');
        expect(source).toBe(disk);
        expect(await xpath(definition, 'string(/domain/memory)')).toBe(String(512 * 1024));

        const booted = await bootAndWaitForMarker(disk, {
          format: await xpath(definition, 'string(/domain/devices/disk/driver/@type)'),
          controller: bus as BootController,
          firmware,
        });
        expect(booted.output).toContain(BOOT_MARKER);
      },
      BOOT_TIMEOUT,
    );
  }
});

describe('VMware', () => {
  it(
    'writes a .vmx beside a monolithicSparse disk that boots from NVMe with EFI',
    async () => {
      const disk = join(scratch, 'efi.vmdk');
      const result = await convert({
        source: await uefiBootDisk(),
        destination: disk,
        machine: 'vmware',
        hardware: { name: 'Accounts "old" <server>', controller: 'nvme', cpus: 4 },
      });
      const vmx = join(scratch, 'efi.vmx');
      expect(result.files.sort()).toEqual([disk, vmx].sort());
      const values = parseVmx(await readFile(vmx, 'utf8'));
      expect(values.get('displayname')).toBe('Accounts "old" <server>');
      expect(values.get('firmware')).toBe('efi');
      expect(values.get('numvcpus')).toBe('4');
      expect(values.get('nvme0:0.filename')).toBe('efi.vmdk');
      expect(values.get('nvme0:0.present')).toBe('TRUE');
      expect(await sh('qemu-img', ['check', disk])).toMatch(/No errors/);

      const booted = await bootAndWaitForMarker(disk, {
        format: 'vmdk',
        controller: 'nvme',
        firmware: 'uefi',
      });
      expect(booted.output).toContain(BOOT_MARKER);
    },
    BOOT_TIMEOUT,
  );
});

describe('VirtualBox and Hyper-V', () => {
  it('writes a .vbox that names the VDI by the UUID the VDI itself carries', async () => {
    const definition = join(scratch, 'box.vbox');
    await convert({ source: await biosBootDisk(), destination: definition, machine: 'virtualbox' });
    await sh('xmllint', ['--noout', definition]);
    const named = await xpath(definition, "string(//*[local-name()='HardDisk']/@uuid)");
    // VDI header: the image UUID is at byte 0x188 (VirtualBox's VDIHEADER1PLUS.uuidCreate).
    const header = (await readFile(join(scratch, 'box.vdi'))).subarray(0x188, 0x198);
    expect(named.replace(/[{}]/g, '')).toBe(vdiUuid(header));
    expect(await xpath(definition, "string(//*[local-name()='HardDisk']/@location)")).toBe(
      'box.vdi',
    );
  });

  it('writes a generation 2 script for a UEFI disk, with its VHDX', async () => {
    const definition = join(scratch, 'hyperv.ps1');
    const result = await convert({
      source: await uefiBootDisk(),
      destination: definition,
      machine: 'hyperv',
    });
    expect(result.files.sort()).toEqual([definition, join(scratch, 'hyperv.vhdx')].sort());
    const script = await readFile(definition, 'utf8');
    expect(script).toMatch(/New-VM[^\n]*-Generation 2/);
    expect(script).toContain("'hyperv.vhdx'");
    expect(await sh('qemu-img', ['check', join(scratch, 'hyperv.vhdx')])).toMatch(/No errors/);
  });
});

describe('OVF and OVA', () => {
  it('writes an OVF folder whose manifest checks out', async () => {
    const definition = join(scratch, 'appliance.ovf');
    const result = await convert({
      source: await biosBootDisk(),
      destination: definition,
      machine: 'ovf',
    });
    expect(result.files.map((f) => f.replace(`${scratch}/`, '')).sort()).toEqual([
      'appliance.mf',
      'appliance.ovf',
      'appliance.vmdk',
    ]);
    await sh('xmllint', ['--noout', definition]);
    await bash(
      `cd '${scratch}' && sed -E 's/^SHA256\\((.*)\\)= (.*)$/\\2  \\1/' appliance.mf | sha256sum -c`,
    );
    expect(await sh('qemu-img', ['info', join(scratch, 'appliance.vmdk')])).toMatch(
      /create type: streamOptimized/,
    );
  });

  it('packs an .ova: descriptor first, then the disk, then the manifest, and nothing left beside it', async () => {
    const folder = await mkdtemp(join(scratch, 'ova-'));
    const ova = join(folder, 'web.ova');
    const result = await convert({
      source: await biosBootDisk(),
      destination: ova,
      hardware: { memoryBytes: 2 ** 30 },
    });
    expect(result.files).toEqual([ova]);
    expect(await readdir(folder)).toEqual(['web.ova']);
    const members = (await sh('tar', ['tf', ova])).trim().split('\n');
    expect(members).toEqual(['web.ovf', 'web-disk1.vmdk', 'web.mf']);
    const unpacked = await mkdtemp(join(scratch, 'ova-unpacked-'));
    await sh('tar', ['xf', ova, '-C', unpacked]);
    await bash(
      `cd '${unpacked}' && sed -E 's/^SHA256\\((.*)\\)= (.*)$/\\2  \\1/' web.mf | sha256sum -c`,
    );
    expect(
      await sh('qemu-img', ['compare', await biosBootDisk(), join(unpacked, 'web-disk1.vmdk')]),
    ).toMatch(/identical/);
  });
});

/** VirtualBox stores a UUID with its first three fields little-endian (RTUUID). */
function vdiUuid(bytes: Buffer): string {
  const hex = (b: Buffer) => b.toString('hex');
  return [
    hex(Buffer.from(bytes.subarray(0, 4)).reverse()),
    hex(Buffer.from(bytes.subarray(4, 6)).reverse()),
    hex(Buffer.from(bytes.subarray(6, 8)).reverse()),
    hex(bytes.subarray(8, 10)),
    hex(bytes.subarray(10, 16)),
  ].join('-');
}
