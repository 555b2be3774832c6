import type { Backend } from '../ipc/backend';
import { toIpcError, type IpcError } from '../ipc/error';
import type { LoginRequest, Registries } from '../ipc/types';

/** Where the user is logged in. Loaded when the view opens; every change returns the new list. */
export class RegistriesStore {
  state = $state.raw<Registries | null>(null);
  error = $state.raw<IpcError | null>(null);
  /** Hosts with an action running (log out, move into the keychain). */
  busy = $state.raw<ReadonlySet<string>>(new Set());
  private readonly backend: Backend;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  async refresh(): Promise<void> {
    try {
      this.state = await this.backend.registryList();
      this.error = null;
    } catch (e) {
      this.error = toIpcError(e);
    }
  }

  /** Rejects with the IpcError (the dialog shows it by field); the secret is not kept here. */
  async login(request: LoginRequest): Promise<void> {
    this.state = await this.backend.registryLogin(request);
  }

  logout(host: string): Promise<void> {
    return this.run(host, () => this.backend.registryLogout(host));
  }

  /** `cliHelper`: the platform's helper to set up for the docker CLI, or null to leave its copy alone. */
  moveToKeychain(host: string, cliHelper: string | null): Promise<void> {
    return this.run(host, () => this.backend.registryMoveToKeychain(host, cliHelper));
  }

  private async run(host: string, op: () => Promise<Registries>): Promise<void> {
    this.busy = new Set([...this.busy, host]);
    try {
      this.state = await op();
    } finally {
      this.busy = new Set([...this.busy].filter((h) => h !== host));
    }
  }
}
