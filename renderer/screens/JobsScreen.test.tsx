// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/api.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { DISK_SPEC, SPEC, jobFor } from '../test-support/fixtures.js';
import { renderWith, settle } from '../test-support/render.js';
import { JobsScreen } from './JobsScreen.js';

afterEach(cleanup);

const DONE = jobFor(SPEC, {
  id: 'job-1',
  state: 'done',
  createdAt: '2025-11-24T09:00:00.000Z',
  finishedAt: '2025-11-24T09:02:00.000Z',
  files: [SPEC.destination],
  bytes: 12189696,
});
const FAILED = jobFor(
  { ...DISK_SPEC, destination: '/mnt/usb/desktop.vhdx', format: 'vhdx' },
  {
    id: 'job-2',
    state: 'failed',
    createdAt: '2025-11-25T10:00:00.000Z',
    error: { code: 'IO', message: '/mnt/usb: no space left on device' },
  },
);
const LOGS: Record<string, LogLine[]> = {
  'job-1': [{ at: '2025-11-24T09:00:01.000Z', level: 'info', message: 'copied 11.5 MiB' }],
  'job-2': [{ at: '2025-11-25T10:00:05.000Z', level: 'error', message: 'write failed' }],
};

async function renderJobs(language: 'en' | 'fr' = 'en') {
  const api = new FakeFerry({ listJobs: () => [DONE, FAILED], jobLog: ({ id }) => LOGS[id] ?? [] });
  const rendered = renderWith(<JobsScreen />, { api, language });
  await rendered.store.getState().loadJobs();
  await settle();
  return rendered;
}

describe('the Jobs screen', () => {
  it('lists the jobs newest first with their status', async () => {
    await renderJobs();
    const list = screen.getByRole('list', { name: 'Conversions' });
    const buttons = within(list).getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).toEqual([
      expect.stringMatching(/^desktop\.vhdxFailed.*VHDX$/),
      expect.stringMatching(/^laptop\.vmdkDone.*VMDK, growable · VMware · 11\.6 MiB$/),
    ]);
  });

  it('shows a job’s details and log when chosen', async () => {
    const { user, api } = await renderJobs();
    await user.click(screen.getByRole('button', { name: /desktop\.vhdx/ }));
    await settle();
    expect(api.callsTo('jobLog')).toEqual([{ id: 'job-2' }]);
    expect(screen.getByRole('button', { name: /desktop\.vhdx/ }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(screen.getByRole('alert').textContent).toContain(
      '/mnt/usb: no space left on device (IO)',
    );
    const log = screen.getByRole('log', { name: 'Log of desktop.vhdx' });
    expect(within(log).getByText('write failed')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: /laptop\.vmdk/ }));
    await settle();
    expect(within(screen.getByRole('log')).getByText('copied 11.5 MiB')).toBeTruthy();
  });

  it('reads in French', async () => {
    await renderJobs('fr');
    expect(screen.getByRole('heading', { level: 2, name: 'Tâches' })).toBeTruthy();
    expect(screen.getByText('Échec')).toBeTruthy();
    expect(screen.getByText('Terminée')).toBeTruthy();
  });
});
