/**
 * Whether a disk boots through BIOS or UEFI, judged by what each firmware looks for: UEFI loads a
 * bootloader file from a FAT EFI System partition, BIOS runs the code in the first sector. A disk
 * can be ready for both (GPT with a BIOS boot partition and a filled ESP); a bootloader in the ESP
 * wins, since an installer only puts one there when it set the system up to boot that way.
 */
import { isFerryError } from '../../shared/errors.js';
import type { InspectReport, PartitionReport } from '../../shared/layout.js';
import type { Firmware } from '../../shared/machines.js';
import { openFileTree } from '../files/open-file-tree.js';
import type { FileTree } from '../files/types.js';
import { sliceSource } from '../io/slice.js';
import type { BlockSource } from '../io/source.js';

export interface FirmwareDetection {
  detected: Firmware;
  /** Why, in words a person follows: "GPT with an EFI System partition holding \EFI\BOOT\BOOTX64.EFI". */
  reason: string;
}

const ESP_GUID = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const ESP_MBR_TYPE = '0xef';
const BIOS_BOOT_GUID = '21686148-6449-6e6f-744e-656564454649';
/** The only filesystems UEFI firmware must read (UEFI 2.10, 13.3). */
const FAT_TYPES: ReadonlySet<string> = new Set(['fat12', 'fat16', 'fat32']);
/**
 * Looked for first: what firmware boots from a disk no boot entry names (UEFI 2.10, 3.5.1.1), as
 * a converted disk meets its new firmware; then Windows Boot Manager, two folders down.
 */
const KNOWN_LOADERS = [
  '/EFI/BOOT/BOOTX64.EFI',
  '/EFI/BOOT/BOOTAA64.EFI',
  '/EFI/BOOT/BOOTIA32.EFI',
  '/EFI/Microsoft/Boot/bootmgfw.efi',
];
/** Folders listed and files read at most per ESP, so that a hostile ESP costs little. */
const MAX_VENDOR_FOLDERS = 64;
const MAX_CANDIDATES = 32;

/** What one EFI System partition was found to hold: a bootloader's path, or what is wrong. */
type EspContent = { loader: string } | { problem: string };

/**
 * The firmware `source` boots with, from its inspected `report`. Damage in an ESP makes a BIOS
 * answer with the damage in its reason, never a failure: this only picks a default the user can
 * change.
 */
export async function detectFirmware(
  source: BlockSource,
  report: Pick<InspectReport, 'table'>,
): Promise<FirmwareDetection> {
  const { type, partitions } = report.table;
  if (type === 'none') {
    return { detected: 'bios', reason: 'no partition table, so no EFI System partition' };
  }
  const table = type === 'gpt' ? 'GPT' : 'MBR';
  let firstProblem: string | null = null;
  for (const partition of partitions.filter(isEsp)) {
    const content = await espContent(source, partition);
    if ('loader' in content) {
      return {
        detected: 'uefi',
        reason: `${table} with an EFI System partition holding ${content.loader}`,
      };
    }
    firstProblem ??= content.problem;
  }
  return { detected: 'bios', reason: biosReason(type, partitions, firstProblem) };
}

function isEsp(partition: PartitionReport): boolean {
  return partition.type === ESP_GUID || partition.type === ESP_MBR_TYPE;
}

function biosReason(
  type: 'mbr' | 'gpt',
  partitions: readonly PartitionReport[],
  espProblem: string | null,
): string {
  const esp = espProblem === null ? null : `its EFI System partition ${espProblem}`;
  if (type === 'mbr') return `MBR disk: BIOS boot${esp === null ? '' : ` (${esp})`}`;
  const biosBoot = partitions.some((p) => p.type === BIOS_BOOT_GUID);
  if (biosBoot) {
    return `GPT with a BIOS boot partition${esp === null ? ' and no EFI System partition' : `; ${esp}`}`;
  }
  return esp === null ? 'GPT without an EFI System partition' : `GPT but ${esp}`;
}

async function espContent(source: BlockSource, partition: PartitionReport): Promise<EspContent> {
  const filesystem = partition.filesystem;
  if (filesystem === null || !FAT_TYPES.has(filesystem.type)) {
    return { problem: 'holds no FAT filesystem' };
  }
  try {
    const volume = sliceSource(source, partition.start, partition.size);
    const tree = await openFileTree(volume, filesystem);
    const loader = tree ? await findLoader(tree) : null;
    return loader === null ? { problem: 'holds no bootloader' } : { loader };
  } catch (error) {
    if (!isFerryError(error)) throw error;
    return { problem: `could not be read (${error.toLine()})` };
  }
}

/**
 * The first bootloader in the ESP, written as Windows writes paths (\EFI\debian\grubx64.efi): a
 * known one, else any *.efi in a vendor's folder (\EFI\<vendor>), where installers put theirs.
 */
async function findLoader(tree: FileTree): Promise<string | null> {
  for (const path of KNOWN_LOADERS) {
    if (await isPeImage(tree, path)) return path.replaceAll('/', '\\');
  }
  const folders = ((await tree.list('/EFI')) ?? []).slice(0, MAX_VENDOR_FOLDERS);
  let read = 0;
  for (const folder of folders) {
    const names = (await tree.list(`/EFI/${folder}`)) ?? [];
    for (const name of names.filter((n) => n.toLowerCase().endsWith('.efi'))) {
      if (read++ >= MAX_CANDIDATES) return null;
      if (await isPeImage(tree, `/EFI/${folder}/${name}`)) return `\\EFI\\${folder}\\${name}`;
    }
  }
  return null;
}

/** UEFI applications are PE images; an empty or stray file named *.efi boots nothing. */
async function isPeImage(tree: FileTree, path: string): Promise<boolean> {
  const head = await tree.readHead(path, 2);
  return head !== null && head.length === 2 && head.toString('latin1') === 'MZ';
}
