import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { FerryApi, FerryEvent } from '../shared/api.js';
import { preloadBuild } from './build.mjs';
import { CHANNELS } from './channels.js';

let bundle: string;

beforeAll(async () => {
  const result = await build({
    ...preloadBuild,
    write: false,
    sourcemap: false,
    outfile: 'preload.cjs',
  });
  bundle = result.outputFiles[0]!.text;
});

/**
 * Runs the bundle as Electron runs a sandboxed preload: a plain script (not a module) whose
 * `require` knows `electron` and nothing else, here with a recording fake of it.
 */
function loadPreload(answer: (channel: string, args: unknown[]) => unknown = () => undefined) {
  const exposed: Record<string, unknown> = {};
  const calls: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        calls.push({ channel, args });
        return answer(channel, args);
      },
      send: (channel: string, ...args: unknown[]) => void calls.push({ channel, args }),
      on: (channel: string, listener: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
      },
      removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
        listeners.get(channel)?.delete(listener),
    },
  };
  const required: string[] = [];
  const require = (id: string): unknown => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${id}`);
  };
  const module = { exports: {} };
  runInNewContext(bundle, { require, module, exports: module.exports });
  const emit = (event: FerryEvent): void =>
    listeners.get(CHANNELS.event)?.forEach((listener) => listener({}, event));
  return { ferry: exposed.ferry as FerryApi, exposed, required, calls, emit, listeners };
}

describe('preload', () => {
  it('is one CommonJS script that requires only electron and exposes only window.ferry', () => {
    const preload = loadPreload();
    expect(preload.required).toEqual(['electron']);
    expect(Object.keys(preload.exposed)).toEqual(['ferry']);
    expect(Object.keys(preload.ferry).sort()).toEqual(['onEvent', 'request', 'shell']);
    expect(Object.keys(preload.ferry.shell!).sort()).toEqual([
      'chooseFile',
      'chooseFolder',
      'setProgress',
      'showInFolder',
    ]);
  });

  it('sends requests over ferry:request and returns the result', async () => {
    const preload = loadPreload(() => ({ kind: 'result', id: 1, result: [{ path: '/dev/sda' }] }));
    await expect(preload.ferry.request('listDisks', {})).resolves.toEqual([{ path: '/dev/sda' }]);
    expect(preload.calls).toEqual([{ channel: 'ferry:request', args: ['listDisks', {}] }]);
  });

  it("rejects with an Error carrying the engine's message", async () => {
    const message = '/dev/sda: permission denied';
    const preload = loadPreload(() => ({
      kind: 'error',
      id: 1,
      error: { code: 'PERMISSION_DENIED', message },
    }));
    await expect(preload.ferry.request('inspect', { source: '/dev/sda' })).rejects.toMatchObject({
      message,
    });
  });

  it('delivers events until unsubscribed', () => {
    const preload = loadPreload();
    const listener = vi.fn();
    const unsubscribe = preload.ferry.onEvent(listener);
    preload.emit({ type: 'disksChanged' });
    unsubscribe();
    preload.emit({ type: 'disksChanged' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith({ type: 'disksChanged' });
    expect(preload.listeners.get(CHANNELS.event)?.size).toBe(0);
  });

  it('reaches the native dialogs, the file manager and the taskbar through the shell', async () => {
    const preload = loadPreload((channel) =>
      channel === CHANNELS.chooseFile ? '/tmp/a.img' : null,
    );
    const shell = preload.ferry.shell!;
    await expect(shell.chooseFile({ title: 'Source' })).resolves.toBe('/tmp/a.img');
    await expect(shell.chooseFolder({ title: 'Destination' })).resolves.toBeNull();
    await shell.showInFolder('/tmp/a.vmdk');
    shell.setProgress(0.5);
    shell.setProgress(null);
    expect(preload.calls).toEqual([
      { channel: CHANNELS.chooseFile, args: [{ title: 'Source' }] },
      { channel: CHANNELS.chooseFolder, args: [{ title: 'Destination' }] },
      { channel: CHANNELS.showInFolder, args: ['/tmp/a.vmdk'] },
      { channel: CHANNELS.setProgress, args: [0.5] },
      { channel: CHANNELS.setProgress, args: [null] },
    ]);
  });
});
