/** The one way the renderer reaches the engine: Electron's preload, else the console's WebSocket. */
import type { FerryApi } from '../../shared/api.js';
import { createSocketFerry } from './socket-ferry.js';

declare global {
  interface Window {
    /** Set by Electron's preload; absent in the browser console. */
    ferry?: FerryApi;
  }
}

let socketFerry: FerryApi | null = null;

export function getFerry(): FerryApi {
  if (window.ferry) return window.ferry;
  socketFerry ??= createSocketFerry({ url: apiUrl(window.location) });
  return socketFerry;
}

/** The API endpoint of the server that served this page. */
export function apiUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api`;
}
