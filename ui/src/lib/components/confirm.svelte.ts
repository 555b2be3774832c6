export interface ConfirmRequest {
  title: string;
  message: string;
  /** Extra lines, e.g. the names of the containers affected. */
  items?: string[];
  okLabel: string;
  danger?: boolean;
}

interface Pending extends ConfirmRequest {
  resolve: (ok: boolean) => void;
}

/** One confirmation at a time, rendered by ConfirmDialog. */
export class Confirmations {
  current = $state.raw<Pending | null>(null);

  ask(request: ConfirmRequest): Promise<boolean> {
    this.current?.resolve(false);
    return new Promise((resolve) => {
      this.current = { ...request, resolve };
    });
  }

  answer(ok: boolean): void {
    const pending = this.current;
    this.current = null;
    pending?.resolve(ok);
  }
}
