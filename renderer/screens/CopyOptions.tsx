/** How the Volumes screen's partitions are read (used blocks or all) and the output allocated. */
import { ChoiceCard } from '../components/ChoiceCard.js';
import { useI18n } from '../i18n/i18n-context.js';
import { supportsThick } from '../model/targets.js';
import { useWizard } from '../store/wizard-context.js';

export function CopyMode() {
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

export function Allocation() {
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
