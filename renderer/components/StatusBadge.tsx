/** A job's state as a coloured word. */
import type { JobState } from '../../shared/api.js';
import { useI18n } from '../i18n/i18n-context.js';

export function StatusBadge({ state }: { state: JobState }) {
  const { t } = useI18n();
  return <span className={`badge status status-${state}`}>{t.states[state]}</span>;
}
