import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FormatName } from '../../shared/formats.js';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { smallMultiPartitionDisk } from '../../test/fixtures/disks.js';
import { ALL_FORMATS, EXTENSION, QEMU_FORMAT } from '../../test/fixtures/formats.js';
import { convert } from './convert.js';

let scratch: string;
let source: string;
const firstGeneration = new Map<FormatName, string>();

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'matrix-'));
  source = await smallMultiPartitionDisk();
  for (const format of ALL_FORMATS) {
    const path = join(scratch, `from-raw-${format}.${EXTENSION[format]}`);
    await convert({ source, destination: path, format, allBlocks: true });
    firstGeneration.set(format, path);
  }
}, 120_000);

async function expectSameDisk(path: string, format: FormatName): Promise<void> {
  const run = await execa(
    'qemu-img',
    ['compare', '-f', 'raw', '-F', QEMU_FORMAT[format], source, path],
    {
      reject: false,
    },
  );
  expect(run.exitCode, `${path}: ${run.stdout}${run.stderr}`).toBe(0);
}

describe.each(ALL_FORMATS)('from %s', (from) => {
  it.each(ALL_FORMATS)('to %s: qemu-img finds the source disk unchanged', async (to) => {
    const input = firstGeneration.get(from)!;
    await expectSameDisk(input, from);
    const output = join(scratch, `${from}-to-${to}.${EXTENSION[to]}`);
    await convert({ source: input, destination: output, format: to, allBlocks: true });
    await expectSameDisk(output, to);
  });
});
