/**
 * A partition's size: a slider and a number within the bounds of the latest plan, a way back to
 * its own size, and what becomes of its filesystem.
 */
import { useId } from 'react';
import type { VolumePlan } from '../../shared/api.js';
import { SizeField } from '../components/SizeField.js';
import { useI18n, type I18n } from '../i18n/i18n-context.js';
import { volumeBounds } from '../model/layout-choice.js';
import { MiB } from '../model/sizes.js';
import type { VolumeRow } from '../model/volumes.js';
import { useWizard } from '../store/wizard-context.js';

export function VolumeSize({
  number,
  name,
  row,
  volume,
}: {
  number: number;
  name: string;
  row: VolumeRow;
  volume: VolumePlan | undefined;
}) {
  const i18n = useI18n();
  const { t, size } = i18n;
  const chosen = useWizard((s) => s.layout.resize[number]);
  const setVolumeSize = useWizard((s) => s.setVolumeSize);
  const resetVolumeSize = useWizard((s) => s.resetVolumeSize);
  const noteId = useId();
  const bounds = volumeBounds(volume);
  const value = chosen ?? row.size;
  return (
    <div className="volume-size">
      <div className="size-row">
        {bounds ? (
          <SizeField
            label={
              <>
                {t.volumes.size}
                <span className="visually-hidden"> {t.volumes.ofVolume(name)}</span>
              </>
            }
            unitLabel={t.volumes.unitOf(name)}
            value={value}
            bounds={bounds}
            slider
            {...(volume ? { describedBy: noteId } : {})}
            onChange={(bytes) => setVolumeSize(number, bytes)}
          />
        ) : (
          // Nothing to choose (yet): a disabled slider would only look broken.
          <p className="size-fixed">
            <span className="size-label">{t.volumes.size}</span> {size(value)}
          </p>
        )}
        {(bounds !== null || chosen !== undefined) && (
          <button
            type="button"
            className="button subtle"
            disabled={chosen === undefined}
            onClick={() => resetVolumeSize(number)}
          >
            {t.volumes.reset}
            <span className="visually-hidden"> {t.volumes.ofVolume(name)}</span>
          </button>
        )}
      </div>
      {volume && (
        <p id={noteId} className="field-hint">
          {[
            bounds && t.volumes.between(size(bounds.min), size(bounds.max)),
            resizeNote(volume, row, i18n),
            !bounds && volume.maximumSize < volume.sourceSize + MiB && t.volumes.noRoom,
          ]
            .filter(Boolean)
            .join(' ')}
        </p>
      )}
    </div>
  );
}

/** What happens to the filesystem when the partition's size changes, and why it may not shrink. */
function resizeNote(volume: VolumePlan, row: VolumeRow, { t, size }: I18n): string {
  const filesystem = row.filesystem ? t.filesystems[row.filesystem] : null;
  if (volume.resizer === null || filesystem === null) {
    return filesystem === null
      ? t.volumes.unknownGrowsOnly(size(volume.sourceSize))
      : t.volumes.growsOnly(filesystem, size(volume.sourceSize));
  }
  if (volume.minimumSize >= volume.sourceSize) return t.volumes.cannotShrink(filesystem);
  return volume.resizer === 'native'
    ? t.volumes.resizedByFerry
    : t.volumes.resizedWith(volume.resizer);
}
