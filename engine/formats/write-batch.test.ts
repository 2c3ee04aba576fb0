import { describe, expect, it } from 'vitest';
import type { PartialFile } from './partial-file.js';
import { WriteBatch } from './write-batch.js';

const MiB = 2 ** 20;

/** A file whose writes complete only when the test says so, recording what ran when. */
function gatedFile() {
  const events: string[] = [];
  const gates: (() => void)[] = [];
  const file = {
    async writeAll(parts: readonly Buffer[], position: number): Promise<void> {
      const length = parts.reduce((sum, part) => sum + part.length, 0);
      events.push(`start ${position / MiB}+${length / MiB}`);
      await new Promise<void>((resolve) => gates.push(resolve));
      events.push(`end ${position / MiB}`);
    },
  };
  return { file: file as unknown as PartialFile, events, gates };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteBatch', () => {
  it('writes two batches at once and waits for the first before a third', async () => {
    const { file, events, gates } = gatedFile();
    const batch = new WriteBatch(file);
    const released: number[] = [];
    for (const at of [0, 4, 8]) {
      batch.put(at * MiB, Buffer.alloc(4 * MiB));
      batch.onWritten(() => released.push(at));
      const settled = batch.settle();
      await tick();
      if (at < 8) await settled;
      else {
        expect(events).toEqual(['start 0+4', 'start 4+4']);
        gates.shift()!();
        await settled;
      }
    }
    expect(events).toEqual(['start 0+4', 'start 4+4', 'end 0', 'start 8+4']);
    expect(released).toEqual([0]);
    const flushed = batch.flush();
    while (gates.length > 0) {
      gates.shift()!();
      await tick();
    }
    await flushed;
    expect(released).toEqual([0, 4, 8]);
  });

  it('lets a batch that rewrites bytes in flight wait for them, so the last version lands', async () => {
    const { file, events, gates } = gatedFile();
    const batch = new WriteBatch(file);
    batch.put(0, Buffer.alloc(4 * MiB));
    await batch.settle();
    // A table at the start of the file, rewritten with the next grains behind it.
    batch.put(0, Buffer.alloc(MiB));
    batch.put(16 * MiB, Buffer.alloc(4 * MiB));
    const settled = batch.settle();
    await tick();
    expect(events).toEqual(['start 0+4']);
    gates.shift()!();
    await settled;
    expect(events).toEqual(['start 0+4', 'end 0', 'start 0+1']);
    const flushed = batch.flush();
    while (gates.length > 0 || events.length < 6) {
      gates.shift()?.();
      await tick();
    }
    await flushed;
  });

  it('reports a failed write at the next settle and still hands back its buffers', async () => {
    const released: string[] = [];
    const file = {
      writeAll: () => Promise.reject(new Error('disk gone')),
    } as unknown as PartialFile;
    const batch = new WriteBatch(file);
    batch.put(0, Buffer.alloc(4 * MiB));
    batch.onWritten(() => released.push('first'));
    await batch.settle();
    batch.put(4 * MiB, Buffer.alloc(4 * MiB));
    await batch.settle();
    batch.put(8 * MiB, Buffer.alloc(4 * MiB));
    await expect(batch.settle()).rejects.toThrow('disk gone');
    expect(released).toEqual(['first']);
    await batch.abandon();
  });
});
