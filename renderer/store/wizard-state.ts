/** Everything the wizard remembers: the choices of each step and what the engine said about them. */
import type { JobInfo, LogLine, PlanSummary } from '../../shared/api.js';
import type { Disk } from '../../shared/disks.js';
import type { FormatName } from '../../shared/formats.js';
import type { InspectReport } from '../../shared/layout.js';
import type { Hardware } from '../model/hardware.js';
import type { LayoutChoice } from '../model/layout-choice.js';
import type { TargetId } from '../model/targets.js';
import type { Loadable } from './loadable.js';

export const WIZARD_STEPS = ['source', 'destination', 'volumes', 'customize', 'summary'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];
export type Step = WizardStep | 'progress';

export type View = 'wizard' | 'jobs';
export type SourceKind = 'disk' | 'image';

export interface FolderSpace {
  path: string;
  freeBytes: number;
}

export interface WizardData {
  view: View;
  step: Step;
  disks: Loadable<Disk[]>;
  sourceKind: SourceKind;
  /** The image path as typed, before it is inspected. */
  imagePath: string;
  /** The disk or image path last chosen; `inspection` is about it. */
  source: string | null;
  inspection: Loadable<InspectReport>;
  /** A hypervisor whose machine is written around the disk, or the disk alone. */
  target: TargetId;
  format: FormatName;
  compress: boolean;
  /** For an OVF machine: one `.ova` package rather than a folder of files. */
  ova: boolean;
  folder: string;
  /** Free space of `folder`, from `browse`. */
  folderSpace: Loadable<FolderSpace>;
  /** File name without its extension, which the format decides; the machine's name too. */
  name: string;
  /** Once the user types a name, choosing another source no longer replaces it. */
  nameEdited: boolean;
  allBlocks: boolean;
  thick: boolean;
  /** Which partitions are copied, at which sizes, on how large a disk. */
  layout: LayoutChoice;
  /** The machine's hardware the user set apart from the engine's defaults. */
  hardware: Hardware;
  /** The engine's defaults for the machine, as its plans told them. */
  hardwareDefaults: Hardware;
  plan: Loadable<PlanSummary>;
  /**
   * The latest plan the engine made for this source, kept while a newer one is worked out or
   * refused: the bounds of the Volumes screen's size controls.
   */
  lastPlan: PlanSummary | null;
  /** Replace existing output files. */
  force: boolean;
  /** Read the finished disk back and check it; kept for the next conversion. */
  verify: boolean;
  /** Starting the job, and why it could not start. */
  starting: Loadable<JobInfo>;
  /** The job this wizard started, shown by the Progress step. */
  currentJobId: string | null;
  /** Every job the engine knows, newest first. */
  jobs: JobInfo[];
  logs: Record<string, LogLine[]>;
}
