/**
 * Step 3: which partitions are copied and at what size, on how large a disk; how they are read
 * and how the output is allocated; and the engine's estimate of it all as the choices change.
 */
import { ScreenTitle } from '../components/ScreenTitle.js';
import { useI18n } from '../i18n/i18n-context.js';
import { valueOf } from '../store/loadable.js';
import { useWizard } from '../store/wizard-context.js';
import { Allocation, CopyMode } from './CopyOptions.js';
import { PlanEstimate } from './PlanEstimate.js';
import { VolumeList } from './VolumeList.js';

export function VolumesScreen() {
  const { t } = useI18n();
  const report = useWizard((s) => valueOf(s.inspection));
  return (
    <>
      <ScreenTitle lead={t.volumes.lead}>{t.volumes.title}</ScreenTitle>
      {report && <VolumeList report={report} />}
      <PlanEstimate />
      <CopyMode />
      <Allocation />
    </>
  );
}
