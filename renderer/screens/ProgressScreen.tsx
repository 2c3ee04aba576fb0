/** The running conversion: phase, progress, rate, time left, its log, and where the result went. */
import type { JobInfo } from '../../shared/api.js';
import { CopyPath } from '../components/CopyPath.js';
import { JobLogView } from '../components/JobLogView.js';
import { Notice } from '../components/Notice.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { useI18n } from '../i18n/i18n-context.js';
import { mainFile } from '../model/output-files.js';
import { isFinished } from '../store/jobs.js';
import { useFerry, useWizard } from '../store/wizard-context.js';
import { currentJob } from '../store/wizard-store.js';

const NO_LINES: never[] = [];

export function ProgressScreen() {
  const { t } = useI18n();
  const job = useWizard(currentJob);
  const lines = useWizard((s) => (job ? (s.logs[job.id] ?? NO_LINES) : NO_LINES));
  const cancelling = useWizard((s) => s.cancelling);
  if (!job) return <ScreenTitle>{t.progress.noJob}</ScreenTitle>;
  return (
    <>
      <ScreenTitle lead={<span className="mono">{job.spec.destination}</span>}>
        {t.progress.titles[job.state]}
      </ScreenTitle>
      <section className="card" aria-labelledby="phase-title">
        <div className="section-header">
          <h3 id="phase-title">{t.progress.phase}</h3>
          <StatusBadge state={job.state} />
        </div>
        <JobMeter job={job} />
      </section>
      {cancelling.status === 'failed' && (
        <Notice tone="error" title={t.progress.cancelFailed}>
          <p>{cancelling.error}</p>
        </Notice>
      )}
      <Outcome job={job} />
      <section className="section" aria-labelledby="log-title">
        <h3 id="log-title">{t.log.title}</h3>
        <JobLogView lines={lines} label={t.log.title} />
      </section>
    </>
  );
}

function JobMeter({ job }: { job: JobInfo }) {
  const { t, size, rate, duration } = useI18n();
  const { progress } = job;
  const fraction =
    job.state === 'done'
      ? 1
      : progress && progress.total > 0 && job.state !== 'queued' && job.state !== 'planning'
        ? progress.done / progress.total
        : null;
  const amounts = progress ? t.progress.amount(size(progress.done), size(progress.total)) : '';
  const percent = fraction === null ? null : Math.floor(fraction * 100);
  return (
    <>
      <ProgressBar
        label={t.progress.barLabel}
        fraction={fraction}
        valueText={percent === null ? t.states[job.state] : `${percent} % · ${amounts}`}
      />
      <dl className="facts">
        <div>
          <dt>{t.progress.copied}</dt>
          <dd>{progress ? amounts : '—'}</dd>
        </div>
        <div>
          <dt>{t.progress.rate}</dt>
          <dd>{progress && !isFinished(job.state) ? rate(progress.rate) : '—'}</dd>
        </div>
        <div>
          <dt>{t.progress.eta}</dt>
          <dd>
            {progress?.eta !== null && progress?.eta !== undefined && !isFinished(job.state)
              ? duration(progress.eta)
              : '—'}
          </dd>
        </div>
      </dl>
    </>
  );
}

function Outcome({ job }: { job: JobInfo }) {
  const { t, size } = useI18n();
  const { shell } = useFerry();
  if (job.state === 'failed') {
    return (
      <Notice tone="error" title={t.progress.failedTitle}>
        <p>{job.error ? `${job.error.message} (${job.error.code})` : t.progress.failedUnknown}</p>
      </Notice>
    );
  }
  if (job.state === 'cancelled') {
    return (
      <Notice tone="info" title={t.progress.cancelledTitle}>
        <p>{t.progress.cancelledText}</p>
      </Notice>
    );
  }
  if (job.state !== 'done') return null;
  const main = mainFile(job.files, job.spec.machine);
  return (
    <Notice
      tone="success"
      title={job.spec.machine ? t.progress.machineDoneTitle : t.progress.doneTitle}
    >
      {job.bytes !== null && <p>{t.progress.doneText(job.files.length, size(job.bytes))}</p>}
      {(shell || job.files.length > 1) && (
        <ul className="file-list">
          {job.files.map((file) => (
            <li key={file} className="mono">
              {file}
            </li>
          ))}
        </ul>
      )}
      {main !== undefined &&
        (shell ? (
          <button type="button" className="button" onClick={() => void shell.showInFolder(main)}>
            {t.progress.openFolder}
          </button>
        ) : (
          <CopyPath path={main} />
        ))}
      <p className="muted">
        {job.spec.machine ? t.targets[job.spec.machine].note : t.progress.next}
      </p>
    </Notice>
  );
}
