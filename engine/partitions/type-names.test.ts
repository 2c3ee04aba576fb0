import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { gptTypeName, mbrTypeName, NAMED_GPT_TYPES, NAMED_MBR_TYPES } from './type-names.js';

describe('type names', () => {
  it('names only ids and GUIDs that sfdisk also knows (no typos)', async () => {
    const gptList = (await sh('sfdisk', ['--list-types', '--label', 'gpt'])).toLowerCase();
    for (const guid of NAMED_GPT_TYPES) expect(gptList, guid).toContain(guid);
    const dosIds = new Set(
      (await sh('sfdisk', ['--list-types', '--label', 'dos']))
        .split('\n')
        .map((line) => /^\s*([0-9a-f]{1,2})\s{2}/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined)
        .map((id) => Number.parseInt(id, 16)),
    );
    for (const id of NAMED_MBR_TYPES) expect(dosIds.has(id), `0x${id.toString(16)}`).toBe(true);
  });

  it('gives the names the wizard shows', () => {
    expect(mbrTypeName(0x83)).toBe('Linux');
    expect(mbrTypeName(0x07)).toBe('NTFS/exFAT/HPFS');
    expect(mbrTypeName(0x0c)).toBe('FAT32');
    expect(mbrTypeName(0xef)).toBe('EFI System');
    expect(mbrTypeName(0xee)).toBe('GPT protective');
    expect(gptTypeName('C12A7328-F81F-11D2-BA4B-00A0C93EC93B')).toBe('EFI System');
    expect(gptTypeName('ebd0a0a2-b9e5-4433-87c0-68b6b72699c7')).toBe('Microsoft basic data');
    expect(gptTypeName('4f68bce3-e8cd-4db1-96e7-fbcaf984b709')).toBe('Linux root (x86-64)');
  });

  it('says Unknown for anything else', () => {
    expect(mbrTypeName(0x99)).toBe('Unknown');
    expect(gptTypeName('00000000-1111-2222-3333-444444444444')).toBe('Unknown');
  });
});
