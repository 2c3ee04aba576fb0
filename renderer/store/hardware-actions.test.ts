import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobSpec } from '../../shared/api.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { DISK_SPEC, MBR_IMAGE, SPEC } from '../test-support/fixtures.js';
import { planSettled, storeAt } from '../test-support/wizard-at.js';
import { PLAN_DELAY_MS } from './plan-requests.js';
import { canLeave, canVisit } from './steps.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

afterEach(() => {
  vi.useRealTimers();
});

function plannedSpecs(api: FakeFerry): JobSpec[] {
  return (api.callsTo('plan') as { spec: JobSpec }[]).map((call) => call.spec);
}

async function atCustomize(api = new FakeFerry(), source?: string) {
  const store = await storeAt('customize', api, {
    planDelayMs: 0,
    ...(source ? { source } : {}),
  });
  await planSettled(store);
  return store;
}

describe('hardware choices', () => {
  it('asks for the machine on entering Customize, and learns the defaults from the answer', async () => {
    const api = new FakeFerry();
    const store = await atCustomize(api);
    expect(plannedSpecs(api)).toEqual([SPEC]);
    expect(store.getState().hardwareDefaults).toEqual({
      cpus: 2,
      memoryBytes: 2 * GiB,
      firmware: 'uefi',
      controller: 'sata',
      nic: 'vmxnet3',
    });
  });

  it('sends the machine with only the hardware set apart from the defaults', async () => {
    const api = new FakeFerry();
    const store = await atCustomize(api);
    const s = store.getState();
    s.setCpus(4);
    await planSettled(store);
    s.setMemory(3 * GiB);
    await planSettled(store);
    s.setNic('e1000e');
    await planSettled(store);
    expect(plannedSpecs(api).at(-1)).toEqual({
      ...SPEC,
      hardware: { cpus: 4, memoryBytes: 3 * GiB, nic: 'e1000e' },
    });
    // Back to a default value is no longer a choice: the engine's default applies again.
    s.setCpus(2);
    s.setNic('vmxnet3');
    await planSettled(store);
    expect(plannedSpecs(api).at(-1)).toEqual({ ...SPEC, hardware: { memoryBytes: 3 * GiB } });
    s.resetHardware();
    await planSettled(store);
    expect(plannedSpecs(api).at(-1)).toEqual(SPEC);
    expect(store.getState().hardware).toEqual({});
  });

  it('asks once the choices have rested, and not again for a choice already made', async () => {
    const api = new FakeFerry();
    const store = await storeAt('customize', api);
    await planSettled(store);
    vi.useFakeTimers();
    const s = store.getState();
    s.setCpus(3);
    vi.advanceTimersByTime(PLAN_DELAY_MS - 50);
    s.setCpus(4);
    s.setController('scsi');
    expect(store.getState().plan.status).toBe('loading');
    vi.advanceTimersByTime(PLAN_DELAY_MS);
    expect(plannedSpecs(api)).toEqual([
      SPEC,
      { ...SPEC, hardware: { cpus: 4, controller: 'scsi' } },
    ]);
    s.setController('scsi');
    vi.advanceTimersByTime(PLAN_DELAY_MS);
    expect(plannedSpecs(api)).toHaveLength(2);
  });

  it('keeps memory to what every hypervisor takes, and CPU counts within bounds', async () => {
    const store = await atCustomize();
    const s = store.getState();
    s.setMemory(1001 * MiB);
    expect(store.getState().hardware.memoryBytes).toBe(1000 * MiB);
    s.setMemory(10 * MiB);
    expect(store.getState().hardware.memoryBytes).toBe(64 * MiB);
    s.setCpus(0);
    s.setCpus(65);
    s.setCpus(2.5);
    expect(store.getState().hardware.cpus).toBeUndefined();
    s.setCpus(64);
    expect(store.getState().hardware.cpus).toBe(64);
  });

  it('drops the controller and adapter with the hypervisor that names them, and everything with the source', async () => {
    const api = new FakeFerry();
    const store = await atCustomize(api);
    const s = store.getState();
    s.setCpus(4);
    s.setFirmware('bios');
    s.setController('ide');
    s.setNic('e1000');
    s.goTo('destination');
    s.chooseTarget('libvirt');
    expect(store.getState()).toMatchObject({
      hardware: { cpus: 4, firmware: 'bios' },
      hardwareDefaults: { cpus: 2, memoryBytes: 2 * GiB, firmware: 'uefi' },
      lastPlan: null,
    });
    s.goTo('customize');
    await planSettled(store);
    expect(plannedSpecs(api).at(-1)).toMatchObject({
      machine: 'libvirt',
      format: 'qcow2',
      hardware: { cpus: 4, firmware: 'bios' },
    });
    expect(store.getState().hardwareDefaults).toMatchObject({
      controller: 'virtio',
      nic: 'virtio',
    });
    s.setImagePath(MBR_IMAGE);
    await s.inspectImage();
    expect(store.getState()).toMatchObject({ hardware: {}, hardwareDefaults: {} });
  });

  it('writes no machine, and asks no plan on Customize, for the disk alone', async () => {
    const api = new FakeFerry();
    const store = await storeAt('destination', api);
    store.getState().chooseTarget('disk');
    store.getState().setCpus(4);
    store.getState().goTo('customize');
    expect(api.callsTo('plan')).toEqual([]);
    store.getState().goTo('summary');
    await planSettled(store);
    expect(plannedSpecs(api)).toEqual([DISK_SPEC]);
  });

  it('cannot leave Customize while the engine refuses the hardware, and lets Volumes reach it', async () => {
    const api = new FakeFerry();
    const store = await atCustomize(api);
    const s = store.getState();
    s.setFirmware('bios');
    s.setController('nvme');
    await planSettled(store);
    expect(store.getState().plan).toEqual({
      status: 'failed',
      error: 'VMware boots from NVMe only with UEFI firmware',
    });
    expect(canLeave('customize', store.getState())).toBe(false);
    s.back();
    await planSettled(store);
    expect(store.getState()).toMatchObject({ step: 'volumes', plan: { status: 'failed' } });
    expect(canVisit('customize', store.getState())).toBe(true);
    s.next();
    await planSettled(store);
    s.setController('sata');
    await planSettled(store);
    expect(canLeave('customize', store.getState())).toBe(true);
  });

  it('plans an OVA as an OVF machine in one file', async () => {
    const api = new FakeFerry();
    const store = await storeAt('destination', api);
    store.getState().chooseTarget('ovf');
    store.getState().setOva(true);
    store.getState().goTo('summary');
    await planSettled(store);
    expect(plannedSpecs(api)).toEqual([
      { ...SPEC, destination: '/home/ada/laptop.ova', format: 'vmdk-stream', machine: 'ovf' },
    ]);
    const plan = store.getState().plan;
    expect(plan.status === 'ready' && plan.value.outputFiles).toEqual(['/home/ada/laptop.ova']);
  });

  it('renames the machine with the output on Customize', async () => {
    const api = new FakeFerry();
    const store = await atCustomize(api);
    store.getState().setName('build-server');
    await planSettled(store);
    expect(plannedSpecs(api).at(-1)?.destination).toBe('/home/ada/build-server.vmdk');
    expect(store.getState().lastPlan?.machine?.name).toBe('build-server');
  });
});
