/** The wizard's choices as the engine's job spec. */
import type { JobSpec } from '../../shared/api.js';
import { hasChoices } from '../model/hardware.js';
import { layoutSpec } from '../model/layout-choice.js';
import { destinationExtension } from '../model/output-files.js';
import { joinPath, nameProblem } from '../model/paths.js';
import { machineOf, supportsCompression, supportsThick } from '../model/targets.js';
import type { WizardData } from './wizard-state.js';

export function destinationPath(state: WizardData): string | null {
  if (state.folder.trim() === '' || nameProblem(state.name) !== null) return null;
  return joinPath(state.folder.trim(), state.name.trim() + destinationExtension(state));
}

export function jobSpec(state: WizardData): JobSpec | null {
  const destination = destinationPath(state);
  if (state.source === null || destination === null) return null;
  const report = state.inspection.status === 'ready' ? state.inspection.value : null;
  const machine = machineOf(state.target);
  return {
    source: state.source,
    destination,
    format: state.format,
    allBlocks: state.allBlocks,
    thick: state.thick && supportsThick(state.format),
    compress: state.compress && supportsCompression(state.format),
    force: state.force,
    verify: state.verify,
    ...(report ? layoutSpec(state.layout, report) : {}),
    // The machine takes its name from the destination, so only the hardware is sent.
    ...(machine ? { machine } : {}),
    ...(machine && hasChoices(state.hardware) ? { hardware: state.hardware } : {}),
  };
}
