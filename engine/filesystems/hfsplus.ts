/**
 * HFS+ and HFSX (Mac OS Extended): the volume header at byte 1024, big-endian, "H+" or "HX".
 * Older Macs wrapped HFS+ inside a plain HFS volume ("BD" with an embedded "H+"); the wrapper is
 * followed to the volume inside. Label and UUID are derived as blkid derives them: the label is
 * the name of the root folder's catalog record, the UUID an MD5-based one from the Finder's
 * 64-bit volume id.
 */
import { createHash } from 'node:crypto';
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import type { FilesystemDriver } from './driver.js';
import { orNull, utf16beString, uuidText } from './identity.js';

const VOLUME_HEADER = 1024;
const HEADER_LENGTH = 512;

// The HFS master directory block of a wrapper, at the same place as the volume header.
const WRAPPER_BLOCK_SIZE = 20;
const WRAPPER_FIRST_BLOCK = 28;
const WRAPPER_EMBEDDED_SIGNATURE = 124;
const WRAPPER_EMBEDDED_START = 126;

const VERSION = 2;
const BLOCK_SIZE = 40;
const TOTAL_BLOCKS = 44;
const FINDER_VOLUME_ID = 104;
const CATALOG_EXTENTS = 288;
const FORK_EXTENTS = 8;

// Catalog B-tree: a 14-byte node descriptor, then the header record or the node's first key.
const NODE_DESCRIPTOR = 14;
const HEADER_LEAF_COUNT = NODE_DESCRIPTOR + 6;
const HEADER_FIRST_LEAF = NODE_DESCRIPTOR + 10;
const HEADER_NODE_SIZE = NODE_DESCRIPTOR + 18;
const NODE_KIND = 8;
const NODE_RECORDS = 10;
const LEAF_NODE = 0xff;
const KEY_PARENT = NODE_DESCRIPTOR + 2;
const KEY_NAME_LENGTH = NODE_DESCRIPTOR + 6;
const KEY_NAME = NODE_DESCRIPTOR + 8;
/** The parent id of the root folder's own record, whose name is the volume's name. */
const ROOT_PARENT_ID = 1;
const MAX_NAME_LENGTH = 255;
/** blkid reads a leaf only when a whole catalog key of the longest name fits in the node. */
const MIN_NODE_SIZE = NODE_DESCRIPTOR + 8 + 2 * MAX_NAME_LENGTH + 2;

/** The namespace blkid hashes the Finder's volume id in. */
const UUID_NAMESPACE = Buffer.from([
  0xb3, 0xe2, 0x0f, 0x39, 0xf2, 0x92, 0x11, 0xd6, 0x97, 0xa4, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac,
]);

interface VolumeHeader {
  /** Where the HFS+ volume starts: 0, or inside an HFS wrapper. */
  base: number;
  header: Buffer;
}

function damaged(volume: BlockSource, message: string): FerryError {
  return new FerryError('BAD_FILESYSTEM', message, {
    where: `${volume.path}: HFS+ volume header`,
    hint: 'repair the volume with Disk Utility (or fsck.hfsplus), or copy it with --all-blocks',
  });
}

async function readAt(volume: BlockSource, offset: number, length: number): Promise<Buffer | null> {
  if (!Number.isSafeInteger(offset) || offset + length > volume.size) return null;
  return volume.read(offset, length);
}

const isHfsPlusSignature = (signature: string): boolean => signature === 'H+' || signature === 'HX';

async function findVolumeHeader(volume: BlockSource): Promise<VolumeHeader | null> {
  const first = await readAt(volume, VOLUME_HEADER, HEADER_LENGTH);
  if (!first) return null;
  const signature = first.toString('latin1', 0, 2);
  if (signature !== 'BD') return isHfsPlusSignature(signature) ? { base: 0, header: first } : null;
  // A plain HFS volume is not one Ferry knows; only a wrapper around HFS+ is followed.
  const embedded = first.toString(
    'latin1',
    WRAPPER_EMBEDDED_SIGNATURE,
    WRAPPER_EMBEDDED_SIGNATURE + 2,
  );
  if (!isHfsPlusSignature(embedded)) return null;
  const base =
    first.readUInt16BE(WRAPPER_FIRST_BLOCK) * 512 +
    first.readUInt16BE(WRAPPER_EMBEDDED_START) * first.readUInt32BE(WRAPPER_BLOCK_SIZE);
  const header = await readAt(volume, base + VOLUME_HEADER, HEADER_LENGTH);
  if (!header || !isHfsPlusSignature(header.toString('latin1', 0, 2))) {
    throw damaged(volume, `the HFS wrapper points at no HFS+ volume (byte ${base})`);
  }
  return { base, header };
}

