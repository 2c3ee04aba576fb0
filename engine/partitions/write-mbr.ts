import { FerryError } from '../../shared/errors.js';
import { isExtendedType, PROTECTIVE_TYPE } from './mbr.js';

/**
 * Writes a DOS/MBR partition table: sector 0 with four primary slots, and for logical partitions
 * the chain of EBRs, each one sector before its logical partition. As in the reader (mbr.ts), a
 * logical partition's start counts from its own EBR and the link to the next EBR from the start
 * of the extended container.
 */

/** Bytes of a table to place on the disk: a whole sector, or several in a row. */
export interface TableBytes {
  offset: number;
  data: Buffer;
}

/** A 32-bit LBA: with 512-byte sectors an MBR describes nothing beyond 2 TiB. */
export const MBR_MAX_SECTORS = 2 ** 32 - 1;

const TABLE_OFFSET = 446;
const SLOT_SIZE = 16;
const BOOT_SIGNATURE_OFFSET = 510;
const BOOTABLE = 0x80;
const EXTENDED_LINK_TYPE = 0x05;

/** The geometry every partitioning tool assumes for CHS fields, which nothing reads any more. */
const HEADS = 255;
const SECTORS_PER_TRACK = 63;
const MAX_CHS_LBA = 1024 * HEADS * SECTORS_PER_TRACK;
/** Cylinder 1023, head 254, sector 63: "beyond CHS", as fdisk writes it. */
const CHS_CAP = [0xfe, 0xff, 0xff] as const;

export interface MbrEntry {
  /** 1-4, the slot in sector 0 (and so the Linux number). */
  slot: number;
  typeId: number;
  bootable: boolean;
  /** Bytes from the start of the disk. */
  start: number;
  size: number;
}

export interface LogicalEntry {
  /** Where its EBR lies, in bytes from the start of the disk: inside the container, before it. */
  ebr: number;
  typeId: number;
  bootable: boolean;
  start: number;
  size: number;
}

export interface MbrSpec {
  sectorSize: number;
  /** Bytes 0-445 of the source's sector 0: boot code, disk signature and the two bytes after it. */
  bootCode: Buffer;
  /** The primary slots in use, the extended container (when there are logicals) among them. */
  primaries: readonly MbrEntry[];
  /** Logical partitions in chain order; the first one's EBR is the container's first sector. */
  logicals: readonly LogicalEntry[];
}

/** Sector 0 and, when there are logical partitions, one EBR per logical, in disk order. */
export function buildMbr(spec: MbrSpec): TableBytes[] {
  const { sectorSize } = spec;
  const sector0 = Buffer.alloc(sectorSize);
  spec.bootCode.copy(sector0, 0, 0, Math.min(spec.bootCode.length, TABLE_OFFSET));
  for (const entry of spec.primaries) {
    if (!Number.isInteger(entry.slot) || entry.slot < 1 || entry.slot > 4) {
      throw refused(`MBR slot ${entry.slot} does not exist`, 'sector 0');
    }
    const where = `partition ${entry.slot}`;
    const firstLba = toLba(entry.start, sectorSize, where);
    writeSlot(sector0, entry.slot - 1, {
      bootable: entry.bootable,
      typeId: entry.typeId,
      firstLba,
      sectorCount: toLba(entry.size, sectorSize, where),
      chsStart: firstLba,
    });
  }
  sector0.writeUInt16LE(0xaa55, BOOT_SIGNATURE_OFFSET);
  return [{ offset: 0, data: sector0 }, ...buildEbrChain(spec)];
}

/**
 * The protective MBR of a GPT disk: one 0xEE entry from LBA 1 over the whole disk, capped at the
 * 32 bits its size field holds, as the UEFI specification asks.
 */
export function buildProtectiveMbr(
  bootCode: Buffer,
  sectorSize: number,
  diskSectors: number,
): Buffer {
  const sector = Buffer.alloc(sectorSize);
  bootCode.copy(sector, 0, 0, Math.min(bootCode.length, TABLE_OFFSET));
  writeSlot(sector, 0, {
    bootable: false,
    typeId: PROTECTIVE_TYPE,
    firstLba: 1,
    sectorCount: Math.min(diskSectors - 1, MBR_MAX_SECTORS),
    chsStart: 1,
  });
  sector.writeUInt16LE(0xaa55, BOOT_SIGNATURE_OFFSET);
  return sector;
}

