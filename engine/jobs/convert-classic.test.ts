/**
 * The classic case of issue 5: a 40 GiB disk holding 9 GiB of data becomes a 19 GiB virtual
 * disk. The fixture is sparse: 9 GiB of the filesystem is preallocated (in use in its bitmap,
 * reading as zeros), part of it past the new end so that resize2fs must move it, plus real files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bash, cachedImage, FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { sfdiskJson, withPartitionCopy } from '../../test/fixtures/truth.js';
import { convert } from './convert.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function classicDisk(): Promise<string> {
  return cachedImage('disk-classic-40g', (image, work) =>
    bash(
      `truncate -s 40G ${image}
      sgdisk -n 1:2048:0 -t 1:8300 -c 1:root ${image} > /dev/null
      head -c 50000000 /dev/urandom > real.bin
      LOOP=$(losetup -f --show -o ${MiB} --sizelimit $((40 * ${GiB} - 2 * ${MiB})) ${image})
      trap 'losetup -d "$LOOP"' EXIT
      mkfs.ext4 -q -L classic "$LOOP"
      # A 24 GiB filler pushes 2 GiB of "late" data past 19 GiB; removed, it leaves room for
      # 7 GiB of "early" data at the start: 9 GiB in use, as on a disk that has lived.
      debugfs -w -f - "$LOOP" > /dev/null 2>&1 <<'COMMANDS'
write /dev/null filler
fallocate filler 0 6291455
write /dev/null late
fallocate late 0 524287
rm filler
write /dev/null early
fallocate early 0 1835007
write real.bin real.bin
COMMANDS`,
      work,
    ),
  );
}

const realFileHash = (partition: string): Promise<string> =>
  bash(`debugfs -R 'cat /real.bin' '${partition}' 2>/dev/null | sha256sum`);

/** The source's file, read through a read-only loop device at the partition's offset. */
function sourceRealFileHash(disk: string): Promise<string> {
  return bash(
    `LOOP=$(losetup -f --show -r -o ${MiB} --sizelimit $((40 * ${GiB} - 2 * ${MiB})) '${disk}')
    trap 'losetup -d "$LOOP"' EXIT
    debugfs -R 'cat /real.bin' "$LOOP" 2>/dev/null | sha256sum`,
  );
}

describe('the classic case', () => {
  it(
    'converts a 40 GiB disk with 9 GiB in use to a 19 GiB virtual disk',
    { timeout: 600_000 },
    async () => {
      const source = await classicDisk();
      const scratch = await mkdtemp(join(FIXTURE_ROOT, 'classic-'));
      const output = join(scratch, 'classic.vmdk');
      const started = performance.now();
      // 19 GiB less the 1 MiB before the partition and the 1 MiB kept for the backup GPT.
      const result = await convert({
        source,
        destination: output,
        resize: { 1: 19 * GiB - 2 * MiB },
        diskSize: 19 * GiB,
      });
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `classic case: 40 GiB -> 19 GiB in ${seconds.toFixed(1)} s, ` +
          `${(result.bytes / MiB).toFixed(1)} MiB on disk`,
      );

      const raw = `${output}.raw`;
      await sh('qemu-img', ['convert', '-O', 'raw', output, raw]);
      const table = await sfdiskJson(raw);
      expect(table.partitions).toEqual([
        expect.objectContaining({ start: 2048, size: (19 * GiB - 2 * MiB) / 512, name: 'root' }),
      ]);
      expect(await sh('sgdisk', ['-v', raw])).toMatch(/No problems found/);
      await withPartitionCopy(raw, MiB, 19 * GiB - 2 * MiB, async (partition) => {
        await sh('e2fsck', ['-fn', partition]);
        const blocks = await sh('dumpe2fs', ['-h', partition]);
        expect(Number(/^Block count:\s+(\d+)/m.exec(blocks)![1]) * 4096).toBe(19 * GiB - 2 * MiB);
        expect(await realFileHash(partition)).toBe(await sourceRealFileHash(source));
      });
      // Preallocated blocks read as zeros and are not stored: the output holds the real data.
      expect(result.bytes).toBeLessThan(200 * MiB);
      await rm(scratch, { recursive: true, force: true });
    },
  );
});
