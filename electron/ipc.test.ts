import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from './channels.js';

// Electron's binary is not needed: ipc.ts sees this fake of the parts it uses.
const electron = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  listeners: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  showItemInFolder: vi.fn(),
  showOpenDialog: vi.fn(),
}));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) =>
      electron.handlers.set(channel, handler),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => unknown) =>
      electron.listeners.set(channel, listener),
  },
  shell: { showItemInFolder: electron.showItemInFolder },
  dialog: { showOpenDialog: electron.showOpenDialog },
}));

const { isRequestName, progressBarValue, registerIpc } = await import('./ipc.js');

const webContents = {};
const window = { webContents, setProgressBar: vi.fn() };
const host = { request: vi.fn(async () => ({ kind: 'result', id: 1, result: [] })) };
const fromApp = { sender: webContents, senderFrame: { url: 'ferry://app/index.html' } };

function invoke(channel: string, event: unknown, ...args: unknown[]): unknown {
  return electron.handlers.get(channel)!(event, ...args);
}

beforeEach(() => {
  vi.clearAllMocks();
  registerIpc(window as never, host as never);
});

describe('registerIpc', () => {
  it('forwards requests from the app page to the engine host unchanged', async () => {
    const params = { source: '/dev/sda' };
    await expect(invoke(CHANNELS.request, fromApp, 'inspect', params)).resolves.toEqual({
      kind: 'result',
      id: 1,
      result: [],
    });
    expect(host.request).toHaveBeenCalledWith('inspect', params);
  });

  it('refuses calls from any other page or frame', () => {
    for (const event of [
      { sender: webContents, senderFrame: { url: 'https://example.com/' } },
      { sender: webContents, senderFrame: null },
      { sender: {}, senderFrame: { url: 'ferry://app/index.html' } },
    ]) {
      expect(() => invoke(CHANNELS.request, event, 'listDisks', {})).toThrow(/refused/);
      expect(() => invoke(CHANNELS.showInFolder, event, '/tmp')).toThrow(/refused/);
    }
    electron.listeners.get(CHANNELS.setProgress)!({ sender: {}, senderFrame: null }, 0.5);
    expect(host.request).not.toHaveBeenCalled();
    expect(window.setProgressBar).not.toHaveBeenCalled();
  });

  it('answers an unknown request name itself', () => {
    expect(invoke(CHANNELS.request, fromApp, 'formatDisk', {})).toMatchObject({
      kind: 'error',
      error: { code: 'USAGE', message: expect.stringContaining('unknown request "formatDisk"') },
    });
    expect(host.request).not.toHaveBeenCalled();
  });

  it('shows only absolute paths in the file manager', () => {
    invoke(CHANNELS.showInFolder, fromApp, 'relative/path');
    invoke(CHANNELS.showInFolder, fromApp, { path: '/tmp' });
    expect(electron.showItemInFolder).not.toHaveBeenCalled();
    invoke(CHANNELS.showInFolder, fromApp, '/tmp/a.vmdk');
    expect(electron.showItemInFolder).toHaveBeenCalledWith('/tmp/a.vmdk');
  });

  it('returns the chosen file, or null when the dialog was cancelled', async () => {
    electron.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/a.img'] });
    await expect(invoke(CHANNELS.chooseFile, fromApp, { title: 'Source' })).resolves.toBe(
      '/tmp/a.img',
    );
    expect(electron.showOpenDialog).toHaveBeenCalledWith(window, {
      title: 'Source',
      properties: ['openFile'],
    });
    electron.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    await expect(invoke(CHANNELS.chooseFolder, fromApp, { title: 7 })).resolves.toBeNull();
  });

  it('sets the taskbar progress', () => {
    electron.listeners.get(CHANNELS.setProgress)!(fromApp, 0.25);
    electron.listeners.get(CHANNELS.setProgress)!(fromApp, null);
    expect(window.setProgressBar.mock.calls).toEqual([[0.25], [-1]]);
  });
});

describe('argument checks', () => {
  it('knows the request names of shared/api.ts only', () => {
    expect(isRequestName('listDisks')).toBe(true);
    expect(isRequestName('toString')).toBe(false);
    expect(isRequestName(1)).toBe(false);
  });

  it('keeps progress within 0..1, anything else removes the bar', () => {
    expect(progressBarValue(0)).toBe(0);
    expect(progressBarValue(1)).toBe(1);
    for (const value of [null, -0.1, 1.5, Number.NaN, '0.5'])
      expect(progressBarValue(value)).toBe(-1);
  });
});
