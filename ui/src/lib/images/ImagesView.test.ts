import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { TestId } from '../testIds.js';

async function openImages() {
  const backend = new MockBackend();
  const deps = createDeps(backend);
  render(App, { deps });
  await fireEvent.click(await screen.findByTestId(TestId.nav('images')));
  await screen.findByTestId(TestId.imageList);
  await waitFor(() => expect(screen.getAllByTestId(TestId.imageRow).length).toBeGreaterThan(5));
  return { backend, deps };
}

describe('Images view', () => {
  it('lists images with a dangling one marked, and removes after confirmation', async () => {
    const { backend } = await openImages();
    expect(screen.getByText('dangling')).toBeTruthy();
    const row = screen.getAllByTestId(TestId.imageRow).find((r) => r.dataset.name === 'alpine:3.20')!;
    await fireEvent.click(row.querySelector(`[data-testid="${TestId.imageAction('remove')}"]`)!);
    await fireEvent.click(await screen.findByTestId(TestId.confirmOk));
    await waitFor(() => expect(screen.getAllByTestId(TestId.imageRow).some((r) => r.dataset.name === 'alpine:3.20')).toBe(false));
    expect(backend.calls.find((c) => c.command === 'image_remove')?.args).toEqual(['alpine:3.20', false]);
  });

  it('shows the space a prune frees before asking', async () => {
    await openImages();
    const select = screen.getByTestId(TestId.imagePrune) as HTMLSelectElement;
    select.value = 'dangling';
    await fireEvent.change(select);
    const dialog = await screen.findByTestId(TestId.confirmDialog);
    expect(dialog.textContent).toContain('frees about 4.8 MiB');
  });

  it('saves several picked images into one archive', async () => {
    const { backend } = await openImages();
    const pickRow = (name: string) => screen.getAllByTestId(TestId.imageRow).find((r) => r.dataset.name === name)!
      .querySelector(`[data-testid="${TestId.imagePick}"]`)!;
    await fireEvent.click(pickRow('alpine:3.20'));
    await fireEvent.click(pickRow('nginx:1.27-alpine'));
    const button = await screen.findByTestId(TestId.imageSaveSelected);
    expect(button.textContent).toContain('Save 2 images');
    await fireEvent.click(button);
    await waitFor(() => expect(backend.calls.find((c) => c.command === 'image_save')?.args).toEqual([['alpine:3.20', 'nginx:1.27-alpine']]));
    const progress = await screen.findByTestId(TestId.archiveProgress);
    await waitFor(() => expect(progress.textContent).toContain('Saving 2 images: 4 B of 10 B'));
    const [id, send] = [...backend.archives.entries()][0];
    send({ type: 'saved', path: '/home/dev/images.tar' });
    await waitFor(() => expect(screen.queryByTestId(TestId.archiveProgress)).toBeNull());
    expect(screen.getByText('Saved 2 images to /home/dev/images.tar.')).toBeTruthy();
    expect(backend.calls.some((c) => c.command === 'subscription_cancel' && c.args[0] === id)).toBe(false);
  });

  it('cancels a load under way', async () => {
    const { backend } = await openImages();
    await fireEvent.click(screen.getByTestId(TestId.imageLoad));
    const cancel = await screen.findByTestId(TestId.archiveCancel);
    const [id] = [...backend.archives.keys()];
    await fireEvent.click(cancel);
    await waitFor(() => expect(screen.queryByTestId(TestId.archiveProgress)).toBeNull());
    expect(backend.calls.some((c) => c.command === 'subscription_cancel' && c.args[0] === id)).toBe(true);
  });

  it('pulls from the dialog and shows the transfer with a cancel button', async () => {
    const { backend } = await openImages();
    await fireEvent.click(screen.getByTestId(TestId.imagePullOpen));
    await fireEvent.input(screen.getByTestId(TestId.pullReference), { target: { value: 'redis' } });
    await waitFor(() => expect(screen.getByTestId(TestId.pullNormalized).textContent).toContain('docker.io/library/redis:latest'));
    await fireEvent.click(screen.getByTestId(TestId.pullSubmit));
    const transfer = await screen.findByTestId(TestId.transfer);
    expect(transfer.dataset.state).toBe('running');
    const [id, send] = [...backend.transfers.entries()][0];
    send({ type: 'progress', fraction: 0.4, bytesDone: 4, bytesTotal: 10, bytesPerSecond: 2, remainingBytes: 6,
      layersDone: 0, layersTotal: 1, message: '', layers: [] });
    await waitFor(() => expect(transfer.textContent).toContain('40%'));
    await fireEvent.click(screen.getByTestId(TestId.transferCancel));
    await waitFor(() => expect(screen.getByTestId(TestId.transfer).dataset.state).toBe('cancelled'));
    expect(backend.calls.some((c) => c.command === 'subscription_cancel' && c.args[0] === id)).toBe(true);
  });

  it('opens details from a click anywhere on the row, but not from its action buttons', async () => {
    await openImages();
    const row = () => screen.getAllByTestId(TestId.imageRow).find((r) => r.dataset.name === 'nginx:1.27-alpine')!;
    await fireEvent.click(row().querySelector(`[data-testid="${TestId.imageAction('push')}"]`)!);
    expect(screen.queryAllByTestId(TestId.layerRow)).toHaveLength(0);
    await fireEvent.click(row().querySelectorAll('td')[2]);
    await waitFor(() => expect(screen.getAllByTestId(TestId.layerRow).length).toBe(5));
  });

  it('opens details with the largest layer marked, and Run pre-fills the run dialog', async () => {
    await openImages();
    const row = screen.getAllByTestId(TestId.imageRow).find((r) => r.dataset.name === 'nginx:1.27-alpine')!;
    await fireEvent.click(row.querySelector(`[data-testid="${TestId.imageAction('details')}"]`)!);
    await waitFor(() => expect(screen.getAllByTestId(TestId.layerRow).length).toBe(5));
    const largest = screen.getAllByTestId(TestId.layerRow).find((r) => r.dataset.largest === 'true')!;
    expect(largest.textContent).toContain('apk add');
    await fireEvent.click(screen.getByTestId(TestId.imageAction('run')));
    const image = (await screen.findByTestId(TestId.runField('image'))) as HTMLInputElement;
    expect(image.value).toBe('nginx:1.27-alpine');
    expect((screen.getByTestId(TestId.runField('ports')) as HTMLTextAreaElement).value).toBe('80');
  });
});
