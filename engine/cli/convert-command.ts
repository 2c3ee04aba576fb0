import { FerryError } from '../../shared/errors.js';
import { formatSize, parseSize } from '../../shared/units.js';
import { CONTROLLERS, FIRMWARES, HYPERVISORS } from '../../shared/machines.js';
import { convert, type ConversionPlan, type ConvertRequest } from '../jobs/convert.js';
import type { HardwareChoices } from '../jobs/machine-output.js';
import { describePlan } from '../jobs/plan-text.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { cancellable } from './cancellable.js';
import { jobProgressView } from './progress-view.js';
import type { Terminal } from './terminal.js';
import { CONVERT_HELP } from './help.js';
import { parseCount, parsePartitionList, parsePositiveSize, parseResizes } from './layout-args.js';

export async function convertCommand(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs('convert', argv, {
    format: { type: 'string' },
    'all-blocks': { type: 'boolean' },
    thick: { type: 'boolean' },
    compress: { type: 'boolean' },
    verify: { type: 'boolean' },
    json: { type: 'boolean' },
    force: { type: 'boolean' },
    throttle: { type: 'string' },
    partitions: { type: 'string' },
    resize: { type: 'string', multiple: true },
    'disk-size': { type: 'string' },
    machine: { type: 'string' },
    name: { type: 'string' },
    cpus: { type: 'string' },
    memory: { type: 'string' },
    firmware: { type: 'string' },
    controller: { type: 'string' },
    nic: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(CONVERT_HELP);
    return 0;
  }
  const [source, destination] = expectPositionals('convert', positionals, ['source', 'dest']);
  const throttle = values.throttle === undefined ? undefined : parseRate(values.throttle);
  const json = values.json ?? false;
  const view = jobProgressView(terminal, json);

  try {
    const result = await cancellable((signal) =>
      convert(
        {
          source: source!,
          destination: destination!,
          ...(values.format === undefined ? {} : { format: values.format }),
          allBlocks: values['all-blocks'] ?? false,
          thick: values.thick ?? false,
          compress: values.compress ?? false,
          force: values.force ?? false,
          verify: values.verify ?? false,
          ...(throttle === undefined ? {} : { throttle }),
          ...(values.partitions === undefined
            ? {}
            : { partitions: parsePartitionList(values.partitions) }),
          ...(values.resize === undefined ? {} : { resize: parseResizes(values.resize) }),
          ...(values['disk-size'] === undefined
            ? {}
            : { diskSize: parsePositiveSize(values['disk-size'], '--disk-size') }),
          ...machineOptions(values),
        },
        {
          onPlan: (plan) =>
            json
              ? terminal.out(JSON.stringify(planEvent(plan)))
              : terminal.err(
                  [
                    describePlan(plan, {
                      thick: values.thick ?? false,
                      verify: values.verify ?? false,
                    }),
                    ...plan.warnings.map((w) => `warning: ${w}`),
                  ].join('\n'),
                ),
          onProgress: (progress) => view.update(progress),
          onWarning: (message) =>
            json
              ? terminal.out(JSON.stringify({ type: 'warning', message }))
              : terminal.err(`warning: ${message}`),
          onVerifying: () => {
            if (!json) return;
            // The copy's last progress comes before the event that starts the read back.
            view.end();
            terminal.out(JSON.stringify({ type: 'verifying' }));
          },
        },
        signal,
      ),
    );
    view.end();
    const path = result.files[0]!;
    const verified = values.verify ?? false;
    if (json) {
      terminal.out(
        JSON.stringify({ type: 'done', path, files: result.files, bytes: result.bytes, verified }),
      );
    } else {
      terminal.err(
        `Wrote ${result.files.join(', ')} (${formatSize(result.bytes)} on disk)${verified ? ', verified: every chunk read back as it was read' : ''}`,
      );
    }
    return 0;
  } catch (error) {
    view.end();
    throw error;
  }
}

/** `--machine` and the hardware options, which only mean something with a VM definition. */
function machineOptions(
  values: Partial<Record<'machine' | HardwareOption, string>>,
): Pick<ConvertRequest, 'machine' | 'hardware'> {
  const machine =
    values.machine === undefined ? undefined : oneOf(values.machine, HYPERVISORS, '--machine');
  const hardware: HardwareChoices = {
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.cpus === undefined ? {} : { cpus: parseCount(values.cpus, '--cpus', 64) }),
    ...(values.memory === undefined
      ? {}
      : { memoryBytes: parsePositiveSize(values.memory, '--memory') }),
    ...(values.firmware === undefined
      ? {}
      : { firmware: oneOf(values.firmware, FIRMWARES, '--firmware') }),
    ...(values.controller === undefined
      ? {}
      : { controller: oneOf(values.controller, CONTROLLERS, '--controller') }),
    ...(values.nic === undefined ? {} : { nic: values.nic }),
  };
  return { ...(machine === undefined ? {} : { machine }), hardware };
}

type HardwareOption = 'name' | 'cpus' | 'memory' | 'firmware' | 'controller' | 'nic';

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new FerryError('USAGE', `"${value}" is not one of ${allowed.join(', ')}`, {
    where: option,
    hint: `e.g. ${option} ${allowed[0]}`,
  });
}

/** RATE is a SIZE per second: `50M`, `1G`, `500K/s`. */
function parseRate(text: string): number {
  const bytes = parseSize(text.replace(/\/s$/i, ''));
  if (bytes === undefined || bytes <= 0) {
    throw new FerryError('USAGE', `"${text}" is not a rate`, {
      where: '--throttle',
      hint: 'give bytes per second with a binary unit, such as 50M or 1G',
    });
  }
  return bytes;
}

function planEvent(plan: ConversionPlan) {
  return {
    type: 'plan',
    format: plan.format,
    files: plan.outputFiles,
    diskSize: plan.diskSize,
    copyBytes: plan.copyBytes,
    firmware: plan.firmware.detected,
    guest: plan.layout.guest,
    ...(plan.machine && {
      machine: { hypervisor: plan.machine.targets.hypervisor, ...plan.machine.summary },
    }),
    ...(plan.volumes && {
      partitions: plan.volumes.volumes.map((v) => ({
        number: v.number,
        destinationNumber: v.destinationNumber,
        start: v.start,
        size: v.size,
        change: v.change,
      })),
      temporaryBytes: plan.volumes.temporaryBytes,
    }),
    warnings: plan.warnings,
  };
}
