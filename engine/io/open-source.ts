import { stat } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { READERS } from '../formats/registry.js';
import { openDeviceSource } from './device-source.js';
import { openFailure, openFileSource } from './file-source.js';
import { openGzipSource } from './gzip-source.js';
import type { BlockSource } from './source.js';

export interface OpenSourceOptions {
  signal?: AbortSignal;
}

/** The bytes a detector may look at: an image format announces itself at its start or its end. */
interface Probe {
  size: number;
  head: Buffer;
  /** The last bytes, where a fixed VHD keeps its only footer. */
  tail: Buffer;
}

interface ContentDetector {
  matches(probe: Probe): boolean;
  open(path: string, options: OpenSourceOptions): Promise<BlockSource>;
}

const HEAD_BYTES = 4096;
const TAIL_BYTES = 512;

/** Image formats recognised by content, never by extension; anything else is a raw image. */
const DETECTORS: readonly ContentDetector[] = [
  { matches: ({ head }) => startsWith(head, [0x1f, 0x8b, 0x08]), open: openGzipSource },
  ...READERS.map((reader) => ({ matches: reader.detect, open: reader.open })),
];

/**
 * Opens what the user named, read-only: a disk device, or an image file whose format is
 * recognised from its content.
 */
export async function openSource(
  path: string,
  options: OpenSourceOptions = {},
): Promise<BlockSource> {
  if (options.signal?.aborted) {
    throw new FerryError('CANCELLED', 'cancelled before the source was opened', {
      where: path,
      hint: 'nothing was read; start again when ready',
    });
  }
  // Windows device namespace paths (\\.\PhysicalDrive0) cannot be stat'ed like files.
  if (process.platform === 'win32' && /^\\\\[.?]\\/.test(path)) return openDeviceSource(path);
  let stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw openFailure(error, path);
  }
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return openDeviceSource(path);
  if (!stats.isFile()) {
    throw new FerryError(
      'USAGE',
      stats.isDirectory() ? 'is a folder, not a disk or disk image' : 'is not a disk or disk image',
      {
        where: path,
        hint: 'give an image file or a disk such as /dev/sda; `ferry disks` lists disks',
      },
    );
  }
  const raw = await openFileSource(path);
  let detector: ContentDetector | undefined;
  try {
    const probe = await probeOf(raw);
    detector = DETECTORS.find((candidate) => candidate.matches(probe));
  } catch (error) {
    await raw.close();
    throw error;
  }
  if (!detector) return raw;
  await raw.close();
  return detector.open(path, options);
}

async function probeOf(source: BlockSource): Promise<Probe> {
  const { size } = source;
  const head = await source.read(0, Math.min(size, HEAD_BYTES));
  const tailLength = Math.min(size, TAIL_BYTES);
  const tail = await source.read(size - tailLength, tailLength);
  return { size, head, tail };
}

function startsWith(data: Buffer, magic: readonly number[]): boolean {
  return magic.every((byte, index) => data[index] === byte);
}
