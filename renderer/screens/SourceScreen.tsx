/** Step 1: a physical disk of the engine's machine, or an image file, and what it holds. */
import { ChoiceCard } from '../components/ChoiceCard.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { useI18n } from '../i18n/i18n-context.js';
import { useWizard } from '../store/wizard-context.js';
import { DiskList } from './DiskList.js';
import { ImageSource } from './ImageSource.js';
import { InspectionPanel } from './InspectionPanel.js';

export function SourceScreen() {
  const { t } = useI18n();
  const sourceKind = useWizard((s) => s.sourceKind);
  const setSourceKind = useWizard((s) => s.setSourceKind);
  return (
    <>
      <ScreenTitle lead={t.source.lead}>{t.source.title}</ScreenTitle>
      <fieldset className="choice-grid two">
        <legend className="visually-hidden">{t.source.kindLegend}</legend>
        <ChoiceCard
          name="source-kind"
          value="disk"
          checked={sourceKind === 'disk'}
          onSelect={() => setSourceKind('disk')}
          title={t.source.kindDisk}
          description={t.source.kindDiskHint}
        />
        <ChoiceCard
          name="source-kind"
          value="image"
          checked={sourceKind === 'image'}
          onSelect={() => setSourceKind('image')}
          title={t.source.kindImage}
          description={t.source.kindImageHint}
        />
      </fieldset>
      {sourceKind === 'disk' ? <DiskList /> : <ImageSource />}
      <InspectionPanel />
    </>
  );
}