function buildEbrChain(spec: MbrSpec): TableBytes[] {
  const { sectorSize, logicals } = spec;
  if (logicals.length === 0) return [];
  const container = spec.primaries.find((p) => isExtendedType(p.typeId));
  const first = logicals[0] as LogicalEntry;
  if (!container || container.start !== first.ebr) {
    throw refused(
      'logical partitions need an extended container that starts at the first EBR',
      'extended partition',
    );
  }
  const containerLba = toLba(container.start, sectorSize, 'the extended partition');
  const containerEnd = container.start + container.size;
  return logicals.map((logical, index) => {
    const where = `the EBR at byte ${logical.ebr}`;
    if (
      logical.ebr < container.start ||
      logical.ebr + sectorSize > logical.start ||
      logical.start + logical.size > containerEnd
    ) {
      throw refused('a logical partition or its EBR lies outside the extended container', where);
    }
    const ebrLba = toLba(logical.ebr, sectorSize, where);
    const sector = Buffer.alloc(sectorSize);
    const startLba = toLba(logical.start, sectorSize, where);
    writeSlot(sector, 0, {
      bootable: logical.bootable,
      typeId: logical.typeId,
      firstLba: startLba - ebrLba,
      sectorCount: toLba(logical.size, sectorSize, where),
      chsStart: startLba,
    });
    const next = logicals[index + 1];
    if (next) {
      // The link spans the next EBR and its logical partition, as fdisk and sfdisk write it.
      const nextEbrLba = toLba(next.ebr, sectorSize, where);
      writeSlot(sector, 1, {
        bootable: false,
        typeId: EXTENDED_LINK_TYPE,
        firstLba: nextEbrLba - containerLba,
        sectorCount: toLba(next.start + next.size - next.ebr, sectorSize, where),
        chsStart: nextEbrLba,
      });
    }
    sector.writeUInt16LE(0xaa55, BOOT_SIGNATURE_OFFSET);
    return { offset: logical.ebr, data: sector };
  });
}

interface Slot {
  bootable: boolean;
  typeId: number;
  /** As stored: relative to the EBR or container where the slot lives. */
  firstLba: number;
  sectorCount: number;
  /** The absolute LBA of the first sector, which CHS fields always describe. */
  chsStart: number;
}

function writeSlot(sector: Buffer, index: number, slot: Slot): void {
  const at = TABLE_OFFSET + index * SLOT_SIZE;
  if (!Number.isInteger(slot.typeId) || slot.typeId < 1 || slot.typeId > 0xff) {
    throw refused(`partition type id ${slot.typeId} is not one byte`, `MBR slot ${index + 1}`);
  }
  sector[at] = slot.bootable ? BOOTABLE : 0;
  sector.set(chsOf(slot.chsStart), at + 1);
  sector[at + 4] = slot.typeId;
  sector.set(chsOf(slot.chsStart + slot.sectorCount - 1), at + 5);
  sector.writeUInt32LE(slot.firstLba, at + 8);
  sector.writeUInt32LE(slot.sectorCount, at + 12);
}

/** The three CHS bytes of `lba`: head, sector with the cylinder's top bits, cylinder. */
export function chsOf(lba: number): readonly number[] {
  if (lba >= MAX_CHS_LBA) return CHS_CAP;
  const cylinder = Math.floor(lba / (HEADS * SECTORS_PER_TRACK));
  const head = Math.floor(lba / SECTORS_PER_TRACK) % HEADS;
  const sector = (lba % SECTORS_PER_TRACK) + 1;
  return [head, sector | ((cylinder >> 2) & 0xc0), cylinder & 0xff];
}

/** Bytes to sectors, refused when not whole sectors or beyond the 32 bits an MBR field holds. */
function toLba(bytes: number, sectorSize: number, where: string): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes % sectorSize !== 0) {
    throw refused(`${bytes} bytes is not a whole number of ${sectorSize}-byte sectors`, where);
  }
  const sectors = bytes / sectorSize;
  if (sectors > MBR_MAX_SECTORS) {
    throw refused(`an MBR cannot describe sector ${sectors}`, where, MBR_LIMIT_HINT);
  }
  return sectors;
}

export const MBR_LIMIT_HINT =
  'an MBR reaches 2^32 sectors (2 TiB with 512-byte sectors); keep the partitions below that';

function refused(message: string, where: string, hint?: string): FerryError {
  return new FerryError('LAYOUT_REFUSED', message, {
    where: `new MBR: ${where}`,
    hint: hint ?? 'this is a bug in the layout plan; please report it',
  });
}
