/** The virtual disk's size: the source's unless chosen, never below what the partitions need. */
import { useId } from 'react';
import type { InspectReport } from '../../shared/layout.js';
import { SizeField } from '../components/SizeField.js';
import { useI18n } from '../i18n/i18n-context.js';
import { minimumDiskSize } from '../model/layout-choice.js';
import { MiB } from '../model/sizes.js';
import { useWizard } from '../store/wizard-context.js';

export function DiskSize({ report }: { report: InspectReport }) {
  const { t, size } = useI18n();
  const chosen = useWizard((s) => s.layout.diskSize);
  const lastPlan = useWizard((s) => s.lastPlan);
  const setDiskSize = useWizard((s) => s.setDiskSize);
  const resetDiskSize = useWizard((s) => s.resetDiskSize);
  const hintId = useId();
  const minimum = lastPlan ? minimumDiskSize(lastPlan) : null;
  // Partitions grow into the disk's free space only: without any, the disk must grow first.
  const full = lastPlan !== null && lastPlan.diskSize - lastPlan.minimumDiskSize < MiB;
  return (
    <div className="disk-size">
      <div className="size-row">
        <SizeField
          label={t.volumes.diskSize}
          unitLabel={t.volumes.diskSizeUnit}
          value={chosen ?? lastPlan?.diskSize ?? report.size}
          bounds={minimum === null ? null : { min: minimum, max: Infinity }}
          slider={false}
          describedBy={hintId}
          onChange={setDiskSize}
        />
        <button
          type="button"
          className="button subtle"
          disabled={chosen === null}
          onClick={resetDiskSize}
        >
          {t.volumes.reset}
          <span className="visually-hidden"> {t.volumes.ofDisk}</span>
        </button>
      </div>
      <p id={hintId} className="field-hint">
        {minimum === null
          ? t.volumes.sourceDisk(size(report.size))
          : t.volumes.diskSizeHint(size(minimum), size(report.size))}
        {full && ` ${t.volumes.growHint}`}
      </p>
    </div>
  );
}
