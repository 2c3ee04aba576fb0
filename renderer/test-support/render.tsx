/** Renders the app, or one screen, around a fake engine, as the tests need it. */
import { act, render, type RenderResult } from '@testing-library/react';
import { userEvent, type UserEvent } from '@testing-library/user-event';
import type { ReactElement } from 'react';
import type { FerryEvent } from '../../shared/api.js';
import { I18nProvider } from '../i18n/i18n-context.js';
import type { Language } from '../i18n/language.js';
import { WizardProvider } from '../store/wizard-context.js';
import { createWizardStore, type WizardStore } from '../store/wizard-store.js';
import { FakeFerry } from './fake-ferry.js';

export interface Rendered extends RenderResult {
  api: FakeFerry;
  store: WizardStore;
  user: UserEvent;
  /** Pushes an engine event and lets React render it. */
  emit(event: FerryEvent): void;
}

export function renderWith(
  ui: ReactElement,
  options: { api?: FakeFerry; store?: WizardStore; language?: Language } = {},
): Rendered {
  const api = options.api ?? new FakeFerry();
  const store = options.store ?? createWizardStore(api);
  const user = userEvent.setup();
  const result = render(
    <I18nProvider initial={options.language ?? 'en'}>
      <WizardProvider store={store} api={api}>
        {ui}
      </WizardProvider>
    </I18nProvider>,
  );
  return {
    ...result,
    api,
    store,
    user,
    emit: (event) => act(() => api.emit(event)),
  };
}

/** Lets pending promises of the fake engine settle and React render their results. */
export async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}
