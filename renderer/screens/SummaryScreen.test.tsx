// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { WizardFooter } from '../app/WizardFooter.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { SPEC, planFor } from '../test-support/fixtures.js';
import { renderWith, settle } from '../test-support/render.js';
import { storeAt } from '../test-support/wizard-at.js';
import { SummaryScreen } from './SummaryScreen.js';

afterEach(cleanup);

async function renderSummary(api = new FakeFerry(), language: 'en' | 'fr' = 'en') {
  const store = await storeAt('summary', api);
  return renderWith(
    <>
      <SummaryScreen />
      <WizardFooter />
    </>,
    { api, store, language },
  );
}

function facts(section: HTMLElement): Record<string, string> {
  const entries = within(section)
    .getAllByRole('term')
    .map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? '']);
  return Object.fromEntries(entries);
}

describe('the Summary screen', () => {
  it('shows every choice and the engine’s plan', async () => {
    await renderSummary();
    const choices = screen.getByRole('region', { name: 'Your choices' });
    expect(facts(choices)).toEqual({
      Source: '/home/ada/images/laptop.img',
      'Source disk': '64 MiB · GPT · 3 partitions',
      Platform: 'VMware Workstation / Player',
      Format: 'VMDK, growable',
      Destination: '/home/ada/laptop.vmdk',
      Copy: 'Used blocks only',
      Allocation: 'Thin',
    });
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(facts(plan)).toEqual({
      'Virtual disk size': '64 MiB',
      'Data to read': '11.5 MiB',
      'Estimated output size': '11.6 MiB',
      'Free in the folder': '100 GiB',
    });
    expect(within(plan).getByText('/home/ada/laptop.vmdk')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Convert' })).toHaveProperty('disabled', false);
  });

  it('lists existing files and converts only once replacing them is allowed', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => planFor({ ...SPEC, ...spec }, ['/home/ada/laptop.vmdk']),
    });
    const { user } = await renderSummary(api);
    expect(screen.getByText('These files exist already')).toBeTruthy();
    const convert = screen.getByRole('button', { name: 'Convert' });
    expect(convert).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('checkbox', { name: 'Replace existing files' }));
    expect(convert).toHaveProperty('disabled', false);
    await user.click(convert);
    await settle();
    expect(api.callsTo('startJob')).toEqual([{ spec: { ...SPEC, force: true } }]);
  });

  it('shows the plan’s warnings, and why no plan could be made with a way to retry', async () => {
    let attempts = 0;
    const api = new FakeFerry({
      plan: ({ spec }) => {
        attempts++;
        if (attempts === 1) throw new Error('/home/ada/images/laptop.img: permission denied');
        return { ...planFor({ ...SPEC, ...spec }), warnings: ['the GPT backup header is missing'] };
      },
    });
    const { user } = await renderSummary(api);
    expect(screen.getByRole('alert').textContent).toContain('permission denied');
    expect(screen.getByRole('button', { name: 'Convert' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await settle();
    expect(screen.getByText('the GPT backup header is missing')).toBeTruthy();
  });

  it('reads in French', async () => {
    await renderSummary(new FakeFerry(), 'fr');
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(facts(plan)['Données à lire']).toBe('11,5 Mio');
    expect(screen.getByRole('button', { name: 'Convertir' })).toBeTruthy();
  });
});
