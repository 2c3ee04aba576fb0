/**
 * Human names for partition types, as `ferry inspect` and the wizard show them. The names follow
 * what fdisk/sfdisk print, shortened where fdisk's wording helps nobody ("FAT16 <32M" is FAT16).
 */

const MBR_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x01, 'FAT12'],
  [0x04, 'FAT16'],
  [0x05, 'Extended'],
  [0x06, 'FAT16'],
  [0x07, 'NTFS/exFAT/HPFS'],
  [0x0b, 'FAT32'],
  [0x0c, 'FAT32'],
  [0x0e, 'FAT16'],
  [0x0f, 'W95 extended'],
  [0x11, 'Hidden FAT12'],
  [0x12, 'Compaq diagnostics'],
  [0x14, 'Hidden FAT16'],
  [0x16, 'Hidden FAT16'],
  [0x17, 'Hidden NTFS/exFAT/HPFS'],
  [0x1b, 'Hidden FAT32'],
  [0x1c, 'Hidden FAT32'],
  [0x1e, 'Hidden FAT16'],
  [0x27, 'Windows recovery environment'],
  [0x42, 'Windows dynamic disk'],
  [0x82, 'Linux swap'],
  [0x83, 'Linux'],
  [0x84, 'Hibernation'],
  [0x85, 'Linux extended'],
  [0x8e, 'Linux LVM'],
  [0xa5, 'FreeBSD'],
  [0xa6, 'OpenBSD'],
  [0xa8, 'Apple UFS'],
  [0xa9, 'NetBSD'],
  [0xab, 'Apple boot'],
  [0xaf, 'Apple HFS+'],
  [0xbf, 'Solaris'],
  [0xda, 'Non-FS data'],
  [0xde, 'Dell utility'],
  [0xea, 'Linux extended boot'],
  [0xee, 'GPT protective'],
  [0xef, 'EFI System'],
  [0xfb, 'VMware VMFS'],
  [0xfc, 'VMware VMKCORE'],
  [0xfd, 'Linux RAID'],
]);

const GPT_TYPE_NAMES: ReadonlyMap<string, string> = new Map([
  ['c12a7328-f81f-11d2-ba4b-00a0c93ec93b', 'EFI System'],
  ['024dee41-33e7-11d3-9d69-0008c781f39f', 'MBR partition scheme'],
  ['21686148-6449-6e6f-744e-656564454649', 'BIOS boot'],
  ['d3bfe2de-3daf-11df-ba40-e3a556d89593', 'Intel Fast Flash'],
  ['e3c9e316-0b5c-4db8-817d-f92df00215ae', 'Microsoft reserved'],
  ['ebd0a0a2-b9e5-4433-87c0-68b6b72699c7', 'Microsoft basic data'],
  ['de94bba4-06d1-4d40-a16a-bfd50179d6ac', 'Windows recovery environment'],
  ['5808c8aa-7e8f-42e0-85d2-e1e90434cfb3', 'Microsoft LDM metadata'],
  ['af9b60a0-1431-4f62-bc68-3311714a69ad', 'Microsoft LDM data'],
  ['e75caf8f-f680-4cee-afa3-b001e56efc2d', 'Microsoft Storage Spaces'],
  ['0fc63daf-8483-4772-8e79-3d69d8477de4', 'Linux filesystem'],
  ['44479540-f297-41b2-9af7-d131d5f0458a', 'Linux root (x86)'],
  ['4f68bce3-e8cd-4db1-96e7-fbcaf984b709', 'Linux root (x86-64)'],
  ['69dad710-2ce4-4e3c-b16c-21a1d49abed3', 'Linux root (ARM)'],
  ['b921b045-1df0-41c3-af44-4c6f280d3fae', 'Linux root (ARM-64)'],
  ['8484680c-9521-48c6-9c11-b0720656f69e', 'Linux /usr (x86-64)'],
  ['933ac7e1-2eb4-4f13-b844-0e14e2aef915', 'Linux home'],
  ['3b8f8425-20e0-4f3b-907f-1a25a76f98e8', 'Linux server data'],
  ['4d21b016-b534-45c2-a9fb-5c16e091fd2d', 'Linux variable data'],
  ['0657fd6d-a4ab-43c4-84e5-0933c84b4f4f', 'Linux swap'],
  ['e6d6d379-f507-44c2-a23c-238f2a3df928', 'Linux LVM'],
  ['a19d880f-05fc-4d3b-a006-743f0f84911e', 'Linux RAID'],
  ['bc13c2ff-59e6-4262-a352-b275fd6f7172', 'Linux extended boot'],
  ['8da63339-0007-60c0-c436-083ac8230908', 'Linux reserved'],
  ['48465300-0000-11aa-aa11-00306543ecac', 'Apple HFS+'],
  ['7c3457ef-0000-11aa-aa11-00306543ecac', 'Apple APFS'],
  ['426f6f74-0000-11aa-aa11-00306543ecac', 'Apple boot'],
  ['55465300-0000-11aa-aa11-00306543ecac', 'Apple UFS'],
  ['52414944-0000-11aa-aa11-00306543ecac', 'Apple RAID'],
  ['53746f72-6167-11aa-aa11-00306543ecac', 'Apple Core Storage'],
  ['516e7cb4-6ecf-11d6-8ff8-00022d09712b', 'FreeBSD data'],
  ['83bd6b9d-7f41-11dc-be0b-001560b84f0f', 'FreeBSD boot'],
  ['516e7cb5-6ecf-11d6-8ff8-00022d09712b', 'FreeBSD swap'],
  ['516e7cb6-6ecf-11d6-8ff8-00022d09712b', 'FreeBSD UFS'],
  ['516e7cba-6ecf-11d6-8ff8-00022d09712b', 'FreeBSD ZFS'],
  ['6a898cc3-1dd2-11b2-99a6-080020736631', 'Solaris /usr & Apple ZFS'],
  ['aa31e02a-400f-11db-9590-000c2911d1b8', 'VMware VMFS'],
  ['9d275380-40ad-11db-bf97-000c2911d1b8', 'VMware diagnostic'],
  ['fe3a2a5d-4f32-41a7-b725-accc3285a309', 'ChromeOS kernel'],
  ['3cb8e202-3b7e-47dd-8a3c-7ff2a13cfcec', 'ChromeOS root'],
]);

/** Every MBR id and GPT type GUID named here, for tests that check them against fdisk's list. */
export const NAMED_MBR_TYPES: readonly number[] = [...MBR_TYPE_NAMES.keys()];
export const NAMED_GPT_TYPES: readonly string[] = [...GPT_TYPE_NAMES.keys()];

/** The name of an MBR partition id (0x00-0xff), or "Unknown". */
export function mbrTypeName(id: number): string {
  return MBR_TYPE_NAMES.get(id) ?? 'Unknown';
}

/** The name of a GPT partition type GUID (any case), or "Unknown". */
export function gptTypeName(guid: string): string {
  return GPT_TYPE_NAMES.get(guid.toLowerCase()) ?? 'Unknown';
}

/** The id as PartitionReport.type shows it: "0x83", lower-case, two digits. */
export function formatMbrType(id: number): string {
  return `0x${id.toString(16).padStart(2, '0')}`;
}
