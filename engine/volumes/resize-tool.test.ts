import { describe, expect, it } from 'vitest';
import { findTool, runResizeTool, verdict } from './resize-tool.js';

const base = { packageName: 'coreutils', where: 'disk.img partition 1' };

describe('findTool', () => {
  it('finds the sbin tools a user PATH may lack', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await findTool('resize2fs')).toMatch(/\/sbin\/resize2fs$/);
    } finally {
      process.env.PATH = saved;
    }
    expect(await findTool('ferry-no-such-tool')).toBeNull();
  });
});

describe('runResizeTool', () => {
  it('returns the output of an accepted exit status', async () => {
    const output = await runResizeTool({
      ...base,
      name: 'sh',
      args: ['-c', 'echo out; exit 1'],
      accepts: [0, 1],
    });
    expect(output).toMatchObject({ exitCode: 1, stdout: 'out' });
  });

  it('passes input to the tool', async () => {
    const output = await runResizeTool({ ...base, name: 'cat', args: [], input: 'y\n' });
    expect(output.stdout).toBe('y');
  });

  it('quotes the line naming the error when the tool fails', async () => {
    const failing = runResizeTool({
      ...base,
      name: 'sh',
      args: ['-c', 'echo "ERROR: New size is too small"; echo "see the -i option"; exit 1'],
    });
    await expect(failing).rejects.toMatchObject({
      code: 'TOOL_OUTPUT',
      message: 'sh failed (exit status 1): ERROR: New size is too small',
      where: base.where,
    });
  });

  it('is TOOL_MISSING for a program that is not installed', async () => {
    await expect(
      runResizeTool({ ...base, name: 'ferry-no-such-tool', args: [] }),
    ).rejects.toMatchObject({ code: 'TOOL_MISSING', hint: expect.stringContaining('coreutils') });
  });

  it('kills the tool on cancel', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const running = runResizeTool({
      ...base,
      name: 'sleep',
      args: ['20'],
      signal: controller.signal,
    });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('verdict', () => {
  it('prefers a line naming an error, then stderr, then stdout', () => {
    expect(verdict({ stdout: 'a\nb\n', stderr: '' })).toBe('b');
    expect(
      verdict({ stdout: 'a', stderr: 'resize2fs: New size smaller than minimum (15269)\n\n' }),
    ).toBe('resize2fs: New size smaller than minimum (15269)');
    expect(verdict({ stdout: 'ERROR: no\nadvice', stderr: 'x' })).toBe('ERROR: no');
  });
});
