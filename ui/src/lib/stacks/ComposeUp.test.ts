import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { mockProject } from '../ipc/mockData';
import { TestId } from '../testIds.js';

async function openUpTab() {
  const backend = new MockBackend();
  render(App, { deps: createDeps(backend) });
  await fireEvent.click(await screen.findByTestId(TestId.nav('stacks')));
  const path = (await screen.findByTestId(TestId.stackFolderPath)) as HTMLInputElement;
  await fireEvent.input(path, { target: { value: mockProject.folder } });
  await fireEvent.click(screen.getByTestId(TestId.stackFolderOpen));
  await fireEvent.click(await screen.findByTestId(TestId.projectAction('compose-up')));
  await screen.findByTestId(TestId.stackProject);
  return backend;
}

describe('Compose Up tab', () => {
  it('lists the containers of services no longer in the file and removes them only when ticked', async () => {
    const backend = await openUpTab();
    // The mock file has web and db; the shop stack also runs api, cache and worker.
    const orphans = await screen.findByTestId(TestId.upOrphans);
    expect(orphans.dataset.count).toBe('3');
    expect(orphans.textContent).toContain('shop-api-1');
    await fireEvent.click(screen.getByTestId(TestId.stackUp));
    await waitFor(() => expect(backend.calls.filter((c) => c.command === 'compose_up')).toHaveLength(1));
    expect((backend.calls.find((c) => c.command === 'compose_up')!.args[2] as { removeOrphans: boolean }).removeOrphans).toBe(false);
    const up = await screen.findByTestId(TestId.stackUp); // back once the first up is done
    await fireEvent.click(screen.getByTestId(TestId.upRemoveOrphans));
    await fireEvent.click(up);
    await waitFor(() => expect(backend.calls.filter((c) => c.command === 'compose_up')).toHaveLength(2));
    expect((backend.calls.filter((c) => c.command === 'compose_up')[1].args[2] as { removeOrphans: boolean }).removeOrphans).toBe(true);
  });
});
