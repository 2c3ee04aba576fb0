/** Starts the wizard on the FerryApi of wherever it runs: Electron's preload or the console's socket. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getFerry } from './api/ferry.js';
import { App } from './app/App.js';
import { I18nProvider } from './i18n/i18n-context.js';
import { detectLanguage } from './i18n/language.js';
import { WizardProvider } from './store/wizard-context.js';
import { createWizardStore } from './store/wizard-store.js';
import './styles/app.css';

const api = getFerry();
const store = createWizardStore(api);
const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <I18nProvider initial={detectLanguage(navigator.language)}>
      <WizardProvider store={store} api={api}>
        <App />
      </WizardProvider>
    </I18nProvider>
  </StrictMode>,
);
