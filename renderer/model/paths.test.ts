import { describe, expect, it } from 'vitest';
import { baseName, defaultOutputName, joinPath, nameProblem } from './paths.js';

describe('paths of the engine’s machine', () => {
  it('joins with the separator the folder already uses', () => {
    expect(joinPath('/home/ada/VMs', 'pc.vmdk')).toBe('/home/ada/VMs/pc.vmdk');
    expect(joinPath('/', 'pc.vmdk')).toBe('/pc.vmdk');
    expect(joinPath('C:\\Users\\Ada', 'pc.vhdx')).toBe('C:\\Users\\Ada\\pc.vhdx');
    expect(joinPath('D:\\', 'pc.vhdx')).toBe('D:\\pc.vhdx');
  });

  it('takes the last part of either kind of path', () => {
    expect(baseName('/home/ada/images/laptop.img')).toBe('laptop.img');
    expect(baseName('\\\\.\\PhysicalDrive0')).toBe('PhysicalDrive0');
    expect(baseName('/dev/sda/')).toBe('sda');
  });

  it.each([
    ['/home/ada/images/laptop.img', null, 'laptop'],
    ['/srv/backup/server.img.gz', null, 'server'],
    ['/vm/old disk.vmdk', null, 'old-disk'],
    ['/dev/nvme0n1', 'Samsung SSD 970 EVO 2TB', 'Samsung-SSD-970-EVO-2TB'],
    ['/dev/sda', "SanDisk' Cruzer Fit", 'SanDisk-Cruzer-Fit'],
    ['\\\\.\\PhysicalDrive1', null, 'PhysicalDrive1'],
    ['/images/.img', null, 'disk'],
  ])('names the output of %s (model %s) %s', (source, model, name) => {
    expect(defaultOutputName(source, model)).toBe(name);
  });

  it('refuses names that are not a single file name', () => {
    expect(nameProblem('laptop')).toBeNull();
    expect(nameProblem('  ')).toBe('empty');
    expect(nameProblem('vms/laptop')).toBe('separator');
    expect(nameProblem('vms\\laptop')).toBe('separator');
    expect(nameProblem('..')).toBe('reserved');
    expect(nameProblem('what?')).toBe('reserved');
  });
});
