/** `ferry console` as a user runs it: the built bin/ferry.js (`npm run build` comes first). */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it, vi } from 'vitest';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';

const BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

/** Starts the console and resolves with the URL it prints. */
async function startConsole(
  args: string[],
  env: Record<string, string> = {},
): Promise<{
  child: ResultPromise<{ env: Record<string, string> }>;
  url: string;
  stderr: () => string;
}> {
  const child = execa(process.execPath, [BIN, 'console', ...args], { env, timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await vi.waitFor(
    () => {
      const match = /^Ferry console: (\S+)$/m.exec(stdout);
      if (!match) throw new Error(`no URL yet: ${stdout}${stderr}`);
      return match[1]!;
    },
    { timeout: 10_000, interval: 20 },
  );
  return { child, url, stderr: () => stderr };
}

describe('ferry console', () => {
  it('serves on 127.0.0.1 behind its token and stops cleanly on SIGINT', async () => {
    const { child, url, stderr } = await startConsole([]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    const origin = new URL(url).origin;
    expect((await fetch(origin)).status).toBe(401);
    // 503 where the renderer has not been built: the token was still accepted.
    expect([200, 503]).toContain((await fetch(url)).status);
    expect(stderr()).not.toMatch(/warning/);

    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/Stopping/);
    await expect(fetch(origin)).rejects.toThrow();
  });

  it('warns when listening beyond this machine', async () => {
    const { child, stderr } = await startConsole(['--host', '0.0.0.0']);
    expect(stderr()).toMatch(/warning: listening on 0\.0\.0\.0: anyone who can reach/);
    child.kill('SIGTERM');
    expect((await child).exitCode).toBe(0);
  });

  it('opens the default browser with --open, and only warns when it cannot', async () => {
    const bin = await mkdtemp(join(FIXTURE_ROOT, 'opener-'));
    const opened = join(bin, 'opened');
    const opener = join(bin, process.platform === 'darwin' ? 'open' : 'xdg-open');
    await writeFile(opener, `#!/bin/sh\necho "$1" > ${opened}\n`);
    await chmod(opener, 0o755);

    const withOpener = await startConsole(['--open'], { PATH: bin });
    await vi.waitFor(async () =>
      expect((await readFile(opened, 'utf8')).trim()).toBe(withOpener.url),
    );
    withOpener.child.kill('SIGINT');
    expect((await withOpener.child).exitCode).toBe(0);

    const empty = await mkdtemp(join(FIXTURE_ROOT, 'no-opener-'));
    const without = await startConsole(['--open'], { PATH: empty });
    await vi.waitFor(() => expect(without.stderr()).toMatch(/warning: could not open a browser/));
    expect((await fetch(without.url)).status).not.toBe(401);
    without.child.kill('SIGINT');
    expect((await without.child).exitCode).toBe(0);
  });

  it('refuses a bad port as bad usage', async () => {
    const result = await execa(process.execPath, [BIN, 'console', '--port', 'http'], {
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--port: "http" is not a port number/);
  });
});
