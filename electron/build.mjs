/**
 * Builds the Electron side into dist/electron: main.js and elevated-bridge.js as ES modules,
 * preload.cjs as one CommonJS file (a sandboxed preload can require nothing but `electron`).
 * The engine host is built by tsc with the rest of the engine; the renderer by Vite.
 * Run as a script; tests import the options to build in memory.
 */
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Electron 38 runs Node 22 and Chromium 140.
const common = {
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
};
const nodeSide = {
  ...common,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  packages: 'external',
};

export const mainBuild = {
  ...nodeSide,
  entryPoints: ['electron/main.ts'],
  outfile: 'dist/electron/main.js',
};
export const bridgeBuild = {
  ...nodeSide,
  entryPoints: ['electron/elevated-bridge-main.ts'],
  outfile: 'dist/electron/elevated-bridge.js',
};
export const preloadBuild = {
  ...common,
  platform: 'browser',
  target: 'chrome140',
  format: 'cjs',
  external: ['electron'],
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await Promise.all([mainBuild, bridgeBuild, preloadBuild].map((options) => build(options)));
}
