/**
 * Packs an OVA: a ustar archive holding the OVF descriptor first, then the disks in the order
 * its References list them, then the manifest (`SHA256(name)= hex` per file). DSP0243 allows
 * the manifest either right after the descriptor or at the end; at the end, each disk is read
 * once, hashed while it is copied, and never held in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { FerryError, isFerryError } from '../../shared/errors.js';
import { PartialFile } from '../formats/partial-file.js';
import { BLOCK, checkMemberName, paddingFor, ustarHeader } from './ustar-header.js';

/** Disk files are copied in reads this large: few system calls, little memory. */
const CHUNK = 2 ** 20;

export interface OvaDescriptor {
  /** The member name, ending in .ovf; the manifest is named after it. */
  name: string;
  text: string;
}

export interface OvaFile {
  /** The member name, as the descriptor's References name it. */
  name: string;
  /** Where the file is now. */
  path: string;
}

export interface OvaOptions {
  signal?: AbortSignal;
  /** Modification time of every member, in Unix seconds; now when not given. */
  mtime?: number;
}

export interface OvaResult {
  path: string;
  /** The manifest's text, as stored in the archive. */
  manifest: string;
}

/** Writes `<destination>.partial`, then renames it to `destination` once complete and flushed. */
export async function writeOva(
  destination: string,
  descriptor: OvaDescriptor,
  files: readonly OvaFile[],
  options: OvaOptions = {},
): Promise<OvaResult> {
  const manifestName = checkNames(descriptor, files);
  const sizes = await Promise.all(files.map((file) => sizeOf(file.path)));
  const descriptorBytes = Buffer.from(descriptor.text, 'utf8');
  const mtime = options.mtime ?? Date.now() / 1000;

  const out = await PartialFile.create(destination);
  try {
    let position = 0;
    const put = async (data: Buffer): Promise<void> => {
      await out.writeAt(data, position);
      position += data.length;
    };
    const digests: string[] = [];

    await put(ustarHeader(descriptor.name, descriptorBytes.length, mtime));
    await put(Buffer.concat([descriptorBytes, paddingFor(descriptorBytes.length)]));
    digests.push(
      manifestLine(descriptor.name, createHash('sha256').update(descriptorBytes).digest('hex')),
    );

    for (const [index, file] of files.entries()) {
      const size = sizes[index]!;
      await put(ustarHeader(file.name, size, mtime));
      const hash = createHash('sha256');
      let copied = 0;
      for await (const chunk of createReadStream(file.path, { highWaterMark: CHUNK })) {
        throwIfCancelled(options.signal, destination);
        const data = chunk as Buffer;
        copied += data.length;
        if (copied > size) break;
        hash.update(data);
        await put(data);
      }
      if (copied !== size) {
        throw new FerryError('IO', `${file.path} changed size while it was packed`, {
          where: file.path,
          hint: 'make sure nothing else writes the disk file, then run again',
        });
      }
      await put(paddingFor(size));
      digests.push(manifestLine(file.name, hash.digest('hex')));
    }

    const manifest = digests.join('');
    const manifestBytes = Buffer.from(manifest, 'utf8');
    await put(ustarHeader(manifestName, manifestBytes.length, mtime));
    await put(
      Buffer.concat([manifestBytes, paddingFor(manifestBytes.length), Buffer.alloc(2 * BLOCK)]),
    );
    throwIfCancelled(options.signal, destination);
    return { path: await out.commit(position), manifest };
  } catch (error) {
    await out.discard();
    if (isFerryError(error)) throw error;
    throw out.failure('cannot pack', error);
  }
}

/** The manifest's name (the descriptor's, .ovf -> .mf), after checking every member name. */
function checkNames(descriptor: OvaDescriptor, files: readonly OvaFile[]): string {
  if (!/\.ovf$/i.test(descriptor.name)) {
    throw new FerryError('USAGE', `"${descriptor.name}" is not an OVF descriptor name`, {
      where: 'OVA',
      hint: 'name the descriptor <machine>.ovf',
    });
  }
  const manifestName = descriptor.name.replace(/\.ovf$/i, '.mf');
  const names = [descriptor.name, ...files.map((file) => file.name), manifestName];
  for (const name of names) checkMemberName(name);
  if (new Set(names.map((name) => name.toLowerCase())).size !== names.length) {
    throw new FerryError('USAGE', 'two files in the OVA would have the same name', {
      where: 'OVA',
      hint: `rename one of ${names.join(', ')}`,
    });
  }
  return manifestName;
}

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    return info.size;
  } catch (error) {
    throw new FerryError('IO', `cannot read ${path}: ${(error as Error).message}`, {
      where: path,
      hint: 'the disk file to pack must exist and be readable',
      cause: error,
    });
  }
}

/** The manifest line OVF consumers check: `SHA256(name)= hex`. */
export function manifestLine(name: string, sha256: string): string {
  return `SHA256(${name})= ${sha256}\n`;
}

function throwIfCancelled(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) {
    throw new FerryError('CANCELLED', 'cancelled while packing the OVA', {
      where,
      hint: 'nothing finished was left behind',
    });
  }
}
