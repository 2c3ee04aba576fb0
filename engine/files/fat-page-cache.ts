/**
 * A view of a volume that keeps its most recently read pages. Following a FAT chain reads a few
 * bytes per cluster, all from the same small table; this turns thousands of those reads into a
 * handful.
 */
import { checkReadRange } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';

const PAGE_SIZE = 64 * 1024;
const MAX_PAGES = 16;

export function pageCachedSource(volume: BlockSource): BlockSource {
  // Insertion order is use order: a hit is moved to the end, the first key is the oldest.
  const pages = new Map<number, Buffer>();

  const page = async (index: number): Promise<Buffer> => {
    const cached = pages.get(index);
    if (cached) {
      pages.delete(index);
      pages.set(index, cached);
      return cached;
    }
    const start = index * PAGE_SIZE;
    const data = await volume.read(start, Math.min(PAGE_SIZE, volume.size - start));
    pages.set(index, data);
    if (pages.size > MAX_PAGES) pages.delete(pages.keys().next().value!);
    return data;
  };

  return {
    path: volume.path,
    format: volume.format,
    size: volume.size,
    sectorSize: volume.sectorSize,
    async read(offset: number, length: number): Promise<Buffer> {
      checkReadRange(offset, length, volume.size, volume.path);
      const result = Buffer.alloc(length);
      for (let done = 0; done < length;) {
        const at = offset + done;
        const data = await page(Math.floor(at / PAGE_SIZE));
        done += data.copy(result, done, at % PAGE_SIZE);
      }
      return result;
    },
    async close(): Promise<void> {
      // The volume belongs to whoever opened it.
    },
  };
}
