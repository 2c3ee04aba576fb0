/**
 * Files by path inside an NTFS volume, read-only. Paths are resolved from the root directory
 * (MFT record 5) through each directory's $I30 index, comparing names case-insensitively with
 * the volume's $UpCase table. Symbolic links and junctions (name-surrogate reparse points) read
 * as missing; files whose content lives elsewhere (WOF/CompactOS, deduplication, cloud
 * placeholders) and EFS-encrypted files are refused with UNSUPPORTED.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import {
  hasNtfsSignature,
  NTFS_BOOT_SIZE,
  ntfsError,
  parseNtfsBoot,
  type NtfsBoot,
} from '../filesystems/ntfs-boot.js';
import { Mft } from '../filesystems/ntfs-mft.js';
import { REPARSE_POINT, type MftRecord, type NtfsAttribute } from '../filesystems/ntfs-record.js';
import { readInside } from '../filesystems/read-inside.js';
import { readFileData, readFileHead } from './ntfs-file-data.js';
import { DirectoryIndex, DOS_NAMESPACE, type IndexEntry } from './ntfs-index.js';
import { readUpCase, type NameCollation } from './ntfs-upcase.js';
import { DEFAULT_MAX_FILE_BYTES, type FileTree } from './types.js';

const ROOT_RECORD = 5;
/** Reparse tags with this bit set stand for another name (symbolic links, junctions). */
const NAME_SURROGATE = 0x20000000;

export async function openNtfsTree(
  volume: BlockSource,
  filesystem: DetectedFilesystem,
): Promise<FileTree> {
  if (filesystem.type !== 'ntfs') {
    throw new FerryError(
      'UNSUPPORTED',
      `a ${filesystem.type} volume was handed to the NTFS reader`,
      {
        where: volume.path,
        hint: 'this is a bug in Ferry; report it with the output of ferry inspect',
      },
    );
  }
  const where = `${volume.path}: NTFS boot sector`;
  const sector = await readInside(volume, 0, NTFS_BOOT_SIZE, () =>
    ntfsError('the volume is too small to hold an NTFS boot sector', where),
  );
  if (!hasNtfsSignature(sector)) throw ntfsError('the NTFS boot sector is gone', where);
  const boot = parseNtfsBoot(sector, volume);
  const mft = await Mft.open(volume, boot);
  return new NtfsTree(volume, boot, mft, await readUpCase(volume, mft));
}

class NtfsTree implements FileTree {
  constructor(
    private readonly volume: BlockSource,
    private readonly boot: NtfsBoot,
    private readonly mft: Mft,
    private readonly collate: NameCollation,
  ) {}

  async readFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<Buffer | null> {
    const file = await this.regularFile(path);
    return file && readFileData(this.mft, this.boot, file, maxBytes, this.where(path));
  }

  async readHead(path: string, length: number): Promise<Buffer | null> {
    const file = await this.regularFile(path);
    return file && readFileHead(this.mft, this.boot, file, length, this.where(path));
  }

  async list(path: string): Promise<string[] | null> {
    const directory = await this.resolve(path);
    const index = directory && (await this.index(directory));
    if (!index) return null;
    // A long name's separate DOS alias is the same file again.
    return (await index.entries())
      .filter((entry) => entry.namespace !== DOS_NAMESPACE && entry.name !== '.')
      .map((entry) => entry.name);
  }

  /**
   * The base record of the file at `path`; null when it is missing or a directory. A file whose
   * data lies elsewhere is refused.
   */
  private async regularFile(path: string): Promise<MftRecord | null> {
    const file = await this.resolve(path);
    if (!file || (await this.index(file))) return null;
    const tag = await this.reparseTag(file);
    if (tag !== null) {
      throw new FerryError(
        'UNSUPPORTED',
        `the file is a reparse point (tag 0x${tag.toString(16)}) whose data lies elsewhere`,
        {
          where: this.where(path),
          hint: 'Windows stores it compacted, deduplicated or in the cloud; read it in Windows',
        },
      );
    }
    return file;
  }

  private where(path: string): string {
    return `${this.volume.path}: ${path}`;
  }

  /** The base record at `path`; null when a component is missing or a link or junction. */
  private async resolve(path: string): Promise<MftRecord | null> {
    let record = await this.mft.record(ROOT_RECORD);
    for (const name of components(path)) {
      const index = await this.index(record);
      const entry = index && (await index.find(name));
      if (!entry) return null;
      record = await this.entryRecord(entry);
      if (await this.isNameSurrogate(record)) return null;
    }
    return record;
  }

  private index(record: MftRecord): Promise<DirectoryIndex | null> {
    return DirectoryIndex.open(this.volume, this.boot, this.mft, record, this.collate);
  }

  private async entryRecord(entry: IndexEntry): Promise<MftRecord> {
    const record = await this.mft.record(entry.record);
    const where = `${this.volume.path}: MFT record ${entry.record} (${JSON.stringify(entry.name)})`;
    if (record.baseRecord !== record.number) {
      throw ntfsError(
        `the directory entry points at an extent of record ${record.baseRecord}`,
        where,
      );
    }
    if (entry.sequence !== 0 && entry.sequence !== record.sequence) {
      throw ntfsError(
        `the directory entry is stale: it expects sequence ${entry.sequence}, the record has ${record.sequence}`,
        where,
      );
    }
    return record;
  }

  private async isNameSurrogate(record: MftRecord): Promise<boolean> {
    const tag = await this.reparseTag(record);
    return tag !== null && (tag & NAME_SURROGATE) !== 0;
  }

  /** The reparse tag of a file, or null when it is not a reparse point. */
  private async reparseTag(record: MftRecord): Promise<number | null> {
    const pieces = await this.mft.attributePieces(record, REPARSE_POINT, '');
    const first = pieces[0];
    if (!first) return null;
    const where = `${this.volume.path}: MFT record ${record.number} $REPARSE_POINT`;
    const data = first.value ?? (await this.reparseStart(pieces, where));
    if (data.length < 4) throw ntfsError('the reparse point has no tag', where);
    return data.readUInt32LE(0);
  }

  private async reparseStart(pieces: NtfsAttribute[], where: string): Promise<Buffer> {
    const stream = this.mft.joinPieces(pieces, '$REPARSE_POINT', where);
    return this.mft.readStream(stream, 0, Math.min(4, stream.dataSize), where);
  }
}

/** A path's names, with "." dropped and ".." taken lexically (links are not followed). */
function components(path: string): string[] {
  const names: string[] = [];
  for (const name of path.split('/')) {
    if (name === '' || name === '.') continue;
    if (name === '..') names.pop();
    else names.push(name);
  }
  return names;
}
