/**
 * Folder listings of the engine's machine, for the browser console's file and folder pickers
 * (Electron has native dialogs; a browser can only see what the engine shows it).
 */
import { readdir, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { EntryKind, FolderEntry, FolderListing } from '../../shared/api.js';
import { FerryError } from '../../shared/errors.js';

/** Entries examined at once; a folder such as /dev holds hundreds. */
const STAT_BATCH = 64;

export async function browseFolder(path: string): Promise<FolderListing> {
  const folder = resolve(path);
  const stats = await stat(folder).catch((error: unknown) => {
    throw browseFailure(error, folder);
  });
  if (!stats.isDirectory()) {
    throw new FerryError('USAGE', 'is not a folder', {
      where: folder,
      hint: 'browse the folder that holds it',
    });
  }
  const names = await readdir(folder).catch((error: unknown) => {
    throw browseFailure(error, folder);
  });
  const entries: FolderEntry[] = [];
  for (let index = 0; index < names.length; index += STAT_BATCH) {
    const batch = names.slice(index, index + STAT_BATCH);
    entries.push(...(await Promise.all(batch.map((name) => entryOf(folder, name)))));
  }
  entries.sort(folderFirst);
  const parent = dirname(folder);
  const space = await statfs(folder).catch((error: unknown) => {
    throw browseFailure(error, folder);
  });
  return {
    path: folder,
    parent: parent === folder ? null : parent,
    entries,
    freeBytes: space.bavail * space.bsize,
  };
}

/** Links are followed, so a link to a folder can be opened; a broken one is listed as "other". */
async function entryOf(folder: string, name: string): Promise<FolderEntry> {
  const path = join(folder, name);
  const stats = await stat(path).catch(() => null);
  if (!stats) return { name, path, kind: 'other', size: 0 };
  return { name, path, kind: kindOf(stats), size: stats.isFile() ? stats.size : 0 };
}

function kindOf(stats: Awaited<ReturnType<typeof stat>>): EntryKind {
  if (stats.isDirectory()) return 'folder';
  if (stats.isFile()) return 'file';
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return 'device';
  return 'other';
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function folderFirst(a: FolderEntry, b: FolderEntry): number {
  const byKind = Number(b.kind === 'folder') - Number(a.kind === 'folder');
  // Names that collate alike ("a" and "A") still get a fixed order.
  return byKind || collator.compare(a.name, b.name) || (a.name < b.name ? -1 : 1);
}

function browseFailure(error: unknown, folder: string): FerryError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new FerryError('SOURCE_NOT_FOUND', 'no such folder', {
      where: folder,
      hint: 'check the path, or start from the home folder',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new FerryError('PERMISSION_DENIED', 'permission denied', {
      where: folder,
      hint: 'the engine cannot read this folder; choose another one',
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FerryError('IO', `cannot list the folder: ${message}`, {
    where: folder,
    hint: 'choose another folder',
    cause: error,
  });
}
