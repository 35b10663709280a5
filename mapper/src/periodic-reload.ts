/**
 * An in-memory copy of database rows that answers synchronously and reloads every `reloadMs` in the background. A
 * failed reload goes to `onError` and keeps the previous copy.
 */
export abstract class PeriodicReload {
  private timer: NodeJS.Timeout | null = null;

  protected constructor(private readonly schedule: { reloadMs: number; onError?: (error: unknown) => void }) {}

  abstract reload(): Promise<void>;

  /** Loads once (resolved when done, also after a failure) and then every `reloadMs`. */
  start(): Promise<void> {
    const first = this.reload().catch((error) => this.schedule.onError?.(error));
    this.timer = setInterval(() => void this.reload().catch((error) => this.schedule.onError?.(error)), this.schedule.reloadMs);
    this.timer.unref();
    return first;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
