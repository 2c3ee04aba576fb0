import { describe, expect, it, vi } from 'vitest';
import type { InspectReport } from '../../shared/layout.js';
import type { ShellApi } from '../../shared/api.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import {
  DISKS,
  GPT_IMAGE,
  GPT_REPORT,
  HOME_LISTING,
  MBR_IMAGE,
  SPEC,
  jobFor,
  planFor,
} from '../test-support/fixtures.js';
import { canLeave } from './steps.js';
import { createWizardStore, currentJob } from './wizard-store.js';

function fakeShell(): ShellApi {
  return {
    chooseFile: vi.fn(async () => null),
    chooseFolder: vi.fn(async () => null),
    showInFolder: vi.fn(async () => undefined),
    setProgress: vi.fn(),
  };
}

/** A store that has started, with an inspected image and the engine's default folder. */
async function readyStore(api = new FakeFerry()) {
  const store = createWizardStore(api);
  store.getState().start();
  store.getState().setSourceKind('image');
  store.getState().setImagePath(GPT_IMAGE);
  await store.getState().inspectImage();
  await vi.waitFor(() => expect(store.getState().folder).toBe('/home/ada'));
  return { api, store };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('starting', () => {
  it('loads disks, jobs and the default folder, follows events, and stops following them', async () => {
    const api = new FakeFerry();
    const store = createWizardStore(api);
    const stop = store.getState().start();
    await vi.waitFor(() =>
      expect(store.getState().disks).toEqual({ status: 'ready', value: DISKS }),
    );
    await vi.waitFor(() =>
      expect(store.getState().folderSpace).toEqual({
        status: 'ready',
        value: { path: '/home/ada', freeBytes: HOME_LISTING.freeBytes },
      }),
    );
    expect(api.callsTo('listJobs')).toHaveLength(1);
    expect(api.listenerCount).toBe(1);
    stop();
    expect(api.listenerCount).toBe(0);
  });

  it('reports a disk listing that failed, with the engine’s message', async () => {
    const api = new FakeFerry({
      listDisks: () => {
        throw new Error('lsblk: permission denied');
      },
    });
    const store = createWizardStore(api);
    await store.getState().loadDisks();
    expect(store.getState().disks).toEqual({ status: 'failed', error: 'lsblk: permission denied' });
  });
});

describe('source', () => {
  it('inspects the chosen disk and names the output after its model', async () => {
    const api = new FakeFerry();
    const store = createWizardStore(api);
    await store.getState().loadDisks();
    expect(canLeave('source', store.getState())).toBe(false);
    await store.getState().chooseDisk('/dev/nvme0n1');
    const state = store.getState();
    expect(api.callsTo('inspect')).toEqual([{ source: '/dev/nvme0n1' }]);
    expect(state.inspection.status).toBe('ready');
    expect(state.name).toBe('Samsung-SSD-970-EVO-2TB');
    expect(canLeave('source', state)).toBe(true);
  });

  it('keeps the answer about the latest source when an older one comes back last', async () => {
    const slow = deferred<InspectReport>();
    const api = new FakeFerry({
      inspect: ({ source }) => (source === GPT_IMAGE ? slow.promise : GPT_REPORT),
    });
    const store = createWizardStore(api);
    store.getState().setImagePath(GPT_IMAGE);
    const first = store.getState().inspectImage();
    store.getState().setImagePath(MBR_IMAGE);
    await store.getState().inspectImage();
    slow.resolve(GPT_REPORT);
    await first;
    expect(store.getState().source).toBe(MBR_IMAGE);
    expect(store.getState().inspection).toEqual({ status: 'ready', value: GPT_REPORT });
    expect(store.getState().name).toBe('desktop');
  });

  it('cannot go on from a source that could not be read', async () => {
    const store = createWizardStore(new FakeFerry());
    store.getState().setImagePath('/nope.img');
    await store.getState().inspectImage();
    expect(store.getState().inspection).toEqual({
      status: 'failed',
      error: '/nope.img: no such file or device',
    });
    store.getState().next();
    expect(store.getState().step).toBe('source');
  });

  it('forgets the disk when switching to an image, and keeps a name the user typed', async () => {
    const store = createWizardStore(new FakeFerry());
    await store.getState().chooseDisk('/dev/sda');
    store.getState().setName('office-pc');
    store.getState().setSourceKind('image');
    expect(store.getState().source).toBeNull();
    expect(store.getState().inspection.status).toBe('idle');
    store.getState().setImagePath(GPT_IMAGE);
    await store.getState().inspectImage();
    expect(store.getState().name).toBe('office-pc');
  });
});

describe('steps', () => {
  it('goes forward only when the step can be left, and back freely', async () => {
    const { store } = await readyStore();
    const { next, back } = store.getState();
    expect(store.getState().name).toBe('laptop');
    next();
    expect(store.getState().step).toBe('destination');
    store.getState().setFolder('');
    next();
    expect(store.getState().step).toBe('destination');
    store.getState().setFolder('/home/ada/VMs');
    next();
    next();
    expect(store.getState().step).toBe('customize');
    back();
    expect(store.getState().step).toBe('volumes');
  });

  it('jumps from the step list only to steps whose predecessors are complete', async () => {
    const store = createWizardStore(new FakeFerry());
    store.getState().goTo('volumes');
    expect(store.getState().step).toBe('source');
    await store.getState().chooseDisk('/dev/sda');
    store.getState().setFolder('/home/ada/VMs');
    store.getState().goTo('customize');
    expect(store.getState().step).toBe('customize');
  });

  it('asks the engine for a plan on reaching the Summary, with the spec the choices make', async () => {
    const { api, store } = await readyStore();
    const s = store.getState();
    s.chooseTarget('hyperv');
    s.setThick(true);
    s.setAllBlocks(true);
    s.setFolder('C:\\Users\\Ada\\VMs');
    s.goTo('summary');
    await vi.waitFor(() => expect(store.getState().plan.status).toBe('ready'));
    expect(api.callsTo('plan')).toEqual([
      {
        spec: {
          source: GPT_IMAGE,
          destination: 'C:\\Users\\Ada\\VMs\\laptop.vhdx',
          format: 'vhdx',
          allBlocks: true,
          thick: true,
          compress: false,
          force: false,
          verify: false,
          machine: 'hyperv',
        },
      },
    ]);
  });
});

describe('destination', () => {
  it('writes a VMware machine unless told otherwise', () => {
    const store = createWizardStore(new FakeFerry());
    expect(store.getState()).toMatchObject({ target: 'vmware', format: 'vmdk', ova: false });
  });

  it('gives a hypervisor its usual format, lets the disk alone keep its own, and drops options the format does not have', () => {
    const store = createWizardStore(new FakeFerry());
    const s = store.getState();
    s.chooseTarget('libvirt');
    expect(store.getState().format).toBe('qcow2');
    s.setCompress(true);
    s.setThick(true);
    expect(store.getState()).toMatchObject({ compress: true, thick: false });
    s.chooseTarget('disk');
    expect(store.getState()).toMatchObject({ format: 'qcow2', compress: true });
    s.chooseFormat('vhd-fixed');
    expect(store.getState()).toMatchObject({ format: 'vhd-fixed', compress: false });
    s.setThick(true);
    s.chooseTarget('hyperv');
    expect(store.getState()).toMatchObject({ format: 'vhdx', thick: true });
    s.chooseTarget('virtualbox');
    expect(store.getState().format).toBe('vdi');
    s.chooseTarget('ovf');
    expect(store.getState()).toMatchObject({ format: 'vmdk-stream', thick: false });
  });

  it('checks the folder with the engine and reports one that does not exist', async () => {
    const store = createWizardStore(new FakeFerry());
    store.getState().setFolder('/home/ada/VMs');
    await store.getState().checkFolder();
    expect(store.getState().folderSpace).toEqual({
      status: 'ready',
      value: { path: '/home/ada/VMs', freeBytes: 8 * 2 ** 20 },
    });
    store.getState().setFolder('/mnt/gone');
    await store.getState().checkFolder();
    expect(store.getState().folderSpace).toEqual({
      status: 'failed',
      error: '/mnt/gone: no such folder',
    });
  });
});

describe('converting', () => {
  async function atSummary(api = new FakeFerry()) {
    const ready = await readyStore(api);
    ready.store.getState().goTo('summary');
    await vi.waitFor(() => expect(ready.store.getState().plan.status).not.toBe('loading'));
    return ready;
  }

  it('starts the job and shows its progress', async () => {
    const { api, store } = await atSummary();
    await store.getState().convert();
    expect(api.callsTo('startJob')).toEqual([{ spec: SPEC }]);
    expect(store.getState().step).toBe('progress');
    expect(currentJob(store.getState())?.state).toBe('queued');
  });

  it('refuses to replace existing files until asked to, then passes force', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => planFor({ ...SPEC, ...spec }, ['/home/ada/laptop.vmdk']),
    });
    const { store } = await atSummary(api);
    expect(canLeave('summary', store.getState())).toBe(false);
    await store.getState().convert();
    expect(api.callsTo('startJob')).toEqual([]);
    store.getState().setForce(true);
    await store.getState().convert();
    expect(api.callsTo('startJob')).toEqual([{ spec: { ...SPEC, force: true } }]);
  });

  it('stays on the Summary with the reason when the job cannot start', async () => {
    const api = new FakeFerry({
      startJob: () => {
        throw new Error('/home/ada: permission denied');
      },
    });
    const { store } = await atSummary(api);
    await store.getState().convert();
    expect(store.getState().step).toBe('summary');
    expect(store.getState().starting).toEqual({
      status: 'failed',
      error: '/home/ada: permission denied',
    });
  });

  it('follows the job through events and drives the taskbar progress', async () => {
    const shell = fakeShell();
    const { api, store } = await atSummary(new FakeFerry({}, shell));
    await store.getState().convert();
    const job = currentJob(store.getState())!;
    api.emit({ type: 'jobState', job: { ...job, state: 'copying' } });
    api.emit({
      type: 'jobProgress',
      id: job.id,
      progress: { done: 3014656, total: 12058624, rate: 2 ** 20, eta: 8.6 },
    });
    api.emit({
      type: 'jobLog',
      id: job.id,
      line: { at: job.createdAt, level: 'info', message: 'copying' },
    });
    expect(currentJob(store.getState())).toMatchObject({
      state: 'copying',
      progress: { done: 3014656, total: 12058624 },
    });
    expect(store.getState().logs[job.id]).toHaveLength(1);
    expect(shell.setProgress).toHaveBeenLastCalledWith(0.25);
    api.emit({ type: 'jobState', job: { ...job, state: 'done', files: [SPEC.destination] } });
    expect(shell.setProgress).toHaveBeenLastCalledWith(null);
  });

  it('keeps a state that an event brought before the start request answered', async () => {
    const { api, store } = await atSummary();
    api.emit({ type: 'jobState', job: jobFor(SPEC, { state: 'copying' }) });
    await store.getState().convert();
    expect(currentJob(store.getState())?.state).toBe('copying');
  });

  it('cancels the running job', async () => {
    const { api, store } = await atSummary();
    await store.getState().convert();
    await store.getState().cancelJob();
    expect(api.callsTo('cancelJob')).toEqual([{ id: 'job-1' }]);
    expect(currentJob(store.getState())?.state).toBe('cancelled');
  });

  it('starts over from the first step, keeping where outputs go', async () => {
    const { store } = await atSummary();
    store.getState().chooseTarget('virtualbox');
    await store.getState().convert();
    store.getState().startOver();
    expect(store.getState()).toMatchObject({
      step: 'source',
      source: null,
      currentJobId: null,
      folder: '/home/ada',
      target: 'virtualbox',
      name: '',
    });
  });
});

