/**
 * The Destination screen's disk format: the ones the chosen hypervisor runs (every one for the
 * disk alone), qcow2's compression, and whether an OVF machine is packed as one .ova file.
 */
import { CheckField } from '../components/CheckField.js';
import { ChoiceCard } from '../components/ChoiceCard.js';
import { useI18n } from '../i18n/i18n-context.js';
import { formatsFor, machineOf, supportsCompression } from '../model/targets.js';
import { useWizard } from '../store/wizard-context.js';

export function FormatOptions() {
  const { t } = useI18n();
  const target = useWizard((s) => s.target);
  const format = useWizard((s) => s.format);
  const compress = useWizard((s) => s.compress);
  const ova = useWizard((s) => s.ova);
  const chooseFormat = useWizard((s) => s.chooseFormat);
  const setCompress = useWizard((s) => s.setCompress);
  const setOva = useWizard((s) => s.setOva);
  const formats = formatsFor(target);
  const machine = machineOf(target);
  return (
    <section className="section" aria-labelledby="format-title" aria-describedby="format-hint">
      <h3 id="format-title">{t.destination.formatTitle}</h3>
      <p id="format-hint" className="field-hint">
        {machine
          ? t.destination.machineFormats(t.targets[machine].short)
          : t.destination.diskFormats}
      </p>
      {formats.length > 1 ? (
        <fieldset className="choice-grid">
          <legend className="visually-hidden">{t.destination.variantLegend}</legend>
          {formats.map((name) => (
            <ChoiceCard
              key={name}
              compact
              name="format"
              value={name}
              checked={name === format}
              onSelect={() => chooseFormat(name)}
              title={t.formats[name].name}
              description={t.formats[name].description}
            />
          ))}
        </fieldset>
      ) : (
        <p>
          <strong>{t.formats[format].name}</strong> — {t.formats[format].description}
        </p>
      )}
      {supportsCompression(format) && (
        <CheckField
          checked={compress}
          onChange={setCompress}
          label={t.destination.compress}
          hint={t.destination.compressHint}
        />
      )}
      {target === 'ovf' && (
        <CheckField
          checked={ova}
          onChange={setOva}
          label={t.destination.ova}
          hint={t.destination.ovaHint}
        />
      )}
    </section>
  );
}
