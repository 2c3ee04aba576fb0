/**
 * Asking the engine for a plan: at once (entering a step, Try again) or shortly after the last of
 * a run of changes (a slider being dragged). Only the answer to the latest question is kept.
 */
import type { FerryApi, PlanSummary } from '../../shared/api.js';
import { learnDefaults } from '../model/hardware.js';
import { jobSpec } from './job-spec.js';
import { IDLE, LOADING, failed, ready, type Loadable } from './loadable.js';
import type { WizardData } from './wizard-state.js';

/** How long the choices must rest before the plan is asked again. */
export const PLAN_DELAY_MS = 300;

type PlanFields = Pick<WizardData, 'plan' | 'lastPlan' | 'starting' | 'hardwareDefaults'>;

export interface PlanRequests {
  now(): Promise<void>;
  /** Marks the plan as being worked out and asks once the choices have rested. */
  soon(): void;
  /** Drops any question on its way, for choices that no longer hold (another source). */
  forget(): void;
}

export function planRequests(
  api: FerryApi,
  get: () => WizardData,
  set: (fields: Partial<PlanFields>) => void,
  delayMs: number,
): PlanRequests {
  let latest = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const cancelTimer = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const now = async (): Promise<void> => {
    cancelTimer();
    const spec = jobSpec(get());
    if (spec === null) return;
    const request = ++latest;
    set({ plan: LOADING, starting: IDLE });
    let answer: Loadable<PlanSummary>;
    try {
      answer = ready(await api.request('plan', { spec }));
    } catch (error) {
      answer = failed(error);
    }
    if (request !== latest) return;
    if (answer.status !== 'ready') {
      set({ plan: answer });
      return;
    }
    set({
      plan: answer,
      lastPlan: answer.value,
      hardwareDefaults: learnDefaults(get().hardwareDefaults, spec, answer.value),
    });
  };

  return {
    now,
    soon() {
      // An answer to the question before this change is already stale.
      latest++;
      cancelTimer();
      if (jobSpec(get()) === null) return;
      set({ plan: LOADING });
      timer = setTimeout(() => void now(), delayMs);
    },
    forget() {
      latest++;
      cancelTimer();
    },
  };
}
