/**
 * The Volumes screen's live view of the plan: what the output will take and how long it should
 * run, or why the engine refuses the choices as they are.
 */
import { Notice } from '../components/Notice.js';
import { useI18n } from '../i18n/i18n-context.js';
import { aboutMinutes } from '../model/estimate.js';
import { useWizard } from '../store/wizard-context.js';

export function PlanEstimate() {
  const { t, size } = useI18n();
  const plan = useWizard((s) => s.plan);
  const lastPlan = useWizard((s) => s.lastPlan);
  const refreshPlan = useWizard((s) => s.refreshPlan);
  if (plan.status === 'failed') {
    return (
      <Notice tone="error" title={t.volumes.refused}>
        <p>{plan.error}</p>
        <button type="button" className="button" onClick={() => void refreshPlan()}>
          {t.tryAgain}
        </button>
      </Notice>
    );
  }
  if (lastPlan === null) {
    return (
      <p role="status" className="muted">
        {t.summary.planning}
      </p>
    );
  }
  const updating = plan.status === 'loading';
  return (
    <section
      className={updating ? 'card estimate-card is-updating' : 'card estimate-card'}
      aria-labelledby="estimate-title"
      aria-busy={updating}
    >
      <div className="section-header">
        <h3 id="estimate-title">{t.volumes.estimateTitle}</h3>
        <span role="status" className="muted">
          {updating ? t.volumes.updating : ''}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>{t.volumes.outputSize}</dt>
          <dd>{size(lastPlan.estimatedOutputBytes)}</dd>
        </div>
        <div>
          <dt>{t.volumes.duration}</dt>
          <dd>{t.volumes.aboutMinutes(aboutMinutes(lastPlan.estimatedSeconds))}</dd>
        </div>
        {lastPlan.temporaryBytes > 0 && (
          <div>
            <dt>{t.volumes.temporary}</dt>
            <dd>{size(lastPlan.temporaryBytes)}</dd>
          </div>
        )}
      </dl>
      {lastPlan.temporaryBytes > 0 && <p className="field-hint">{t.volumes.temporaryHint}</p>}
    </section>
  );
}
