/**
 * Step 4: the virtual machine written around the disk (its name and hardware, starting at what
 * suits the system found on it), or a brief word that the disk alone is written.
 */
import { NameField } from '../components/NameField.js';
import { Notice } from '../components/Notice.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { useI18n } from '../i18n/i18n-context.js';
import { machineOf } from '../model/targets.js';
import { useWizard } from '../store/wizard-context.js';
import { GuestSummary } from './GuestSummary.js';
import { MachineHardware } from './MachineHardware.js';

export function CustomizeScreen() {
  const { t } = useI18n();
  const machine = useWizard((s) => machineOf(s.target));
  const goTo = useWizard((s) => s.goTo);
  if (machine === undefined) {
    return (
      <>
        <ScreenTitle lead={t.customize.diskLead}>{t.customize.title}</ScreenTitle>
        <GuestSummary withDefaults={false} />
        <section className="section">
          <NameField label={t.customize.outputName} hint={t.customize.outputNameHint} />
        </section>
        <Notice tone="info" title={t.customize.diskOnlyTitle}>
          <p>{t.customize.diskOnlyText}</p>
          <button type="button" className="button" onClick={() => goTo('destination')}>
            {t.customize.chooseHypervisor}
          </button>
        </Notice>
      </>
    );
  }
  return (
    <>
      <ScreenTitle lead={t.customize.lead(t.targets[machine].name)}>
        {t.customize.title}
      </ScreenTitle>
      <GuestSummary withDefaults />
      <section className="section">
        <NameField label={t.customize.name} hint={t.customize.nameHint} />
      </section>
      <MachineHardware />
    </>
  );
}
