/**
 * Reads qcow2 images, versions 2 and 3, as QEMU writes them: clusters of 512 bytes to 2 MiB,
 * compressed clusters (raw deflate), zero clusters. Backing files, encryption, external data
 * files, subclusters and zstd are refused, since reading them alone would give wrong bytes.
 */
import { inflateRaw, constants as zlibConstants } from 'node:zlib';
import { FerryError } from '../../shared/errors.js';
import type { BlockSource } from '../io/source.js';
import { RangeBuilder, type ByteRange } from '../ranges.js';
import { imageReader, openImageFile } from './image-reader.js';
import { Qcow2ClusterMap } from './qcow2-cluster-map.js';
import { QCOW2_MAGIC, parseQcow2Header, refuseUnsupportedFeatures } from './qcow2-header.js';
import type { FormatReaderDriver, ImageReader } from './types.js';

/** Enough for the longest header Ferry looks at (v3 with the compression type byte). */
const HEADER_READ = 512;

export const qcow2Reader: FormatReaderDriver = {
  name: 'qcow2',
  detect: ({ head }) => head.length >= 4 && head.readUInt32BE(0) === QCOW2_MAGIC,
  open: (path) => openImageFile(path, openQcow2Image),
};

/** Opens the qcow2 image whose file bytes `file` holds; closing the image closes `file`. */
export async function openQcow2Image(file: BlockSource): Promise<ImageReader> {
  const head = await file.read(0, Math.min(file.size, HEADER_READ));
  const header = parseQcow2Header(head, file.size, file.path);
  refuseUnsupportedFeatures(header, file.path);
  const map = await Qcow2ClusterMap.load(file, header);
  const { clusterSize } = map;
  const size = header.size;
  // The last cluster inflated (or being inflated), for the small reads partition and
  // filesystem parsers make one after another within a cluster.
  let lastInflated: { host: number; data: Promise<Buffer> } | undefined;

  /** Reads host bytes; what lies past the end of the file reads as zeros, as in QEMU. */
  const readHost = async (
    host: number,
    length: number,
    into: Buffer,
    at: number,
  ): Promise<void> => {
    const available = Math.max(0, Math.min(length, file.size - host));
    if (available > 0) (await file.read(host, available)).copy(into, at);
    into.fill(0, at + available, at + length);
  };

  const inflated = (host: number, length: number): Promise<Buffer> => {
    if (lastInflated?.host !== host) {
      const data = file
        .read(host, Math.min(length, file.size - host))
        .then((stored) =>
          inflateCluster(stored, clusterSize, `${file.path}: compressed cluster at ${host}`),
        );
      lastInflated = { host, data };
    }
    return lastInflated.data;
  };

  return imageReader({
    path: file.path,
    format: 'qcow2',
    size,
    sectorSize: 512,
    async fill(offset: number, out: Buffer): Promise<void> {
      const { length } = out;
      // Every piece is started before any is awaited, so the compressed clusters of one read
      // inflate side by side on the thread pool.
      const pieces: Promise<void>[] = [];
      const start = (piece: Promise<void>): void => {
        // Handled now, so that a failure while later lookups are awaited is not "unhandled";
        // Promise.all below still rejects with it.
        piece.catch(() => {});
        pieces.push(piece);
      };
      let done = 0;
      while (done < length) {
        const position = offset + done;
        const cluster = Math.floor(position / clusterSize);
        const within = position - cluster * clusterSize;
        const mapping = await map.lookup(cluster);
        let take = Math.min(clusterSize - within, length - done);
        if (mapping.kind === 'compressed') {
          const at = done;
          const end = within + take;
          start(
            inflated(mapping.host, mapping.length).then((data) => {
              data.copy(out, at, within, end);
            }),
          );
        } else if (mapping.kind === 'data') {
          // Clusters stored one after another in the file are read together.
          let next = cluster + 1;
          while (done + take < length) {
            const following = await map.lookup(next);
            const contiguous = mapping.host + (next - cluster) * clusterSize;
            if (following.kind !== 'data' || following.host !== contiguous) break;
            take += Math.min(clusterSize, length - done - take);
            next++;
          }
          start(readHost(mapping.host + within, take, out, done));
        } else {
          out.fill(0, done, done + take);
        }
        done += take;
      }
      await Promise.all(pieces);
    },
    async allocated(): Promise<ByteRange[]> {
      const ranges = new RangeBuilder();
      await map.forEachStored((cluster) => {
        const start = cluster * clusterSize;
        ranges.add(start, Math.min(clusterSize, size - start));
      });
      return ranges.build();
    },
    close: () => file.close(),
  });
}

/**
 * Inflates one compressed cluster. The stored run is rounded up to whole sectors, so bytes may
 * follow the deflate stream, and QEMU accepts a stream cut short once the cluster is full.
 */
function inflateCluster(stored: Buffer, clusterSize: number, where: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    inflateRaw(
      stored,
      { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: clusterSize },
      (error, data) => {
        if (!error && data.length === clusterSize) {
          resolve(data);
          return;
        }
        reject(
          new FerryError(
            'BAD_IMAGE',
            error
              ? `cannot inflate: ${error.message}`
              : `inflates to ${data.length} bytes, not ${clusterSize}`,
            {
              where,
              hint: 'the image is damaged; `qemu-img check` may say more',
              cause: error ?? undefined,
            },
          ),
        );
      },
    );
  });
}
