import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { browseFolder } from './browse.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(FIXTURE_ROOT, 'browse-'));
  await mkdir(join(folder, 'b-folder'));
  await mkdir(join(folder, 'A-folder'));
  await mkdir(join(folder, 'folder10'));
  await mkdir(join(folder, 'folder9'));
  await writeFile(join(folder, 'z.txt'), 'hello');
  await writeFile(join(folder, 'a.bin'), Buffer.alloc(1000, 1));
  await symlink(join(folder, 'b-folder'), join(folder, 'link-to-folder'));
  await symlink(join(folder, 'gone'), join(folder, 'broken-link'));
  await sh('mkfifo', [join(folder, 'pipe')]);
});

/** What find(1) says of each entry, links followed: the truth to compare with. */
async function findEntries(path: string): Promise<Map<string, { type: string; size: number }>> {
  const out = await sh('find', [
    path,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '-printf',
    '%f\t%Y\t%s\n',
  ]);
  const entries = new Map<string, { type: string; size: number }>();
  for (const line of out.trim().split('\n')) {
    const [name, type, size] = line.split('\t');
    entries.set(name!, { type: type!, size: Number(size) });
  }
  return entries;
}

const KIND_OF_FIND_TYPE: Record<string, string> = {
  d: 'folder',
  f: 'file',
  b: 'device',
  c: 'device',
};

describe('browseFolder', () => {
  it('lists folders first, then files, by name as people sort them, with kinds and sizes find(1) agrees with', async () => {
    const listing = await browseFolder(folder);
    expect(listing.path).toBe(folder);
    expect(listing.parent).toBe(FIXTURE_ROOT);
    expect(listing.entries.map((e) => e.name)).toEqual([
      'A-folder',
      'b-folder',
      'folder9',
      'folder10',
      'link-to-folder',
      'a.bin',
      'broken-link',
      'pipe',
      'z.txt',
    ]);
    const truth = await findEntries(folder);
    for (const entry of listing.entries) {
      const found = truth.get(entry.name)!;
      expect(entry.path).toBe(join(folder, entry.name));
      expect(entry.kind, entry.name).toBe(KIND_OF_FIND_TYPE[found.type] ?? 'other');
      if (entry.kind === 'file') expect(entry.size).toBe(found.size);
    }
  });

  it('reports the free space df(1) reports for the folder', async () => {
    const listing = await browseFolder(folder);
    const df = Number((await sh('df', ['-B1', '--output=avail', folder])).split('\n')[1]);
    // Other tests write to the same filesystem meanwhile.
    expect(Math.abs(listing.freeBytes - df)).toBeLessThan(256 * 2 ** 20);
  });

  it('lists devices as devices, and the root as having no parent', async () => {
    const dev = await browseFolder('/dev');
    expect(dev.entries.find((e) => e.name === 'null')).toMatchObject({ kind: 'device', size: 0 });
    expect((await browseFolder('/')).parent).toBeNull();
  });

  it('refuses a file and a missing folder with FerryErrors', async () => {
    await expect(browseFolder(join(folder, 'z.txt'))).rejects.toMatchObject({
      code: 'USAGE',
      where: join(folder, 'z.txt'),
    });
    await expect(browseFolder(join(folder, 'nope'))).rejects.toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });
});
