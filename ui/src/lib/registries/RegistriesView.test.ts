import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from '../../App.svelte';
import { createDeps } from '../bootstrap/deps';
import { MockBackend } from '../ipc/mock';
import { TestId } from '../testIds.js';
import { registryName } from './presets';

async function openRegistries(backend = new MockBackend()) {
  render(App, { deps: createDeps(backend) });
  await fireEvent.click(await screen.findByTestId(TestId.nav('registries')));
  await screen.findByTestId(TestId.registriesView);
  return backend;
}

const row = (host: string) => screen.getAllByTestId(TestId.registryRow).find((r) => r.dataset.host === host);

describe('Registries view', () => {
  it('warns about a plain-text login and moves it into the keychain in one click', async () => {
    const backend = await openRegistries();
    const ghcr = await waitFor(() => row('ghcr.io')!);
    expect(ghcr.textContent).toContain('GitHub Container Registry');
    expect(ghcr.textContent).toContain('octocat');
    expect(screen.getByTestId(TestId.registryPlainWarning).textContent).toContain('plain text');
    await fireEvent.click(screen.getByTestId(TestId.registryMove));
    await waitFor(() => expect(screen.queryByTestId(TestId.registryPlainWarning)).toBeNull());
    expect(row('ghcr.io')!.textContent).toContain('System keychain');
    expect(backend.calls.some((c) => c.command === 'registry_move_to_keychain')).toBe(true);
  });

  it('without a credential helper for the docker CLI, offers to set one up, else keeps the CLI logged in', async () => {
    const backend = new MockBackend();
    backend.registries.cliHelper = null;
    backend.registries.installableHelper = 'secretservice';
    await openRegistries(backend);
    await waitFor(() => row('ghcr.io')!);
    await fireEvent.click(screen.getByTestId(TestId.registryMove));
    expect((await screen.findByTestId(TestId.confirmDialog)).textContent).toContain('set up docker-credential-secretservice');
    await fireEvent.click(screen.getByTestId(TestId.confirmOk));
    await waitFor(() => expect(screen.queryByTestId(TestId.registryPlainWarning)).toBeNull());
    expect(backend.calls.find((c) => c.command === 'registry_move_to_keychain')!.args).toEqual(['ghcr.io', 'secretservice']);

    const none = new MockBackend();
    none.registries.cliHelper = null;
    document.body.innerHTML = '';
    await openRegistries(none);
    await waitFor(() => row('ghcr.io')!);
    await fireEvent.click(screen.getByTestId(TestId.registryMove));
    expect((await screen.findByTestId(TestId.confirmDialog)).textContent).toContain('would log the docker CLI out');
    await fireEvent.click(screen.getByTestId(TestId.confirmOk));
    await waitFor(() => expect(screen.getByTestId(TestId.registryPlainWarning).textContent).toContain('still reads'));
    expect(none.calls.find((c) => c.command === 'registry_move_to_keychain')!.args).toEqual(['ghcr.io', null]);
    expect(screen.queryByTestId(TestId.registryMove)).toBeNull();
  });

  it('logs in to a custom registry, shows a wrong password on its field, and never keeps the secret', async () => {
    const backend = await openRegistries();
    await fireEvent.click(screen.getByTestId(TestId.loginOpen));
    await fireEvent.click(screen.getByTestId(TestId.loginPreset('custom')));
    await fireEvent.input(screen.getByTestId(TestId.loginField('host')), { target: { value: 'localhost:5000' } });
    await fireEvent.input(screen.getByTestId(TestId.loginField('username')), { target: { value: 'me' } });
    await fireEvent.input(screen.getByTestId(TestId.loginField('secret')), { target: { value: 'wrong' } });
    expect((screen.getByTestId(TestId.loginField('shareWithCli')) as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByTestId(TestId.loginSubmit));
    expect((await screen.findByTestId(TestId.fieldError('secret'))).textContent).toContain('Wrong username or password');

    await fireEvent.input(screen.getByTestId(TestId.loginField('secret')), { target: { value: 's3cret' } });
    await fireEvent.click(screen.getByTestId(TestId.loginSubmit));
    await waitFor(() => expect(screen.queryByTestId(TestId.loginDialog)).toBeNull());
    expect(row('localhost:5000')!.textContent).toContain('docker CLI · secretservice');
    expect(JSON.stringify(backend.calls)).not.toContain('s3cret');
    expect(document.body.innerHTML).not.toContain('s3cret');
  });

  it('sends the password to a token service on another host only once the user confirms it', async () => {
    const backend = await openRegistries();
    await fireEvent.click(screen.getByTestId(TestId.loginOpen));
    await fireEvent.click(screen.getByTestId(TestId.loginPreset('custom')));
    await fireEvent.input(screen.getByTestId(TestId.loginField('host')), { target: { value: 'registry.gitlab.com' } });
    await fireEvent.input(screen.getByTestId(TestId.loginField('username')), { target: { value: 'me' } });
    await fireEvent.input(screen.getByTestId(TestId.loginField('secret')), { target: { value: 's3cret' } });
    await fireEvent.click(screen.getByTestId(TestId.loginSubmit));
    expect((await screen.findByTestId(TestId.fieldError('trustTokenHost'))).textContent).toContain('another host, gitlab.com');
    await fireEvent.click(screen.getByTestId(TestId.loginField('trustTokenHost')));
    await fireEvent.click(screen.getByTestId(TestId.loginSubmit));
    await waitFor(() => expect(screen.queryByTestId(TestId.loginDialog)).toBeNull());
    const logins = backend.calls.filter((c) => c.command === 'registry_login');
    expect((logins.at(-1)!.args[0] as { trustTokenHost: string }).trustTokenHost).toBe('gitlab.com');
  });

  it('logs out only after confirmation', async () => {
    await openRegistries();
    await waitFor(() => row('ghcr.io')!);
    await fireEvent.click(screen.getByTestId(TestId.registryLogout));
    const dialog = await screen.findByTestId(TestId.confirmDialog);
    expect(dialog.textContent).toContain('Log out of GitHub Container Registry?');
    await fireEvent.click(screen.getByTestId(TestId.confirmCancel));
    expect(row('ghcr.io')).toBeTruthy();
    await fireEvent.click(screen.getByTestId(TestId.registryLogout));
    await fireEvent.click(await screen.findByTestId(TestId.confirmOk));
    await waitFor(() => expect(screen.getByText(/not logged in to any registry/)).toBeTruthy());
  });

  it('names the ready-made registries', () => {
    expect(registryName('docker.io')).toBe('Docker Hub');
    expect(registryName('registry.gitlab.com')).toBe('GitLab Container Registry');
    expect(registryName('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});
