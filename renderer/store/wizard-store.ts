/**
 * The wizard's state and the actions that change it. Actions call the engine through the
 * FerryApi they were given, so tests hand in a fake and the app hands in `getFerry()`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FerryApi, FerryEvent, JobInfo, LogLine } from '../../shared/api.js';
import type { FormatName } from '../../shared/formats.js';
import { forAnotherHypervisor } from '../model/hardware.js';
import { UNCHANGED_LAYOUT } from '../model/layout-choice.js';
import { defaultOutputName } from '../model/paths.js';
import {
  formatsFor,
  machineOf,
  supportsCompression,
  supportsThick,
  type TargetId,
} from '../model/targets.js';
import { hardwareActions, type HardwareActions } from './hardware-actions.js';
import { jobSpec } from './job-spec.js';
import { addJobIfNew, isFinished, upsertJob, withProgress } from './jobs.js';
import { layoutActions, type LayoutActions } from './layout-actions.js';
import { IDLE, LOADING, failed, ready, type Loadable } from './loadable.js';
import { PLAN_DELAY_MS, planRequests } from './plan-requests.js';
import { canLeave, canVisit, nextStep, previousStep } from './steps.js';
import type { SourceKind, View, WizardData, WizardStep } from './wizard-state.js';

export interface WizardActions extends LayoutActions, HardwareActions {
  /** Loads disks, jobs and a starting folder, and follows engine events; returns the stop function. */
  start(): () => void;
  loadDisks(): Promise<void>;
  setSourceKind(kind: SourceKind): void;
  chooseDisk(path: string): Promise<void>;
  setImagePath(path: string): void;
  inspectImage(): Promise<void>;
  /** A hypervisor gets its usual disk format; the disk alone keeps the format chosen. */
  chooseTarget(id: TargetId): void;
  chooseFormat(format: FormatName): void;
  setCompress(on: boolean): void;
  setOva(on: boolean): void;
  setFolder(path: string): void;
  /** Asks the engine whether the folder exists and how much room it has. */
  checkFolder(): Promise<void>;
  setName(name: string): void;
  setAllBlocks(on: boolean): void;
  setThick(on: boolean): void;
  setForce(on: boolean): void;
  setVerify(on: boolean): void;
  next(): void;
  back(): void;
  goTo(step: WizardStep): void;
  refreshPlan(): Promise<void>;
  convert(): Promise<void>;
  cancelJob(): Promise<void>;
  /** Back to the first step for another conversion; destination preferences are kept. */
  startOver(): void;
  showView(view: View): void;
  loadJobs(): Promise<void>;
  selectJob(id: string): Promise<void>;
  handleEvent(event: FerryEvent): void;
}

export interface WizardExtras {
  jobsError: string | null;
  cancelling: Loadable<JobInfo>;
  /** The job whose log the Jobs view shows, and that log. */
  selectedJobId: string | null;
  selectedLog: Loadable<LogLine[]>;
}

export type WizardState = WizardData & WizardExtras & WizardActions;
export type WizardStore = StoreApi<WizardState>;

export interface WizardOptions {
  /** How long layout choices must rest before the plan is asked again. */
  planDelayMs?: number;
}

/** A disk alone is not a virtual machine: the wizard writes one unless told otherwise. */
const FIRST_TARGET: TargetId = 'vmware';

export function initialWizardData(): WizardData & WizardExtras {
  return {
    view: 'wizard',
    step: 'source',
    disks: IDLE,
    sourceKind: 'disk',
    imagePath: '',
    source: null,
    inspection: IDLE,
    target: FIRST_TARGET,
    format: formatsFor(FIRST_TARGET)[0],
    compress: false,
    ova: false,
    folder: '',
    folderSpace: IDLE,
    name: '',
    nameEdited: false,
    allBlocks: false,
    thick: false,
    layout: UNCHANGED_LAYOUT,
    hardware: {},
    hardwareDefaults: {},
    plan: IDLE,
    lastPlan: null,
    force: false,
    verify: false,
    starting: IDLE,
    currentJobId: null,
    jobs: [],
    logs: {},
    jobsError: null,
    cancelling: IDLE,
    selectedJobId: null,
    selectedLog: IDLE,
  };
}

