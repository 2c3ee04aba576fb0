/** Hands the wizard store and the FerryApi it talks to down the component tree. */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { FerryApi } from '../../shared/api.js';
import type { WizardState, WizardStore } from './wizard-store.js';

interface WizardContextValue {
  store: WizardStore;
  api: FerryApi;
}

const WizardContext = createContext<WizardContextValue | null>(null);

export function WizardProvider({
  store,
  api,
  children,
}: WizardContextValue & { children: ReactNode }) {
  const value = useMemo(() => ({ store, api }), [store, api]);
  return <WizardContext.Provider value={value}>{children}</WizardContext.Provider>;
}

function useWizardContext(): WizardContextValue {
  const value = useContext(WizardContext);
  if (!value) throw new Error('wizard hooks used outside WizardProvider');
  return value;
}

export function useWizard<T>(selector: (state: WizardState) => T): T {
  return useStore(useWizardContext().store, selector);
}

/** For what the store does not hold: native dialogs, folder listings of the browse dialog. */
export function useFerry(): FerryApi {
  return useWizardContext().api;
}
