import { FerryError } from '../../shared/errors.js';
import { parseSize } from '../../shared/units.js';

/** `--partitions 1,3,5`: partition numbers as Linux numbers them, each once. */
export function parsePartitionList(text: string): number[] {
  const numbers = text.split(',').map((part) => parsePartitionNumber(part.trim(), '--partitions'));
  const repeated = numbers.find((n, index) => numbers.indexOf(n) !== index);
  if (repeated !== undefined) {
    throw usage('--partitions', `partition ${repeated} is named twice`, 'name each partition once');
  }
  return numbers;
}

/** `--resize 2=20G --resize 5=512M`: the new size of each partition, in bytes. */
export function parseResizes(texts: readonly string[]): Record<number, number | 'max'> {
  const sizes: Record<number, number | 'max'> = {};
  for (const text of texts) {
    const match = /^([^=]+)=(.+)$/.exec(text);
    if (!match) {
      throw usage('--resize', `"${text}" is not N=SIZE`, 'e.g. --resize 2=20G or 2=max');
    }
    const number = parsePartitionNumber(match[1]!.trim(), '--resize');
    if (number in sizes) {
      throw usage(
        '--resize',
        `partition ${number} is resized twice`,
        'give one size per partition',
      );
    }
    const size = match[2]!.trim();
    if (size.toLowerCase() !== 'max') sizes[number] = parsePositiveSize(size, '--resize');
    else if (Object.values(sizes).includes('max')) {
      throw usage('--resize', 'only one partition can take the room left', 'size the others');
    } else sizes[number] = 'max';
  }
  return sizes;
}

/** A SIZE option that must be more than zero bytes (`--disk-size`, `--memory`). */
export function parsePositiveSize(text: string, option: string): number {
  const bytes = parseSize(text);
  if (bytes === undefined || bytes <= 0) {
    throw usage(option, `"${text}" is not a size`, 'use a number with a binary unit, e.g. 20G');
  }
  return bytes;
}

/** A count option such as `--cpus`: a whole number from 1 to `max`. */
export function parseCount(text: string, option: string, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw usage(option, `"${text}" is not a whole number from 1 to ${max}`, `e.g. ${option} 2`);
  }
  return value;
}

function parsePartitionNumber(text: string, option: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > 256) {
    throw usage(
      option,
      `"${text}" is not a partition number`,
      'give the numbers ferry inspect shows, e.g. 1,3',
    );
  }
  return value;
}

function usage(option: string, message: string, hint: string): FerryError {
  return new FerryError('USAGE', message, { where: option, hint });
}
