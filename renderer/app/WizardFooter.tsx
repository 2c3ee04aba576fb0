/** Cancel, Back, Next or Convert: the wizard's buttons, and the confirmation Cancel asks for. */
import { useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { useI18n } from '../i18n/i18n-context.js';
import { isFinished } from '../store/jobs.js';
import { canLeave } from '../store/steps.js';
import { useWizard } from '../store/wizard-context.js';
import { currentJob } from '../store/wizard-store.js';

export function WizardFooter() {
  const { t } = useI18n();
  const state = useWizard((s) => s);
  const job = useWizard(currentJob);
  const [confirming, setConfirming] = useState(false);
  const { step } = state;

  if (step === 'progress') {
    const running = job !== null && !isFinished(job.state);
    return (
      <footer className="wizard-footer">
        {running ? (
          <button
            type="button"
            className="button"
            disabled={state.cancelling.status === 'loading'}
            onClick={() => setConfirming(true)}
          >
            {t.actions.cancel}
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={() => state.showView('jobs')}>
              {t.actions.allJobs}
            </button>
            <button type="button" className="button primary" onClick={state.startOver}>
              {t.actions.newConversion}
            </button>
          </>
        )}
        {confirming && (
          <ConfirmDialog
            title={t.confirm.stopTitle}
            message={t.confirm.stopText}
            confirmLabel={t.confirm.stop}
            keepLabel={t.confirm.keepGoing}
            onDismiss={() => setConfirming(false)}
            onConfirm={() => {
              setConfirming(false);
              void state.cancelJob();
            }}
          />
        )}
      </footer>
    );
  }

  const untouched = step === 'source' && state.source === null;
  return (
    <footer className="wizard-footer">
      <button
        type="button"
        className="button subtle"
        disabled={untouched}
        onClick={() => setConfirming(true)}
      >
        {t.actions.cancel}
      </button>
      <span className="grow" />
      <button type="button" className="button" disabled={step === 'source'} onClick={state.back}>
        {t.actions.back}
      </button>
      {step === 'summary' ? (
        <button
          type="button"
          className="button primary"
          disabled={!canLeave('summary', state)}
          onClick={() => void state.convert()}
        >
          {t.actions.convert}
        </button>
      ) : (
        <button
          type="button"
          className="button primary"
          disabled={!canLeave(step, state)}
          onClick={state.next}
        >
          {t.actions.next}
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title={t.confirm.discardTitle}
          message={t.confirm.discardText}
          confirmLabel={t.confirm.discard}
          keepLabel={t.confirm.keepEditing}
          onDismiss={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            state.startOver();
          }}
        />
      )}
    </footer>
  );
}
