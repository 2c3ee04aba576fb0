/**
 * The contract between the user interface and the engine: every request the UI can make, every
 * event the engine pushes. The renderer sees it as `window.ferry` (type FerryApi); Electron's
 * preload implements it over IPC, the browser console over a WebSocket, and the engine host
 * validates every request against the schemas below before acting on it.
 */
import { z } from 'zod';
import type { Disk } from './disks.js';
import { FORMAT_NAMES } from './formats.js';
import type { GuestOs } from './guest.js';
import { CONTROLLERS, FIRMWARES, HYPERVISORS, type Controller, type Firmware } from './machines.js';
import type { InspectReport } from './layout.js';

/** What a conversion job is asked to do; the same choices as `ferry convert`. */
export const JobSpecSchema = z.object({
  source: z.string().min(1),
  destination: z.string().min(1),
  format: z.enum(FORMAT_NAMES),
  allBlocks: z.boolean().default(false),
  thick: z.boolean().default(false),
  compress: z.boolean().default(false),
  force: z.boolean().default(false),
  /** Read the written disk back and check every chunk (`--verify`). */
  verify: z.boolean().default(false),
  /** Partition numbers to copy (`--partitions`); absent copies them all. */
  partitions: z.array(z.number().int().min(1).max(256)).min(1).optional(),
  /** New size in bytes per partition number (`--resize N=SIZE`). */
  resize: z.record(z.string().regex(/^\d+$/), z.number().int().positive()).optional(),
  /** The virtual disk's size in bytes (`--disk-size`). */
  diskSize: z.number().int().positive().optional(),
  /** Write the VM definition for this hypervisor beside the disk (`--machine`). */
  machine: z.enum(HYPERVISORS).optional(),
  /** The machine's hardware; what is absent takes the defaults `plan` reports. */
  hardware: z
    .object({
      name: z.string().min(1).max(100).optional(),
      cpus: z.number().int().min(1).max(64).optional(),
      memoryBytes: z.number().int().positive().optional(),
      firmware: z.enum(FIRMWARES).optional(),
      controller: z.enum(CONTROLLERS).optional(),
      nic: z.string().min(1).max(40).optional(),
    })
    .optional(),
});
export type JobSpec = z.infer<typeof JobSpecSchema>;

/**
 * One partition of the source as the destination will hold it: the Volumes screen's row, with
 * the bounds of its size slider, and the Summary's line when its place or size changes.
 */
export interface VolumePlan {
  /** Its number on the source, as `ferry inspect` shows it. */
  number: number;
  /** Its number on the destination; null when it is left out. */
  destinationNumber: number | null;
  sourceStart: number;
  sourceSize: number;
  /** Where and how large it will be; null when left out. */
  start: number | null;
  size: number | null;
  /**
   * The smallest size it may be given: what its filesystem needs, or its own size when it
   * cannot shrink (no resizer for its filesystem, or none installed).
   */
  minimumSize: number;
  /**
   * The largest size that fits with the others on the disk as planned: growing past it needs a
   * larger disk size first.
   */
  maximumSize: number;
  /** What resizes its filesystem ("resize2fs", "ntfsresize", "native"), or null. */
  resizer: string | null;
  /**
   * `copy`: unchanged in place; `move`: same size, new place; `resize`: the filesystem follows
   * the new size; `grow`: the partition grows but its filesystem keeps its size (no resizer);
   * `remove`: left out.
   */
  change: 'copy' | 'move' | 'resize' | 'grow' | 'remove';
}

/** A conversion worked out before anything is written: what the Summary screen shows. */
export interface PlanSummary {
  format: (typeof FORMAT_NAMES)[number];
  outputFiles: string[];
  diskSize: number;
  /** Bytes of the source that will be read. */
  copyBytes: number;
  /** Bytes the output is expected to take on disk (an upper bound for compressed formats). */
  estimatedOutputBytes: number;
  /** Output files that exist already (replaced only with `force`). */
  existing: string[];
  warnings: string[];
  layout: InspectReport;
  /** Every partition of the source (extended containers aside) and what becomes of it. */
  volumes: VolumePlan[];
  /** The smallest virtual disk the chosen layout fits on. */
  minimumDiskSize: number;
  /** Scratch space beside the destination for filesystems resized on a copy, freed at the end. */
  temporaryBytes: number;
  /** A rough duration in seconds, from the bytes to read, resize and write. */
  estimatedSeconds: number;
  /** The system found on the source, as in `layout.guest`. */
  guest: GuestOs | null;
  /** The firmware the source boots with, and why Ferry thinks so. */
  firmware: { detected: Firmware; reason: string };
  /** With `machine`: the hardware the definition will name, the user's choices and defaults merged. */
  machine: MachinePlan | null;
}