describe('jobs', () => {
  it('reloads the disks when the engine says they changed', async () => {
    const api = new FakeFerry();
    const store = createWizardStore(api);
    store.getState().start();
    await vi.waitFor(() => expect(api.callsTo('listDisks')).toHaveLength(1));
    api.emit({ type: 'disksChanged' });
    await vi.waitFor(() => expect(api.callsTo('listDisks')).toHaveLength(2));
  });

  it('opens the image the shell chose from its File menu', async () => {
    const api = new FakeFerry();
    const store = createWizardStore(api);
    store.getState().start();
    api.emit({ type: 'openImage', path: '/images/old-server.vmdk' });
    await vi.waitFor(() => expect(api.callsTo('inspect')).toHaveLength(1));
    expect(api.callsTo('inspect')[0]).toEqual({ source: '/images/old-server.vmdk' });
    expect(store.getState()).toMatchObject({
      sourceKind: 'image',
      imagePath: '/images/old-server.vmdk',
    });
  });

  it('loads the log of the chosen job and appends what arrives afterwards', async () => {
    const line = { at: '2025-11-25T20:15:01.000Z', level: 'info' as const, message: 'planned' };
    const api = new FakeFerry({ listJobs: () => [jobFor(SPEC)], jobLog: () => [line] });
    const store = createWizardStore(api);
    store.getState().start();
    await store.getState().loadJobs();
    await store.getState().selectJob('job-1');
    api.emit({ type: 'jobLog', id: 'job-1', line: { ...line, message: 'copying' } });
    const log = store.getState().selectedLog;
    expect(log.status === 'ready' && log.value.map((l) => l.message)).toEqual([
      'planned',
      'copying',
    ]);
  });
});
