/** The destination folder's free space against what the output may take. */
import { Notice } from '../components/Notice.js';
import { useI18n } from '../i18n/i18n-context.js';
import { estimateOutputBytes } from '../model/estimate.js';
import { isOva } from '../model/output-files.js';
import { supportsThick } from '../model/targets.js';
import { useWizard } from '../store/wizard-context.js';
import type { WizardState } from '../store/wizard-store.js';

/** The estimate from the inspection, before the engine's plan refines it. */
export function outputEstimate(state: WizardState): number | null {
  if (state.inspection.status !== 'ready') return null;
  const disk = estimateOutputBytes(state.inspection.value, {
    allBlocks: state.allBlocks,
    thick: state.thick && supportsThick(state.format),
  });
  // An OVA is packed from the finished disk, which is deleted only once the package is whole.
  return isOva(state) ? 2 * disk : disk;
}

export function FreeSpace() {
  const { t, size } = useI18n();
  const space = useWizard((s) => s.folderSpace);
  const estimate = useWizard(outputEstimate);
  if (space.status === 'loading') {
    return (
      <p role="status" className="muted">
        {t.destination.checkingFolder}
      </p>
    );
  }
  if (space.status === 'failed') {
    return (
      <Notice tone="error" title={t.destination.folderFailed}>
        <p>{space.error}</p>
      </Notice>
    );
  }
  if (space.status !== 'ready') return null;
  const free = size(space.value.freeBytes);
  if (estimate === null) return <p className="muted">{t.destination.free(free)}</p>;
  if (space.value.freeBytes < estimate) {
    return (
      <Notice tone="warning" title={t.destination.notEnoughTitle}>
        <p>{t.destination.notEnough(free, size(estimate))}</p>
      </Notice>
    );
  }
  return <p className="ok-text">{t.destination.enough(free, size(estimate))}</p>;
}
