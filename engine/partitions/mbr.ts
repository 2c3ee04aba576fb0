import type { BlockSource } from '../io/source.js';
import { formatMbrType, mbrTypeName } from './type-names.js';
import type { PartitionEntry, PartitionTable } from './types.js';

/**
 * The DOS/MBR partition table: four primary slots in sector 0, and extended partitions whose
 * logical partitions are chained through EBRs (one small MBR-like sector before each logical).
 * Offsets in an EBR are relative: the link to the next EBR counts from the start of the extended
 * partition, a logical partition's start from its own EBR.
 */

export const MBR_SIZE = 512;
const TABLE_OFFSET = 446;
const SLOT_SIZE = 16;
const DISK_SIGNATURE_OFFSET = 440;
const BOOT_SIGNATURE_OFFSET = 510;

export const PROTECTIVE_TYPE = 0xee;
const EXTENDED_TYPES: ReadonlySet<number> = new Set([0x05, 0x0f, 0x85]);

/** Linux stops at 256 partitions per disk; a chain longer than that is damage, not a disk. */
const MAX_EBRS = 256;

export interface MbrSlot {
  /** 1-4 in sector 0, 1-4 within an EBR. */
  slot: number;
  bootIndicator: number;
  typeId: number;
  firstLba: number;
  sectorCount: number;
}

export interface MbrSector {
  diskSignature: number;
  slots: MbrSlot[];
}

/** The four slots of an MBR or EBR sector, or null when it lacks the 0x55AA boot signature. */
export function parseMbrSector(sector: Buffer): MbrSector | null {
  if (sector.length < MBR_SIZE || sector.readUInt16LE(BOOT_SIGNATURE_OFFSET) !== 0xaa55) {
    return null;
  }
  const slots: MbrSlot[] = [];
  for (let index = 0; index < 4; index++) {
    const at = TABLE_OFFSET + index * SLOT_SIZE;
    slots.push({
      slot: index + 1,
      bootIndicator: sector.readUInt8(at),
      typeId: sector.readUInt8(at + 4),
      firstLba: sector.readUInt32LE(at + 8),
      sectorCount: sector.readUInt32LE(at + 12),
    });
  }
  return { diskSignature: sector.readUInt32LE(DISK_SIGNATURE_OFFSET), slots };
}

export function isExtendedType(typeId: number): boolean {
  return EXTENDED_TYPES.has(typeId);
}

/** Slots that describe a partition: a type other than 0 (empty) and a non-zero length. */
export function usedSlots(mbr: MbrSector): MbrSlot[] {
  return mbr.slots.filter((s) => s.typeId !== 0 && s.sectorCount > 0);
}

/** A boot indicator is 0x00 or 0x80 in every real table; anything else is boot code or text. */
function hasValidBootIndicators(mbr: MbrSector): boolean {
  return mbr.slots.every((s) => s.bootIndicator === 0x00 || s.bootIndicator === 0x80);
}

/** The 0xEE entry that says "this disk is GPT", in a sector that is a real table. */
export function hasProtectiveEntry(mbr: MbrSector): boolean {
  return hasValidBootIndicators(mbr) && usedSlots(mbr).some((s) => s.typeId === PROTECTIVE_TYPE);
}

/**
 * Reads sector 0 as an MBR, LBAs counted in `sectorSize` bytes (an MBR does not say its own
 * sector size: the device does, or the caller tries another). Returns type 'none' when sector 0
 * holds no usable table, including the boot sector of a filesystem spanning the whole disk.
 */
export async function readMbrTable(
  source: BlockSource,
  sectorSize: number,
): Promise<PartitionTable> {
  const none: PartitionTable = {
    type: 'none',
    sectorSize,
    id: null,
    hybrid: false,
    partitions: [],
    warnings: [],
  };
  if (source.size < MBR_SIZE) return none;
  const sector = await source.read(0, MBR_SIZE);
  const mbr = parseMbrSector(sector);
  if (!mbr) return none;
  const verdict = judgeSector(mbr, sector, Math.floor(source.size / sectorSize));
  if (verdict !== 'table') {
    const warnings =
      typeof verdict === 'string'
        ? []
        : [`sector 0 ends in 0x55AA but is no partition table (${verdict.damage}); ignored`];
    return { ...none, warnings };
  }

  const warnings: string[] = [];
  const partitions: PartitionEntry[] = [];
  const extended: MbrSlot[] = [];
  for (const slot of usedSlots(mbr)) {
    const kind = isExtendedType(slot.typeId) ? 'extended' : 'primary';
    if (kind === 'extended') extended.push(slot);
    partitions.push(entryFromSlot(slot, slot.slot, slot.firstLba, kind, sectorSize));
  }
  const chain: EbrChainState = { nextNumber: 5, visited: new Set(), ebrsRead: 0 };
  for (const container of extended) {
    partitions.push(...(await readLogicals(source, sectorSize, container, chain, warnings)));
  }
  return {
    type: 'mbr',
    sectorSize,
    id: `0x${mbr.diskSignature.toString(16).padStart(8, '0')}`,
    hybrid: false,
    partitions,
    warnings,
  };
}

/**
 * What a sector 0 that ends in 0x55AA really is: a partition table, an empty one, the boot sector
 * of a filesystem spanning the whole disk (a "superfloppy"), or something damaged.
 */
