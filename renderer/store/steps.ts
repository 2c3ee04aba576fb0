/** Which wizard steps may be left forward, and which may be visited from the step list. */
import { hasChoices } from '../model/hardware.js';
import { nameProblem } from '../model/paths.js';
import { machineOf } from '../model/targets.js';
import { destinationPath } from './job-spec.js';
import { WIZARD_STEPS, type WizardData, type WizardStep } from './wizard-state.js';

export function canLeave(step: WizardStep, state: WizardData): boolean {
  switch (step) {
    case 'source':
      return state.source !== null && state.inspection.status === 'ready';
    case 'destination':
      return destinationPath(state) !== null;
    case 'volumes':
      // A layout the engine refused must be changed before going on; but the refusal may be of
      // the machine's hardware, which is changed on the next step.
      return (
        state.plan.status !== 'failed' ||
        (machineOf(state.target) !== undefined && hasChoices(state.hardware))
      );
    case 'customize':
      // Hardware the engine refused must be changed before going on.
      return (
        nameProblem(state.name) === null &&
        (machineOf(state.target) === undefined || state.plan.status !== 'failed')
      );
    case 'summary':
      return (
        state.plan.status === 'ready' &&
        (state.plan.value.existing.length === 0 || state.force) &&
        state.starting.status !== 'loading'
      );
  }
}

/** A step can be visited when every step before it can be left; none once a job has started. */
export function canVisit(step: WizardStep, state: WizardData): boolean {
  if (state.step === 'progress') return false;
  const index = WIZARD_STEPS.indexOf(step);
  return WIZARD_STEPS.slice(0, index).every((before) => canLeave(before, state));
}

export function nextStep(step: WizardStep): WizardStep | null {
  return WIZARD_STEPS[WIZARD_STEPS.indexOf(step) + 1] ?? null;
}

export function previousStep(step: WizardStep): WizardStep | null {
  const index = WIZARD_STEPS.indexOf(step);
  return index > 0 ? (WIZARD_STEPS[index - 1] ?? null) : null;
}
