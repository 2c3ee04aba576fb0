/**
 * Step 2: what is written (a hypervisor's machine around the disk, or the disk alone), in which
 * disk format, in which folder, under which name.
 */
import { ChoiceCard } from '../components/ChoiceCard.js';
import { NameField } from '../components/NameField.js';
import { PathField } from '../components/PathField.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { useI18n } from '../i18n/i18n-context.js';
import { expectedFiles } from '../model/output-files.js';
import { TARGET_IDS, machineOf } from '../model/targets.js';
import { destinationPath } from '../store/job-spec.js';
import { useWizard } from '../store/wizard-context.js';
import { FormatOptions } from './FormatOptions.js';
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
        {TARGET_IDS.map((id) => (
          <ChoiceCard
            key={id}
            name="target"
            value={id}
            checked={id === target}
            onSelect={() => chooseTarget(id)}
            title={t.targets[id].name}
            description={t.targets[id].description}
          >
            <span className="choice-note">{t.targets[id].note}</span>
          </ChoiceCard>
        ))}
      </fieldset>
      <FormatOptions />
      <Location />
    </>
  );
}

function Location() {
  const { t } = useI18n();
  const folder = useWizard((s) => s.folder);
  const setFolder = useWizard((s) => s.setFolder);
  const checkFolder = useWizard((s) => s.checkFolder);
  const name = useWizard((s) => s.name);
  const target = useWizard((s) => s.target);
  const format = useWizard((s) => s.format);
  const ova = useWizard((s) => s.ova);
  const path = useWizard(destinationPath);
  const machine = machineOf(target);
  const files =
    path === null ? null : expectedFiles(folder.trim(), name.trim(), { target, format, ova });
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
      {machine ? (
        <NameField label={t.destination.machineName} hint={t.destination.machineNameHint} />
      ) : (
        <NameField label={t.destination.fileName} />
      )}
      {files !== null && (
        <div className="will-write">
          <p className="muted" id="will-write-title">
            {t.destination.willWrite}
          </p>
          <ul className="file-list" aria-labelledby="will-write-title">
            {files.map((file) => (
              <li key={file} className="mono">
                {file}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
