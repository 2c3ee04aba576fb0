// @vitest-environment happy-dom
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '@testing-library/react';
import { renderWith, settle } from '../test-support/render.js';
import { GPT_IMAGE } from '../test-support/fixtures.js';
import { App } from './App.js';

afterEach(cleanup);

describe('the wizard', () => {
  it('keeps Next disabled until a source has been chosen and read', async () => {
    const { user } = renderWith(<App />);
    await settle();
    const next = screen.getByRole('button', { name: 'Next' });
    expect(next).toHaveProperty('disabled', true);
    expect(screen.getByRole('button', { name: 'Back' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('radio', { name: "SanDisk' Cruzer Fit" }));
    await settle();
    expect(next).toHaveProperty('disabled', false);
  });

  it('walks every step to the Summary and converts', async () => {
    const { user, api } = renderWith(<App />);
    await settle();
    await user.click(screen.getByRole('radio', { name: 'Disk image or virtual disk file' }));
    await user.type(
      screen.getByRole('textbox', { name: 'Image or virtual disk file' }),
      `${GPT_IMAGE}{Enter}`,
    );
    await settle();
    expect(screen.getByRole('table', { name: 'Partitions' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('heading', { level: 2, name: 'Choose the destination' })).toBeTruthy();
    await user.click(screen.getByRole('radio', { name: 'OVF / OVA package' }));
    await user.click(screen.getByRole('checkbox', { name: /Single .ova file/ }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('heading', { level: 2, name: 'Volumes' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByRole('heading', { level: 2, name: 'Customize' })).toBeTruthy();
    await settle();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Network adapter' }), 'VmxNet3');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await settle();
    expect(screen.getByRole('heading', { level: 2, name: 'Summary' })).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: /Verify the copy/ }));
    // The estimated time counts the read back: the plan is asked again once the choices rest.
    await waitFor(() =>
      expect(api.callsTo('plan').at(-1)).toMatchObject({ spec: { verify: true } }),
    );
    await settle();
    await user.click(screen.getByRole('button', { name: 'Convert' }));
    await settle();
    expect(api.callsTo('startJob')).toEqual([
      {
        spec: {
          source: GPT_IMAGE,
          destination: '/home/ada/laptop.ova',
          format: 'vmdk-stream',
          allBlocks: false,
          thick: false,
          compress: false,
          force: false,
          verify: true,
          machine: 'ovf',
          hardware: { nic: 'VmxNet3' },
        },
      },
    ]);
    expect(screen.getByRole('heading', { level: 2, name: 'Waiting to start' })).toBeTruthy();
    const steps = screen.getByRole('navigation', { name: 'Conversion steps' });
    expect(within(steps).getByRole('button', { current: 'step' }).textContent).toContain(
      'Progress',
    );
  });

  it('moves the focus to the new screen’s heading', async () => {
    const { user } = renderWith(<App />);
    await settle();
    await user.click(screen.getByRole('radio', { name: 'Samsung SSD 970 EVO 2TB' }));
    await settle();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(document.activeElement).toBe(
      screen.getByRole('heading', { level: 2, name: 'Choose the destination' }),
    );
  });

  it('asks before discarding the choices, and starts over when told to', async () => {
    const { user, store } = renderWith(<App />);
    await settle();
    await user.click(screen.getByRole('radio', { name: 'Samsung SSD 970 EVO 2TB' }));
    await settle();
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    const dialog = screen.getByRole('dialog', { name: 'Discard this conversion?' });
    expect(document.activeElement).toBe(
      within(dialog).getByRole('button', { name: 'Keep editing' }),
    );
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(store.getState().step).toBe('destination');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getByRole('button', { name: 'Discard' }));
    expect(store.getState()).toMatchObject({ step: 'source', source: null });
  });

  it('speaks French, and switches language from the header', async () => {
    const { user } = renderWith(<App />, { language: 'fr' });
    await settle();
    expect(screen.getByRole('heading', { level: 2, name: 'Choisir la source' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Suivant' })).toBeTruthy();
    expect(screen.getByText('Disque système — clonage à chaud')).toBeTruthy();
    expect(screen.getByText('1,82 Tio · NVMe · /dev/nvme0n1')).toBeTruthy();
    expect(document.documentElement.lang).toBe('fr');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Langue' }), 'en');
    expect(screen.getByRole('heading', { level: 2, name: 'Choose the source' })).toBeTruthy();
  });

  it('shows the job history from the header', async () => {
    const { user } = renderWith(<App />);
    await settle();
    await user.click(screen.getByRole('button', { name: 'Jobs' }));
    await settle();
    expect(screen.getByRole('heading', { level: 2, name: 'Jobs' })).toBeTruthy();
    expect(screen.getByText('No conversions yet.')).toBeTruthy();
  });
});
