import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { bash, cachedImage, sh } from '../../test/fixtures/cache.js';
import { mergedHive } from '../../test/fixtures/registry.js';
import { FerryError } from '../../shared/errors.js';
import { RegistryHive, type RegistryKey } from './registry-hive.js';

const DATA = resolve('test/data/guest/registry');
const MINIMAL = join(DATA, 'minimal');
const SPECIAL = join(DATA, 'special');
const CURRENT_VERSION = 'Microsoft\\Windows NT\\CurrentVersion';
/** A key of the amcache hive whose 1120 subkeys Windows listed through an ri record. */
const RI_KEY = 'Root\\File\\ccbe4c57-0000-0000-0000-100000000000';
/** A key of the amcache hive holding a 20738-byte REG_MULTI_SZ stored as big data (db). */
const DB_KEY = 'Root\\Programs\\0000ef102566ebfe23b1eb764609c40e56b70000ffff';
const WIDE_KEY_SUBKEYS = 1100;
const LARGE_VALUE_BYTES = 20_000;

const hexList = (bytes: Buffer): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(',');
const utf16z = (text: string): string => hexList(Buffer.from(`${text}\0`, 'utf16le'));
const largeValue = Buffer.from(Array.from({ length: LARGE_VALUE_BYTES }, (_, i) => (i * 7) & 0xff));

/**
 * What a Windows 11 23H2 Pro SOFTWARE hive holds at CurrentVersion (Windows 11 still writes
 * "Windows 10" in ProductName), a key wider than one Windows subkey list (Windows would use an
 * ri record; hivex writes one long lh list) and a value over 16 KiB (Windows would use big data;
 * hivex writes one cell). Each parent key is declared before its children, as hivexregedit needs.
 */
const SOFTWARE_REG = [
  'Windows Registry Editor Version 5.00',
  '',
  '[\\Microsoft]',
  '',
  '[\\Microsoft\\Windows NT]',
  '',
  '[\\Microsoft\\Windows NT\\CurrentVersion]',
  '"ProductName"="Windows 10 Pro"',
  '"CurrentVersion"="6.3"',
  '"CurrentBuild"="22631"',
  '"CurrentBuildNumber"="22631"',
  '"EditionID"="Professional"',
  '"DisplayVersion"="23H2"',
  '"InstallationType"="Client"',
  '"CurrentMajorVersionNumber"=dword:0000000a',
  '"CurrentMinorVersionNumber"=dword:00000000',
  '"UBR"=dword:00000f22',
  '"InstallTime"=hex(b):c0,3b,7f,c4,ba,f3,d9,01',
  `"SystemRoot"=hex(2):${utf16z('C:\\Windows')}`,
  '',
  '[\\Microsoft\\Windows NT\\CurrentVersion\\SvcHost]',
  `"LocalService"=hex(7):${utf16z('nsi\0WdiServiceHost\0')}`,
  '',
  '[\\Classes]',
  '',
  ...Array.from(
    { length: WIDE_KEY_SUBKEYS },
    (_, i) => `[\\Classes\\.ext${String(i).padStart(4, '0')}]\n`,
  ),
  '[\\Large]',
  `"Blob"=hex:${hexList(largeValue)}`,
  '',
].join('\r\n');

/** A copy of `minimal` with SOFTWARE_REG merged in. */
function softwareHive(): Promise<string> {
  return mergedHive('guest-software-hive', SOFTWARE_REG);
}

/** amcache.hve from regipy's tests: a hive written by Windows 10 itself, with ri and db records. */
function amcacheHive(): Promise<string> {
  return cachedImage('guest-amcache-hive', async (target) => {
    const { stdout } = await execa('xz', ['-dc', join(DATA, 'amcache.hve.xz')], {
      encoding: 'buffer',
    });
    await writeFile(target, stdout);
  });
}

async function openHive(path: string): Promise<RegistryHive> {
  return new RegistryHive(await readFile(path), path);
}

/** Every key's values as "type code:hex bytes", keyed by path: what Ferry reads of a whole hive. */
function snapshot(hive: RegistryHive): Map<string, Map<string, string>> {
  const keys = new Map<string, Map<string, string>>();
  const pending: RegistryKey[] = [hive.root];
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    const values = new Map<string, string>();
    for (const value of key.values())
      values.set(value.name, `${value.code}:${value.raw.toString('hex')}`);
    keys.set(key.path, values);
    pending.push(...key.subkeys());
  }
  return keys;
}

/** The same snapshot from `hivexregedit --export`, which prints every value as typed hex. */
async function exportedSnapshot(path: string): Promise<Map<string, Map<string, string>>> {
  // Perl prints Latin-1-only names as Latin-1 unless told to write all of its output as UTF-8.
  const text = await sh('hivexregedit', ['--export', path, '\\'], {
    env: { LC_ALL: 'C', PERL_UNICODE: 'O' },
  });
  const keys = new Map<string, Map<string, string>>();
  let values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const key = /^\[\\(.*)\]$/.exec(line);
    if (key) {
      values = new Map();
      keys.set(key[1]!, values);
      continue;
    }
    const value = /^(?:"((?:[^"\\]|\\.)*)"|@)=(dword|hex)(?:\(([0-9a-f]+)\))?:(.*)$/.exec(line);
    if (!value) continue;
    const [, quoted, kind, code, data] = value;
    const name = (quoted ?? '').replace(/\\(.)/g, '$1');
    if (kind === 'dword') {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32LE(Number.parseInt(data!, 16));
      values.set(name, `4:${bytes.toString('hex')}`);
    } else {
      values.set(
        name,
        `${code === undefined ? 3 : Number.parseInt(code, 16)}:${data!.replaceAll(',', '')}`,
      );
    }
  }
  return keys;
}

