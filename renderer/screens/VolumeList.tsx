/**
 * The Volumes screen's list: per partition, what it holds, whether it is copied and at what
 * size; then the size of the virtual disk.
 */
import { useId } from 'react';
import type { VolumePlan } from '../../shared/api.js';
import type { InspectReport } from '../../shared/layout.js';
import { UsageBar } from '../components/UsageBar.js';
import { useI18n } from '../i18n/i18n-context.js';
import { volumeRows, type VolumeRow } from '../model/volumes.js';
import { useWizard } from '../store/wizard-context.js';
import { DiskSize } from './DiskSize.js';
import { VolumeSize } from './VolumeSize.js';

export function VolumeList({ report }: { report: InspectReport }) {
  const { t } = useI18n();
  const allBlocks = useWizard((s) => s.allBlocks);
  const excluded = useWizard((s) => s.layout.excluded);
  const volumes = useWizard((s) => s.lastPlan?.volumes ?? null);
  const lastOneId = useId();
  const rows = volumeRows(report, allBlocks);
  const included = rows.filter((row) => row.number !== null && !excluded.includes(row.number));
  const partitioned = report.table.type !== 'none';
  // The engine plans no volumes for a layout it cannot rewrite (two extended partitions).
  const editable = partitioned && (volumes === null || volumes.length > 0);
  return (
    <section className="card" aria-labelledby="volume-list-title">
      <h3 id="volume-list-title">{t.volumes.listTitle}</h3>
      <ul className="volume-list" aria-label={t.volumes.caption}>
        {rows.map((row) => (
          <VolumeItem
            key={row.key}
            row={row}
            volume={volumes?.find((v) => v.number === row.number)}
            editable={editable}
            included={row.number === null || !excluded.includes(row.number)}
            lastOne={included.length === 1 && included[0] === row}
            lastOneId={lastOneId}
          />
        ))}
      </ul>
      {editable && included.length === 1 && (
        <p id={lastOneId} className="field-hint">
          {t.volumes.keepOne}
        </p>
      )}
      {editable ? (
        <DiskSize report={report} />
      ) : (
        <p className="muted">{partitioned ? t.volumes.fixedLayout : t.volumes.noTable}</p>
      )}
    </section>
  );
}

interface VolumeItemProps {
  row: VolumeRow;
  volume: VolumePlan | undefined;
  /** Whether it may be left out or resized. */
  editable: boolean;
  included: boolean;
  lastOne: boolean;
  lastOneId: string;
}

function VolumeItem({ row, volume, editable, included, lastOne, lastOneId }: VolumeItemProps) {
  const { t, size } = useI18n();
  const setIncluded = useWizard((s) => s.setIncluded);
  const { number } = row;
  const name = number === null ? t.volumes.wholeDisk : `#${number} · ${row.typeName ?? ''}`;
  const usage =
    row.usedBytes === null ? size(row.size) : t.usedOf(size(row.usedBytes), size(row.size));
  return (
    <li className={included ? 'volume' : 'volume is-excluded'}>
      <div className="volume-head">
        {number === null || !editable ? (
          <span className="volume-name">{name}</span>
        ) : (
          <label className="check volume-include">
            <input
              type="checkbox"
              checked={included}
              disabled={lastOne}
              aria-describedby={lastOne ? lastOneId : undefined}
              onChange={(event) => setIncluded(number, event.target.checked)}
            />
            <span className="volume-name">
              <span className="visually-hidden">{t.volumes.copyPrefix} </span>
              {name}
            </span>
          </label>
        )}
        <span className="volume-filesystem">
          {row.filesystem ? t.filesystems[row.filesystem] : t.volumes.unknownFilesystem}
          {row.label && <span className="muted"> “{row.label}”</span>}
        </span>
        <span className="volume-usage">
          {row.usedBytes !== null && (
            <UsageBar
              label={t.source.usageOf(name)}
              used={row.usedBytes}
              size={row.size}
              text={usage}
            />
          )}
          <span>{usage}</span>
        </span>
        <span className="volume-copy muted">
          {included
            ? row.copy === 'used'
              ? t.volumes.copiedUsed
              : t.volumes.copiedWhole
            : t.volumes.notCopied}
        </span>
      </div>
      {number !== null && editable && included && (
        <VolumeSize number={number} name={name} row={row} volume={volume} />
      )}
    </li>
  );
}
