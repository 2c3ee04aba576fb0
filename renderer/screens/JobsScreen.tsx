/** Every conversion the engine knows: its state, its result, its log. */
import type { JobInfo } from '../../shared/api.js';
import { Icon } from '../components/Icon.js';
import { JobLogView } from '../components/JobLogView.js';
import { Notice } from '../components/Notice.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { useI18n } from '../i18n/i18n-context.js';
import { baseName } from '../model/paths.js';
import { useWizard } from '../store/wizard-context.js';

export function JobsScreen() {
  const { t } = useI18n();
  const jobs = useWizard((s) => s.jobs);
  const jobsError = useWizard((s) => s.jobsError);
  const selectedJobId = useWizard((s) => s.selectedJobId);
  const loadJobs = useWizard((s) => s.loadJobs);
  const selectJob = useWizard((s) => s.selectJob);
  const selected = jobs.find((job) => job.id === selectedJobId) ?? null;
  return (
    <main className="jobs-view" aria-labelledby="screen-title">
      <div className="section-header">
        <ScreenTitle lead={t.jobs.lead}>{t.jobs.title}</ScreenTitle>
        <button type="button" className="button subtle" onClick={() => void loadJobs()}>
          <Icon name="refresh" />
          {t.jobs.refresh}
        </button>
      </div>
      {jobsError !== null && (
        <Notice tone="error" title={t.jobs.failed}>
          <p>{jobsError}</p>
        </Notice>
      )}
      {jobs.length === 0 ? (
        <p className="muted">{t.jobs.none}</p>
      ) : (
        <div className="jobs-layout">
          <ul className="job-list" aria-label={t.jobs.listLabel}>
            {jobs.map((job) => (
              <li key={job.id}>
                <JobButton
                  job={job}
                  selected={job.id === selectedJobId}
                  onSelect={() => void selectJob(job.id)}
                />
              </li>
            ))}
          </ul>
          {selected ? <JobDetail job={selected} /> : <p className="muted">{t.jobs.pick}</p>}
        </div>
      )}
    </main>
  );
}

function JobButton({
  job,
  selected,
  onSelect,
}: {
  job: JobInfo;
  selected: boolean;
  onSelect(): void;
}) {
  const { t, date, size } = useI18n();
  return (
    <button type="button" className="job-button" aria-pressed={selected} onClick={onSelect}>
      <span className="job-button-title">
        <span className="job-name">{baseName(job.spec.destination)}</span>
        <StatusBadge state={job.state} />
      </span>
      <span className="muted">
        {date(job.createdAt)} · {t.formats[job.spec.format].name}
        {job.spec.machine && ` · ${t.targets[job.spec.machine].short}`}
        {job.bytes !== null && ` · ${size(job.bytes)}`}
      </span>
    </button>
  );
}

function JobDetail({ job }: { job: JobInfo }) {
  const { t, date, size } = useI18n();
  const log = useWizard((s) => s.selectedLog);
  return (
    <section className="card job-detail" aria-labelledby="job-detail-title">
      <h3 id="job-detail-title">{baseName(job.spec.destination)}</h3>
      <dl className="facts wide">
        <div>
          <dt>{t.summary.source}</dt>
          <dd className="mono">{job.spec.source}</dd>
        </div>
        <div>
          <dt>{t.summary.destination}</dt>
          <dd className="mono">{job.spec.destination}</dd>
        </div>
        <div>
          <dt>{t.jobs.status}</dt>
          <dd>
            <StatusBadge state={job.state} />
          </dd>
        </div>
        <div>
          <dt>{t.jobs.started}</dt>
          <dd>{date(job.createdAt)}</dd>
        </div>
        {job.finishedAt && (
          <div>
            <dt>{t.jobs.finished}</dt>
            <dd>{date(job.finishedAt)}</dd>
          </div>
        )}
        {job.bytes !== null && (
          <div>
            <dt>{t.jobs.outputSize}</dt>
            <dd>{size(job.bytes)}</dd>
          </div>
        )}
      </dl>
      {job.error && (
        <Notice tone="error" title={t.progress.failedTitle}>
          <p>
            {job.error.message} ({job.error.code})
          </p>
        </Notice>
      )}
      <h4>{t.log.title}</h4>
      {log.status === 'loading' && (
        <p role="status" className="muted">
          {t.jobs.logLoading}
        </p>
      )}
      {log.status === 'failed' && <Notice tone="error">{log.error}</Notice>}
      {log.status === 'ready' && (
        <JobLogView lines={log.value} label={t.jobs.logOf(baseName(job.spec.destination))} />
      )}
    </section>
  );
}
