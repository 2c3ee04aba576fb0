/**
 * The storage layer of a Windows registry hive (regf): the base block and the hive bins. The
 * bins are walked once when the hive is opened, as hivex does, and every cell in use is noted;
 * afterwards an offset found in a record is accepted only if a cell in use starts there, so a
 * corrupt offset can neither leave the file nor land in the middle of another record.
 */
import { FerryError } from '../../shared/errors.js';

const BASE_BLOCK_SIZE = 0x1000;
const HBIN_HEADER_SIZE = 0x20;
const HBIN_ALIGNMENT = 0x1000;
const CHECKSUM_OFFSET = 0x1fc;
/** Offsets in records are relative to the first hive bin and point at 4-byte aligned cells. */
const CELL_ALIGNMENT = 4;
/** A cell's size field precedes its data. */
const CELL_HEADER_SIZE = 4;
/** What a record stores instead of an offset when it has no such cell. */
export const NO_CELL = 0xffffffff;

export function hiveError(message: string, where: string): FerryError {
  return new FerryError('BAD_REGISTRY_HIVE', message, {
    where,
    hint: 'the registry hive is damaged or was not written out; boot Windows once and shut it down fully (not hibernate or fast startup), then try again',
  });
}

export interface HiveHeader {
  minorVersion: number;
  /** Offset of the root key's cell. */
  rootOffset: number;
  /**
   * The two sequence numbers differ: Windows was writing the hive when it stopped, so recent
   * changes may live only in the transaction logs (SOFTWARE.LOG1/.LOG2), which Ferry does not replay.
   */
  dirty: boolean;
}

export class HiveCells {
  readonly header: HiveHeader;
  /** One bit per 4-byte unit of the bins: set where a cell in use starts. */
  private readonly used: Uint8Array;
  /** Bytes from the first hive bin to the end of the last one walked. */
  private readonly binsLength: number;

  constructor(
    private readonly bytes: Buffer,
    readonly where: string,
  ) {
    this.header = readBaseBlock(bytes, where);
    this.used = new Uint8Array(Math.ceil((bytes.length - BASE_BLOCK_SIZE) / CELL_ALIGNMENT / 8));
    // The bins end where the base block says, or earlier when the file was cut short.
    const end = Math.min(BASE_BLOCK_SIZE + bytes.readUInt32LE(0x28), bytes.length);
    this.binsLength = this.walkBins(end) - BASE_BLOCK_SIZE;
  }

  error(message: string): FerryError {
    return hiveError(message, this.where);
  }

  /** The data of the cell in use at `offset` (without its size field); `what` names it in errors. */
  cell(offset: number, what: string): Buffer {
    if (!this.isUsedCell(offset)) {
      throw this.error(`${what} points at 0x${offset.toString(16)}, where no cell in use starts`);
    }
    const start = BASE_BLOCK_SIZE + offset;
    const size = -this.bytes.readInt32LE(start);
    return this.bytes.subarray(start + CELL_HEADER_SIZE, start + size);
  }

  private isUsedCell(offset: number): boolean {
    if (offset % CELL_ALIGNMENT !== 0 || offset >= this.binsLength) return false;
    const unit = offset / CELL_ALIGNMENT;
    return ((this.used[unit >>> 3]! >>> (unit & 7)) & 1) === 1;
  }

  private markUsed(offset: number): void {
    const unit = offset / CELL_ALIGNMENT;
    this.used[unit >>> 3]! |= 1 << (unit & 7);
  }

