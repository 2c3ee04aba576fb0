import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormatName } from '../../shared/formats.js';
import { sh } from '../../test/fixtures/cache.js';
import {
  UUID_V4,
  vdiUuids,
  vhdUniqueIds,
  vhdxVirtualDiskId,
  vmdkDiskDatabase,
} from '../../test/fixtures/disk-uuids.js';
import { scatteredGrainsRaw } from '../../test/fixtures/raw-disks.js';
import { scratchDir } from '../../test/fixtures/scratch-dir.js';
import { writeRaw } from '../../test/fixtures/write-raw.js';
import { NIL_UUID, diskUuid, storedUuid, uuidFromText } from './disk-uuid.js';
import { writerFor } from './registry.js';
import type { FormatReaderDriver } from './types.js';
import { vdiReader } from './vdi-reader.js';
import { vhdReader } from './vhd-reader.js';
import { vhdxReader } from './vhdx-reader.js';
import { vmdkReader } from './vmdk-reader.js';

const GIVEN = '5D8F1A3C-0B6E-4C2A-9F71-3E4D5C6B7A80';
const STORED = GIVEN.toLowerCase();

interface Format {
  format: FormatName;
  extension: string;
  /** qemu's name for it, for `qemu-img -f`. */
  qemu: string;
  /** Whether `qemu-img check` covers it. */
  checked: boolean;
  reader: FormatReaderDriver;
  /** The UUID where the hypervisor reads it, found by an independent parser. */
  stored: (path: string) => Promise<string | undefined>;
}

const vmdkImageUuid = async (path: string) => (await vmdkDiskDatabase(path)).get('ddb.uuid.image');
const vmdk = { extension: 'vmdk', qemu: 'vmdk', checked: true, reader: vmdkReader };
const vhd = { extension: 'vhd', qemu: 'vpc', checked: false, reader: vhdReader };

const FORMATS: Format[] = [
  {
    format: 'vdi',
    extension: 'vdi',
    qemu: 'vdi',
    checked: true,
    reader: vdiReader,
    stored: async (path) => (await vdiUuids(path)).create,
  },
  { format: 'vhd', ...vhd, stored: async (path) => (await vhdUniqueIds(path)).footer },
  { format: 'vhd-fixed', ...vhd, stored: async (path) => (await vhdUniqueIds(path)).footer },
  {
    format: 'vhdx',
    extension: 'vhdx',
    qemu: 'vhdx',
    checked: true,
    reader: vhdxReader,
    stored: vhdxVirtualDiskId,
  },
  { format: 'vmdk', ...vmdk, stored: vmdkImageUuid },
  { format: 'vmdk-flat', ...vmdk, stored: vmdkImageUuid },
  { format: 'vmdk-stream', ...vmdk, stored: vmdkImageUuid },
];

