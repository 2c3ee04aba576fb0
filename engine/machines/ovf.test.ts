import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { resolveMachineSpec, type MachineChoices } from './machine-spec.js';
import { buildOvf, type OvfOptions } from './ovf.js';
import type { Controller, Firmware } from './types.js';
import { GUESTS, HOSTILE_NAMES } from '../../test/fixtures/machines.js';

const GiB = 2 ** 30;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-ovf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `/Envelope/File/@href` -> the same path by local names, past every namespace prefix. */
function local(path: string): string {
  return path
    .replace(/\/@(\w+)/g, "/@*[local-name()='$1']")
    .replace(/\/(\w+)/g, "/*[local-name()='$1']");
}

type Reader = (path: string) => Promise<string>;

/**
 * Writes the descriptor, checks that it is well-formed XML (xmllint), and returns a reader
 * that evaluates XPath expressions over it. No OVF schema ships in Debian, so the structure is
 * checked element by element below.
 */
async function ovf(
  overrides: Partial<MachineChoices> = {},
  options: Partial<OvfOptions> = {},
): Promise<Reader> {
  const spec = resolveMachineSpec('ovf', {
    name: 'web01',
    guest: GUESTS.debian12!,
    firmware: 'uefi',
    disk: { path: 'web01-disk1.vmdk', format: 'vmdk-stream', virtualSize: 20 * GiB },
    ...overrides,
  });
  const file = join(dir, `${Math.random().toString(36).slice(2)}.ovf`);
  await writeFile(file, buildOvf(spec, { version: '1.0', diskFileSize: 123456, ...options }));
  await sh('xmllint', ['--noout', file]);
  return (path: string) => sh('xmllint', ['--xpath', path, file]);
}

const value = (read: Reader, path: string): Promise<string> => read(`string(${local(path)})`);

/** The local names of an Item's children, in document order. */
async function itemChildren(read: Reader, index: number): Promise<string[]> {
  const xml = await read(
    `${local('/Envelope/VirtualSystem/VirtualHardwareSection/Item')}[${index}]/*`,
  );
  return [...xml.matchAll(/<rasd:(\w+)>/g)].map((match) => match[1]!);
}