function uuidFromFinderId(id: Buffer): string | null {
  if (id.every((byte) => byte === 0)) return null;
  const digest = createHash('md5').update(UUID_NAMESPACE).update(id).digest();
  digest[6] = 0x30 | ((digest[6] as number) & 0x0f);
  digest[8] = 0x80 | ((digest[8] as number) & 0x3f);
  return uuidText(digest);
}

/**
 * The volume name from the first record of the catalog's first leaf node, or null wherever the
 * catalog does not lead there: a volume with an unreadable catalog still has its identity.
 */
async function volumeName(
  volume: BlockSource,
  base: number,
  header: Buffer,
  blockSize: number,
): Promise<string | null> {
  const catalogStart = base + header.readUInt32BE(CATALOG_EXTENTS) * blockSize;
  const headerNode = await readAt(volume, catalogStart, HEADER_NODE_SIZE + 2);
  if (!headerNode) return null;
  const nodeSize = headerNode.readUInt16BE(HEADER_NODE_SIZE);
  if (nodeSize < MIN_NODE_SIZE || headerNode.readUInt32BE(HEADER_LEAF_COUNT) === 0) return null;
  // Find the block of the catalog file that holds the first leaf, through the fork's extents.
  const leafByte = headerNode.readUInt32BE(HEADER_FIRST_LEAF) * nodeSize;
  let blockInFork = Math.floor(leafByte / blockSize);
  let leafOffset: number | null = null;
  for (let extent = 0; extent < FORK_EXTENTS; extent++) {
    const start = header.readUInt32BE(CATALOG_EXTENTS + extent * 8);
    const count = header.readUInt32BE(CATALOG_EXTENTS + extent * 8 + 4);
    if (count === 0) return null;
    if (blockInFork < count) {
      leafOffset = base + (start + blockInFork) * blockSize + (leafByte % blockSize);
      break;
    }
    blockInFork -= count;
  }
  if (leafOffset === null) return null;
  const leaf = await readAt(volume, leafOffset, nodeSize);
  if (
    !leaf ||
    leaf[NODE_KIND] !== LEAF_NODE ||
    leaf.readUInt16BE(NODE_RECORDS) === 0 ||
    leaf.readUInt32BE(KEY_PARENT) !== ROOT_PARENT_ID
  ) {
    return null;
  }
  const length = leaf.readUInt16BE(KEY_NAME_LENGTH);
  if (length > MAX_NAME_LENGTH) return null;
  return orNull(utf16beString(leaf.subarray(KEY_NAME, KEY_NAME + 2 * length)));
}

export const hfsplusDriver: FilesystemDriver = {
  async probe(volume) {
    const found = await findVolumeHeader(volume);
    if (!found) return null;
    const { base, header } = found;
    const version = header.readUInt16BE(VERSION);
    // Two signature bytes alone are weak; every HFS+ (4) and HFSX (5) volume carries its version.
    if (version !== 4 && version !== 5) {
      if (base === 0) return null;
      throw damaged(volume, `HFS+ version ${version} is neither 4 nor 5`);
    }
    const blockSize = header.readUInt32BE(BLOCK_SIZE);
    if (blockSize < 512 || (blockSize & (blockSize - 1)) !== 0) {
      throw damaged(volume, `allocation block size ${blockSize} is not a power of two from 512`);
    }
    const size = blockSize * header.readUInt32BE(TOTAL_BLOCKS);
    if (!Number.isSafeInteger(size)) throw damaged(volume, `the volume claims ${size} bytes`);
    return {
      type: 'hfsplus',
      label: await volumeName(volume, base, header, blockSize),
      uuid: uuidFromFinderId(header.subarray(FINDER_VOLUME_ID, FINDER_VOLUME_ID + 8)),
      // A wrapped volume's extent is the wrapper's business; only a bare one is sized here.
      size: base === 0 ? size : null,
    };
  },
};
