/**
 * Benchmark inputs, made once by real tools and kept under the OS temp dir:
 *   full.img   4 GiB of incompressible data (every block used)
 *   dirty.img  4 GiB GPT disk, one ext4 partition about 25% used whose free space holds the
 *              data of deleted files, as a disk that has lived does
 */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export const BENCH_DIR = join(tmpdir(), 'ferry-bench');
const GiB = 2 ** 30;

async function made(name: string, script: string): Promise<string> {
  const target = join(BENCH_DIR, name);
  if (existsSync(target)) return target;
  await mkdir(BENCH_DIR, { recursive: true });
  const work = join(BENCH_DIR, `${name}.work`);
  await execa(
    'bash',
    ['-euo', 'pipefail', '-c', `rm -rf ${work}; mkdir ${work}; cd ${work}; ${script}`],
    {
      stdio: 'inherit',
    },
  );
  await rename(join(work, 'image'), target);
  await execa('rm', ['-rf', work]);
  return target;
}

export function fullDisk(): Promise<string> {
  return made('full.img', `head -c ${4 * GiB} /dev/urandom > image`);
}

export function dirtyExt4Disk(): Promise<string> {
  // 1 GiB of live files and 2.6 GiB of files then deleted: the partition is ~25% used and
  // most of its free space holds old data that a block copier would carry along.
  return made(
    'dirty.img',
    `mkdir -p files/keep files/gone
     for i in $(seq 1 16); do head -c 64M /dev/urandom > files/keep/$i.bin; done
     for i in $(seq 1 40); do head -c 64M /dev/urandom > files/gone/$i.bin; done
     truncate -s ${4 * GiB} image
     sgdisk -n 1:2048:0 -t 1:8300 image > /dev/null
     truncate -s $(( ${4 * GiB} - 2048 * 512 - 33 * 512 )) part
     mkfs.ext4 -q -L bench -d files part
     debugfs -w -R "rm /gone" part 2>/dev/null || true
     for i in $(seq 1 40); do debugfs -w -R "rm /gone/$i.bin" part 2>/dev/null; done
     debugfs -w -R "rmdir /gone" part 2>/dev/null
     dd if=part of=image bs=1M seek=1 conv=notrunc,sparse status=none
     rm -rf files part`,
  );
}
