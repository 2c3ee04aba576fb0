/** The Customize screen's actions: each change of hardware asks the engine for a new plan. */
import type { Controller, Firmware } from '../../shared/machines.js';
import {
  HARDWARE_FIELDS,
  isCpuCount,
  roundMemory,
  withHardware,
  type Hardware,
  type HardwareField,
  type HardwareValues,
} from '../model/hardware.js';
import type { PlanRequests } from './plan-requests.js';
import type { WizardData } from './wizard-state.js';

export interface HardwareActions {
  /** A whole number of virtual CPUs within the engine's bounds; anything else is ignored. */
  setCpus(cpus: number): void;
  /** Rounded to a size every hypervisor takes, within the engine's bounds. */
  setMemory(bytes: number): void;
  setFirmware(firmware: Firmware): void;
  setController(controller: Controller): void;
  setNic(nic: string): void;
  /** Back to the engine's defaults for every field. */
  resetHardware(): void;
}

export function hardwareActions(
  get: () => WizardData,
  set: (fields: Pick<WizardData, 'hardware'>) => void,
  plans: PlanRequests,
): HardwareActions {
  const change = (hardware: Hardware): void => {
    if (sameHardware(hardware, get().hardware)) return;
    set({ hardware });
    plans.soon();
  };
  const choose = <K extends HardwareField>(field: K, value: HardwareValues[K]): void => {
    const { hardware, hardwareDefaults } = get();
    change(withHardware(hardware, hardwareDefaults, field, value));
  };
  return {
    setCpus(cpus) {
      if (isCpuCount(cpus)) choose('cpus', cpus);
    },
    setMemory(bytes) {
      if (Number.isFinite(bytes)) choose('memoryBytes', roundMemory(bytes));
    },
    setFirmware(firmware) {
      choose('firmware', firmware);
    },
    setController(controller) {
      choose('controller', controller);
    },
    setNic(nic) {
      choose('nic', nic);
    },
    resetHardware() {
      change({});
    },
  };
}

function sameHardware(a: Hardware, b: Hardware): boolean {
  return HARDWARE_FIELDS.every((field) => a[field] === b[field]);
}
