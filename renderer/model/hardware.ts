/**
 * The machine's hardware as the Customize screen changes it. Only what the user set apart from
 * the engine's defaults is sent: the rest follows the engine, whose defaults depend on the guest,
 * the firmware and the hypervisor, and may change when one of those does.
 */
import type { JobSpec, MachinePlan, PlanSummary } from '../../shared/api.js';
import { GiB, MiB } from './sizes.js';

export const HARDWARE_FIELDS = ['cpus', 'memoryBytes', 'firmware', 'controller', 'nic'] as const;
export type HardwareField = (typeof HARDWARE_FIELDS)[number];
export type HardwareValues = Pick<MachinePlan, HardwareField>;
/** Some of the hardware: what the user chose, or what the engine's plans told of its defaults. */
export type Hardware = Partial<HardwareValues>;

/** The engine's bounds (engine/machines/machine-spec.ts): VirtualBox's ceilings. */
export const MAX_CPUS = 64;
export const MEMORY_BOUNDS = { min: 64 * MiB, max: 2048 * GiB } as const;
/** VMware takes memory in multiples of 4 MiB and Hyper-V of 2 MiB: 4 MiB suits them all. */
const MEMORY_STEP = 4 * MiB;

export function roundMemory(bytes: number): number {
  const rounded = Math.round(bytes / MEMORY_STEP) * MEMORY_STEP;
  return Math.min(MEMORY_BOUNDS.max, Math.max(MEMORY_BOUNDS.min, rounded));
}

export function isCpuCount(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_CPUS;
}

/** `choice` with `field` set to `value`; without it when `value` is the engine's default. */
export function withHardware<K extends HardwareField>(
  choice: Hardware,
  defaults: Hardware,
  field: K,
  value: HardwareValues[K],
): Hardware {
  const next = { ...choice };
  if (defaults[field] === value) delete next[field];
  else next[field] = value;
  return next;
}

/** What a plan tells of the defaults: the value of every field its spec left to the engine. */
export function learnDefaults(known: Hardware, spec: JobSpec, plan: PlanSummary): Hardware {
  const { machine } = plan;
  if (!machine) return known;
  const learnt: Hardware = { ...known };
  for (const field of HARDWARE_FIELDS) {
    if (spec.hardware?.[field] === undefined) copyField(learnt, machine, field);
  }
  return learnt;
}

/** What still holds for another hypervisor: controllers and network adapters are its own. */
export function forAnotherHypervisor(hardware: Hardware): Hardware {
  const kept = { ...hardware };
  delete kept.controller;
  delete kept.nic;
  return kept;
}

/** The hardware the screen shows: the user's choices, the plan's values for the rest. */
export function shownHardware(choice: Hardware, machine: MachinePlan): HardwareValues {
  return {
    cpus: choice.cpus ?? machine.cpus,
    memoryBytes: choice.memoryBytes ?? machine.memoryBytes,
    firmware: choice.firmware ?? machine.firmware,
    controller: choice.controller ?? machine.controller,
    nic: choice.nic ?? machine.nic,
  };
}

export function hasChoices(choice: Hardware): boolean {
  return HARDWARE_FIELDS.some((field) => choice[field] !== undefined);
}

function copyField<K extends HardwareField>(to: Hardware, from: HardwareValues, field: K): void {
  to[field] = from[field];
}