export function createWizardStore(api: FerryApi, options: WizardOptions = {}): WizardStore {
  return createStore<WizardState>()((set, get) => {
    const plans = planRequests(api, get, set, options.planDelayMs ?? PLAN_DELAY_MS);

    /** Whether the screen of `step` shows the engine's plan. */
    const showsPlan = (step: WizardStep | 'progress'): boolean =>
      step === 'volumes' ||
      step === 'summary' ||
      (step === 'customize' && machineOf(get().target) !== undefined);

    const enter = (step: WizardStep): void => {
      set({ step });
      if (showsPlan(step)) void plans.now();
    };

    /** Choices made for another source no longer hold. */
    const forgetSource = () => {
      plans.forget();
      return {
        plan: IDLE,
        lastPlan: null,
        layout: UNCHANGED_LAYOUT,
        hardware: {},
        hardwareDefaults: {},
      } as const;
    };

    /** A choice the plan depends on changed while the screen shows the plan. */
    const replanIfShown = (): void => {
      if (showsPlan(get().step)) plans.soon();
    };

    const inspect = async (source: string): Promise<void> => {
      try {
        const report = await api.request('inspect', { source });
        if (get().source === source) set({ inspection: ready(report) });
      } catch (error) {
        if (get().source === source) set({ inspection: failed(error) });
      }
    };

    const chooseSource = (source: string, model: string | null): Promise<void> => {
      const { nameEdited, name } = get();
      set({
        source,
        inspection: LOADING,
        ...forgetSource(),
        name: nameEdited ? name : defaultOutputName(source, model),
      });
      return inspect(source);
    };

    const withFormat = (format: FormatName) => {
      const { thick, compress } = get();
      return {
        format,
        thick: thick && supportsThick(format),
        compress: compress && supportsCompression(format),
      };
    };

    const loadDefaultFolder = async (): Promise<void> => {
      try {
        const listing = await api.request('browse', {});
        if (get().folder !== '') return;
        set({
          folder: listing.path,
          folderSpace: ready({ path: listing.path, freeBytes: listing.freeBytes }),
        });
      } catch {
        // No starting folder is no failure: the Destination step asks for one.
      }
    };

    return {
      ...initialWizardData(),

      start() {
        const stop = api.onEvent((event) => get().handleEvent(event));
        void get().loadDisks();
        void get().loadJobs();
        if (get().folder === '') void loadDefaultFolder();
        return stop;
      },

      async loadDisks() {
        if (get().disks.status !== 'ready') set({ disks: LOADING });
        try {
          set({ disks: ready(await api.request('listDisks', {})) });
        } catch (error) {
          set({ disks: failed(error) });
        }
      },

      setSourceKind(kind) {
        if (kind === get().sourceKind) return;
        set({ sourceKind: kind, source: null, inspection: IDLE, ...forgetSource() });
      },

      chooseDisk(path) {
        const disks = get().disks;
        const disk = disks.status === 'ready' ? disks.value.find((d) => d.path === path) : null;
        set({ sourceKind: 'disk' });
        return chooseSource(path, disk?.model ?? null);
      },

      setImagePath(imagePath) {
        set({ imagePath });
      },

      async inspectImage() {
        const path = get().imagePath.trim();
        if (path === '') return;
        set({ sourceKind: 'image' });
        await chooseSource(path, null);
      },

      chooseTarget(target) {
        const state = get();
        if (target === state.target) return;
        // A plan of another target's machine names controllers that this one may not have.
        plans.forget();
        set({
          target,
          ...withFormat(target === 'disk' ? state.format : formatsFor(target)[0]),
          hardware: forAnotherHypervisor(state.hardware),
          hardwareDefaults: forAnotherHypervisor(state.hardwareDefaults),
          plan: IDLE,
          lastPlan: null,
        });
        replanIfShown();
      },

      chooseFormat(format) {
        set(withFormat(format));
      },

      setCompress(on) {
        set({ compress: on && supportsCompression(get().format) });
      },

      setOva(ova) {
        set({ ova });
      },

      setFolder(folder) {
        set({ folder, folderSpace: IDLE });
      },

      async checkFolder() {
        const path = get().folder.trim();
        const known = get().folderSpace;
        if (path === '' || (known.status === 'ready' && known.value.path === path)) return;
        set({ folderSpace: LOADING });
        try {
          const listing = await api.request('browse', { path });
          if (get().folder.trim() !== path) return;
          set({ folderSpace: ready({ path: listing.path, freeBytes: listing.freeBytes }) });
        } catch (error) {
          if (get().folder.trim() === path) set({ folderSpace: failed(error) });
        }
      },

      setName(name) {
        set({ name, nameEdited: true });
        // The machine is named after it.
        replanIfShown();
      },

      setAllBlocks(allBlocks) {
        set({ allBlocks });
        replanIfShown();
      },

      setThick(on) {
        set({ thick: on && supportsThick(get().format) });
        replanIfShown();
      },

      ...layoutActions(get, set, plans),
      ...hardwareActions(get, set, plans),

      setForce(force) {
        set({ force });
      },

      setVerify(verify) {
        set({ verify });
        // The estimated time counts the read back.
        replanIfShown();
      },

      next() {
        const { step } = get();
        if (step === 'progress' || !canLeave(step, get())) return;
        const to = nextStep(step);
        if (to) enter(to);
      },

      back() {
        const { step } = get();
        if (step === 'progress') return;
        const to = previousStep(step);
        if (to) enter(to);
      },

      goTo(step) {
        if (step !== get().step && canVisit(step, get())) enter(step);
      },

      refreshPlan: plans.now,

      async convert() {
        const spec = jobSpec(get());
        if (get().step !== 'summary' || spec === null || !canLeave('summary', get())) return;
        set({ starting: LOADING });
        try {
          const job = await api.request('startJob', { spec });
          set((state) => ({
            starting: ready(job),
            cancelling: IDLE,
            currentJobId: job.id,
            step: 'progress',
            jobs: addJobIfNew(state.jobs, job),
          }));
        } catch (error) {
          set({ starting: failed(error) });
        }
      },

      async cancelJob() {
        const id = get().currentJobId;
        if (id === null) return;
        set({ cancelling: LOADING });
        try {
          const job = await api.request('cancelJob', { id });
          set((state) => ({ cancelling: ready(job), jobs: upsertJob(state.jobs, job) }));
        } catch (error) {
          set({ cancelling: failed(error) });
        }
      },

      startOver() {
        api.shell?.setProgress(null);
        set({
          view: 'wizard',
          step: 'source',
          source: null,
          imagePath: '',
          inspection: IDLE,
          name: '',
          nameEdited: false,
          allBlocks: false,
          ...forgetSource(),
          force: false,
          starting: IDLE,
          cancelling: IDLE,
          currentJobId: null,
        });
      },

      showView(view) {
        set({ view });
        if (view === 'jobs') void get().loadJobs();
      },

      async loadJobs() {
        try {
          const listed = await api.request('listJobs', {});
          // Events may have told of newer states while the list was on its way.
          set((state) => ({
            jobsError: null,
            jobs: listed.reduce(addJobIfNew, state.jobs),
          }));
        } catch (error) {
          set({ jobsError: failed(error).error });
        }
      },

      async selectJob(id) {
        set({ selectedJobId: id, selectedLog: LOADING });
        try {
          const lines = await api.request('jobLog', { id });
          if (get().selectedJobId === id) set({ selectedLog: ready(lines) });
        } catch (error) {
          if (get().selectedJobId === id) set({ selectedLog: failed(error) });
        }
      },

      handleEvent(event) {
        const state = get();
        switch (event.type) {
          case 'jobState': {
            set({ jobs: upsertJob(state.jobs, event.job) });
            if (event.job.id === state.currentJobId && isFinished(event.job.state)) {
              api.shell?.setProgress(null);
            }
            return;
          }
          case 'jobProgress': {
            set({ jobs: withProgress(state.jobs, event.id, event.progress) });
            const { done, total } = event.progress;
            if (event.id === state.currentJobId && total > 0) {
              api.shell?.setProgress(Math.min(1, done / total));
            }
            return;
          }
          case 'jobLog': {
            set({
              logs: { ...state.logs, [event.id]: [...(state.logs[event.id] ?? []), event.line] },
            });
            const shown = state.selectedLog;
            if (event.id === state.selectedJobId && shown.status === 'ready') {
              set({ selectedLog: ready([...shown.value, event.line]) });
            }
            return;
          }
          case 'disksChanged':
            void state.loadDisks();
            return;
          case 'openImage':
            state.setSourceKind('image');
            get().setImagePath(event.path);
            void get().inspectImage();
            return;
        }
      },
    };
  });
}

export function currentJob(state: WizardState): JobInfo | null {
  return state.jobs.find((job) => job.id === state.currentJobId) ?? null;
}
