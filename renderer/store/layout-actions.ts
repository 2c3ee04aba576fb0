/** The Volumes screen's actions: each change of layout asks the engine for a new plan. */
import type { InspectReport } from '../../shared/layout.js';
import {
  withDefaultDiskSize,
  withDiskSize,
  withIncluded,
  withOriginalSize,
  withSize,
  type LayoutChoice,
} from '../model/layout-choice.js';
import { valueOf } from './loadable.js';
import type { PlanRequests } from './plan-requests.js';
import type { WizardData } from './wizard-state.js';

export interface LayoutActions {
  setIncluded(number: number, included: boolean): void;
  /** Rounded to whole MiB and kept within the bounds of the latest plan. */
  setVolumeSize(number: number, bytes: number): void;
  resetVolumeSize(number: number): void;
  /** Rounded to whole MiB, never below what the latest plan's layout needs. */
  setDiskSize(bytes: number): void;
  resetDiskSize(): void;
}

export function layoutActions(
  get: () => WizardData,
  set: (fields: Pick<WizardData, 'layout'>) => void,
  plans: PlanRequests,
): LayoutActions {
  const change = (next: (choice: LayoutChoice, report: InspectReport) => LayoutChoice): void => {
    const state = get();
    const report = valueOf(state.inspection);
    if (report === null) return;
    const layout = next(state.layout, report);
    if (sameLayout(layout, state.layout)) return;
    set({ layout });
    plans.soon();
  };
  return {
    setIncluded(number, included) {
      change((choice, report) => withIncluded(choice, report, number, included));
    },
    setVolumeSize(number, bytes) {
      change((choice, report) => withSize(choice, report, get().lastPlan, number, bytes));
    },
    resetVolumeSize(number) {
      change((choice) => withOriginalSize(choice, number));
    },
    setDiskSize(bytes) {
      change((choice, report) => withDiskSize(choice, report, get().lastPlan, bytes));
    },
    resetDiskSize() {
      change(withDefaultDiskSize);
    },
  };
}

function sameLayout(a: LayoutChoice, b: LayoutChoice): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
