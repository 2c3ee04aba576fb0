/** The Summary's view of the virtual machine the engine will write: its hardware and its files. */
import type { MachinePlan } from '../../shared/api.js';
import type { Firmware } from '../../shared/machines.js';
import { useI18n } from '../i18n/i18n-context.js';
import { machineOf } from '../model/targets.js';
import { useWizard } from '../store/wizard-context.js';

export function MachineSummary({ machine }: { machine: MachinePlan }) {
  const { t, size } = useI18n();
  const hypervisor = useWizard((s) => machineOf(s.target));
  const detected = useWizard((s) => s.lastPlan?.firmware.detected ?? null);
  const { customize } = t;
  const firmwareText = (firmware: Firmware): string => {
    const name = customize.firmwares[firmware].name;
    if (detected === null) return name;
    return firmware === detected
      ? `${name} · ${customize.detected}`
      : `${name} · ${t.summary.bootsWith(customize.firmwares[detected].name)}`;
  };
  const facts: [string, string][] = [
    [t.summary.hypervisor, hypervisor ? t.targets[hypervisor].name : ''],
    [t.summary.machineName, machine.name],
    [customize.cpus, String(machine.cpus)],
    [customize.memory, size(machine.memoryBytes)],
    [customize.firmware, firmwareText(machine.firmware)],
    [customize.controller, customize.controllers[machine.controller]],
    [customize.nic, customize.nics[machine.nic] ?? machine.nic],
  ];
  return (
    <section className="card" aria-labelledby="machine-title">
      <h3 id="machine-title">{t.summary.machineTitle}</h3>
      <dl className="facts">
        {facts.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h4>{t.summary.definition}</h4>
      <ul className="file-list">
        {machine.files.map((file) => (
          <li key={file} className="mono">
            {file}
          </li>
        ))}
      </ul>
    </section>
  );
}
