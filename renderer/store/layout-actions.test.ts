import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobSpec, PlanSummary } from '../../shared/api.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { MBR_IMAGE, SPEC, planFor } from '../test-support/fixtures.js';
import { planSettled, storeAt } from '../test-support/wizard-at.js';
import { canLeave } from './steps.js';
import { PLAN_DELAY_MS } from './plan-requests.js';

const MiB = 2 ** 20;

afterEach(() => {
  vi.useRealTimers();
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function plannedSpecs(api: FakeFerry): JobSpec[] {
  return (api.callsTo('plan') as { spec: JobSpec }[]).map((call) => call.spec);
}

describe('layout choices', () => {
  it('asks for a plan on entering Volumes, then once the choices have rested', async () => {
    const api = new FakeFerry();
    const store = await storeAt('volumes', api);
    expect(plannedSpecs(api)).toEqual([SPEC]);
    vi.useFakeTimers();
    const s = store.getState();
    s.setVolumeSize(2, 30 * MiB);
    vi.advanceTimersByTime(PLAN_DELAY_MS - 50);
    s.setVolumeSize(2, 25 * MiB);
    s.setIncluded(3, false);
    expect(store.getState().plan.status).toBe('loading');
    vi.advanceTimersByTime(PLAN_DELAY_MS - 1);
    expect(plannedSpecs(api)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(plannedSpecs(api)).toEqual([
      SPEC,
      { ...SPEC, partitions: [1, 2], resize: { 2: 25 * MiB } },
    ]);
    vi.useRealTimers();
    await planSettled(store);
    expect(store.getState().lastPlan?.volumes.map((v) => v.change)).toEqual([
      'copy',
      'resize',
      'remove',
    ]);
  });

  it('ignores the answer to a question asked before the latest change', async () => {
    const answers: ReturnType<typeof deferred<PlanSummary>>[] = [];
    const api = new FakeFerry({
      plan: ({ spec }) => {
        if (plannedSpecs(api).length === 1) return planFor({ ...SPEC, ...spec });
        const answer = deferred<PlanSummary>();
        answers.push(answer);
        return answer.promise;
      },
    });
    const store = await storeAt('volumes', api, { planDelayMs: 0 });
    const s = store.getState();
    s.setVolumeSize(2, 30 * MiB);
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    s.setVolumeSize(2, 20 * MiB);
    await vi.waitFor(() => expect(answers).toHaveLength(2));
    const [stale, latest] = plannedSpecs(api).slice(1);
    answers[1]!.resolve(planFor(latest!));
    await vi.waitFor(() => expect(store.getState().plan.status).toBe('ready'));
    answers[0]!.resolve(planFor(stale!));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.getState().lastPlan?.volumes[1]?.size).toBe(20 * MiB);
    const plan = store.getState().plan;
    expect(plan.status === 'ready' && plan.value.volumes[1]?.size).toBe(20 * MiB);
  });

  it('ignores a plan still on its way when the step is left and entered again', async () => {
    const slow = deferred<PlanSummary>();
    let calls = 0;
    const api = new FakeFerry({
      plan: ({ spec }) => (++calls === 2 ? slow.promise : planFor({ ...SPEC, ...spec })),
    });
    const store = await storeAt('volumes', api, { planDelayMs: 0 });
    store.getState().setVolumeSize(2, 30 * MiB);
    await vi.waitFor(() => expect(calls).toBe(2));
    store.getState().goTo('summary');
    await planSettled(store);
    slow.resolve({ ...planFor(SPEC), warnings: ['stale'] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const plan = store.getState().plan;
    expect(plan.status === 'ready' && plan.value.warnings).toEqual([]);
  });

  it('keeps sizes within the latest plan’s bounds, in whole MiB, and drops them when unchanged', async () => {
    const store = await storeAt('volumes', new FakeFerry(), { planDelayMs: 0 });
    const s = store.getState();
    s.setVolumeSize(2, 5 * MiB);
    expect(store.getState().layout.resize).toEqual({ 2: 14 * MiB });
    s.setVolumeSize(2, 20.6 * MiB);
    expect(store.getState().layout.resize).toEqual({ 2: 21 * MiB });
    s.setVolumeSize(2, 60 * MiB);
    expect(store.getState().layout.resize).toEqual({});
    // Nothing to choose: FAT32 cannot shrink, and the disk leaves no room to grow.
    s.setVolumeSize(1, 8 * MiB);
    expect(store.getState().layout.resize).toEqual({});
    s.setDiskSize(10 * MiB);
    expect(store.getState().layout.diskSize).toBeNull();
    s.setDiskSize(100.3 * MiB);
    expect(store.getState().layout.diskSize).toBe(100 * MiB);
  });

  it('forgets a new size with its partition, and every choice with the source', async () => {
    const api = new FakeFerry();
    const store = await storeAt('volumes', api, { planDelayMs: 0 });
    const s = store.getState();
    s.setVolumeSize(2, 20 * MiB);
    s.setIncluded(2, false);
    expect(store.getState().layout).toEqual({ excluded: [2], resize: {}, diskSize: null });
    s.setIncluded(2, true);
    s.setDiskSize(100 * MiB);
    await planSettled(store);
    s.setImagePath(MBR_IMAGE);
    await s.inspectImage();
    expect(store.getState()).toMatchObject({
      layout: { excluded: [], resize: {}, diskSize: null },
      plan: { status: 'idle' },
      lastPlan: null,
    });
  });

  it('re-plans when the copy mode or the allocation changes on the Volumes screen', async () => {
    const api = new FakeFerry();
    const store = await storeAt('volumes', api, { planDelayMs: 0 });
    store.getState().setAllBlocks(true);
    await planSettled(store);
    store.getState().chooseTarget('hyperv');
    store.getState().setThick(true);
    await planSettled(store);
    expect(plannedSpecs(api).at(-1)).toMatchObject({
      allBlocks: true,
      thick: true,
      format: 'vhdx',
    });
  });

  it('cannot leave Volumes while the engine refuses the layout', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => {
        if (spec.partitions?.length === 1) throw new Error('partition 2 overlaps partition 3');
        return planFor({ ...SPEC, ...spec });
      },
    });
    const store = await storeAt('volumes', api, { planDelayMs: 0 });
    store.getState().setIncluded(1, false);
    store.getState().setIncluded(3, false);
    await planSettled(store);
    expect(store.getState().plan).toEqual({
      status: 'failed',
      error: 'partition 2 overlaps partition 3',
    });
    expect(canLeave('volumes', store.getState())).toBe(false);
    store.getState().next();
    expect(store.getState().step).toBe('volumes');
    store.getState().setIncluded(3, true);
    await planSettled(store);
    expect(canLeave('volumes', store.getState())).toBe(true);
  });
});
