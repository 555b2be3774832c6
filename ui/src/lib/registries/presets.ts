/** The registries the login dialog offers ready-made, and how each asks to be logged in to. */
export interface Preset {
  id: 'hub' | 'ghcr' | 'gitlab' | 'quay' | 'custom';
  name: string;
  /** Empty for a custom registry: the user types host[:port]. */
  host: string;
  userLabel: string;
  secretLabel: string;
  /** Where to get the secret, in a sentence. */
  hint: string;
}

export const PRESETS: readonly Preset[] = [
  { id: 'hub', name: 'Docker Hub', host: 'docker.io', userLabel: 'Docker ID', secretLabel: 'Password or access token',
    hint: 'An access token is safer than your password: Docker Hub → Account settings → Personal access tokens.' },
  { id: 'ghcr', name: 'GitHub Container Registry', host: 'ghcr.io', userLabel: 'GitHub user name', secretLabel: 'Personal access token',
    hint: 'GitHub → Settings → Developer settings → Personal access tokens (classic), with read:packages (and write:packages to push).' },
  { id: 'gitlab', name: 'GitLab Container Registry', host: 'registry.gitlab.com', userLabel: 'GitLab user name', secretLabel: 'Access token',
    hint: 'A personal, project or deploy token with read_registry (and write_registry to push).' },
  { id: 'quay', name: 'Quay', host: 'quay.io', userLabel: 'User name or robot account', secretLabel: 'Password or robot token',
    hint: 'For automation, create a robot account in Quay and use its token.' },
  { id: 'custom', name: 'Other registry', host: '', userLabel: 'User name', secretLabel: 'Password or token',
    hint: 'A registry on this machine (localhost:5000) speaks plain HTTP; type https:// in front to insist on HTTPS.' },
];

/** The friendly name of a logged-in registry, else its address. */
export function registryName(host: string): string {
  return PRESETS.find((p) => p.host && p.host === host)?.name ?? host;
}