/** The VM definition a job will write: the Customize screen's defaults and the Summary's lines. */
export interface MachinePlan {
  name: string;
  cpus: number;
  memoryBytes: number;
  firmware: Firmware;
  controller: Controller;
  nic: string;
  /** The controllers and network adapters this hypervisor can name, for the choices offered. */
  controllers: Controller[];
  nics: string[];
  /** The definition's files (the .vmx, .vbox, .ps1, .xml, or .ovf and .mf), besides the disk's. */
  files: string[];
}

export type JobState =
  'queued' | 'planning' | 'copying' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  done: number;
  total: number;
  rate: number;
  eta: number | null;
}

export interface JobError {
  code: string;
  message: string;
}

export interface JobInfo {
  id: string;
  spec: JobSpec;
  state: JobState;
  createdAt: string;
  finishedAt: string | null;
  progress: JobProgress | null;
  /** Final paths written, once done. */
  files: string[];
  /** Size of the output on disk, once done. */
  bytes: number | null;
  error: JobError | null;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export type EntryKind = 'file' | 'folder' | 'device' | 'other';

export interface FolderEntry {
  name: string;
  path: string;
  kind: EntryKind;
  size: number;
}

/** A folder on the engine's machine, for the file and folder pickers of the browser console. */
export interface FolderListing {
  path: string;
  parent: string | null;
  entries: FolderEntry[];
  /** Free bytes on the filesystem holding this folder. */
  freeBytes: number;
}

/** Requests: name -> params schema. Results are typed in FerryApi. */
export const RequestSchemas = {
  listDisks: z.object({}),
  inspect: z.object({ source: z.string().min(1) }),
  plan: z.object({ spec: JobSpecSchema }),
  startJob: z.object({ spec: JobSpecSchema }),
  cancelJob: z.object({ id: z.string().min(1) }),
  listJobs: z.object({}),
  jobLog: z.object({ id: z.string().min(1) }),
  browse: z.object({ path: z.string().optional() }),
} as const;

export type RequestName = keyof typeof RequestSchemas;
export type RequestParams<N extends RequestName> = z.input<(typeof RequestSchemas)[N]>;

export interface RequestResults {
  listDisks: Disk[];
  inspect: InspectReport;
  plan: PlanSummary;
  startJob: JobInfo;
  cancelJob: JobInfo;
  listJobs: JobInfo[];
  jobLog: LogLine[];
  browse: FolderListing;
}

/** Events pushed by the engine. */
export type FerryEvent =
  | { type: 'jobProgress'; id: string; progress: JobProgress }
  | { type: 'jobState'; job: JobInfo }
  | { type: 'jobLog'; id: string; line: LogLine }
  | { type: 'disksChanged' }
  /** The shell's File > Open Disk Image… chose a file: start the wizard from it. */
  | { type: 'openImage'; path: string };

/** A failure as it crosses the boundary: a FerryError's code and its one line. */
export interface ApiError {
  code: string;
  message: string;
}

/** What the renderer calls: `window.ferry`. Every method rejects with an Error whose message is the ApiError's. */
export interface FerryApi {
  request<N extends RequestName>(name: N, params: RequestParams<N>): Promise<RequestResults[N]>;
  /** Subscribes to engine events; returns the unsubscribe function. */
  onEvent(listener: (event: FerryEvent) => void): () => void;
  /** What the shell can do beyond the engine: native dialogs exist only in Electron. */
  readonly shell: ShellApi | null;
}

/** Native parts offered by the Electron shell only (the browser console uses `browse`). */
export interface ShellApi {
  chooseFile(options: { title: string }): Promise<string | null>;
  chooseFolder(options: { title: string }): Promise<string | null>;
  showInFolder(path: string): Promise<void>;
  setProgress(fraction: number | null): void;
}

/** The wire format of both transports (stdio NDJSON and WebSocket). */
export type WireMessage =
  | { kind: 'request'; id: number; name: RequestName; params: unknown }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: ApiError }
  | { kind: 'event'; event: FerryEvent };
