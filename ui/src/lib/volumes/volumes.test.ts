import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { mockVolumeList } from '../ipc/mockData';
import { TestId } from '../testIds.js';
import { keyValuesOf, parseKeyValues } from '../util/keyValues';
import { filterVolumes, sortVolumes } from './filter';

async function openVolumes() {
  const backend = new MockBackend();
  render(App, { deps: createDeps(backend) });
  await fireEvent.click(await screen.findByTestId(TestId.nav('volumes')));
  await waitFor(() => expect(screen.getAllByTestId(TestId.volumeRow).length).toBe(4));
  return backend;
}

const row = (name: string) => screen.getAllByTestId(TestId.volumeRow).find((r) => r.dataset.name === name);

describe('volume filter and sort', () => {
  const volumes = mockVolumeList();

  it('matches name, project, container and label; splits used from unused', () => {
    expect(filterVolumes(volumes, 'grafana', 'all').map((v) => v.name)).toEqual(['grafana-storage']);
    expect(filterVolumes(volumes, 'shop-db-1', 'all').map((v) => v.name)).toEqual(['shop_db-data']);
    expect(filterVolumes(volumes, 'compose.volume=cache', 'all').map((v) => v.name)).toEqual(['shop_cache']);
    expect(filterVolumes(volumes, '', 'used').length).toBe(2);
    expect(filterVolumes(volumes, 'shop', 'unused').map((v) => v.name)).toEqual(['shop_cache']);
  });

  it('sorts by size, unmeasured last either way', () => {
    const withUnknown = [...volumes, { ...volumes[1], name: 'nfs-share', size: null }];
    const desc = sortVolumes(withUnknown, { key: 'size', dir: 'desc' }).map((v) => v.name);
    expect(desc.slice(0, 2)).toEqual(['shop_db-data', 'grafana-storage']);
    expect(desc.at(-1)).toBe('nfs-share');
    expect(sortVolumes(withUnknown, { key: 'size', dir: 'asc' }).map((v) => v.name).at(-1)).toBe('nfs-share');
  });

  it('reads key=value lines and names the bad one', () => {
    expect(parseKeyValues('a=1\n\n b = two words \nflag')).toEqual({ map: { a: '1', b: 'two words', flag: '' } });
    expect(parseKeyValues('my key=1')).toEqual({ error: expect.stringContaining('“my key=1”') });
    expect(() => keyValuesOf('=x', 'labels')).toThrow(expect.objectContaining({ field: 'labels', code: 'InvalidInput' }));
  });
});

