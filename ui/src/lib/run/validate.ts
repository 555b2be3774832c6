import type { RestartPolicy, RunSpec } from '../ipc/types';

/** Per-field messages, keyed by RunSpec field name. */
export type FieldErrors = Partial<Record<keyof RunSpec, string>>;

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const PROTOCOLS = ['tcp', 'udp', 'sctp'];

function checkPort(text: string, what: string): string | null {
  const range = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!range) return `${what} “${text}” is not a number.`;
  for (const n of [range[1], range[2]]) {
    if (n !== undefined && (Number(n) < 1 || Number(n) > 65535)) return `${what} ${n} is out of range (1–65535).`;
  }
  if (range[2] !== undefined && Number(range[2]) < Number(range[1])) return `${what} range ${text} is reversed.`;
  return null;
}

/** Validates one docker -p spec: `[ip:][hostPort:]containerPort[/proto]`; null when fine. */
export function validatePortSpec(spec: string): string | null {
  let rest = spec.trim();
  if (!rest) return 'Empty port mapping.';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const proto = rest.slice(slash + 1).toLowerCase();
    if (!PROTOCOLS.includes(proto)) return `Protocol “${proto}” must be tcp, udp or sctp.`;
    rest = rest.slice(0, slash);
  }
  let ip: string | null = null;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(rest);
  if (v6) {
    ip = v6[1];
    rest = v6[2];
  }
  const parts = rest.split(':');
  if (parts.length > (ip ? 2 : 3)) return `“${spec}” has too many colons (use ip:host:container).`;
  if (!ip && parts.length === 3) {
    ip = parts.shift()!;
    if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip) && ip !== 'localhost') return `“${ip}” is not an IP address.`;
  }
  const container = parts.pop()!;
  const host = parts.pop() ?? '';
  return (host === '' ? null : checkPort(host, 'Host port')) ?? checkPort(container, 'Container port');
}

/** KEY=VALUE (value may be empty); null when fine. */
export function validateEnv(entry: string): string | null {
  const at = entry.indexOf('=');
  if (at < 0) return `“${entry}” must be KEY=VALUE.`;
  const key = entry.slice(0, at);
  if (!key) return `“${entry}” has no name before “=”.`;
  if (/\s/.test(key)) return `“${key}” contains whitespace.`;
  return null;
}

/** host-path-or-volume:/container/path[:options]; null when fine. */
export function validateVolume(spec: string): string | null {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    return `“${spec}” must be source:/path/in/container[:ro].`;
  }
  if (!parts[1].startsWith('/')) return `The container path “${parts[1]}” must be absolute.`;
  return null;
}

export function validateName(name: string): string | null {
  return NAME.test(name) ? null : 'Names start with a letter or digit and use only letters, digits, “_”, “.” and “-”.';
}

/** Non-empty trimmed lines. */
export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The first failing line of a multi-line field, prefixed with its line number when there are several. */
function firstError(items: string[], check: (s: string) => string | null): string | undefined {
  for (let i = 0; i < items.length; i++) {
    const message = check(items[i]);
    if (message) return items.length > 1 ? `Line ${i + 1}: ${message}` : message;
  }
  return undefined;
}

export interface RunForm {
  image: string;
  name: string;
  command: string;
  env: string;
  ports: string;
  volumes: string;
  network: string;
  restart: RestartPolicy;
  autoRemove: boolean;
}

export function validateRunForm(form: RunForm): FieldErrors {
  const errors: FieldErrors = {};
  if (!form.image.trim()) errors.image = 'Choose an image to run.';
  else if (/\s/.test(form.image.trim())) errors.image = 'Image references cannot contain spaces.';
  if (form.name.trim()) {
    const message = validateName(form.name.trim());
    if (message) errors.name = message;
  }
  errors.env = firstError(lines(form.env), validateEnv);
  errors.ports = firstError(lines(form.ports), validatePortSpec);
  errors.volumes = firstError(lines(form.volumes), validateVolume);
  if (form.autoRemove && form.restart !== 'no') errors.restart = 'Auto-remove cannot be combined with a restart policy.';
  for (const key of Object.keys(errors) as (keyof RunSpec)[]) if (!errors[key]) delete errors[key];
  return errors;
}

export function toRunSpec(form: RunForm): RunSpec {
  return {
    image: form.image.trim(),
    name: form.name.trim() || null,
    command: form.command.trim() || null,
    env: lines(form.env),
    ports: lines(form.ports),
    volumes: lines(form.volumes),
    network: form.network || null,
    restart: form.restart,
    autoRemove: form.autoRemove,
  };
}
