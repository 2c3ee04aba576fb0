// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShellApi } from '../../shared/api.js';
import { WizardFooter } from '../app/WizardFooter.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { DISK_SPEC, SPEC, jobFor } from '../test-support/fixtures.js';
import { renderWith, settle } from '../test-support/render.js';
import { storeAt } from '../test-support/wizard-at.js';
import { ProgressScreen } from './ProgressScreen.js';

afterEach(cleanup);

function fakeShell(): ShellApi {
  return {
    chooseFile: vi.fn(async () => null),
    chooseFolder: vi.fn(async () => null),
    showInFolder: vi.fn(async () => undefined),
    setProgress: vi.fn(),
  };
}

async function renderProgress(api = new FakeFerry(), language: 'en' | 'fr' = 'en') {
  const store = await storeAt('progress', api);
  return renderWith(
    <>
      <ProgressScreen />
      <WizardFooter />
    </>,
    { api, store, language },
  );
}

const copying = jobFor(SPEC, { state: 'copying' });
const progress = { done: 3014656, total: 12058624, rate: 1572864, eta: 5.75 };

describe('the Progress screen', () => {
  it('follows phase, bar, rate, time left and log as events arrive', async () => {
    const { emit } = await renderProgress();
    const bar = screen.getByRole('progressbar', { name: 'Conversion progress' });
    expect(bar.getAttribute('aria-valuenow')).toBeNull();
    expect(screen.getByRole('heading', { level: 2, name: 'Waiting to start' })).toBeTruthy();

    emit({ type: 'jobState', job: copying });
    emit({ type: 'jobProgress', id: copying.id, progress });
    emit({
      type: 'jobLog',
      id: copying.id,
      line: { at: '2025-11-25T20:15:02.000Z', level: 'warning', message: 'the source is mounted' },
    });
    expect(screen.getByRole('heading', { level: 2, name: 'Converting' })).toBeTruthy();
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(bar.getAttribute('aria-valuetext')).toBe('25 % · 2.88 MiB of 11.5 MiB');
    expect(screen.getByText('1.50 MiB/s')).toBeTruthy();
    expect(screen.getByText('6 s')).toBeTruthy();
    const log = screen.getByRole('log', { name: 'Log' });
    expect(within(log).getByText('the source is mounted')).toBeTruthy();
    expect(within(log).getByText('warning')).toBeTruthy();
  });

  it('asks before cancelling, and cancels only when confirmed', async () => {
    const { user, api, emit } = await renderProgress();
    emit({ type: 'jobState', job: copying });
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    const dialog = screen.getByRole('dialog', { name: 'Stop this conversion?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep converting' }));
    expect(api.callsTo('cancelJob')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getByRole('button', { name: 'Stop conversion' }));
    await settle();
    expect(api.callsTo('cancelJob')).toEqual([{ id: 'job-1' }]);
    expect(screen.getByRole('heading', { level: 2, name: 'Conversion cancelled' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  it('in Electron, opens the folder of the result and clears the taskbar progress', async () => {
    const shell = fakeShell();
    const { user, emit } = await renderProgress(new FakeFerry({}, shell));
    emit({ type: 'jobProgress', id: copying.id, progress });
    expect(shell.setProgress).toHaveBeenLastCalledWith(0.25);
    emit({
      type: 'jobState',
      job: {
        ...copying,
        state: 'done',
        files: [SPEC.destination],
        bytes: 12189696,
        finishedAt: '2025-11-25T20:15:09.000Z',
      },
    });
    expect(shell.setProgress).toHaveBeenLastCalledWith(null);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(screen.getByText('1 file written, 11.6 MiB on disk.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Open folder' }));
    expect(shell.showInFolder).toHaveBeenCalledWith(SPEC.destination);
    expect(screen.getByRole('button', { name: 'New conversion' })).toBeTruthy();
  });

  it('in a browser, shows the path of the result with a button that copies it', async () => {
    const { user, emit } = await renderProgress();
    emit({
      type: 'jobState',
      job: { ...copying, state: 'done', files: [SPEC.destination], bytes: 12189696 },
    });
    expect(screen.queryByRole('button', { name: 'Open folder' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Copy path' }));
    // user-event stands in for the system clipboard.
    expect(await navigator.clipboard.readText()).toBe(SPEC.destination);
    expect(screen.getByText('Copied.')).toBeTruthy();
  });

  it('says where the machine is and how to start it, and copies its definition’s path', async () => {
    const { user, emit } = await renderProgress();
    const spec = {
      ...SPEC,
      destination: '/home/ada/laptop.qcow2',
      format: 'qcow2',
      machine: 'libvirt',
    } as const;
    const files = ['/home/ada/laptop.qcow2', '/home/ada/laptop.xml'];
    emit({ type: 'jobState', job: { ...copying, spec, state: 'done', files, bytes: 12189696 } });
    expect(screen.getByText('The virtual machine is ready')).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual(files);
    expect(
      screen.getByText('Define it with virsh define, then start it from virt-manager or virsh.'),
    ).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Copy path' }));
    expect(await navigator.clipboard.readText()).toBe('/home/ada/laptop.xml');
  });

  it('says the disk alone is ready when no machine was written', async () => {
    const { emit } = await renderProgress();
    emit({
      type: 'jobState',
      job: { ...copying, spec: DISK_SPEC, state: 'done', files: [DISK_SPEC.destination] },
    });
    expect(screen.getByText('The virtual disk is ready')).toBeTruthy();
    expect(
      screen.getByText('Now create a virtual machine in your hypervisor and attach this disk.'),
    ).toBeTruthy();
  });

  it('shows why a job failed', async () => {
    const { emit } = await renderProgress();
    emit({
      type: 'jobState',
      job: {
        ...copying,
        state: 'failed',
        error: { code: 'IO', message: '/home/ada: no space left on device' },
      },
    });
    expect(screen.getByRole('alert').textContent).toContain(
      '/home/ada: no space left on device (IO)',
    );
  });

  it('reads in French', async () => {
    const { emit } = await renderProgress(new FakeFerry(), 'fr');
    emit({ type: 'jobState', job: copying });
    emit({ type: 'jobProgress', id: copying.id, progress });
    expect(screen.getByRole('heading', { level: 2, name: 'Conversion en cours' })).toBeTruthy();
    expect(
      screen
        .getByRole('progressbar', { name: 'Progression de la conversion' })
        .getAttribute('aria-valuetext'),
    ).toBe('25 % · 2,88 Mio sur 11,5 Mio');
    expect(screen.getByRole('button', { name: 'Annuler' })).toBeTruthy();
  });
});
