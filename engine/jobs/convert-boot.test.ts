import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { BOOT_MARKER, biosBootDisk } from '../../test/fixtures/boot.js';
import { ALL_FORMATS, EXTENSION, QEMU_FORMAT } from '../../test/fixtures/formats.js';
import { bootAndWaitForMarker } from '../../test/fixtures/qemu-boot.js';
import { convert } from './convert.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'convert-boot-'));
});

describe('a converted BIOS disk boots in QEMU', () => {
  it.each(ALL_FORMATS)(
    'as %s, copying used blocks only',
    async (format) => {
      const output = join(scratch, `boot.${format}.${EXTENSION[format]}`);
      await convert({ source: await biosBootDisk(), destination: output, format });
      const boot = await bootAndWaitForMarker(output, {
        format: QEMU_FORMAT[format],
        controller: 'sata',
      });
      expect(boot.booted, boot.output).toBe(true);
      expect(boot.output).toContain(BOOT_MARKER);
    },
    120_000,
  );
});
