import { extname } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { FORMAT_EXTENSIONS, FORMAT_NAMES, type FormatName } from '../../shared/formats.js';
import { qcow2Reader } from './qcow2-reader.js';
import { qcow2Writer } from './qcow2-writer.js';
import { rawWriter } from './raw.js';
import type { FormatReaderDriver, FormatWriterDriver } from './types.js';
import { vdiReader } from './vdi-reader.js';
import { vhdReader } from './vhd-reader.js';
import { vhdFixedWriter, vhdWriter } from './vhd-writer.js';
import { vhdxReader } from './vhdx-reader.js';
import { vhdxWriter } from './vhdx-writer.js';
import { vdiWriter } from './vdi-writer.js';
import { vmdkFlatWriter } from './vmdk-flat.js';
import { vmdkWriter } from './vmdk-monolithic.js';
import { vmdkReader } from './vmdk-reader.js';
import { vmdkStreamWriter } from './vmdk-stream.js';

const WRITERS: Record<FormatName, FormatWriterDriver> = {
  raw: rawWriter,
  qcow2: qcow2Writer,
  vdi: vdiWriter,
  vhd: vhdWriter,
  'vhd-fixed': vhdFixedWriter,
  vhdx: vhdxWriter,
  vmdk: vmdkWriter,
  'vmdk-stream': vmdkStreamWriter,
  'vmdk-flat': vmdkFlatWriter,
};

/** Virtual disk formats recognised by content when opened as a source (V2V). */
export const READERS: readonly FormatReaderDriver[] = [
  qcow2Reader,
  vdiReader,
  vmdkReader,
  vhdxReader,
  vhdReader,
];

/**
 * The format a destination's extension implies, as in DESIGN.md's command line: each format's
 * own extension (the first format to claim one wins: .vmdk is monolithicSparse), and the other
 * names people give raw images.
 */
const EXTENSIONS: Record<string, FormatName> = {
  '.raw': 'raw',
  '.dd': 'raw',
  ...Object.fromEntries(
    [...FORMAT_NAMES].reverse().map((format) => [FORMAT_EXTENSIONS[format], format]),
  ),
};

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

/** The format to write: the one asked for, else the one the destination's extension names. */
export function chooseFormat(destination: string, requested: string | undefined): FormatName {
  if (requested !== undefined) {
    if (isFormatName(requested)) return requested;
    throw new FerryError('USAGE', `unknown format "${requested}"`, {
      where: '--format',
      hint: `use one of ${FORMAT_NAMES.join(', ')}`,
    });
  }
  const byExtension = EXTENSIONS[extname(destination).toLowerCase()];
  if (byExtension) return byExtension;
  throw new FerryError('USAGE', 'cannot tell the format from the file name', {
    where: destination,
    hint: `name it ${Object.keys(EXTENSIONS).join(', ')}, or add --format (${FORMAT_NAMES.join(', ')})`,
  });
}

export function writerFor(format: FormatName): FormatWriterDriver {
  return WRITERS[format];
}
