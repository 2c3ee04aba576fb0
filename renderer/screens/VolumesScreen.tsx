/** Step 3: what each volume holds, how it is copied, and how the output is allocated. */
import { ChoiceCard } from '../components/ChoiceCard.js';
import { Notice } from '../components/Notice.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { UsageBar } from '../components/UsageBar.js';
import { useI18n } from '../i18n/i18n-context.js';
import { volumeRows, type VolumeRow } from '../model/volumes.js';
import { supportsThick } from '../model/targets.js';
import { useWizard } from '../store/wizard-context.js';
import { outputEstimate } from './FreeSpace.js';

export function VolumesScreen() {
  const { t, size } = useI18n();
  const inspection = useWizard((s) => s.inspection);
  const allBlocks = useWizard((s) => s.allBlocks);
  const estimate = useWizard(outputEstimate);
  const rows = inspection.status === 'ready' ? volumeRows(inspection.value, allBlocks) : [];
  return (
    <>
      <ScreenTitle lead={t.volumes.lead}>{t.volumes.title}</ScreenTitle>
      <VolumeTable rows={rows} />
      <Notice tone="info">
        <p>{t.volumes.inclusionNote}</p>
      </Notice>
      <CopyMode />
      <Allocation />
      {estimate !== null && (
        <p className="estimate">
          {t.volumes.estimate} <strong>{size(estimate)}</strong>
        </p>
      )}
    </>
  );
}

function VolumeTable({ rows }: { rows: VolumeRow[] }) {
  const { t, size } = useI18n();
  return (
    <div className="table-wrap card">
      <table className="table">
        <caption className="visually-hidden">{t.volumes.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.volumes.volume}</th>
            <th scope="col">{t.inspect.filesystem}</th>
            <th scope="col">{t.volumes.usage}</th>
            <th scope="col">{t.volumes.copied}</th>
            <th scope="col">{t.volumes.included}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const name =
              row.number === null ? t.volumes.wholeDisk : `#${row.number} · ${row.typeName ?? ''}`;
            const usage =
              row.usedBytes === null
                ? size(row.size)
                : t.usedOf(size(row.usedBytes), size(row.size));
            return (
              <tr key={row.key}>
                <th scope="row">{name}</th>
                <td>
                  {row.filesystem ? t.filesystems[row.filesystem] : t.volumes.unknownFilesystem}
                  {row.label && <span className="muted"> “{row.label}”</span>}
                </td>
                <td>
                  <div className="usage-cell">
                    {row.usedBytes !== null && (
                      <UsageBar
                        label={t.source.usageOf(name)}
                        used={row.usedBytes}
                        size={row.size}
                        text={usage}
                      />
                    )}
                    <span>{usage}</span>
                  </div>
                </td>
                <td>{row.copy === 'used' ? t.volumes.copiedUsed : t.volumes.copiedWhole}</td>
                <td>{t.volumes.yes}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CopyMode() {
  const { t } = useI18n();
  const allBlocks = useWizard((s) => s.allBlocks);
  const setAllBlocks = useWizard((s) => s.setAllBlocks);
  return (
    <fieldset className="choice-grid two">
      <legend className="section-legend">{t.volumes.copyLegend}</legend>
      <ChoiceCard
        compact
        name="copy-mode"
        value="used"
        checked={!allBlocks}
        onSelect={() => setAllBlocks(false)}
        title={t.volumes.usedBlocks}
        description={t.volumes.usedBlocksHint}
      />
      <ChoiceCard
        compact
        name="copy-mode"
        value="all"
        checked={allBlocks}
        onSelect={() => setAllBlocks(true)}
        title={t.volumes.everyBlock}
        description={t.volumes.everyBlockHint}
      />
    </fieldset>
  );
}

function Allocation() {
  const { t } = useI18n();
  const format = useWizard((s) => s.format);
  const thick = useWizard((s) => s.thick);
  const setThick = useWizard((s) => s.setThick);
  const thickPossible = supportsThick(format);
  return (
    <fieldset className="choice-grid two">
      <legend className="section-legend">{t.volumes.allocationLegend}</legend>
      <ChoiceCard
        compact
        name="allocation"
        value="thin"
        checked={!thick}
        onSelect={() => setThick(false)}
        title={t.volumes.thin}
        description={t.volumes.thinHint}
      />
      <ChoiceCard
        compact
        name="allocation"
        value="thick"
        checked={thick}
        disabled={!thickPossible}
        onSelect={() => setThick(true)}
        title={t.volumes.thick}
        description={
          thickPossible ? t.volumes.thickHint : t.volumes.noThick(t.formats[format].name)
        }
      />
    </fieldset>
  );
}
