/**
 * Directory indexes ($I30): a B-tree of $FILE_NAME keys whose root is the resident $INDEX_ROOT
 * and whose other nodes are INDX blocks in $INDEX_ALLOCATION, each protected by an update
 * sequence. Lookup descends the tree by the volume's name collation; listing walks all of it.
 */
import type { BlockSource } from '../io/source.js';
import { ntfsError, type NtfsBoot } from '../filesystems/ntfs-boot.js';
import type { DataStream, Mft } from '../filesystems/ntfs-mft.js';
import {
  applyFixups,
  FILE_NAME,
  INDEX_ALLOCATION,
  INDEX_ROOT,
  type MftRecord,
} from '../filesystems/ntfs-record.js';
import type { NameCollation } from './ntfs-upcase.js';

/** What a directory entry says about one name of a file. */
export interface IndexEntry {
  name: string;
  /** 0 POSIX, 1 Win32, 2 DOS, 3 a Win32 name that is also its DOS name. */
  namespace: number;
  record: number;
  /** The sequence number the record had when the entry was made; 0 means unchecked. */
  sequence: number;
}

export const DOS_NAMESPACE = 2;

interface Node {
  /** In collation order; the last has no key and only leads to the subtree after the others. */
  entries: { key: IndexEntry | null; child: number | null }[];
}

const DIRECTORY_INDEX = '$I30';
const COLLATION_FILE_NAME = 1;
const ROOT_HEADER = 0x10;
const BLOCK_HEADER = 0x18;
const ENTRY_HEADER = 0x10;
const FILE_NAME_HEADER = 0x42;
const HAS_CHILD = 0x01;
const LAST_ENTRY = 0x02;
/** NTFS uses 4 KiB index blocks; the update sequence needs at least one 512-byte stride. */
const MIN_BLOCK = 512;
const MAX_BLOCK = 65536;
/** Index VCNs count 512-byte units when blocks are smaller than clusters. */
const SMALL_VCN = 512;
/** A B-tree of millions of names is a few levels deep; deeper is a loop in disguise. */
const MAX_DEPTH = 32;

export class DirectoryIndex {
  private allocation: DataStream | null = null;

  private constructor(
    private readonly mft: Mft,
    private readonly directory: MftRecord,
    private readonly root: Node,
    private readonly blockSize: number,
    private readonly vcnSize: number,
    private readonly collate: NameCollation,
    private readonly where: string,
  ) {}

  /** The index of a directory; null when the record is not a directory (it has no $I30). */
  static async open(
    volume: BlockSource,
    boot: NtfsBoot,
    mft: Mft,
    directory: MftRecord,
    collate: NameCollation,
  ): Promise<DirectoryIndex | null> {
    const where = `${volume.path}: directory index of MFT record ${directory.number}`;
    const pieces = await mft.attributePieces(directory, INDEX_ROOT, DIRECTORY_INDEX);
    if (pieces.length === 0) return null;
    const value = pieces[0]?.value;
    if (pieces.length > 1 || !value)
      throw ntfsError('$INDEX_ROOT is not one resident value', where);
    if (value.length < ROOT_HEADER + 0x10) throw ntfsError('$INDEX_ROOT is too short', where);
    if (value.readUInt32LE(0) !== FILE_NAME || value.readUInt32LE(4) !== COLLATION_FILE_NAME) {
      throw ntfsError('the $I30 index does not index file names by name', where);
    }
    const blockSize = value.readUInt32LE(8);
    if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || (blockSize & (blockSize - 1)) !== 0) {
      throw ntfsError(`index block size ${blockSize} is not a power of two 512..64K`, where);
    }
    const vcnSize = blockSize >= boot.clusterSize ? boot.clusterSize : SMALL_VCN;
    const root = parseNode(value, ROOT_HEADER, where);
    return new DirectoryIndex(mft, directory, root, blockSize, vcnSize, collate, where);
  }

  /** The entry whose name equals `name` ignoring case, by descent from the root. */
  async find(name: string): Promise<IndexEntry | null> {
    let node = this.root;
    const visited = new Set<number>();
    for (;;) {
      let child: number | null = null;
      for (const entry of node.entries) {
        const order = entry.key ? this.collate(name, entry.key.name) : -1;
        if (order === 0) return entry.key;
        if (order < 0) {
          child = entry.child;
          break;
        }
      }
      if (child === null) return null;
      if (visited.has(child) || visited.size >= MAX_DEPTH) {
        throw ntfsError(`the index loops or is deeper than ${MAX_DEPTH} levels`, this.where);
      }
      visited.add(child);
      node = await this.block(child);
    }
  }

  /** Every entry of the directory, in collation order. */
  async entries(): Promise<IndexEntry[]> {
    const found: IndexEntry[] = [];
    await this.walk(this.root, new Set<number>(), 0, found);
    return found;
  }

  private async walk(node: Node, visited: Set<number>, depth: number, found: IndexEntry[]) {
    for (const entry of node.entries) {
      if (entry.child !== null) {
        if (visited.has(entry.child) || depth >= MAX_DEPTH) {
          throw ntfsError(`the index loops or is deeper than ${MAX_DEPTH} levels`, this.where);
        }
        visited.add(entry.child);
        await this.walk(await this.block(entry.child), visited, depth + 1, found);
      }
      if (entry.key) found.push(entry.key);
    }
  }

  /** Reads, checks and parses the INDX block at `vcn` of $INDEX_ALLOCATION. */
  private async block(vcn: number): Promise<Node> {
    const where = `${this.where}, index block at VCN ${vcn}`;
    const stream = await this.allocationStream();
    const offset = vcn * this.vcnSize;
    if (!Number.isSafeInteger(offset) || offset + this.blockSize > stream.dataSize) {
      throw ntfsError(`the block lies beyond the ${stream.dataSize}-byte allocation`, where);
    }
    const bytes = await this.mft.readStream(stream, offset, this.blockSize, where);
    if (bytes.toString('latin1', 0, 4) !== 'INDX') throw ntfsError('no INDX signature', where);
    applyFixups(bytes, (message) => ntfsError(message, where));
    if (bytes.readBigUInt64LE(0x10) !== BigInt(vcn)) {
      throw ntfsError('the block names a different VCN than the one pointing to it', where);
    }
    return parseNode(bytes, BLOCK_HEADER, where);
  }

  private async allocationStream(): Promise<DataStream> {
    if (!this.allocation) {
      const pieces = await this.mft.attributePieces(
        this.directory,
        INDEX_ALLOCATION,
        DIRECTORY_INDEX,
      );
      this.allocation = this.mft.joinPieces(pieces, '$INDEX_ALLOCATION', this.where);
    }
    return this.allocation;
  }
}