type Verdict = 'table' | 'empty' | 'filesystem' | { damage: string };

function judgeSector(mbr: MbrSector, sector: Buffer, sourceSectors: number): Verdict {
  const used = usedSlots(mbr);
  const bpb = hasBiosParameterBlock(sector);
  const damage = (reason: string): Verdict => (bpb ? 'filesystem' : { damage: reason });
  if (!hasValidBootIndicators(mbr)) return damage('boot flags other than 0x00 and 0x80');
  if (used.length === 0) return 'empty';
  if (used.some((s) => s.firstLba === 0)) return damage('an entry starts at sector 0');
  const startsInside = used.some((s) => s.firstLba < sourceSectors);
  if (!startsInside) return damage('no entry starts inside the disk');
  // Boot loaders such as GRUB keep a BPB-shaped area in a real MBR, so a BPB alone proves nothing;
  // with one present, entries are trusted only when they all fit on the disk.
  if (bpb && used.some((s) => s.firstLba + s.sectorCount > sourceSectors)) {
    return 'filesystem';
  }
  return 'table';
}

/** The BIOS parameter block that FAT, NTFS and exFAT boot sectors carry after their jump. */
function hasBiosParameterBlock(sector: Buffer): boolean {
  const jump = sector[0] === 0xe9 || (sector[0] === 0xeb && sector[2] === 0x90);
  if (!jump) return false;
  const oem = sector.toString('latin1', 3, 11);
  if (oem === 'NTFS    ' || oem === 'EXFAT   ') return true;
  const bytesPerSector = sector.readUInt16LE(11);
  const sectorsPerCluster = sector.readUInt8(13);
  const reservedSectors = sector.readUInt16LE(14);
  const fats = sector.readUInt8(16);
  const media = sector.readUInt8(21);
  return (
    [512, 1024, 2048, 4096].includes(bytesPerSector) &&
    sectorsPerCluster > 0 &&
    (sectorsPerCluster & (sectorsPerCluster - 1)) === 0 &&
    reservedSectors > 0 &&
    fats >= 1 &&
    fats <= 2 &&
    (media === 0xf0 || media >= 0xf8)
  );
}

function entryFromSlot(
  slot: MbrSlot,
  number: number,
  firstLba: number,
  kind: PartitionEntry['kind'],
  sectorSize: number,
): PartitionEntry {
  return {
    number,
    start: firstLba * sectorSize,
    size: slot.sectorCount * sectorSize,
    type: formatMbrType(slot.typeId),
    typeName: mbrTypeName(slot.typeId),
    bootable: slot.bootIndicator === 0x80,
    name: null,
    uuid: null,
    kind,
  };
}

/** Shared by every extended container of a disk, so two that point into one chain read it once. */
interface EbrChainState {
  nextNumber: number;
  visited: Set<number>;
  ebrsRead: number;
}

/**
 * Follows an extended partition's EBR chain. Every EBR must lie inside the container and be met
 * only once; a broken link ends the chain with a warning and keeps what was read before it.
 */
async function readLogicals(
  source: BlockSource,
  sectorSize: number,
  container: MbrSlot,
  chain: EbrChainState,
  warnings: string[],
): Promise<PartitionEntry[]> {
  const logicals: PartitionEntry[] = [];
  const containerStart = container.firstLba;
  const containerEnd = container.firstLba + container.sectorCount;
  const where = `extended partition ${container.slot}`;
  let ebrLba = containerStart;
  for (;;) {
    if (chain.visited.has(ebrLba)) {
      warnings.push(`${where}: the EBR chain loops back to sector ${ebrLba}; it was followed once`);
      break;
    }
    if (chain.ebrsRead >= MAX_EBRS) {
      warnings.push(`${where}: more than ${MAX_EBRS} EBRs; the rest of the chain was not read`);
      break;
    }
    if ((ebrLba + 1) * sectorSize > source.size) {
      warnings.push(`${where}: the EBR at sector ${ebrLba} lies beyond the end of the source`);
      break;
    }
    chain.visited.add(ebrLba);
    chain.ebrsRead++;
    const ebr = parseMbrSector(await source.read(ebrLba * sectorSize, MBR_SIZE));
    if (!ebr || !hasValidBootIndicators(ebr)) {
      warnings.push(`${where}: the EBR at sector ${ebrLba} is damaged; the chain ends there`);
      break;
    }

    let link: MbrSlot | undefined;
    for (const slot of usedSlots(ebr)) {
      if (isExtendedType(slot.typeId)) {
        link ??= slot;
        continue;
      }
      const firstLba = ebrLba + slot.firstLba;
      const number = chain.nextNumber++;
      if (firstLba + slot.sectorCount > containerEnd) {
        warnings.push(`logical partition ${number} reaches beyond its ${where}`);
      }
      logicals.push(entryFromSlot(slot, number, firstLba, 'logical', sectorSize));
    }
    if (!link) break;
    const next = containerStart + link.firstLba;
    if (next >= containerEnd) {
      warnings.push(
        `${where}: the EBR at sector ${ebrLba} links outside the container; the chain ends there`,
      );
      break;
    }
    ebrLba = next;
  }
  return logicals;
}