describe('buildOvf', () => {
  it('uses the OVF 1.0 namespaces and references the disk file with its size', async () => {
    const read = await ovf();
    expect(await read("namespace-uri(/*[local-name()='Envelope'])")).toBe(
      'http://schemas.dmtf.org/ovf/envelope/1',
    );
    expect(await read("string(/*/@*[local-name()='version'])")).toBe('1.0');
    expect(await value(read, '/Envelope/References/File/@href')).toBe('web01-disk1.vmdk');
    expect(await value(read, '/Envelope/References/File/@size')).toBe('123456');
    expect(await value(read, '/Envelope/DiskSection/Disk/@capacity')).toBe(String(20 * GiB));
    expect(await value(read, '/Envelope/DiskSection/Disk/@fileRef')).toBe(
      await value(read, '/Envelope/References/File/@id'),
    );
    expect(await value(read, '/Envelope/DiskSection/Disk/@format')).toBe(
      'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized',
    );
    expect(await value(read, '/Envelope/NetworkSection/Network/@name')).toBe('NAT');
  });

  it('uses the OVF 2.0 namespace when asked', async () => {
    const read = await ovf({}, { version: '2.0' });
    expect(await read("namespace-uri(/*[local-name()='Envelope'])")).toBe(
      'http://schemas.dmtf.org/ovf/envelope/2',
    );
    expect(await read("string(/*/@*[local-name()='version'])")).toBe('2.0');
  });

  it('describes the operating system by CIM number and VMware id', async () => {
    const read = await ovf();
    expect(await value(read, '/Envelope/VirtualSystem/OperatingSystemSection/@id')).toBe('96');
    expect(await value(read, '/Envelope/VirtualSystem/OperatingSystemSection/@osType')).toBe(
      'debian12_64Guest',
    );
    expect(await value(read, '/Envelope/VirtualSystem/OperatingSystemSection/Description')).toBe(
      'Debian GNU/Linux 12 (bookworm)',
    );
  });

  it('lists the chosen hardware as CIM items, children in the schema’s order', async () => {
    const read = await ovf({ cpus: 4, memoryBytes: 6 * GiB });
    const items = local('/Envelope/VirtualSystem/VirtualHardwareSection/Item');
    expect(await read(`count(${items})`)).toBe('5');
    const byType = (type: number, child: string): Promise<string> =>
      read(`string(${items}[*[local-name()='ResourceType']='${type}']/*[local-name()='${child}'])`);
    expect(await byType(3, 'VirtualQuantity')).toBe('4');
    expect(await byType(4, 'VirtualQuantity')).toBe('6144');
    expect(await byType(4, 'AllocationUnits')).toBe('byte * 2^20');
    expect(await byType(20, 'ResourceSubType')).toBe('vmware.sata.ahci');
    expect(await byType(17, 'HostResource')).toBe('ovf:/disk/vmdisk1');
    expect(await byType(17, 'Parent')).toBe(await byType(20, 'InstanceID'));
    expect(await byType(10, 'ResourceSubType')).toBe('E1000');
    expect(await byType(10, 'Connection')).toBe('NAT');
    for (let index = 1; index <= 5; index++) {
      const names = await itemChildren(read, index);
      expect(names.length).toBeGreaterThan(2);
      expect(names).toEqual([...names].sort());
    }
  });

  it('tells VMware to boot UEFI, and says nothing for BIOS', async () => {
    const config = local('/Envelope/VirtualSystem/VirtualHardwareSection/Config');
    const uefi = await ovf();
    expect(await uefi(`string(${config}/@*[local-name()='key'])`)).toBe('firmware');
    expect(await uefi(`string(${config}/@*[local-name()='value'])`)).toBe('efi');
    const bios = await ovf({ firmware: 'bios' });
    expect(await bios(`count(${config})`)).toBe('0');
  });

  const controllers: [Controller, Firmware, number, string][] = [
    ['ide', 'bios', 5, ''],
    ['scsi', 'bios', 6, 'lsilogic'],
    ['nvme', 'uefi', 20, 'vmware.nvme.controller'],
  ];
  it.each(controllers)('describes a %s controller', async (controller, firmware, type, subtype) => {
    const read = await ovf({ controller, firmware });
    const item = `${local('/Envelope/VirtualSystem/VirtualHardwareSection/Item')}[3]`;
    expect(await read(`string(${item}/*[local-name()='ResourceType'])`)).toBe(String(type));
    expect(await read(`string(${item}/*[local-name()='ResourceSubType'])`)).toBe(subtype);
  });

  it('keeps any printable name intact', async () => {
    for (const name of HOSTILE_NAMES) {
      const read = await ovf({ name });
      expect(await value(read, '/Envelope/VirtualSystem/Name')).toBe(name);
      expect(await value(read, '/Envelope/VirtualSystem/@id')).toBe(name);
    }
  });

  it('carries an os-release name with control characters as well-formed XML', async () => {
    const guest = { ...GUESTS.debian12!, name: 'Evil\u0001OS\u001b[31m <x>' };
    const read = await ovf({ guest });
    expect(await value(read, '/Envelope/VirtualSystem/OperatingSystemSection/Description')).toBe(
      'Evil\ufffdOS\ufffd[31m <x>',
    );
  });

  it('refuses what OVF consumers cannot import', async () => {
    await expect(ovf({ controller: 'virtio' })).rejects.toThrow(/OVF cannot attach/);
    await expect(
      ovf({ disk: { path: 'a.vmdk', format: 'vmdk', virtualSize: GiB } }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED', hint: 'convert with --format vmdk-stream' });
    await expect(ovf({}, { diskFileSize: 0 })).rejects.toThrow(/disk file size/);
  });
});