  /**
   * Walks the bins that start before `end` and returns where the last one ends. Each bin must say
   * where it is and hold whole cells; the loops always move forward by at least one cell.
   */
  private walkBins(end: number): number {
    let bin = BASE_BLOCK_SIZE;
    while (bin < end) {
      const at = `hive bin at 0x${bin.toString(16)}`;
      if (bin + HBIN_HEADER_SIZE > this.bytes.length) throw this.error(`${at} is cut short`);
      if (this.bytes.toString('latin1', bin, bin + 4) !== 'hbin') {
        throw this.error(`${at} has no hbin signature`);
      }
      if (this.bytes.readUInt32LE(bin + 4) !== bin - BASE_BLOCK_SIZE) {
        throw this.error(`${at} names another offset as its own`);
      }
      const binSize = this.bytes.readUInt32LE(bin + 8);
      if (binSize <= HBIN_HEADER_SIZE || binSize % HBIN_ALIGNMENT !== 0) {
        throw this.error(`${at} has size ${binSize}, not a multiple of 4096`);
      }
      const binEnd = bin + binSize;
      if (binEnd > this.bytes.length) throw this.error(`${at} runs past the end of the file`);
      this.walkCells(bin + HBIN_HEADER_SIZE, binEnd);
      bin = binEnd;
    }
    return bin;
  }

  private walkCells(first: number, binEnd: number): void {
    for (let cell = first; cell < binEnd;) {
      if (cell + CELL_HEADER_SIZE > binEnd) {
        throw this.error(`cell at 0x${cell.toString(16)} is cut short by the end of its bin`);
      }
      const raw = this.bytes.readInt32LE(cell);
      const size = Math.abs(raw);
      if (size <= CELL_HEADER_SIZE || size % CELL_ALIGNMENT !== 0 || cell + size > binEnd) {
        throw this.error(
          `cell at 0x${cell.toString(16)} has size ${raw}, which does not fit its bin`,
        );
      }
      // A negative size marks a cell in use; a positive one is free space.
      if (raw < 0) this.markUsed(cell - BASE_BLOCK_SIZE);
      cell += size;
    }
  }
}

function readBaseBlock(bytes: Buffer, where: string): HiveHeader {
  const bad = (message: string): FerryError => hiveError(message, where);
  if (bytes.length < BASE_BLOCK_SIZE + HBIN_ALIGNMENT) {
    throw bad(`${bytes.length} bytes is too small for a registry hive`);
  }
  if (bytes.toString('latin1', 0, 4) !== 'regf')
    throw bad('no regf signature: not a registry hive');
  const major = bytes.readUInt32LE(0x14);
  if (major !== 1) throw bad(`hive format version ${major} is not 1`);
  const fileType = bytes.readUInt32LE(0x1c);
  if (fileType !== 0) throw bad(`file type ${fileType} is a transaction log, not a primary hive`);
  if (!checksumMatches(bytes)) throw bad('the base block checksum does not match');
  return {
    minorVersion: bytes.readUInt32LE(0x18),
    rootOffset: bytes.readUInt32LE(0x24),
    dirty: bytes.readUInt32LE(0x04) !== bytes.readUInt32LE(0x08),
  };
}

/**
 * The checksum is the XOR of the first 127 words. Windows stores 1 for 0 and 0xfffffffe for
 * 0xffffffff; hivex stores the XOR as it is; both are accepted.
 */
function checksumMatches(bytes: Buffer): boolean {
  let sum = 0;
  for (let at = 0; at < CHECKSUM_OFFSET; at += 4) sum ^= bytes.readUInt32LE(at);
  sum >>>= 0;
  const stored = bytes.readUInt32LE(CHECKSUM_OFFSET);
  if (stored === sum) return true;
  return (sum === 0 && stored === 1) || (sum === 0xffffffff && stored === 0xfffffffe);
}

/** Names are stored as Latin-1 when the record's "compressed" flag is set, else as UTF-16LE. */
export function decodeName(bytes: Buffer, compressed: boolean): string {
  if (compressed) return bytes.toString('latin1');
  return bytes.toString('utf16le', 0, bytes.length - (bytes.length % 2));
}

/** Throws unless `data` holds at least `length` bytes; `what` names the record in the error. */
export function requireLength(cells: HiveCells, data: Buffer, length: number, what: string): void {
  if (data.length < length) {
    throw cells.error(`${what} needs ${length} bytes but its cell holds ${data.length}`);
  }
}
