import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { mockNetworkList } from '../ipc/mockData';
import { TestId } from '../testIds.js';
import { filterNetworks, sortNetworks } from './filter';

async function openNetworks() {
  const backend = new MockBackend();
  render(App, { deps: createDeps(backend) });
  await fireEvent.click(await screen.findByTestId(TestId.nav('networks')));
  await waitFor(() => expect(screen.getAllByTestId(TestId.networkRow).length).toBe(4));
  return backend;
}

const row = (name: string) => screen.getAllByTestId(TestId.networkRow).find((r) => r.dataset.name === name);

describe('network filter and sort', () => {
  const networks = mockNetworkList();

  it('matches subnet and container, and hides the predefined ones', () => {
    expect(filterNetworks(networks, '172.20', false).map((n) => n.name)).toEqual(['shop_default']);
    expect(filterNetworks(networks, 'grafana', false).map((n) => n.name)).toEqual(['bridge']);
    expect(filterNetworks(networks, '', true).map((n) => n.name)).toEqual(['shop_default']);
  });

  it('sorts by how many containers are attached', () => {
    expect(sortNetworks(networks, { key: 'containers', dir: 'desc' }).map((n) => n.name).slice(0, 2)).toEqual(['shop_default', 'bridge']);
  });
});

describe('Networks view', () => {
  it('creates a network with a subnet and shows the engine\'s refusal under the field', async () => {
    const backend = await openNetworks();
    await fireEvent.click(screen.getByTestId(TestId.networkAction('create')));
    await fireEvent.input(screen.getByTestId(TestId.networkField('name')), { target: { value: 'backend' } });
    await fireEvent.input(screen.getByTestId(TestId.networkField('subnet')), { target: { value: '10.9.0.0' } });
    await fireEvent.click(screen.getByTestId(TestId.networkSubmit));
    expect((await screen.findByTestId(TestId.fieldError('subnet'))).textContent).toContain('is not a subnet');
    await fireEvent.input(screen.getByTestId(TestId.networkField('subnet')), { target: { value: '10.9.0.0/24' } });
    await fireEvent.click(screen.getByTestId(TestId.networkField('internal')));
    await fireEvent.click(screen.getByTestId(TestId.networkSubmit));
    await waitFor(() => expect(row('backend')).toBeTruthy());
    expect(row('backend')!.textContent).toContain('10.9.0.0/24');
    expect(row('backend')!.textContent).toContain('internal');
    expect(backend.calls.filter((c) => c.command === 'network_create').at(-1)?.args[0])
      .toEqual({ name: 'backend', driver: 'bridge', subnet: '10.9.0.0/24', gateway: '', internal: true, labels: {} });
  });

  it('offers no remove for predefined networks and confirms removing one of yours', async () => {
    const backend = await openNetworks();
    expect(row('bridge')!.querySelector(`[data-testid="${TestId.networkAction('remove')}"]`)).toBeNull();
    await fireEvent.click(row('shop_default')!.querySelector(`[data-testid="${TestId.networkAction('remove')}"]`)!);
    await fireEvent.click(await screen.findByTestId(TestId.confirmOk));
    expect(await screen.findByText(/^Could not remove network shop_default. Network shop_default is used by running containers shop-web-1, shop-api-1, shop-db-1/)).toBeTruthy();
    expect(backend.calls.some((c) => c.command === 'network_remove')).toBe(true);
  });

  it('connects and disconnects a container from the details pane', async () => {
    const backend = await openNetworks();
    await fireEvent.click(row('shop_default')!.querySelector(`[data-testid="${TestId.networkAction('details')}"]`)!);
    const pane = await screen.findByTestId(TestId.networkDetails);
    await waitFor(() => expect(pane.textContent).toContain('172.20.0.3'));
    const select = screen.getByTestId(TestId.networkConnectField('container')) as HTMLSelectElement;
    await waitFor(() => expect([...select.options].some((o) => o.value === 'grafana')).toBe(true));
    await fireEvent.change(select, { target: { value: 'grafana' } });
    await fireEvent.input(screen.getByTestId(TestId.networkConnectField('aliases')), { target: { value: 'dash, metrics' } });
    await fireEvent.click(screen.getByTestId(TestId.networkAction('connect')));
    await waitFor(() => expect(backend.calls.find((c) => c.command === 'network_connect')?.args).toEqual(['shop_default', 'grafana', ['dash', 'metrics']]));
    await waitFor(() => expect(row('shop_default')!.textContent).toContain('4 containers'));
    const disconnect = screen.getAllByTestId(TestId.networkAction('disconnect'))[0];
    await fireEvent.click(disconnect);
    await waitFor(() => expect(row('shop_default')!.textContent).toContain('3 containers'));
  });
});
