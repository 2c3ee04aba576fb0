/**
 * The Customize screen's hardware: each field starts at the engine's default for the guest and
 * the hypervisor, from the latest plan; a change asks for a new plan, and a refusal says why
 * while the fields stay there to be changed back.
 */
import { useId } from 'react';
import type { MachinePlan } from '../../shared/api.js';
import type { Controller } from '../../shared/machines.js';
import { CountField } from '../components/CountField.js';
import { Notice } from '../components/Notice.js';
import { SelectField } from '../components/SelectField.js';
import { SizeField } from '../components/SizeField.js';
import { useI18n } from '../i18n/i18n-context.js';
import { MAX_CPUS, MEMORY_BOUNDS, hasChoices, shownHardware } from '../model/hardware.js';
import { useWizard } from '../store/wizard-context.js';
import { FirmwareChoice } from './FirmwareChoice.js';

export function MachineHardware() {
  const { t } = useI18n();
  const plan = useWizard((s) => s.plan);
  const machine = useWizard((s) => s.lastPlan?.machine ?? null);
  const refreshPlan = useWizard((s) => s.refreshPlan);
  return (
    <>
      {plan.status === 'failed' && (
        <Notice tone="error" title={t.customize.refused}>
          <p>{plan.error}</p>
          <button type="button" className="button" onClick={() => void refreshPlan()}>
            {t.tryAgain}
          </button>
        </Notice>
      )}
      {machine ? (
        <HardwareFields machine={machine} updating={plan.status === 'loading'} />
      ) : (
        plan.status !== 'failed' && (
          <p role="status" className="muted">
            {t.customize.planning}
          </p>
        )
      )}
    </>
  );
}

function HardwareFields({ machine, updating }: { machine: MachinePlan; updating: boolean }) {
  const { t, size } = useI18n();
  const choice = useWizard((s) => s.hardware);
  const defaults = useWizard((s) => s.hardwareDefaults);
  const setCpus = useWizard((s) => s.setCpus);
  const setMemory = useWizard((s) => s.setMemory);
  const setController = useWizard((s) => s.setController);
  const setNic = useWizard((s) => s.setNic);
  const resetHardware = useWizard((s) => s.resetHardware);
  const memoryHintId = useId();
  const shown = shownHardware(choice, machine);
  const option = (label: string, isDefault: boolean): string =>
    isDefault ? t.customize.defaultOption(label) : label;
  const controllerName = (controller: Controller): string => t.customize.controllers[controller];
  const nicName = (nic: string): string => t.customize.nics[nic] ?? nic;
  const defaultMemory =
    choice.memoryBytes !== undefined && defaults.memoryBytes !== undefined
      ? t.customize.defaultValue(size(defaults.memoryBytes))
      : null;
  return (
    <section
      className={updating ? 'card hardware is-updating' : 'card hardware'}
      aria-labelledby="hardware-title"
      aria-busy={updating}
    >
      <div className="section-header">
        <h3 id="hardware-title">{t.customize.hardwareTitle}</h3>
        <span role="status" className="muted grow">
          {updating ? t.customize.updating : ''}
        </span>
        <button
          type="button"
          className="button subtle"
          disabled={!hasChoices(choice)}
          onClick={resetHardware}
        >
          {t.customize.reset}
        </button>
      </div>
      <div className="hardware-grid">
        <CountField
          label={t.customize.cpus}
          value={shown.cpus}
          min={1}
          max={MAX_CPUS}
          hint={
            choice.cpus !== undefined && defaults.cpus !== undefined
              ? `${t.customize.cpusHint} ${t.customize.defaultValue(String(defaults.cpus))}`
              : t.customize.cpusHint
          }
          error={t.customize.cpusError}
          onChange={setCpus}
        />
        <div className="field">
          <SizeField
            label={<span className="field-label">{t.customize.memory}</span>}
            unitLabel={t.customize.memoryUnit}
            value={shown.memoryBytes}
            bounds={MEMORY_BOUNDS}
            slider={false}
            {...(defaultMemory ? { describedBy: memoryHintId } : {})}
            onChange={setMemory}
          />
          {defaultMemory && (
            <p id={memoryHintId} className="field-hint">
              {defaultMemory}
            </p>
          )}
        </div>
        <SelectField
          label={t.customize.controller}
          value={shown.controller}
          options={machine.controllers.map((controller) => ({
            value: controller,
            label: option(controllerName(controller), controller === defaults.controller),
          }))}
          onChange={setController}
        />
        <SelectField
          label={t.customize.nic}
          value={shown.nic}
          options={machine.nics.map((nic) => ({
            value: nic,
            label: option(nicName(nic), nic === defaults.nic),
          }))}
          onChange={setNic}
        />
      </div>
      <FirmwareChoice shown={shown.firmware} />
    </section>
  );
}
