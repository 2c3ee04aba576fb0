/** The physical disks of the engine's machine, as cards to pick one from. */
import type { Disk, DiskPartition } from '../../shared/disks.js';
import { ChoiceCard } from '../components/ChoiceCard.js';
import { Icon } from '../components/Icon.js';
import { Notice } from '../components/Notice.js';
import { UsageBar } from '../components/UsageBar.js';
import { useI18n } from '../i18n/i18n-context.js';
import { useWizard } from '../store/wizard-context.js';

export function DiskList() {
  const { t } = useI18n();
  const disks = useWizard((s) => s.disks);
  const source = useWizard((s) => s.source);
  const chooseDisk = useWizard((s) => s.chooseDisk);
  const loadDisks = useWizard((s) => s.loadDisks);
  const chosen = disks.status === 'ready' ? disks.value.find((d) => d.path === source) : undefined;

  return (
    <section className="section" aria-labelledby="disks-title">
      <div className="section-header">
        <h3 id="disks-title">{t.source.disksTitle}</h3>
        <button type="button" className="button subtle" onClick={() => void loadDisks()}>
          <Icon name="refresh" />
          {t.source.refresh}
        </button>
      </div>
      {disks.status === 'loading' && (
        <p role="status" className="muted">
          {t.source.disksLoading}
        </p>
      )}
      {disks.status === 'failed' && (
        <Notice tone="error" title={t.source.disksFailed}>
          <p>{disks.error}</p>
          <p>{t.source.disksFailedHint}</p>
        </Notice>
      )}
      {disks.status === 'ready' && disks.value.length === 0 && (
        <p className="muted">{t.source.noDisks}</p>
      )}
      {disks.status === 'ready' && disks.value.length > 0 && (
        <fieldset className="disk-list">
          <legend className="visually-hidden">{t.source.diskLegend}</legend>
          {disks.value.map((disk) => (
            <DiskCard
              key={disk.path}
              disk={disk}
              checked={disk.path === source}
              onSelect={() => void chooseDisk(disk.path)}
            />
          ))}
        </fieldset>
      )}
      {chosen?.system && (
        <Notice tone="warning" title={t.source.liveCloneTitle}>
          <p>{t.source.liveCloneText}</p>
        </Notice>
      )}
    </section>
  );
}

function DiskCard({ disk, checked, onSelect }: { disk: Disk; checked: boolean; onSelect(): void }) {
  const { t, size } = useI18n();
  return (
    <ChoiceCard
      name="disk"
      value={disk.path}
      checked={checked}
      onSelect={onSelect}
      title={disk.model ?? disk.path}
      description={`${size(disk.size)} · ${t.buses[disk.bus]} · ${disk.path}`}
      badges={
        <>
          {disk.system && <span className="badge badge-warning">{t.source.systemBadge}</span>}
          {disk.removable && <span className="badge">{t.source.removableBadge}</span>}
          {disk.readOnly && <span className="badge">{t.source.readOnlyBadge}</span>}
        </>
      }
    >
      {disk.partitions.length > 0 && (
        <ul className="partition-list" aria-label={t.source.partitionsOf(disk.model ?? disk.path)}>
          {disk.partitions.map((partition) => (
            <DiskPartitionRow key={partition.number} partition={partition} />
          ))}
        </ul>
      )}
    </ChoiceCard>
  );
}

function DiskPartitionRow({ partition }: { partition: DiskPartition }) {
  const { t, size } = useI18n();
  const name = partition.label ?? partition.path ?? `#${partition.number}`;
  const usage =
    partition.usedBytes === null ? null : t.usedOf(size(partition.usedBytes), size(partition.size));
  return (
    <li className="partition-row">
      <span className="partition-name">
        {name}
        {partition.filesystem && <span className="muted"> · {partition.filesystem}</span>}
        {partition.mountPoints.length > 0 && (
          <span className="muted mono"> · {partition.mountPoints.join(', ')}</span>
        )}
      </span>
      {usage !== null && partition.usedBytes !== null ? (
        <>
          <UsageBar
            label={t.source.usageOf(name)}
            used={partition.usedBytes}
            size={partition.size}
            text={usage}
          />
          <span className="partition-size">{usage}</span>
        </>
      ) : (
        <span className="partition-size">{size(partition.size)}</span>
      )}
    </li>
  );
}
