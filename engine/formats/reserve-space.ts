import { execFile } from 'node:child_process';

/**
 * Allocates `length` bytes of `path` from `offset` without changing its length (util-linux's
 * `fallocate --keep-size`; Node has no fallocate). Best effort: where the tool, the platform or
 * the filesystem cannot do it, the writes simply allocate as they land.
 */
export function reserveSpace(path: string, offset: number, length: number): Promise<void> {
  if (process.platform !== 'linux') return Promise.resolve();
  return new Promise((resolve) => {
    execFile(
      'fallocate',
      ['--keep-size', '--offset', String(offset), '--length', String(length), path],
      { timeout: 10_000 },
      () => resolve(),
    );
  });
}
