/** Runs a command under GNU time and returns its wall and CPU times and peak resident memory. */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Measurement {
  seconds: number;
  /** CPU time in the program itself and in the kernel on its behalf (copies, page cache). */
  userSeconds: number;
  systemSeconds: number;
  peakRssBytes: number;
}

export async function measure(
  command: string,
  args: readonly string[],
  scratch: string,
): Promise<Measurement> {
  const report = join(scratch, 'time.txt');
  await execa('sync');
  const started = performance.now();
  await execa('/usr/bin/time', ['-f', '%U %S %M', '-o', report, command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  const [user, system, rssKiB] = (await readFile(report, 'utf8'))
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ');
  await rm(report, { force: true });
  return {
    seconds,
    userSeconds: Number(user),
    systemSeconds: Number(system),
    peakRssBytes: Number(rssKiB) * 1024,
  };
}

/** Bytes a set of files takes on disk (allocated blocks, so holes do not count). */
export async function sizeOnDisk(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).blocks * 512;
  return total;
}

export async function removeAll(files: readonly string[]): Promise<void> {
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