let dir: string;
beforeAll(async () => {
  dir = await scratchDir('disk-uuid');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Writes the scattered disk as `format` to `name`; returns the path to open. */
async function write({ format, extension }: Format, name: string, uuid?: string): Promise<string> {
  const target = join(dir, `${name}.${extension}`);
  const files = await writeRaw(writerFor(format), await scatteredGrainsRaw(), target, { uuid });
  expect(files[0]).toBe(target);
  return target;
}

async function readerUuid(reader: FormatReaderDriver, path: string) {
  const image = await reader.open(path);
  try {
    return image.uuid;
  } finally {
    await image.close();
  }
}

describe('disk UUIDs', () => {
  it('takes a UUID in either case, or makes a random one', () => {
    expect(diskUuid(GIVEN)).toBe(STORED);
    expect(diskUuid(undefined)).toMatch(UUID_V4);
    expect(diskUuid(undefined)).not.toBe(diskUuid(undefined));
  });

  it.each([
    ['nothing', ''],
    ['a word', 'disk'],
    ['braces', `{${STORED}}`],
    ['no dashes', STORED.replace(/-/g, '')],
    ['a digit too many', `${STORED}0`],
    ['a non-hex digit', `g${STORED.slice(1)}`],
    ['a quote and a line', `${STORED}"\nRW 1 FLAT "x`],
    ['the nil UUID', NIL_UUID],
  ])('refuses %s with USAGE', (_name, text) => {
    expect(() => diskUuid(text)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('reads UUIDs written as text, as VirtualBox does, and nothing else', () => {
    expect(uuidFromText(GIVEN)).toBe(STORED);
    expect(uuidFromText(` {${GIVEN}} `)).toBe(STORED);
    for (const text of ['', 'x', NIL_UUID, `${STORED}0`, `{${STORED}`]) {
      expect(uuidFromText(text)).toBeNull();
    }
  });

  it('reads 16 stored bytes, none when they are zero or do not fit', () => {
    const bytes = Buffer.alloc(40);
    bytes.set([0x3c, 0x1a, 0x8f, 0x5d, 0x6e, 0x0b, 0x2a, 0x4c], 4);
    bytes.set(Buffer.from('9f713e4d5c6b7a80', 'hex'), 12);
    expect(storedUuid(bytes, 4)).toBe(STORED);
    expect(storedUuid(bytes, 24)).toBeNull();
    for (const offset of [-1, 25, 1.5, Number.MAX_SAFE_INTEGER]) {
      expect(storedUuid(bytes, offset)).toBeNull();
    }
  });
});

describe.each(FORMATS)('$format writer', (format) => {
  it('stores the UUID given where the hypervisor reads it, and the reader reads it back', async () => {
    const image = await write(format, 'given', GIVEN);
    expect(await format.stored(image)).toBe(STORED);
    expect(await readerUuid(format.reader, image)).toBe(STORED);
    if (format.checked) {
      expect(await sh('qemu-img', ['check', '-f', format.qemu, image])).toContain('No errors');
    }
    const raw = await scatteredGrainsRaw();
    expect(await sh('qemu-img', ['compare', '-f', 'raw', '-F', format.qemu, raw, image])).toContain(
      'Images are identical',
    );
  });

  it('stores a fresh random UUID when none is given', async () => {
    const [first, second] = [await write(format, 'first'), await write(format, 'second')];
    const uuids = [await format.stored(first), await format.stored(second)];
    expect(uuids[0]).toMatch(UUID_V4);
    expect(uuids[1]).toMatch(UUID_V4);
    expect(uuids[0]).not.toBe(uuids[1]);
    expect(await readerUuid(format.reader, first)).toBe(uuids[0]);
  });

  it('refuses a UUID that is not one before creating a file', async () => {
    const target = join(dir, `refused-${format.format}.${format.extension}`);
    for (const uuid of ['disk', NIL_UUID, `${STORED}"`]) {
      await expect(
        writerFor(format.format).create(target, {
          size: 2 ** 20,
          thick: false,
          compress: false,
          uuid,
        }),
      ).rejects.toMatchObject({ name: 'FerryError', code: 'USAGE' });
    }
    expect((await readdir(dir)).filter((name) => name.startsWith('refused-'))).toEqual([]);
  });
});

describe('the other identity fields, as VirtualBox writes them', () => {
  it('VDI: a fresh modification UUID, no linkage or parent', async () => {
    const vdi = FORMATS.find((f) => f.format === 'vdi')!;
    const uuids = await vdiUuids(await write(vdi, 'fields', GIVEN));
    expect(uuids).toEqual({
      create: STORED,
      modify: expect.stringMatching(UUID_V4),
      linkage: NIL_UUID,
      parentModify: NIL_UUID,
    });
  });

  it('VHD: the dynamic disk footer copy at 0 names the same disk', async () => {
    const dynamic = FORMATS.find((f) => f.format === 'vhd')!;
    expect(await vhdUniqueIds(await write(dynamic, 'copy', GIVEN))).toEqual({
      footer: STORED,
      copy: STORED,
    });
  });

  it('VMDK: parent and modification UUIDs all zeros, VMware ddb.uuid left out', async () => {
    for (const format of FORMATS.filter((f) => f.format.startsWith('vmdk'))) {
      const database = await vmdkDiskDatabase(await write(format, `ddb-${format.format}`, GIVEN));
      expect(database.get('ddb.uuid.image')).toBe(STORED);
      expect(database.get('ddb.uuid.parent')).toBe(NIL_UUID);
      expect(database.get('ddb.uuid.modification')).toBe(NIL_UUID);
      expect(database.get('ddb.uuid.parentmodification')).toBe(NIL_UUID);
      expect(database.has('ddb.uuid')).toBe(false);
    }
  });
});

describe('readers on images qemu-img made', () => {
  it.each([
    ['vdi', 'vdi', vdiReader, async (path: string) => (await vdiUuids(path)).create],
    ['vpc', 'vhd', vhdReader, async (path: string) => (await vhdUniqueIds(path)).footer],
    ['vhdx', 'vhdx', vhdxReader, vhdxVirtualDiskId],
  ] as const)(
    '%s: the reader reports the UUID the file holds',
    async (qemu, ext, reader, stored) => {
      const image = join(dir, `qemu.${ext}`);
      await sh('qemu-img', ['convert', '-f', 'raw', '-O', qemu, await scatteredGrainsRaw(), image]);
      const uuid = await stored(image);
      expect(uuid).not.toBe(NIL_UUID);
      expect(await readerUuid(reader, image)).toBe(uuid);
    },
  );

  it('vmdk: qemu-img writes no ddb.uuid.image, so there is none to report', async () => {
    const image = join(dir, 'qemu.vmdk');
    await sh('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', await scatteredGrainsRaw(), image]);
    expect((await vmdkDiskDatabase(image)).has('ddb.uuid.image')).toBe(false);
    expect(await readerUuid(vmdkReader, image)).toBeNull();
  });
});
