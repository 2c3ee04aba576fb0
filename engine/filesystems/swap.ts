/**
 * Linux swap: "SWAPSPACE2" (or the old "SWAP-SPACE") in the last 10 bytes of the first page,
 * for whichever page size the machine that made it had. Label, UUID and size come from the
 * version 1 header at byte 1024, read as blkid reads it.
 */
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import type { ByteRange } from '../ranges.js';
import type { FilesystemDriver } from './driver.js';
import { cString, orNull, uuidText } from './identity.js';
import type { DetectedFilesystem } from './types.js';

/** Page sizes in the order blkid tries them: 4 KiB (x86, most ARM) up to 64 KiB (ia64, ppc64). */
const PAGE_SIZES = [4096, 8192, 16384, 32768, 65536] as const;
const MAX_PAGE_SIZE = 65536;
const MAGIC_LENGTH = 10;
/** blkid ignores smaller volumes: ten pages is the least mkswap makes. */
const MIN_VOLUME_SIZE = 10 * 4096;
/** TuxOnIce hibernation images keep a valid swap header behind this; they are not plain swap. */
const TUXONICE_MAGIC = Buffer.from([0xed, 0xc3, 0x02, 0xe9, 0x98, 0x56, 0xe5, 0x0c]);

const HEADER = 1024;
const VERSION = HEADER;
const LAST_PAGE = HEADER + 4;
const UUID = HEADER + 12;
const VOLUME_NAME = HEADER + 28;
const NAME_LENGTH = 16;
/** padding[32] and padding[33]: blkid trusts label and UUID only when both are zero. */
const PADDING_CHECK = HEADER + 44 + 32 * 4;

interface SwapHeader {
  pageSize: number;
  version: 0 | 1;
  /** The first page, as far as the volume holds it. */
  page: Buffer;
}

async function findHeader(volume: BlockSource): Promise<SwapHeader | null> {
  if (volume.size < MIN_VOLUME_SIZE) return null;
  const head = await volume.read(0, Math.min(volume.size, MAX_PAGE_SIZE));
  if (head.subarray(0, TUXONICE_MAGIC.length).equals(TUXONICE_MAGIC)) return null;
  for (const pageSize of PAGE_SIZES) {
    if (pageSize > head.length) break;
    const magic = head.toString('latin1', pageSize - MAGIC_LENGTH, pageSize);
    if (magic === 'SWAPSPACE2') return { pageSize, version: 1, page: head.subarray(0, pageSize) };
    if (magic === 'SWAP-SPACE') return { pageSize, version: 0, page: head.subarray(0, pageSize) };
  }
  return null;
}

function damaged(volume: BlockSource, message: string): FerryError {
  return new FerryError('BAD_FILESYSTEM', message, {
    where: `${volume.path}: swap header`,
    hint: 'recreate the swap area with mkswap, or copy the volume with --all-blocks',
  });
}

function identify(volume: BlockSource, header: SwapHeader): DetectedFilesystem {
  // Version 0 swap is a bare bitmap page: no label, no UUID, no size field.
  if (header.version === 0) return { type: 'swap', label: null, uuid: null, size: null };
  const { page, pageSize } = header;
  // The header is written in the byte order of the machine that ran mkswap.
  const littleEndian = page.readUInt32LE(VERSION) === 1;
  if (!littleEndian && page.readUInt32BE(VERSION) !== 1) {
    throw damaged(volume, `swap header version ${page.readUInt32LE(VERSION)} is not 1`);
  }
  const lastPage = littleEndian ? page.readUInt32LE(LAST_PAGE) : page.readUInt32BE(LAST_PAGE);
  if (lastPage === 0) throw damaged(volume, 'the swap header gives no last page');
  const trusted =
    page.readUInt32LE(PADDING_CHECK) === 0 && page.readUInt32LE(PADDING_CHECK + 4) === 0;
  return {
    type: 'swap',
    label: trusted ? orNull(cString(page.subarray(VOLUME_NAME, VOLUME_NAME + NAME_LENGTH))) : null,
    uuid: trusted ? uuidText(page.subarray(UUID, UUID + 16)) : null,
    // last_page is the index of the last usable page; page 0 is the header itself.
    size: (lastPage + 1) * pageSize,
  };
}

export const swapDriver: FilesystemDriver = {
  async probe(volume) {
    const header = await findHeader(volume);
    return header && identify(volume, header);
  },

  /**
   * Only the header page. What swap holds is memory paged out by a running system, which no
   * system reads back after a reboot, so a virtual machine made from this disk needs none of it.
   * A hibernated system's image lives in swap too, but under a different signature
   * ("S1SUSPEND" and the like) that this driver does not claim, so it is never dropped here.
   */
  async usedRanges(volume): Promise<ByteRange[]> {
    const header = await findHeader(volume);
    if (!header) throw damaged(volume, 'the swap signature is gone');
    return [{ start: 0, length: header.pageSize }];
  },
};
