/** The Customize screen's note of the system found on the source, which the defaults suit. */
import { useI18n } from '../i18n/i18n-context.js';
import { guestText } from '../i18n/guest-text.js';
import { useWizard } from '../store/wizard-context.js';

export function GuestSummary({ withDefaults }: { withDefaults: boolean }) {
  const { t } = useI18n();
  const guest = useWizard((s) =>
    s.inspection.status === 'ready' ? s.inspection.value.guest : null,
  );
  return (
    <section className="card guest-card" aria-labelledby="guest-title">
      <h3 id="guest-title">{t.customize.guestTitle}</h3>
      <p className={guest ? 'guest-name' : 'muted'}>
        {guest ? guestText(guest, t) : t.customize.noGuest}
      </p>
      {withDefaults && (
        <p className="field-hint">{guest ? t.customize.suitsGuest : t.customize.suitsAny}</p>
      )}
    </section>
  );
}
