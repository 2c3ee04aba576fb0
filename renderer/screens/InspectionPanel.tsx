/** What the engine found in the chosen source: its table, partitions and filesystems. */
import type { FilesystemReport, InspectReport, PartitionReport } from '../../shared/layout.js';
import { Notice } from '../components/Notice.js';
import { guestText } from '../i18n/guest-text.js';
import { useI18n } from '../i18n/i18n-context.js';
import { useWizard } from '../store/wizard-context.js';

export function InspectionPanel() {
  const { t } = useI18n();
  const source = useWizard((s) => s.source);
  const inspection = useWizard((s) => s.inspection);
  if (source === null) return null;
  return (
    <section className="card" aria-labelledby="inspection-title">
      <h3 id="inspection-title">
        {t.inspect.title} <span className="mono muted">{source}</span>
      </h3>
      {inspection.status === 'loading' && (
        <p role="status" className="muted">
          {t.inspect.loading}
        </p>
      )}
      {inspection.status === 'failed' && (
        <Notice tone="error" title={t.inspect.failed}>
          <p>{inspection.error}</p>
        </Notice>
      )}
      {inspection.status === 'ready' && <InspectReportView report={inspection.value} />}
    </section>
  );
}

export function InspectReportView({ report }: { report: InspectReport }) {
  const { t, size } = useI18n();
  const { table } = report;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>{t.inspect.format}</dt>
          <dd>{report.format}</dd>
        </div>
        <div>
          <dt>{t.inspect.size}</dt>
          <dd>{size(report.size)}</dd>
        </div>
        {report.storedBytes !== null && (
          <div>
            <dt>{t.inspect.stored}</dt>
            <dd>{size(report.storedBytes)}</dd>
          </div>
        )}
        <div>
          <dt>{t.inspect.table}</dt>
          <dd>
            {t.tableTypes[table.type]}
            {table.hybrid && ` (${t.inspect.hybrid})`}
          </dd>
        </div>
        <div className="facts-span">
          <dt>{t.inspect.guest}</dt>
          <dd>{report.guest ? guestText(report.guest, t) : t.inspect.noGuest}</dd>
        </div>
      </dl>
      {report.warnings.length > 0 && (
        <Notice tone="warning" title={t.inspect.warnings}>
          <ul>
            {report.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </Notice>
      )}
      {table.type === 'none' ? (
        <p>
          {report.filesystem
            ? t.inspect.wholeDiskFilesystem(filesystemText(report.filesystem, t.filesystems))
            : t.inspect.nothingRecognised}
        </p>
      ) : (
        <PartitionTable partitions={table.partitions} />
      )}
    </>
  );
}

function PartitionTable({ partitions }: { partitions: PartitionReport[] }) {
  const { t, size } = useI18n();
  if (partitions.length === 0) return <p>{t.inspect.noPartitions}</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">{t.inspect.partitionsCaption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t.inspect.type}</th>
            <th scope="col">{t.inspect.filesystem}</th>
            <th scope="col">{t.inspect.label}</th>
            <th scope="col" className="numeric">
              {t.inspect.start}
            </th>
            <th scope="col" className="numeric">
              {t.inspect.size}
            </th>
            <th scope="col" className="numeric">
              {t.inspect.used}
            </th>
          </tr>
        </thead>
        <tbody>
          {partitions.map((p) => (
            <tr key={p.number}>
              <td>{p.number}</td>
              <td>
                {p.typeName}
                {p.bootable && <span className="badge">{t.inspect.bootable}</span>}
                {p.kind !== 'primary' && (
                  <span className="muted"> · {t.partitionKinds[p.kind]}</span>
                )}
              </td>
              <td>{p.filesystem ? t.filesystems[p.filesystem.type] : '—'}</td>
              <td>{p.filesystem?.label ?? p.name ?? ''}</td>
              <td className="numeric">{size(p.start)}</td>
              <td className="numeric">{size(p.size)}</td>
              <td className="numeric">
                {p.filesystem?.usedBytes === null || p.filesystem?.usedBytes === undefined
                  ? '—'
                  : size(p.filesystem.usedBytes)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function filesystemText(
  filesystem: FilesystemReport,
  names: Record<FilesystemReport['type'], string>,
): string {
  const name = names[filesystem.type];
  return filesystem.label ? `${name} “${filesystem.label}”` : name;
}
