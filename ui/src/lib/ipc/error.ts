import type { ErrorCode, IpcErrorPayload } from './bindings';

/** Every code berth-core sends (the generated `ErrorCode`: a code added in Rust fails the
 *  build here until it is listed); anything else becomes Internal. */
const KNOWN = {
  EngineUnreachable: true, NotFound: true, Conflict: true, PortInUse: true, PermissionDenied: true,
  InvalidInput: true, Registry: true, Keychain: true, Cancelled: true, Internal: true, BuildFailed: true,
} satisfies Record<ErrorCode, true>;
export const CODES = Object.keys(KNOWN) as readonly ErrorCode[];

function isPayload(value: unknown): value is IpcErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && (CODES as readonly string[]).includes(v.code)
    && typeof v.message === 'string';
}

/** A failed backend command. `message` is a sentence fit for the user. */
export class IpcError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly field: string | null;
  readonly command: string;

  constructor(payload: IpcErrorPayload, command: string) {
    super(payload.message);
    this.name = 'IpcError';
    this.code = payload.code;
    this.detail = payload.detail;
    this.field = payload.field;
    this.command = command;
  }

  /** Builds an IpcError from whatever a command rejected with. Unknown shapes become 'Internal'. */
  static from(reason: unknown, command: string): IpcError {
    if (reason instanceof IpcError) return reason;
    if (isPayload(reason)) {
      return new IpcError({
        code: reason.code,
        message: reason.message,
        detail: typeof reason.detail === 'string' ? reason.detail : '',
        field: typeof reason.field === 'string' ? reason.field : null,
      }, command);
    }
    const detail = reason instanceof Error ? (reason.stack ?? reason.message)
      : typeof reason === 'string' ? reason
      : safeJson(reason);
    return new IpcError({
      code: 'Internal',
      message: `Berth hit an unexpected error while running “${command}”.`,
      detail,
      field: null,
    }, command);
  }

  toPayload(): IpcErrorPayload {
    return { code: this.code, message: this.message, detail: this.detail, field: this.field };
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Turns anything thrown into an IpcError (for code paths that may also throw plain errors). */
export function toIpcError(reason: unknown, command = 'ui'): IpcError {
  return IpcError.from(reason, command);
}
