/**
 * The desktop app, started for real: Electron with the built main process, preload, renderer and
 * engine host. Where npm could not install Electron's binary, the test is skipped and says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FerryApi } from '../shared/api.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const BUILT = [
  'dist/electron/main.js',
  'dist/electron/preload.cjs',
  'dist/electron/elevated-bridge.js',
  'dist/renderer/index.html',
  'dist/engine/rpc/host.js',
];

/** The binary npm's electron package installed, found as that package finds it; or why not. */
function electronBinary(): { path: string } | { missing: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  const notInstalled =
    "Electron's binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD, or its download failed); " +
    'run npm install with network access to run this test';
  if (!existsSync(pathFile)) return { missing: notInstalled };
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(packageDir, 'dist');
  const path = join(dist, relative);
  return existsSync(path) ? { path } : { missing: `${notInstalled} (no file at ${path})` };
}

/** What the page can see of its global scope. */
interface PageGlobals {
  ferry?: FerryApi;
  require?: unknown;
  process?: unknown;
  inlineScriptRan?: boolean;
  document: {
    createElement(tag: 'script'): { textContent: string };
    head: { append(node: unknown): void };
  };
}

const binary = electronBinary();
const skipped = 'missing' in binary ? binary.missing : null;
if (skipped) console.warn(`e2e/electron.test.ts skipped: ${skipped}`);

describe('the Electron app', () => {
  let app: ElectronApplication | undefined;
  let window: Page;

  beforeAll(async () => {
    if (!('path' in binary)) return;
    const unbuilt = BUILT.filter((file) => !existsSync(join(root, file)));
    if (unbuilt.length > 0) {
      throw new Error(
        `build the app first (npm run build && npm run build:renderer && npm run build:electron): missing ${unbuilt.join(', ')}`,
      );
    }
    app = await _electron.launch({
      executablePath: binary.path,
      args: [root],
      cwd: root,
      timeout: 60_000,
    });
    window = await app.firstWindow();
    await window.waitForLoadState('domcontentloaded');
  }, 90_000);

  afterAll(async () => {
    await app?.close();
  });

  it('opens one window titled Ferry, served from the app origin', async ({ skip }) => {
    skip(skipped !== null, skipped ?? undefined);
    expect(await window.title()).toMatch(/Ferry/);
    expect(window.url()).toBe('ferry://app/index.html');
    expect(app!.windows()).toHaveLength(1);
  });

  it('gives the page window.ferry and no Node', async ({ skip }) => {
    skip(skipped !== null, skipped ?? undefined);
    const seen = await window.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      return {
        ferry: typeof page.ferry,
        request: typeof page.ferry?.request,
        shell: typeof page.ferry?.shell?.chooseFile,
        require: typeof page.require,
        process: typeof page.process,
      };
    });
    expect(seen).toEqual({
      ferry: 'object',
      request: 'function',
      shell: 'function',
      require: 'undefined',
      process: 'undefined',
    });
  });

  it('answers listDisks through the preload, main and the engine host', async ({ skip }) => {
    skip(skipped !== null, skipped ?? undefined);
    const disks = await window.evaluate(() =>
      (globalThis as unknown as PageGlobals).ferry!.request('listDisks', {}),
    );
    expect(Array.isArray(disks)).toBe(true);
  });

  it('refuses inline scripts (the Content-Security-Policy is in force)', async ({ skip }) => {
    skip(skipped !== null, skipped ?? undefined);
    const ran = await window.evaluate(() => {
      const page = globalThis as unknown as PageGlobals;
      const script = page.document.createElement('script');
      script.textContent = 'globalThis.inlineScriptRan = true';
      page.document.head.append(script);
      return page.inlineScriptRan ?? false;
    });
    expect(ran).toBe(false);
  });
});