describe('Volumes view', () => {
  it('creates a volume through the dialog and lists it from the change event', async () => {
    const backend = await openVolumes();
    await fireEvent.click(screen.getByTestId(TestId.volumeAction('create')));
    await fireEvent.input(screen.getByTestId(TestId.volumeField('name')), { target: { value: 'cache-data' } });
    await fireEvent.input(screen.getByTestId(TestId.volumeField('labels')), { target: { value: 'team=web' } });
    await fireEvent.click(screen.getByTestId(TestId.volumeSubmit));
    await waitFor(() => expect(row('cache-data')).toBeTruthy());
    expect(screen.queryByTestId(TestId.volumeDialog)).toBeNull();
    expect(backend.calls.find((c) => c.command === 'volume_create')?.args[0]).toEqual({ name: 'cache-data', driver: 'local', labels: { team: 'web' }, driverOpts: {} });
  });

  it('keeps the form and shows the error under its field', async () => {
    const backend = await openVolumes();
    await fireEvent.click(screen.getByTestId(TestId.volumeAction('create')));
    await fireEvent.input(screen.getByTestId(TestId.volumeField('name')), { target: { value: 'shop_cache' } });
    await fireEvent.click(screen.getByTestId(TestId.volumeSubmit));
    expect((await screen.findByTestId(TestId.fieldError('name'))).textContent).toContain('already exists');
    await fireEvent.input(screen.getByTestId(TestId.volumeField('name')), { target: { value: 'fresh' } });
    await fireEvent.input(screen.getByTestId(TestId.volumeField('driverOpts')), { target: { value: 'bad key=1' } });
    await fireEvent.click(screen.getByTestId(TestId.volumeSubmit));
    expect((await screen.findByTestId(TestId.fieldError('driverOpts'))).textContent).toContain('bad key=1');
    expect((screen.getByTestId(TestId.volumeField('name')) as HTMLInputElement).value).toBe('fresh');
    expect(backend.calls.filter((c) => c.command === 'volume_create').length).toBe(1);
  });

  it('says who uses a volume instead of asking to remove it, and confirms removing an unused one', async () => {
    const backend = await openVolumes();
    await fireEvent.click(row('shop_db-data')!.querySelector(`[data-testid="${TestId.volumeAction('remove')}"]`)!);
    expect((await screen.findByText(/^Volume shop_db-data is used by shop-db-1 \(running\)/)).textContent).toContain('remove that container first');
    expect(screen.queryByTestId(TestId.confirmDialog)).toBeNull();

    await fireEvent.click(row('shop_cache')!.querySelector(`[data-testid="${TestId.volumeAction('remove')}"]`)!);
    expect((await screen.findByTestId(TestId.confirmDialog)).textContent).toContain('1.1 MiB of data in it');
    await fireEvent.click(screen.getByTestId(TestId.confirmOk));
    await waitFor(() => expect(row('shop_cache')).toBeUndefined());
    expect(backend.calls.find((c) => c.command === 'volume_remove')?.args).toEqual(['shop_cache']);
  });

  it('shows what a prune removes and frees before it runs', async () => {
    const backend = await openVolumes();
    await fireEvent.click(screen.getByTestId(TestId.volumeAction('prune')));
    const dialog = await screen.findByTestId(TestId.confirmDialog);
    expect(dialog.textContent).toContain('Remove 2 volumes no container uses');
    expect(dialog.textContent).toContain('shop_cache');
    expect(dialog.textContent).toContain('(anonymous)');
    await fireEvent.click(screen.getByTestId(TestId.confirmOk));
    await waitFor(() => expect(screen.getAllByTestId(TestId.volumeRow).length).toBe(2));
    expect(await screen.findByText('Removed 2 volumes and reclaimed 1.1 MiB.')).toBeTruthy();
    const confirmed = backend.calls.find((c) => c.command === 'volume_prune_estimate') && backend.calls.find((c) => c.command === 'volume_prune');
    expect((confirmed?.args[0] as string[]).length).toBe(2);
  });

  it('prunes only the confirmed volumes and says what changed since', async () => {
    const backend = await openVolumes();
    await fireEvent.click(screen.getByTestId(TestId.volumeAction('prune')));
    await screen.findByTestId(TestId.confirmDialog);
    // While the dialog is open, a new unused volume appears.
    backend.volumes = [...backend.volumes, { ...backend.volumes.find((v) => v.name === 'shop_cache')!, name: 'late' }];
    await fireEvent.click(screen.getByTestId(TestId.confirmOk));
    expect(await screen.findByText('1 new unused volume appeared after you confirmed; it was kept.')).toBeTruthy();
    expect(backend.volumes.some((v) => v.name === 'late')).toBe(true);
  });

  it('measures the sizes when the view opens', async () => {
    const backend = await openVolumes();
    await waitFor(() => expect(backend.calls.some((c) => c.command === 'volume_measure')).toBe(true));
  });

  it('shows a volume\'s users and mount points in its details', async () => {
    await openVolumes();
    await fireEvent.click(row('grafana-storage')!.querySelector(`[data-testid="${TestId.volumeAction('details')}"]`)!);
    const pane = await screen.findByTestId(TestId.volumeDetails);
    await waitFor(() => expect(pane.textContent).toContain('/var/lib/grafana'));
  });
});

describe('Volume files', () => {
  it('lists a volume\'s files on demand, nested by path', async () => {
    const backend = await openVolumes();
    await fireEvent.click(row('shop_cache')!.querySelector(`[data-testid="${TestId.volumeAction('details')}"]`)!);
    await fireEvent.click(await screen.findByTestId(TestId.volumeAction('browse')));
    const table = await screen.findByTestId(TestId.volumeFiles);
    const rows = [...table.querySelectorAll('tr')].map((r) => [r.dataset.path, r.dataset.kind]);
    expect(rows).toEqual([['conf', 'dir'], ['conf/app.ini', 'file'], ['data.db', 'file'], ['latest', 'symlink']]);
    expect(table.textContent).toContain('1.0 MiB');
    expect(table.textContent).toContain('→ conf/app.ini');
    expect(backend.calls.filter((c) => c.command === 'volume_browse').map((c) => c.args)).toEqual([['shop_cache']]);
  });
});
