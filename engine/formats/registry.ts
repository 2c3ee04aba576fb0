import { extname } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { FORMAT_NAMES, type FormatName } from '../../shared/formats.js';
import { qcow2Reader } from './qcow2-reader.js';
import { qcow2Writer } from './qcow2-writer.js';
import { rawWriter } from './raw.js';
import type { FormatReaderDriver, FormatWriterDriver } from './types.js';
import { vdiReader } from './vdi-reader.js';
import { vdiWriter } from './vdi-writer.js';

const WRITERS: Partial<Record<FormatName, FormatWriterDriver>> = {
  raw: rawWriter,
  qcow2: qcow2Writer,
  vdi: vdiWriter,
};

/** Virtual disk formats recognised by content when opened as a source (V2V). */
export const READERS: readonly FormatReaderDriver[] = [qcow2Reader, vdiReader];

/** The format a destination's extension implies, as in DESIGN.md's command line. */
const EXTENSIONS: Record<string, FormatName> = {
  '.img': 'raw',
  '.raw': 'raw',
  '.dd': 'raw',
  '.vmdk': 'vmdk',
  '.vhd': 'vhd',
  '.vhdx': 'vhdx',
  '.vdi': 'vdi',
  '.qcow2': 'qcow2',
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
    hint: `name it .img, .vmdk, .vhd, .vhdx, .vdi or .qcow2, or add --format (${FORMAT_NAMES.join(', ')})`,
  });
}

export function writerFor(format: FormatName): FormatWriterDriver {
  const writer = WRITERS[format];
  if (!writer) {
    throw new FerryError('UNSUPPORTED', `writing ${format} is not available in this build`, {
      where: '--format',
      hint: `use one of ${Object.keys(WRITERS).join(', ')}`,
    });
  }
  return writer;
}