/** Where hivexml says the cell of the first key called `name` starts in the file. */
async function keyCellInFile(path: string, name: string): Promise<number> {
  // hivexml cannot write to the socket Node gives a child as stdout; a pipe through cat it can.
  const xml = await bash(`hivexml ${JSON.stringify(path)} | cat`);
  const match = new RegExp(
    `<node name="${name}">(?:<mtime>[^<]*</mtime>)?<byte_runs><byte_run file_offset="(\\d+)"`,
  ).exec(xml);
  if (!match) throw new Error(`hivexml lists no key ${name}`);
  return Number(match[1]);
}

/** The signature of the cell at hive offset `offset` (cell offsets count from the first bin). */
const signatureAt = (bytes: Buffer, offset: number): string =>
  bytes.toString('latin1', 0x1000 + offset + 4, 0x1000 + offset + 6);

function expectHiveError(action: () => unknown, message: RegExp): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('BAD_REGISTRY_HIVE');
    expect((error as FerryError).message).toMatch(message);
    return;
  }
  expect.fail('no error was thrown');
}

describe('RegistryHive on the hivex project hives', () => {
  it('reads minimal: a root key and nothing else', async () => {
    const hive = await openHive(MINIMAL);
    expect(hive.root.name).toBe('$$$PROTO.HIV');
    expect(hive.root.subkeyNames()).toEqual([]);
    expect(hive.root.valueNames()).toEqual([]);
    expect(hive.dirty).toBe(false);
    expect(hive.key('')).toBe(hive.root);
  });

  it('leaves a REG_DWORD without its 4 bytes undecoded, as Windows writes some', async () => {
    // SECURITY hives hold REG_DWORD defaults with no data; here a DWORD of special is made so.
    const bytes = Buffer.from(await readFile(SPECIAL));
    const nk = await keyCellInFile(SPECIAL, 'abcd_äöüß');
    const vk = 0x1000 + bytes.readUInt32LE(0x1000 + bytes.readUInt32LE(nk + 4 + 0x28) + 4);
    expect(bytes.readUInt32LE(vk + 4 + 4)).toBe(0x80000004);
    bytes.writeUInt32LE(0x80000000, vk + 4 + 4);
    const value = new RegistryHive(bytes, 'special').key('abcd_äöüß')!.value('abcd_äöüß');
    expect(value).toMatchObject({ code: 4, type: 'other', raw: Buffer.alloc(0) });
  });

  it('reads special, written by Windows XP, as hivexregedit exports it', async () => {
    const hive = await openHive(SPECIAL);
    expect(snapshot(hive)).toEqual(await exportedSnapshot(SPECIAL));
    expect(hive.root.subkeyNames()).toEqual(['abcd_äöüß', 'weird™', 'zero\0key']);
  });

  it('finds non-ASCII names case-insensitively, as Windows does', async () => {
    const hive = await openHive(SPECIAL);
    expect(hive.key('ABCD_ÄÖÜß')?.path).toBe('abcd_äöüß');
    // Windows upper-cases unit by unit: ß has no one-unit upper case, so "SS" is another name.
    expect(hive.key('ABCD_ÄÖÜSS')).toBeNull();
    expect(hive.key('\\WEIRD™\\')?.value('SYMBOLS $£₤₧€')).toMatchObject({
      name: 'symbols $£₤₧€',
      type: 'REG_DWORD',
      data: 0,
    });
    expect(hive.key('zero\0KEY')?.value('zero\0VAL')?.type).toBe('REG_DWORD');
    expect(hive.key('zero')).toBeNull();
    expect(hive.key('weird™\\missing')).toBeNull();
  });
});

