/** A store already at a given step, with the GPT image as source and /home/ada as folder. */
import { expect, vi } from 'vitest';
import { createWizardStore, type WizardOptions, type WizardStore } from '../store/wizard-store.js';
import type { Step } from '../store/wizard-state.js';
import { FakeFerry } from './fake-ferry.js';
import { GPT_IMAGE } from './fixtures.js';

export async function storeAt(
  step: Step,
  api: FakeFerry = new FakeFerry(),
  options: WizardOptions & { source?: string } = {},
): Promise<WizardStore> {
  const store = createWizardStore(api, options);
  store.getState().start();
  const s = store.getState();
  s.setSourceKind('image');
  s.setImagePath(options.source ?? GPT_IMAGE);
  await s.inspectImage();
  s.setFolder('/home/ada');
  await s.checkFolder();
  if (step === 'progress') {
    s.goTo('summary');
    await vi.waitFor(() => expect(store.getState().plan.status).toBe('ready'));
    await store.getState().convert();
  } else {
    s.goTo(step);
    if (step === 'volumes' || step === 'summary') await planSettled(store);
  }
  return store;
}

/** Waits until the engine has answered the latest plan request, whatever it answered. */
export async function planSettled(store: WizardStore): Promise<void> {
  await vi.waitFor(() => expect(store.getState().plan.status).not.toBe('loading'));
}
