// @vitest-environment happy-dom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { renderWith } from '../test-support/render.js';
import { storeAt } from '../test-support/wizard-at.js';
import { CustomizeScreen } from './CustomizeScreen.js';

afterEach(cleanup);

describe('the Customize screen', () => {
  it('offers only the output’s name, and says plainly that VM settings are coming', async () => {
    const api = new FakeFerry();
    const { user, store } = renderWith(<CustomizeScreen />, {
      api,
      store: await storeAt('customize', api),
    });
    const name = screen.getByRole('textbox', { name: 'Name of the output' });
    expect(screen.getAllByRole('textbox')).toEqual([name]);
    expect(screen.queryByRole('spinbutton')).toBeNull();
    expect(screen.queryByRole('combobox')).toBeNull();
    expect(screen.getByText('Virtual machine settings are coming')).toBeTruthy();
    expect(screen.getByText('firmware: BIOS or UEFI')).toBeTruthy();
    await user.clear(name);
    await user.type(name, 'build-server');
    expect(store.getState().name).toBe('build-server');
    expect(screen.getByText('.vmdk')).toBeTruthy();
  });

  it('reads in French', async () => {
    const api = new FakeFerry();
    renderWith(<CustomizeScreen />, {
      api,
      store: await storeAt('customize', api),
      language: 'fr',
    });
    expect(screen.getByRole('textbox', { name: 'Nom de la sortie' })).toBeTruthy();
    expect(screen.getByText('Les réglages de la machine virtuelle arrivent')).toBeTruthy();
  });
});
