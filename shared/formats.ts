/** The virtual disk formats Ferry writes, as the command line and the wizard name them. */
export const FORMAT_NAMES = [
  'raw',
  'vmdk',
  'vmdk-stream',
  'vmdk-flat',
  'vhd',
  'vhd-fixed',
  'vhdx',
  'vdi',
  'qcow2',
] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];
