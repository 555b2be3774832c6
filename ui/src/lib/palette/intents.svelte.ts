/** A dialog a view should open when it shows (asked from the command palette). */
export type Intent = 'pull' | 'login';

export class Intents {
  pending = $state<Intent | null>(null);

  ask(intent: Intent): void {
    this.pending = intent;
  }

  /** True once for an asked intent; the view then opens its dialog. */
  take(intent: Intent): boolean {
    if (this.pending !== intent) return false;
    this.pending = null;
    return true;
  }
}
