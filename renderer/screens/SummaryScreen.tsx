/** Step 5: every choice, and the engine's plan for them, before anything is written. */
import { CheckField } from '../components/CheckField.js';
import type { PlanSummary } from '../../shared/api.js';
import { Notice } from '../components/Notice.js';
import { ScreenTitle } from '../components/ScreenTitle.js';
import { guestText } from '../i18n/guest-text.js';
import { useI18n } from '../i18n/i18n-context.js';
import { aboutMinutes } from '../model/estimate.js';
import { isOva } from '../model/output-files.js';
import { supportsCompression, supportsThick } from '../model/targets.js';
import { destinationPath } from '../store/job-spec.js';
import { useWizard } from '../store/wizard-context.js';
import { LayoutChanges } from './LayoutChanges.js';
import { MachineSummary } from './MachineSummary.js';

export function SummaryScreen() {
  const { t } = useI18n();
  const plan = useWizard((s) => s.plan);
  const refreshPlan = useWizard((s) => s.refreshPlan);
  const starting = useWizard((s) => s.starting);
  return (
    <>
      <ScreenTitle lead={t.summary.lead}>{t.summary.title}</ScreenTitle>
      <Choices />
      {plan.status === 'ready' && plan.value.machine && (
        <MachineSummary machine={plan.value.machine} />
      )}
      {plan.status === 'ready' && <LayoutChanges plan={plan.value} />}
      <section className="card" aria-labelledby="plan-title">
        <h3 id="plan-title">{t.summary.planTitle}</h3>
        {plan.status === 'loading' && (
          <p role="status" className="muted">
            {t.summary.planning}
          </p>
        )}
        {plan.status === 'failed' && (
          <Notice tone="error" title={t.summary.planFailed}>
            <p>{plan.error}</p>
            <button type="button" className="button" onClick={() => void refreshPlan()}>
              {t.tryAgain}
            </button>
          </Notice>
        )}
        {plan.status === 'ready' && <PlanView plan={plan.value} />}
      </section>
      {starting.status === 'failed' && (
        <Notice tone="error" title={t.summary.startFailed}>
          <p>{starting.error}</p>
        </Notice>
      )}
    </>
  );
}

function Choices() {
  const { t, size } = useI18n();
  const s = useWizard((state) => state);
  const report = s.inspection.status === 'ready' ? s.inspection.value : null;
  return (
    <section className="card" aria-labelledby="choices-title">
      <h3 id="choices-title">{t.summary.choicesTitle}</h3>
      <dl className="facts wide">
        <div>
          <dt>{t.summary.source}</dt>
          <dd className="mono">{s.source}</dd>
        </div>
        {report && (
          <div>
            <dt>{t.summary.sourceDisk}</dt>
            <dd>
              {size(report.size)} · {t.tableTypes[report.table.type]} ·{' '}
              {t.summary.partitions(report.table.partitions.length)}
            </dd>
          </div>
        )}
        {report && (
          <div>
            <dt>{t.summary.guest}</dt>
            <dd>{report.guest ? guestText(report.guest, t) : t.inspect.noGuest}</dd>
          </div>
        )}
        <div>
          <dt>{t.summary.target}</dt>
          <dd>
            {t.targets[s.target].name}
            {isOva(s) && ` · ${t.summary.ova}`}
          </dd>
        </div>
        <div>
          <dt>{t.summary.format}</dt>
          <dd>
            {t.formats[s.format].name}
            {supportsCompression(s.format) &&
              ` · ${s.compress ? t.summary.compressed : t.summary.uncompressed}`}
          </dd>
        </div>
        <div>
          <dt>{t.summary.destination}</dt>
          <dd className="mono">{destinationPath(s)}</dd>
        </div>
        <div>
          <dt>{t.summary.copy}</dt>
          <dd>{s.allBlocks ? t.volumes.everyBlock : t.volumes.usedBlocks}</dd>
        </div>
        <div>
          <dt>{t.summary.allocation}</dt>
          <dd>{s.thick && supportsThick(s.format) ? t.volumes.thick : t.volumes.thin}</dd>
        </div>
      </dl>
    </section>
  );
}

function PlanView({ plan }: { plan: PlanSummary }) {
  const { t, size } = useI18n();
  const space = useWizard((s) => s.folderSpace);
  const force = useWizard((s) => s.force);
  const setForce = useWizard((s) => s.setForce);
  const verify = useWizard((s) => s.verify);
  const setVerify = useWizard((s) => s.setVerify);
  const free = space.status === 'ready' ? space.value.freeBytes : null;
  // Resized filesystems are copied beside the destination before the output is complete.
  const needed = plan.estimatedOutputBytes + plan.temporaryBytes;
  return (
    <>
      <dl className="facts">
        <div>
          <dt>{t.summary.diskSize}</dt>
          <dd>{size(plan.diskSize)}</dd>
        </div>
        <div>
          <dt>{t.summary.toRead}</dt>
          <dd>{size(plan.copyBytes)}</dd>
        </div>
        <div>
          <dt>{t.summary.estimatedOutput}</dt>
          <dd>{size(plan.estimatedOutputBytes)}</dd>
        </div>
        <div>
          <dt>{t.summary.estimatedTime}</dt>
          <dd>{t.volumes.aboutMinutes(aboutMinutes(plan.estimatedSeconds))}</dd>
        </div>
        {free !== null && (
          <div>
            <dt>{t.summary.freeSpace}</dt>
            <dd>{size(free)}</dd>
          </div>
        )}
      </dl>
      {free !== null && free < needed && (
        <Notice tone="warning" title={t.destination.notEnoughTitle}>
          <p>{t.destination.notEnough(size(free), size(needed))}</p>
        </Notice>
      )}
      <h4>{t.summary.outputFiles}</h4>
      <ul className="file-list">
        {plan.outputFiles.map((file) => (
          <li key={file} className="mono">
            {file}
          </li>
        ))}
      </ul>
      <CheckField
        checked={verify}
        onChange={setVerify}
        label={t.summary.verify}
        hint={t.summary.verifyHint}
      />
      {plan.warnings.length > 0 && (
        <Notice tone="warning" title={t.summary.warnings}>
          <ul>
            {plan.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </Notice>
      )}
      {plan.existing.length > 0 && (
        <Notice tone="warning" title={t.summary.existingTitle}>
          <ul>
            {plan.existing.map((file) => (
              <li key={file} className="mono">
                {file}
              </li>
            ))}
          </ul>
          <CheckField checked={force} onChange={setForce} label={t.summary.replaceExisting} />
        </Notice>
      )}
    </>
  );
}
