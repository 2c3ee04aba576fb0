/** Where the built pieces lie relative to dist/electron/main.js; build.mjs and tsc put them there. */
import { join } from 'node:path';

export interface AppFiles {
  rendererRoot: string;
  preload: string;
  hostScript: string;
  bridgeScript: string;
}

export function appFiles(mainDir: string): AppFiles {
  return {
    rendererRoot: join(mainDir, '..', 'renderer'),
    preload: join(mainDir, 'preload.cjs'),
    hostScript: join(mainDir, '..', 'engine', 'rpc', 'host.js'),
    bridgeScript: join(mainDir, 'elevated-bridge.js'),
  };
}
