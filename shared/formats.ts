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

/** The file extension each format is written with. */
export const FORMAT_EXTENSIONS: Record<FormatName, string> = {
  raw: '.img',
  vmdk: '.vmdk',
  'vmdk-stream': '.vmdk',
  'vmdk-flat': '.vmdk',
  vhd: '.vhd',
  'vhd-fixed': '.vhd',
  vhdx: '.vhdx',
  vdi: '.vdi',
  qcow2: '.qcow2',
};

/**
 * The formats whose writer preallocates the whole disk when asked (`--thick`). The others are
 * always thin: qcow2 and the sparse and stream VMDKs have no preallocated variant here.
 */
export const THICK_FORMATS: ReadonlySet<FormatName> = new Set([
  'raw',
  'vmdk-flat',
  'vhd',
  'vhd-fixed',
  'vhdx',
  'vdi',
]);
