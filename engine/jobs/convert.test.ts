import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { DIRTY_PARTITIONS, LIVE_FILES, dirtyDisk } from '../../test/fixtures/dirty-disk.js';
import { checkFilesystem, readFileFrom } from '../../test/fixtures/filesystem-check.js';
import { ALL_FORMATS, EXTENSION, QEMU_FORMAT } from '../../test/fixtures/formats.js';
import { GONE_MARKER } from '../../test/fixtures/patterns.js';
import { withPartitionCopy } from '../../test/fixtures/truth.js';
import { readLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import { convert } from './convert.js';

let scratch: string;
let source: string;
/** Bytes on disk of each format's used-blocks output, to compare with --all-blocks. */
const usedBytes = new Map<string, number>();

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'convert-'));
  source = await dirtyDisk();
});

async function toRaw(image: string, format: string): Promise<string> {
  const raw = `${image}.back.raw`;
  await sh('qemu-img', ['convert', '-f', format, '-O', 'raw', image, raw]);
  return raw;
}

describe.each(ALL_FORMATS)('convert to %s', (format) => {
  it('copies only used blocks: every filesystem checks clean, live files match, deleted data is gone', async () => {
    const output = join(scratch, `used.${format}.${EXTENSION[format]}`);
    const result = await convert({ source, destination: output, format });
    expect(result.files[0]).toBe(output);
    usedBytes.set(format, result.bytes);

    const back = await toRaw(output, QEMU_FORMAT[format]);
    const sourceLayout = await readLayoutOf(source);
    for (const { number, type } of DIRTY_PARTITIONS) {
      const partition = sourceLayout.table.partitions.find((p) => p.number === number)!;
      await withPartitionCopy(back, partition.start, partition.size, async (converted) => {
        const check = await checkFilesystem(type, converted);
        expect(check.ok, check.output).toBe(true);
        await withPartitionCopy(source, partition.start, partition.size, async (original) => {
          for (const name of LIVE_FILES) {
            const [want, got] = await Promise.all([
              readFileFrom(type, original, name),
              readFileFrom(type, converted, name),
            ]);
            expect(got.equals(want), `${type} ${name}`).toBe(true);
          }
        });
      });
    }
    const sourceHasGone = (await readFile(source)).includes(GONE_MARKER);
    expect(sourceHasGone).toBe(true);
    expect((await readFile(back)).includes(GONE_MARKER)).toBe(false);
  });

  it('with --all-blocks, is identical to the source for qemu-img compare', async () => {
    const output = join(scratch, `all.${format}.${EXTENSION[format]}`);
    const all = await convert({
      source,
      destination: output,
      format,
      allBlocks: true,
      force: true,
    });
    const compare = await sh('qemu-img', [
      'compare',
      '-f',
      'raw',
      '-F',
      QEMU_FORMAT[format],
      source,
      output,
    ]);
    expect(compare).toMatch(/Images are identical/);
    expect(usedBytes.get(format)).toBeLessThan(all.bytes);
  });
});

async function readLayoutOf(path: string) {
  const opened = await openSource(path);
  try {
    return (await readLayout(opened)).report;
  } finally {
    await opened.close();
  }
}
