/** The wizard's steps down the left side; finished steps can be revisited until the job starts. */
import { Icon } from '../components/Icon.js';
import { useI18n } from '../i18n/i18n-context.js';
import { canVisit } from '../store/steps.js';
import { useWizard } from '../store/wizard-context.js';
import { WIZARD_STEPS, type Step } from '../store/wizard-state.js';

const ALL_STEPS: readonly Step[] = [...WIZARD_STEPS, 'progress'];

export function StepList() {
  const { t } = useI18n();
  const state = useWizard((s) => s);
  const currentIndex = ALL_STEPS.indexOf(state.step);
  return (
    <nav className="step-list" aria-label={t.app.stepsLabel}>
      <ol>
        {ALL_STEPS.map((step, index) => {
          const current = step === state.step;
          const done = index < currentIndex;
          const reachable = current || (step !== 'progress' && canVisit(step, state));
          return (
            <li key={step} className={done ? 'is-done' : current ? 'is-current' : undefined}>
              <button
                type="button"
                className="step-button"
                aria-current={current ? 'step' : undefined}
                disabled={!reachable}
                onClick={() => step !== 'progress' && state.goTo(step)}
              >
                <span className="step-number" aria-hidden="true">
                  {done ? <Icon name="check" /> : index + 1}
                </span>
                <span>{t.steps[step]}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
