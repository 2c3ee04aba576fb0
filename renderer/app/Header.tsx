/** The top bar: the app, the two views, the language. */
import { useI18n } from '../i18n/i18n-context.js';
import { LANGUAGES, type Language } from '../i18n/language.js';
import { isFinished } from '../store/jobs.js';
import { useWizard } from '../store/wizard-context.js';

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'Français' };

export function Header() {
  const { t, language, setLanguage } = useI18n();
  const view = useWizard((s) => s.view);
  const showView = useWizard((s) => s.showView);
  const running = useWizard((s) => s.jobs.filter((job) => !isFinished(job.state)).length);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <h1>Ferry</h1>
        <span className="brand-tagline">{t.app.tagline}</span>
      </div>
      <nav className="app-nav" aria-label={t.app.navLabel}>
        <button
          type="button"
          className="nav-button"
          aria-current={view === 'wizard' ? 'page' : undefined}
          onClick={() => showView('wizard')}
        >
          {t.app.conversion}
        </button>
        <button
          type="button"
          className="nav-button"
          aria-current={view === 'jobs' ? 'page' : undefined}
          onClick={() => showView('jobs')}
        >
          {t.app.jobs}
          {running > 0 && (
            <span className="count" aria-label={t.app.running(running)}>
              {running}
            </span>
          )}
        </button>
      </nav>
      <label className="language">
        <span>{t.app.language}</span>
        <select
          className="select"
          value={language}
          onChange={(event) => setLanguage(event.target.value as Language)}
        >
          {LANGUAGES.map((code) => (
            <option key={code} value={code} lang={code}>
              {LANGUAGE_NAMES[code]}
            </option>
          ))}
        </select>
      </label>
    </header>
  );
}