describe('RegistryHive on a SOFTWARE hive made by hivexregedit', () => {
  it('reads the whole hive as hivexregedit exports it', async () => {
    const path = await softwareHive();
    expect(snapshot(await openHive(path))).toEqual(await exportedSnapshot(path));
  });

  it('decodes each value type as hivexget does', async () => {
    const path = await softwareHive();
    const key = (await openHive(path)).key(CURRENT_VERSION.toLowerCase())!;
    const hivexget = (name: string): Promise<string> =>
      sh('hivexget', [path, `\\${CURRENT_VERSION}`, name]);
    for (const name of [
      'ProductName',
      'CurrentBuild',
      'EditionID',
      'DisplayVersion',
      'SystemRoot',
    ]) {
      expect(key.value(name)?.data, name).toBe(await hivexget(name));
    }
    expect(key.value('productname')?.type).toBe('REG_SZ');
    expect(key.value('SystemRoot')?.type).toBe('REG_EXPAND_SZ');
    expect(key.value('CurrentMajorVersionNumber')).toMatchObject({ type: 'REG_DWORD', data: 10 });
    expect(String(key.value('UBR')?.data)).toBe(await hivexget('UBR'));
    const installTime = key.value('InstallTime');
    expect(installTime?.type).toBe('REG_QWORD');
    expect(String(installTime?.data)).toBe(await hivexget('InstallTime'));
    expect(key.subkey('svchost')?.value('LocalService')).toMatchObject({
      type: 'REG_MULTI_SZ',
      data: ['nsi', 'WdiServiceHost'],
    });
    expect(key.value('NoSuchValue')).toBeNull();
  });

  it('lists a key with more than 1000 subkeys in order', async () => {
    const path = await softwareHive();
    const names = (await openHive(path)).key('Classes')!.subkeyNames();
    expect(names).toHaveLength(WIDE_KEY_SUBKEYS);
    expect(names).toEqual((await sh('hivexsh', [path], { input: 'cd Classes\nls\n' })).split('\n'));
  });

  it('reads a value larger than 16 KiB', async () => {
    const path = await softwareHive();
    const blob = (await openHive(path)).key('Large')!.value('Blob');
    expect(blob?.type).toBe('REG_BINARY');
    expect(blob?.data).toEqual(largeValue);
    const { stdout } = await execa('hivexget', [path, '\\Large', 'Blob'], { encoding: 'buffer' });
    expect(Buffer.from(stdout)).toEqual(largeValue);
  });
});

describe('RegistryHive on amcache.hve, written by Windows 10', () => {
  it('reads the whole hive as hivexregedit exports it', async () => {
    const path = await amcacheHive();
    const hive = await openHive(path);
    expect(hive.dirty).toBe(true);
    expect(snapshot(hive)).toEqual(await exportedSnapshot(path));
  });

  it('follows an ri record to all of its lists', async () => {
    const path = await amcacheHive();
    const bytes = await readFile(path);
    const nk = await keyCellInFile(path, RI_KEY.split('\\').at(-1)!);
    expect(signatureAt(bytes, bytes.readUInt32LE(nk + 4 + 0x1c))).toBe('ri');
    const names = new RegistryHive(bytes, path).key(RI_KEY)!.subkeyNames();
    expect(names).toHaveLength(1120);
    const listed = await sh('hivexsh', [path], { input: `cd ${RI_KEY}\nls\n` });
    expect(names).toEqual(listed.split('\n'));
  });

  it('joins the segments of a big-data (db) value', async () => {
    const path = await amcacheHive();
    const bytes = await readFile(path);
    const value = new RegistryHive(bytes, path).key(DB_KEY)!.value('Files')!;
    expect(value.raw).toHaveLength(20738);
    const listed = await sh('hivexget', [path, `\\${DB_KEY}`, 'Files']);
    expect(value.type).toBe('REG_MULTI_SZ');
    expect(value.data).toEqual(listed.split('\n').filter((line) => line !== ''));
  });
});

describe('RegistryHive refuses damaged hives with BAD_REGISTRY_HIVE', () => {
  it('refuses what is not a hive, or not all of one', async () => {
    const special = await readFile(SPECIAL);
    expectHiveError(() => new RegistryHive(Buffer.alloc(16384), 'zeros'), /regf/);
    expectHiveError(() => new RegistryHive(special.subarray(0, 4096), 'cut'), /too small/);
    const amcache = await readFile(await amcacheHive());
    expectHiveError(() => new RegistryHive(amcache.subarray(0, 1_000_000), 'cut'), /past the end/);
  });

  it('refuses a base block whose checksum does not match', async () => {
    const bytes = Buffer.from(await readFile(SPECIAL));
    bytes.writeUInt8(bytes.readUInt8(0x30) ^ 1, 0x30);
    expectHiveError(() => new RegistryHive(bytes, 'special'), /checksum/);
  });

  it('refuses an offset that points into the middle of a cell', async () => {
    const bytes = Buffer.from(await readFile(SPECIAL));
    const hive = new RegistryHive(bytes, 'special');
    const nk = await keyCellInFile(SPECIAL, 'weird™');
    const valueList = bytes.readUInt32LE(nk + 4 + 0x28);
    bytes.writeUInt32LE(bytes.readUInt32LE(0x1000 + valueList + 4) + 8, 0x1000 + valueList + 4);
    expectHiveError(() => hive.key('weird™')!.values(), /no cell in use starts/);
  });

  it('stops at an ri record that lists itself instead of looping', async () => {
    const path = await amcacheHive();
    const bytes = Buffer.from(await readFile(path));
    const nk = await keyCellInFile(path, RI_KEY.split('\\').at(-1)!);
    const ri = bytes.readUInt32LE(nk + 4 + 0x1c);
    bytes.writeUInt32LE(ri, 0x1000 + ri + 4 + 4);
    expectHiveError(() => new RegistryHive(bytes, path).key(RI_KEY)!.subkeyNames(), /repeats/);
  });
});
