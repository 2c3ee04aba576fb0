/** Step 2: which hypervisor the disk is for, in which format, in which folder, under which name. */
import { ChoiceCard } from '../components/ChoiceCard.js';
import { NameField } from '../components/NameField.js';
import { PathField } from '../components/PathField.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { useI18n } from '../i18n/i18n-context.js';
import { TARGETS, supportsCompression, targetById } from '../model/targets.js';
import { destinationPath } from '../store/job-spec.js';
import { useWizard } from '../store/wizard-context.js';
import { FreeSpace } from './FreeSpace.js';

export function DestinationScreen() {
  const { t } = useI18n();
  const target = useWizard((s) => s.target);
  const chooseTarget = useWizard((s) => s.chooseTarget);
  return (
    <>
      <ScreenTitle lead={t.destination.lead}>{t.destination.title}</ScreenTitle>
      <fieldset className="choice-grid">
        <legend className="section-legend">{t.destination.targetLegend}</legend>
        {TARGETS.map(({ id }) => (
          <ChoiceCard
            key={id}
            name="target"
            value={id}
            checked={id === target}
            onSelect={() => chooseTarget(id)}
            title={t.targets[id].name}
            description={t.targets[id].format}
          >
            <span className="choice-note">{t.targets[id].diskOnly}</span>
          </ChoiceCard>
        ))}
      </fieldset>
      <FormatOptions />
      <Location />
    </>
  );
}

function FormatOptions() {
  const { t } = useI18n();
  const target = useWizard((s) => s.target);
  const format = useWizard((s) => s.format);
  const compress = useWizard((s) => s.compress);
  const chooseFormat = useWizard((s) => s.chooseFormat);
  const setCompress = useWizard((s) => s.setCompress);
  const { formats } = targetById(target);
  return (
    <section className="section" aria-labelledby="format-title">
      <h3 id="format-title">{t.destination.formatTitle}</h3>
      {formats.length > 1 ? (
        <fieldset className="choice-grid two">
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
        <label className="check">
          <input
            type="checkbox"
            checked={compress}
            onChange={(event) => setCompress(event.target.checked)}
          />
          <span>
            {t.destination.compress}
            <span className="field-hint">{t.destination.compressHint}</span>
          </span>
        </label>
      )}
    </section>
  );
}

function Location() {
  const { t } = useI18n();
  const folder = useWizard((s) => s.folder);
  const setFolder = useWizard((s) => s.setFolder);
  const checkFolder = useWizard((s) => s.checkFolder);
  const path = useWizard(destinationPath);
  return (
    <section className="section" aria-labelledby="location-title">
      <h3 id="location-title">{t.destination.locationTitle}</h3>
      <PathField
        label={t.destination.folder}
        value={folder}
        mode="folder"
        browseTitle={t.destination.folderBrowseTitle}
        error={folder.trim() === '' ? t.destination.folderMissing : null}
        onChange={setFolder}
        onBlur={() => void checkFolder()}
        onChoose={(chosen) => {
          setFolder(chosen);
          void checkFolder();
        }}
      />
      <FreeSpace />
      <NameField label={t.destination.fileName} />
      {path !== null && (
        <p className="muted">
          {t.destination.willWrite} <span className="mono">{path}</span>
        </p>
      )}
    </section>
  );
}