/** Parses the entries behind an index node header at `header` (in a root value or a block). */
function parseNode(bytes: Buffer, header: number, where: string): Node {
  const bad = (message: string): Error => ntfsError(message, where);
  if (header + 0x10 > bytes.length) throw bad('the index node header lies outside its node');
  const first = header + bytes.readUInt32LE(header);
  const end = header + bytes.readUInt32LE(header + 4);
  if (first < header + 0x10 || end > bytes.length || first >= end) {
    throw bad(`index entries from ${first} to ${end} do not fit their node`);
  }
  const entries: Node['entries'] = [];
  for (let at = first; ;) {
    if (at + ENTRY_HEADER > end) throw bad('the index node has no last entry');
    const length = bytes.readUInt16LE(at + 8);
    const keyLength = bytes.readUInt16LE(at + 10);
    const flags = bytes.readUInt16LE(at + 12);
    const childBytes = flags & HAS_CHILD ? 8 : 0;
    // Every entry is at least a header long, so the walk always advances.
    if (length < ENTRY_HEADER + childBytes || length % 8 !== 0 || at + length > end) {
      throw bad(`index entry at ${at} has an impossible length ${length}`);
    }
    const child = childBytes ? childVcn(bytes, at + length - 8, bad) : null;
    if (flags & LAST_ENTRY) {
      entries.push({ key: null, child });
      return { entries };
    }
    if (ENTRY_HEADER + keyLength > length - childBytes) {
      throw bad(`the key of index entry at ${at} lies outside it`);
    }
    const key = bytes.subarray(at + ENTRY_HEADER, at + ENTRY_HEADER + keyLength);
    entries.push({ key: fileNameKey(bytes, at, key, bad), child });
    at += length;
  }
}

function childVcn(bytes: Buffer, at: number, bad: (message: string) => Error): number {
  const vcn = bytes.readBigUInt64LE(at);
  if (vcn > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`child VCN ${vcn} is out of range`);
  return Number(vcn);
}

function fileNameKey(
  bytes: Buffer,
  at: number,
  key: Buffer,
  bad: (message: string) => Error,
): IndexEntry {
  if (key.length < FILE_NAME_HEADER) throw bad(`index entry at ${at} has no file name`);
  const nameLength = key.readUInt8(0x40);
  if (FILE_NAME_HEADER + nameLength * 2 > key.length) {
    throw bad(`the name of index entry at ${at} runs past its key`);
  }
  const reference = bytes.readBigUInt64LE(at);
  return {
    name: key.toString('utf16le', FILE_NAME_HEADER, FILE_NAME_HEADER + nameLength * 2),
    namespace: key.readUInt8(0x41),
    record: Number(reference & 0xffffffffffffn),
    sequence: Number(reference >> 48n),
  };
}
