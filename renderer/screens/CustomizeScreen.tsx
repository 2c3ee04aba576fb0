/** Step 4: what can be customised today (the output's name), and plainly what cannot yet. */
import { NameField } from '../components/NameField.js';
import { Notice } from '../components/Notice.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { useI18n } from '../i18n/i18n-context.js';

export function CustomizeScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle lead={t.customize.lead}>{t.customize.title}</ScreenTitle>
      <section className="section">
        <NameField label={t.customize.name} hint={t.customize.nameHint} />
      </section>
      <Notice tone="info" title={t.customize.comingTitle}>
        <p>{t.customize.comingText}</p>
        <ul>
          {t.customize.comingItems.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
        <p>{t.customize.meanwhile}</p>
      </Notice>
    </>
  );
}
